#!/bin/sh
# mlockcheck -p PID and -c CGROUP judge only that scope's folios. Two
# processes each hold their own locked region (p1 16 folios, p2 32, p2 in
# a cgroup of its own), and the injector overcounts one folio of p1:
# -p p1 names that folio and only p1's folios; -p p2 lists exactly p2's
# folios with no mismatch while the global figures still show p1's;
# -c of p2's cgroup lists exactly p2's folios, charged to it; and without
# the module the scope's PG_mlocked pages still match its locked pages.
# Every PFN mlockcheck lists must be one the process maps, as its own
# pagemap read (mlock_probe's "pfns") says, and the count must be the
# region's size in folios.
#
# Single-threaded TCG, in 60-mlockcheck.sh's boot and for its reason:
# mlockcheck attaches and detaches its BPF kprobes, and the module and
# the injector are loaded and unloaded, while the kernel runs.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
need_module
ktap_set_plan 14

MC=$MW_DIR/mlockcheck
CG=/sys/fs/cgroup
out=/tmp/scope.json
: > /tmp/scope-all.json

# run_mc ARGS...: mlockcheck --json, its output in $out; prints its exit
run_mc() {
	"$MC" --json "$@" > $out 2> /tmp/scope.err
	echo $?
	grep '^{' $out >> /tmp/scope-all.json
}
final() { grep '"final":true' $out; }
# field KEY: a number (or null) from the final object's scope figures
field() { final | grep -o "\"scope\":{[^}]*}" | grep -o "\"$1\":[-0-9a-z]*" | cut -d: -f2; }
# listed: the scope's folio PFNs in the final object, one per line
listed() { final | grep -o '"scope_folio_pfns":\[[0-9,]*\]' | tr -dc '0-9,' | tr , '\n' | grep .; }
# only_of PFNFILE FOLIOS: "yes" when mlockcheck listed FOLIOS folios and
# every one is a PFN of PFNFILE; else what is wrong
only_of() {
	listed > /tmp/scope.listed
	awk -v want="$2" 'NR == FNR { mine[$1] = 1; next }
		{ n++; if (!($1 in mine)) bad = bad " " $1 }
		END { if (bad != "") print "not the process'"'"'s:" bad
		      else if (n != want) print n + 0 " folios, not " want
		      else print "yes" }' "$1" /tmp/scope.listed
}
show() { sed 's/^/# /' /tmp/scope.err; final | sed 's/^/# /'; }

folios1=$((64 * 1024 / PAGE_SIZE))
folios2=$((128 * 1024 / PAGE_SIZE))

# p2 in a cgroup of its own, with the memory controller, before it maps
# anything: its region is charged there
grep -q " $CG cgroup2 " /proc/mounts || mount -t cgroup2 none $CG
echo +memory > $CG/cgroup.subtree_control
mkdir -p $CG/mwscope
mw_load
insmod "$MW_DIR/mlockinject.ko"
probe_start p1
probe_start p2
echo "$PROBE_PID_p2" > $CG/mwscope/cgroup.procs
# nothp: small folios, one per page, so that the counts follow the sizes
probe "p1:map a nothp 64" && probe "p1:touch a" &&
	probe "p2:map a nothp 128" && probe "p2:touch a" && drain &&
	probe "p1:mlock a" && probe "p2:mlock a"
drain
probe "p1:pfns a /tmp/p1.pfns"
probe "p2:pfns a /tmp/p2.pfns"
raised=$(count_after_raise "$(head -n1 /tmp/p1.pfns)" 2)
probe "p1:inject a 0 raise 2"
pfn=$(awk '/^pfn:/ { print $2 }' $INJ)

rc=$(run_mc --once --exact -p "$PROBE_PID_p1")
[ "$rc" = 1 ] || show
expect_eq "-p of the corrupted process: exit 1, its mismatch the scope's, naming the raised PFN" \
	"1 1" "$rc $(final | grep -c "\"invariant\":\"module-verdicts\",[^}]*\"scope\":true,\"detail\":\"[^\"]*first $pfn 0 1 1 $raised [^\"]* overcount\"")"
expect_eq "  ... the scope's mismatches: 1, of its $folios1 folios" "1" "$(field module_mismatches)"
expect_eq "  ... every folio it lists is p1's, $folios1 of them" yes "$(only_of /tmp/p1.pfns $folios1)"

