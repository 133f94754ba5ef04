#!/bin/sh
# mlockcheck: every verdict fires where it should. ok (once, exact, with
# and without the module, and around mlockstress), mismatch for each kind
# of corruption the test-only injector makes (naming the invariant and
# the exact size), incomplete (exit 4) when mlockwatch's table is too
# small, mismatch still when the kernel's own counters disagree then, and
# exit 2 with one line for a setup or usage error. The default (no -w,
# no --bpf-batches, the module without attribute_writers=1) still catches
# a stray NR_MLOCK write by the identity, says what it did not check, and
# leaves the vmstat writers unhooked and the batch to the module alone
# (enabled_functions); the checks that name a writer or count the batches
# from BPF run with every witness on. Every JSON object
# those runs print (once with and without the module, watching, wrapping,
# a mismatch) is checked against tools/mlockcheck.md, the contract of
# --json.
#
# Single-threaded TCG: it loads and unloads the module several times and
# attaches and detaches mlockcheck's BPF kprobes on the vmstat writers
# while the kernel runs; under QEMU 7.2's multi-threaded TCG a vCPU can go
# on executing a stale translation of the patched text. Seen once on 7.3
# with a CPU-bound process on the host: khugepaged called through a freed
# ftrace trampoline (RIP 0 from lru_gen_del_folio) after mlockwatch was
# unloaded. See README, tests/qemu.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 28

MC="$MW_DIR/mlockcheck"
out=/tmp/mlockcheck.out
json=/tmp/mlockcheck.json
: > $json

# run_mc ARGS...: run mlockcheck, keep its output (and its JSON objects,
# for the contract's check at the end), print its exit status
run_mc() {
	"$MC" "$@" > $out 2>&1
	echo $?
	grep '^{' $out >> $json
}
has() { grep -q -- "$1" $out; }
show() { sed 's/^/# /' $out | tail -n "${1:-12}"; }

# usage and setup errors: exit 2, one line
expect_eq "a bad option exits 2" 2 "$(run_mc --no-such-option)"
expect_eq "--require-module without the module exits 2" 2 "$(run_mc --require-module --once)"
has "mlockwatch.ko is not loaded" && ktap_test_pass "  ... and says the module is not loaded" ||
	{ show; ktap_test_fail "  ... and says the module is not loaded"; }

# without the module: degraded, and says so
expect_eq "without the module, --once --exact on an idle system exits 0" 0 "$(run_mc --once --exact)"
has "without mlockwatch.ko" && ktap_test_pass "  ... and says it checked BPF and vmstat only" ||
	{ show; ktap_test_fail "  ... and says it checked BPF and vmstat only"; }
# A figure not known is null in JSON, and empty in CSV, never a 0.
rc=$(run_mc --once --json --csv /tmp/mc-nomod.csv)
expect_eq "without the module, --once --json exits 0, the module's figures null in JSON and empty in CSV" \
	'0 "module_witnessed":null,"module_mismatches":null, []' \
	"$rc $(grep -o '"module_witnessed":[a-z0-9]*,"module_mismatches":[a-z0-9]*,' $out) [$(awk -F, 'NR == 2 { print $7 }' /tmp/mc-nomod.csv)]"

mw_load
expect_eq "with the module, --once --exact --json on an idle system exits 0" 0 "$(run_mc --once --exact --json)"

# around mlockstress (scenarios that a known kernel bug fails are left
# out on the kernels that have it: tests/known-kernel-bugs)
scen=$("$MW_DIR/mlockstress" --list | awk -v skip="$(known_bug mremap-dontunmap-partial && echo mremap)" \
	'$1 != skip { printf "%s%s", sep, $1; sep = "," }')
