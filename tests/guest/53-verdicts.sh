#!/bin/sh
# Every per-folio verdict and the identity break fire where they should:
# the test-only injector (tests/inject/mlockinject.c) corrupts the
# kernel's mlock state one way at a time, and the module must name each
# corruption, on the right PFN, in folios, mismatches, the scan counts
# and the mlockwatch_mismatch tracepoint; and must say "incomplete"
# instead of an error once its table has lost folios.
#
# Single-threaded TCG: enabling the mlockwatch_mismatch event, and
# removing it with the module, starts and stops the tracer's cmdline
# recording, which live-patches the sched_switch/sched_wakeup tracepoints
# in __schedule: code every CPU runs all the time. Under multi-threaded
# TCG a clean-clone CI run once left CPU 0 spinning at __schedule's
# patched site with interrupts off while rmmod waited for its IPI (soft
# lockup), the QEMU stale-translation problem of 42-reload-under-load.sh.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 21

T=/sys/kernel/tracing
inject() { echo "$*" > $INJ; }
# verdict_of PFN: the verdict folios gives PFN ("" when it has no entry)
verdict_of() { awk -v p="$1" 'NR > 2 && $1 == p { print $13 }' "$MW_DEBUGFS/folios"; }
in_mismatches() { awk -v p="$1" 'NR > 2 && $1 == p { print $13 }' "$MW_DEBUGFS/mismatches"; }
# traced VERDICT PFN: how many mlockwatch_mismatch events name them
traced() {
	grep -c "verdict=$1 pfn=$(printf '%#x' "$2") " $T/trace
}

# With the writer hook: the unattributed verdict below needs it.
mw_load attribute_writers=1
insmod "$MW_DIR/mlockinject.ko"
echo > $T/trace
echo 1 > $T/events/mlockwatch/mlockwatch_mismatch/enable
probe_start p1

# a page the module knows and the kernel agrees with
probe "map a nothp 64" && probe "touch a" && drain && probe "mlock a" &&
	probe "map b nothp 64" && probe "touch b" && drain && probe "mlock b"
