#!/bin/sh
# Exhaustion: when the shadow table cannot hold every folio (max_folios
# reached) or an allocation in a hook fails, the module counts it, says
# "incomplete" with the reason, and never calls a folio an error;
# mlockcheck exits 4 (incomplete). Allocation failures are injected with
# failslab, targeted at the table's own cache, where the kernel has it
# (the debug kernel; Debian's configs have no CONFIG_FAILSLAB).
# Single-threaded TCG: mlockcheck attaches and detaches BPF probes, live
# patching that QEMU 7.2's multi-threaded TCG can execute stale (see
# 42-reload-under-load.sh and README); a 7.3 guest died in this group with
# a call to 0 from lru_gen_del_folio, in khugepaged, right after it.
# mlockvm: --tcg-single
# destructive: turns on failslab fault injection, which fails kernel allocations on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 10

ERRORS='unwitnessed-set|unwitnessed-clear|overcount'
# no_error_verdicts DESCRIPTION: after a drain and a scan, no folio line
# has an error verdict and mismatches is empty.
no_error_verdicts() {
	drain
	mw_control scan
	expect_eq "$1" "0 0" \
		"$(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .) $(awk 'NR > 2 { print $13 }' "$MW_DEBUGFS/folios" | grep -cE "^($ERRORS)$")"
}

# 1. A table of 64 folios under every mlockstress scenario, checked by
# mlockcheck.
mw_load max_folios=64 || ktap_exit_fail_msg "insmod max_folios=64 failed"
scenarios=$("$MW_DIR/mlockstress" --list | awk -v skip="$(known_bug mremap-dontunmap-partial && echo mremap)" \
	'$1 != skip { printf "%s%s", sep, $1; sep = "," }')
"$MW_DIR/mlockcheck" -- "$MW_DIR/mlockstress" --duration 0.3 --scenario "$scenarios" > /tmp/mc47.out 2>&1
rc=$?
tail -n 4 /tmp/mc47.out | sed 's/^/# /'
expect_eq "mlockcheck -- mlockstress with a 64-folio table: exit 4 (incomplete)" 4 "$rc"
grep -q '^INCOMPLETE: mlockwatch is incomplete: shadow table lost' /tmp/mc47.out &&
	ktap_test_pass "  ... and says the shadow table lost folios" ||
	ktap_test_fail "  ... and says the shadow table lost folios"
full=$(mw_summary table_full)
[ "$full" -gt 0 ] && ktap_test_pass "table_full counts the folios it could not hold ($full)" ||
	ktap_test_fail "table_full counts the folios it could not hold ($full)"
case "$(mw_summary incomplete_reasons)" in
*"max_folios 64 reached"*) ktap_test_pass "incomplete_reasons names max_folios" ;;
*) ktap_print_msg "incomplete_reasons: $(mw_summary incomplete_reasons)"
   ktap_test_fail "incomplete_reasons names max_folios" ;;
esac
no_error_verdicts "a full table: no folio verdict is an error"
mw_unload

# 2. failslab on the table's cache: exactly N allocations fail.
F=/sys/kernel/debug/failslab
if [ ! -d "$F" ]; then
	for t in "failslab: 10 injected failures" "  ... are counted exactly" \
		"  ... make the module incomplete, naming them" "  ... with no error verdict" \
		"  ... and mlockcheck exits 4 (incomplete)"; do
		ktap_test_skip "$t (no CONFIG_FAILSLAB on $(uname -r); make check-debug runs it)"
	done
	ktap_finished
fi
mw_load || ktap_exit_fail_msg "insmod failed"
echo 1 > /sys/kernel/slab/mlockwatch_entry/failslab
echo 0 > $F/verbose
echo Y > $F/cache-filter
echo N > $F/ignore-gfp-wait
echo 1 > $F/interval
echo 10 > $F/times
echo 100 > $F/probability
probe_start p1
probe "map c nothp 1024" && probe "touch c" && probe "mlock c"
echo 0 > $F/probability
expect_eq "failslab: 10 injected failures" 0 "$(cat $F/times)"
expect_eq "  ... are counted exactly" 10 "$(mw_summary table_alloc_failures)"
case "$(mw_summary incomplete_reasons)" in
*"10 allocations failed"*) ktap_test_pass "  ... make the module incomplete, naming them" ;;
*) ktap_print_msg "incomplete_reasons: $(mw_summary incomplete_reasons)"
   ktap_test_fail "  ... make the module incomplete, naming them" ;;
esac
no_error_verdicts "  ... with no error verdict"
"$MW_DIR/mlockcheck" --once --exact > /tmp/mc47.out 2>&1
expect_eq "  ... and mlockcheck exits 4 (incomplete)" 4 "$?"
probe "munlock c"
probe_stop p1
echo 0 > /sys/kernel/slab/mlockwatch_entry/failslab
mw_unload
ktap_finished