rc=$(run_mc -i 1 --json --csv /tmp/mc.csv -- "$MW_DIR/mlockstress" --duration 1 --scenario "$scen")
[ "$rc" = 0 ] || show 20
# The known mlock_count overcount (tests/known-kernel-bugs) can fire at
# random under the shared and threads scenarios; when that, and only
# that, is what mlockcheck found, it is mlockcheck doing its job: every
# mismatch a folio whose kernel count is too high, mlockcheck naming
# nothing but the module's verdicts, and its final object saying so for
# an exact check with the module of a command that exited 0.
if mlockcheck_only_known_overcount "$rc" $out; then
	n=$(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .)
	ktap_test_pass "mlockcheck -- mlockstress (every scenario) exits 1 for $n overcounted folio(s) and nothing else, $(known_overcount_note)"
	expect_eq "  ... its final JSON object says mismatch, exact, with the module, command status 0" \
		'"final":true,"mode":"wrap","exact":true,"module":true,"verdict":"mismatch","exit":1,"cmd_status":0' \
		"$(grep -o '"final":true,"mode":"wrap","exact":[a-z]*,"module":[a-z]*,"verdict":"[a-z-]*","exit":[0-9]*,"cmd_status":[0-9]*' $out)"
else
	expect_eq "mlockcheck -- mlockstress (every scenario) exits 0" 0 "$rc"
	expect_eq "  ... its final JSON object says ok, exact, with the module, command status 0" \
		'"final":true,"mode":"wrap","exact":true,"module":true,"verdict":"ok","exit":0,"cmd_status":0' \
		"$(grep -o '"final":true,"mode":"wrap","exact":[a-z]*,"module":[a-z]*,"verdict":"[a-z-]*","exit":[0-9]*,"cmd_status":[0-9]*' $out)"
fi
expect_eq "  ... --csv wrote the header and a row per sample" \
	"time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict yes" \
	"$(head -n1 /tmp/mc.csv) $([ "$(wc -l < /tmp/mc.csv)" -ge 5 ] && echo yes)"

expect_eq "watching for 1 s with --json exits 0, its final object in mode watch" '0 "mode":"watch"' \
	"$(run_mc -i 0.25 -d 1 --json) $(grep -o '"mode":"[a-z]*"' $out)"

# What the default leaves unknown is null in JSON and empty in CSV: BPF's
# attribution without -w, the module's witness without its writer hook.
rc=$(run_mc --once --json --csv /tmp/mc-lean.csv)
expect_eq "the default with the module: exit 0, the writer figures null in JSON and empty in CSV, a not-checked note" \
	'0 "bpf_attributed":null,"bpf_unattributed":null,"module_witnessed":null, [,,] 1' \
	"$rc $(grep -o '"bpf_attributed":[a-z0-9-]*,"bpf_unattributed":[a-z0-9-]*,"module_witnessed":[a-z0-9-]*,' $out | head -n1) [$(awk -F, 'NR == 2 { print $5 "," $6 "," $7 }' /tmp/mc-lean.csv)] $(grep -c '"final":true.*"notes":"not checked: witness-bpf' $out)"

# The ftrace users of the hot functions while a mlockcheck runs: without
# -w no kprobe on the vmstat writers, and with the module the batch
# processor has the module's hook alone (two users would put ftrace on
# its slow list function); -w --bpf-batches adds both.
ef=/sys/kernel/tracing/enabled_functions
[ -r $ef ] || ef=/sys/kernel/debug/tracing/enabled_functions
batch=$(awk '$3 == "mlock_folio_batch" || $3 == "mlock_pagevec" { print $3; exit }' /proc/kallsyms)
# ftrace_users ARGS...: while mlockcheck ARGS runs, the ftrace users of
# mod_zone_page_state, __mod_zone_page_state and the batch processor
# (enabled_functions' "(N)"; 0 when not there), once it has set up (its
# header printed; $out is emptied first, or the last run's header would
# pass for it), then its exit status on SIGTERM (a background job
# ignores SIGINT until mlockcheck installs its handler)
ftrace_users() {
	: > $out
	"$MC" -i 0.5 -d 60 "$@" > $out 2>&1 &
	mc=$!
	i=0
	while ! grep -q 'VERDICT' $out && kill -0 $mc 2> /dev/null && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	for f in mod_zone_page_state __mod_zone_page_state $batch; do
		awk -v f=$f '$1 == f { n = $2; gsub(/[()]/, "", n) } END { printf "%d ", n }' $ef
	done
	kill -TERM $mc
	wait $mc
	echo $?
}
expect_eq "a default mlockcheck with the module: no ftrace user on mod_zone_page_state or __mod_zone_page_state, one on $batch (the module's), exit 0" \
	"0 0 1 0" "$(ftrace_users)"