drain
probe "pfns a /tmp/a"
# Every page of a is ok, or known-undercount where mlock found it
# isolated and the kernel left it at count 0 by design (see exact_pages
# below; seen on 7.3 under single-threaded TCG); at least one is ok.
control=$(awk 'NR == FNR { mine[$1] = 1; next }
	FNR > 2 && ($1 in mine) { n[$13]++ }
	END { for (v in n) print v "=" n[v] }' /tmp/a "$MW_DEBUGFS/folios" | sort | tr '\n' ' ')
ok=$(echo "$control" | tr ' ' '\n' | sed -n 's/^ok=//p')
low=$(echo "$control" | tr ' ' '\n' | sed -n 's/^known-undercount=//p')
if [ "${ok:-0}" -ge 1 ] && [ $((${ok:-0} + ${low:-0})) = $((64 * 1024 / PAGE_SIZE)) ]; then
	ktap_test_pass "control: the locked pages are ok, or known-undercount by design ($control)"
else
	ktap_test_fail "control: the locked pages are ok, or known-undercount by design ($control)"
fi

# unwitnessed-set: PG_mlocked on a page no mlock ever reached
inject stray
pfn=$(injected_pfn)
mw_control scan
expect_eq "stray PG_mlocked: folios says unwitnessed-set" "unwitnessed-set" "$(verdict_of "$pfn")"
expect_eq "stray PG_mlocked: mismatches lists it" "unwitnessed-set" "$(in_mismatches "$pfn")"
expect_eq "stray PG_mlocked: the scan counted one" "1" "$(mw_summary scan_unwitnessed_set)"
expect_eq "stray PG_mlocked: the tracepoint fired once for it, and the summary counts it" "1 1" \
	"$(traced unwitnessed-set "$pfn") $(mw_summary traced_unwitnessed_set)"

# unwitnessed-clear: PG_mlocked gone from a page a locked VMA still holds
probe "inject a 0 clear"
pfn=$(injected_pfn)
expect_eq "clear: the PFN is the locked page's" "$(head -n1 /tmp/a)" "$pfn"
drain
expect_eq "cleared PG_mlocked: folios says unwitnessed-clear" "unwitnessed-clear" "$(verdict_of "$pfn")"
expect_eq "cleared PG_mlocked: mismatches lists it" "unwitnessed-clear" "$(in_mismatches "$pfn")"
expect_eq "cleared PG_mlocked: the tracepoint fired once for it, and the summary counts it" "1 1" \
	"$(traced unwitnessed-clear "$pfn") $(mw_summary traced_unwitnessed_clear)"

# The count injections need folios the kernel counted exactly (count 1,
# shadow 1): mlock may undercount one by design, when the folio is
# isolated at that moment (seen under a loaded host). inject takes
# offsets in KiB; x86_64's pages are 4 KiB (busybox has no getconf).
# exact_pages: the offsets (KiB) of b's pages counted exactly.
exact_pages() {
	drain
	probe "pfns b /tmp/b"
	awk -v kib=4 'NR == FNR { off[$1] = (FNR - 1) * kib; next }
	     FNR > 2 && ($1 in off) && $4 == 1 && $5 == 1 { print off[$1] }' /tmp/b "$MW_DEBUGFS/folios" | sort -n
}
exact=$(exact_pages)
tries=1
# Seen on 7.3-rc7 under single-threaded TCG: all 16 undercounted. Lock
# them again until two are counted exactly.
while [ "$(echo $exact | wc -w)" -lt 2 ] && [ "$tries" -lt 5 ]; do
	probe "munlock b" && drain && probe "mlock b"
	exact=$(exact_pages)
	tries=$((tries + 1))
done
ktap_print_msg "pages of b counted exactly (of 16): $(echo $exact | wc -w) after $tries lock(s); their offsets in KiB (inject's unit): $(echo $exact)"
[ "$(echo $exact | wc -w)" -ge 2 ] ||
	ktap_print_msg "the kernel undercounted b's pages every time: the count injections below cannot be exact"
off1=$(echo $exact | awk '{ print $1 }')
off2=$(echo $exact | awk '{ print $2 }')

# overcount: the kernel's count above the shadow
probe "inject b ${off1:-0} raise 3"
pfn=$(injected_pfn)
expect_eq "raised mlock_count: folios says overcount with kernel count 4, shadow 1" \
	"1 4 overcount" "$(awk -v p="$pfn" 'NR > 2 && $1 == p { print $4, $5, $13 }' "$MW_DEBUGFS/folios")"
expect_eq "raised mlock_count: the tracepoint fired once for it, and the summary counts it" "1 1" \
	"$(traced overcount "$pfn") $(mw_summary traced_overcount)"

# known-undercount: the kernel's count below the shadow is by design
probe "inject b ${off2:-4} raise -1"
pfn=$(injected_pfn)
expect_eq "lowered mlock_count: folios says known-undercount with kernel count 0, shadow 1" \
	"1 0 known-undercount" "$(awk -v p="$pfn" 'NR > 2 && $1 == p { print $4, $5, $13 }' "$MW_DEBUGFS/folios")"
expect_eq "lowered mlock_count: not a mismatch" "" "$(in_mismatches "$pfn")"

# identity: NR_MLOCK moved by a writer outside the mlock paths
before=$(mw_summary identity_diff)
inject nr_mlock 5
expect_eq "NR_MLOCK += 5: identity_diff is off by exactly 5" "$((before + 5))" "$(mw_summary identity_diff)"
expect_eq "NR_MLOCK += 5: attributed to nobody" "5" "$(mw_summary nr_mlock_unattributed)"
expect_eq "NR_MLOCK += 5: the tracepoint names an unattributed write of 5" "1" \
	"$(grep -c 'verdict=unattributed pfn=0x0 .* nr_pages=5$' $T/trace)"

# the injector undoes what it can; the module's errors resolve with it
rmmod mlockinject
probe "munlock a" && probe "munlock b"
drain
mw_control scan
expect_eq "after the injector's undo and munlock: no error left, identity back to 0" \
	"0 0 0 0 0" "$(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .) $(mw_summary scan_unwitnessed_set) $(mw_summary scan_unwitnessed_clear) $(mw_summary scan_overcount) $(mw_summary identity_diff)"

# An error gone by the end of a run is still said: around mlockcheck's
# run a folio's count is raised, a read of mismatches judges it
# (overcount), and the folio is freed, so the final check lists nothing.
insmod "$MW_DIR/mlockinject.ko"
probe "map d nothp 16" && probe "touch d" && drain && probe "mlock d" && drain
"$MW_DIR/mlockcheck" -i 0.5 -- sleep 6 > /tmp/traced.out 2>&1 &
mc=$!
# its header comes after its baseline: the raise must come after that
i=0
while ! grep -q 'TIME(s)' /tmp/traced.out && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
probe "inject d 0 raise 2"
pfn=$(injected_pfn)
seen=$(in_mismatches "$pfn")
probe "munmap d"
drain
wait $mc
rc=$?
[ "$rc" = 0 ] || sed 's/^/# /' /tmp/traced.out
expect_eq "an overcount on a folio freed before the end: exit 0, and a note says mlockwatch judged it" \
	"0 overcount 2 1" "$rc $seen $(mw_summary traced_overcount) \
$(grep -c '^note: .*mlockwatch judged 1 folio(s) an error during the run (overcount 1); 0 in mismatches at the end' /tmp/traced.out)"
rmmod mlockinject
probe_stop p1
mw_unload

# incomplete: a table of 64 folios cannot hold 256 pages
mw_load max_folios=64
insmod "$MW_DIR/mlockinject.ko"
probe_start p1
probe "map c nothp 1024" && probe "touch c" && drain && probe "mlock c"
drain
expect_eq "a table of 64 with 256 locked pages: the module says incomplete" "1" \
	"$(mw_summary incomplete)"
probe "inject c 0 clear"
pfn=$(injected_pfn)
expect_eq "incomplete: a cleared PG_mlocked is not called an error" "incomplete" \
	"$(verdict_of "$pfn")"
expect_eq "incomplete: mismatches stays empty" "0" \
	"$(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .)"
rmmod mlockinject
probe_stop p1
echo 0 > $T/events/mlockwatch/mlockwatch_mismatch/enable
mw_unload
ktap_finished