rc=$(run_mc --once --exact -p "$PROBE_PID_p2")
[ "$rc" = 0 ] || show
expect_eq "-p of the other process: exit 0, no mismatch in its scope" "0 0" "$rc $(field module_mismatches)"
expect_eq "  ... every folio it lists is p2's, $folios2 of them" yes "$(only_of /tmp/p2.pfns $folios2)"
expect_eq "  ... while the global figures still show p1's mismatch" 1 \
	"$(final | grep -c '"global":{"identity_diff":0,"module_mismatches":1}')"

rc=$(run_mc --once --exact -c $CG/mwscope)
[ "$rc" = 0 ] || show
expect_eq "-c of p2's cgroup: exit 0, one process, no mismatch" "0 1 0" \
	"$rc $(field processes) $(field module_mismatches)"
expect_eq "  ... every folio it lists is p2's, $folios2 of them" yes "$(only_of /tmp/p2.pfns $folios2)"
charged=$(field charged_mlocked_pages)
expect_eq "  ... kpagecgroup: at least p2's $folios2 locked pages are charged to it and PG_mlocked" yes \
	"$([ "${charged:-0}" -ge "$folios2" ] 2>/dev/null && echo yes || echo "charged_mlocked_pages=$charged")"

# the text output marks the global and the scope's figures apart
# (the kernel count is $raised, not always 3: see count_after_raise)
"$MC" --once --exact -p "$PROBE_PID_p1" > /tmp/scope.txt 2>&1
text="$(grep -c '^MISMATCH module-verdicts (scope): ' /tmp/scope.txt) $(grep -c "^    $pfn 0 1 1 $raised .* overcount\$" /tmp/scope.txt) $(grep -c '^global: identity_diff 0, mlockwatch.s mismatches 1 folio(s) in all$' /tmp/scope.txt)"
[ "$text" = "1 1 1" ] || sed 's/^/# /' /tmp/scope.txt
expect_eq "text: the scope's mismatch is (scope), the PFN listed, the global line there" "1 1 1" "$text"

# without the module: the kernel's own figures for the scope
rmmod mlockinject
mw_unload
rc=$(run_mc --once --exact -p "$PROBE_PID_p1")
[ "$rc" = 0 ] || show
expect_eq "without the module, -p: exit 0; VmLck, locked VMA pages, present and PG_mlocked pages all $folios1; no module figures" \
	"0 $folios1 $folios1 $folios1 $folios1 null null" \
	"$rc $(field vmlck_pages) $(field locked_vma_pages) $(field locked_present_pages) $(field locked_mlocked_pages) $(field module_folios) $(field module_mismatches)"

# a process that exits mid-run: its folios cannot be named any more, so
# the run is incomplete (exit 4, KSFT_SKIP), neither consistent nor a mismatch
sleep 30 &
victim=$!
( sleep 1; kill $victim ) &
rc=$(run_mc -i 0.5 -d 3 -p $victim)
wait $victim 2>/dev/null
expect_eq "-p of a process that exits mid-run: exit 4, incomplete, saying it exited" "4 1" \
	"$rc $(final | grep -c '"verdict":"incomplete",.*"incomplete_reason":"1 of the scope.s 1 process(es) exited while read')"

probe_stop p1
rc=$(run_mc --once --exact -p 999999)
expect_eq "-p of no process: exit 2, one line" "2 mlockcheck: no process 999999" "$rc $(cat /tmp/scope.err)"

probe "p2:munlock a"
probe_stop p2
rmdir $CG/mwscope

# The contract: every scoped object above, with its scope, global and
# mismatch objects, against the field tables of tools/mlockcheck.md.
mw_emit_json /tmp/scope-all.json
if "$MW_DIR/mlockcheck_json" "$MW_DIR/mlockcheck.md" /tmp/scope-all.json > /tmp/scope.check 2>&1; then
	ktap_test_pass "every scoped --json object keeps tools/mlockcheck.md's contract ($(tail -n1 /tmp/scope.check))"
else
	sed 's/^/# /' /tmp/scope.check | tail -n 30
	ktap_test_fail "every scoped --json object keeps tools/mlockcheck.md's contract"
fi
ktap_finished