expect_eq "  ... with -w --bpf-batches: one on each writer (mlockcheck's kprobes), two on $batch" \
	"1 1 2 0" "$(ftrace_users -w --bpf-batches)"

# A fresh table for the injections: a folio the stress left overcounted
# (above) would stay in mismatches and add to every count below.
mw_unload
mw_load
insmod "$MW_DIR/mlockinject.ko"
# NR_MLOCK += 5 by a stray writer, with the defaults: no witness names
# it, the identity (the kernel's own counters) still breaks by 5
rc=$(run_mc -i 0.5 -- sh -c "echo 'nr_mlock 5' > $INJ")
show 8
expect_eq "default (no -w, the module without attribute_writers=1): NR_MLOCK += 5 still exits 1, the identity off by exactly +5, saying how to name the writer" \
	"1 1" "$rc $(grep -c '^MISMATCH identity: expected .*, delta +5: .*; to name the writer, run mlockcheck with -w and load mlockwatch.ko with attribute_writers=1$' $out)"
expect_eq "  ... one note names what was not checked (and how to check it), and no witness or unattributed line" \
	"1 0" "$(grep -c '^note: .*not checked: witness-bpf, unattributed and events-bpf unevictable_pgs_mlocked (.*-w), events-bpf unevictable_pgs_munlocked and unevictable_pgs_stranded (.*--bpf-batches), witness-module and events-module unevictable_pgs_mlocked (.*attribute_writers=1)' $out) \
$(grep -Ec '^(MISMATCH|NOT JUDGED) (witness-|unattributed)' $out)"
rmmod mlockinject
# Every witness on, to name the writer: the module's hook and -w
mw_unload
mw_load attribute_writers=1
insmod "$MW_DIR/mlockinject.ko"
rc=$(run_mc -w -i 0.5 -- sh -c "echo 'nr_mlock 5' > $INJ")
show 8
expect_eq "NR_MLOCK += 5: exit 1" 1 "$rc"
expect_eq "  ... the identity is off by exactly +5" 1 \
	"$(grep -c '^MISMATCH identity: expected .*, delta +5:' $out)"
expect_eq "  ... an unattributed writer of 5 pages, named" 1 \
	"$(grep -c '^MISMATCH unattributed: expected 0, actual 5, delta +5: 1 NR_MLOCK write(s) outside the mlock paths, first from inject_write' $out)"
expect_eq "  ... neither witness saw the 5 pages" "1 1" \
	"$(grep -c '^MISMATCH witness-bpf: expected 5, actual 0, delta -5:' $out) $(grep -c '^MISMATCH witness-module: expected 5, actual 0, delta -5:' $out)"
expect_eq "  ... and Mlocked now exceeds Unevictable: the stranded-folio invariant fires" 1 \
	"$(grep -c '^MISMATCH unevictable: ' $out)"
rmmod mlockinject && insmod "$MW_DIR/mlockinject.ko"

# an event counter bumped with no page behind it (BPF's count of the
# batches with the module loaded: --bpf-batches)
rc=$(run_mc --bpf-batches -i 0.5 -- sh -c "echo 'event munlocked 3' > $INJ")
show 6
expect_eq "unevictable_pgs_munlocked += 3: exit 1, naming the event and its witnesses" \
	"1 1 1" "$rc $(grep -c '^MISMATCH events-bpf: expected 3, actual 0, delta -3: unevictable_pgs_munlocked' $out) $(grep -c '^MISMATCH events-module: expected 3, actual 0, delta -3: unevictable_pgs_munlocked' $out)"
rmmod mlockinject && insmod "$MW_DIR/mlockinject.ko"

# a stray PG_mlocked page, NR_MLOCK and the events kept consistent: only
# mlockwatch's scan can see it
rc=$(run_mc -i 0.5 -- sh -c "echo stray > $INJ")
pfn=$(awk '/^pfn:/ { print $2 }' $INJ)
show 8
expect_eq "stray PG_mlocked: exit 1 with mlockwatch's verdict" "1 1" \
	"$rc $(grep -c '^MISMATCH module-verdicts: expected 0, actual 1' $out)"
expect_eq "  ... the report lists the stray PFN as unwitnessed-set" 1 \
	"$(grep -c "^    $pfn 0 1 .* unwitnessed-set\$" $out)"
rmmod mlockinject && insmod "$MW_DIR/mlockinject.ko"

# a raised mlock_count
probe_start p1
probe "map a nothp 64" && probe "touch a" && drain && probe "mlock a"
# mlock's batch may still be queued on another CPU: the count only exists
# (and can be raised) once the folio is on the unevictable list
drain
probe "pfns a /tmp/a60"
raised=$(count_after_raise "$(head -n1 /tmp/a60)" 2)
probe "inject a 0 raise 2"
pfn=$(awk '/^pfn:/ { print $2 }' $INJ)
rc=$(run_mc --once --exact)
show 6
expect_eq "raised mlock_count: --once --exact exits 1 listing the PFN as overcount, kernel count $raised" "1 1" \
	"$rc $(grep -c "^    $pfn 0 1 1 $raised .* overcount\$" $out)"
# ... and as JSON, a judged mismatch object (for the contract's check)
run_mc --once --exact --json > /dev/null
rmmod mlockinject
probe "munlock a" && probe "munmap a"
probe_stop p1
mw_unload

# incomplete: a shadow table of 64 folios under 1 MiB of locked pages
mw_load max_folios=64
region_start 1
rc=$(run_mc -i 0.5 -- sh -c "echo touch >&3; read -r x <&4; echo lock >&3; read -r x <&4")
show 6
expect_eq "mlockwatch's table full: exit 4, incomplete, never mismatch" "4 1 0" \
	"$rc $(grep -c '^INCOMPLETE: mlockwatch is incomplete: shadow table lost' $out) $(grep -c '^MISMATCH' $out)"
region_stop

# ... but what relies only on the kernel's own counters is still judged:
# NR_MLOCK += 5 with the table full is a mismatch of the identity, and
# the module's witness (its writer hook on), which the full table makes
# inexact, is not judged
mw_unload
mw_load max_folios=64 attribute_writers=1
insmod "$MW_DIR/mlockinject.ko"
region_start 1
rc=$(run_mc -i 0.5 -- sh -c "echo touch >&3; read -r x <&4; echo lock >&3; read -r x <&4; echo 'nr_mlock 5' > $INJ")
show 10
expect_eq "table full and NR_MLOCK += 5: exit 1, the identity judged, the module's witness not, incomplete said" "1 1 1 1" \
	"$rc $(grep -c '^MISMATCH identity: expected .*, delta +5:' $out) $(grep -c '^NOT JUDGED witness-module: ' $out) $(grep -c '^INCOMPLETE: mlockwatch is incomplete' $out)"
region_stop
rmmod mlockinject
mw_unload

mw_emit_json $json

# The contract: every object above, sample, final and mismatch, against
# the field tables of tools/mlockcheck.md (types, values, required fields).
if "$MW_DIR/mlockcheck_json" "$(dirname "$0")/mlockcheck.md" $json > $out 2>&1 &&
	grep -q '^[0-9]* object(s), 6 final, [1-9][0-9]* mismatch(es), 0 fault(s)' $out; then
	ktap_test_pass "every --json object of these runs keeps tools/mlockcheck.md's contract ($(tail -n1 $out))"
else
	show 30
	ktap_test_fail "every --json object of these runs keeps tools/mlockcheck.md's contract"
fi
ktap_finished
