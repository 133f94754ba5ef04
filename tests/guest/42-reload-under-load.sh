#!/bin/sh
# Load/unload cycles (MW_RELOAD_CYCLES: 20 in make check, 100 in make
# soak) while mlockstress runs every scenario in a loop:
# no WARN, no Oops (the guest runs with panic_on_warn, so mlockvm sees
# any; an unload that left entries in the module's kmem_cache would WARN
# in kmem_cache_destroy), every load reads its files, and the module's
# slab cache and vmalloc'ed memory (the table's buckets, the module
# itself) go back to where they were. Unreclaimable slab is compared too,
# with a tolerance for what the stress itself leaves; on the debug kernel
# (make check-debug) kmemleak replaces that comparison: it is exact, and
# KASAN's quarantine makes SUnreclaim meaningless there.
#
# Single-threaded TCG: QEMU 7.2's multi-threaded TCG can go on executing
# a stale translation of kernel text after the kernel live-patches it
# (the int3 of text_poke_bp), which wedges or crashes the guest whoever
# does the patching; the kernel's own ftrace does it too. See README.
# mlockvm: --tcg-single
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 8

CYCLES=${MW_RELOAD_CYCLES:-20}
ktap_print_msg "$CYCLES load/unload cycles (MW_RELOAD_CYCLES; make soak runs 100)"

meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
settle_mem() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	drain
	sleep 1
}

KMEMLEAK=/sys/kernel/debug/kmemleak
[ -w "$KMEMLEAK" ] && { echo scan > "$KMEMLEAK"; echo clear > "$KMEMLEAK"; }

# One cycle first, so that one-time allocations (kprobe instruction
# slots, ftrace trampolines' pages) are in the baseline.
mw_load
grep -q '^mlockwatch_entry ' /proc/slabinfo &&
	ktap_test_pass "while loaded, the table's cache is in /proc/slabinfo" ||
	ktap_test_fail "while loaded, the table's cache is in /proc/slabinfo"
mw_unload
settle_mem
vmalloc0=$(meminfo VmallocUsed) sunreclaim0=$(meminfo SUnreclaim)

scenarios=$("$MW_DIR/mlockstress" --list | awk '{ printf "%s%s", sep, $1; sep = "," }')
(
	while :; do
		"$MW_DIR/mlockstress" --duration 0.3 --scenario "$scenarios" > /dev/null 2>&1
	done
) &
stress=$!
ok=0 read_ok=0
i=0
while [ $i -lt "$CYCLES" ]; do
	if mw_load max_folios=65536; then
		cat "$MW_DEBUGFS/summary" "$MW_DEBUGFS/hooks" "$MW_DEBUGFS/folios" \
			"$MW_DEBUGFS/mismatches" > /dev/null && read_ok=$((read_ok + 1))
		mw_unload && ok=$((ok + 1))
	fi
	i=$((i + 1))
done
expect_eq "$CYCLES load/unload cycles under mlockstress" "$CYCLES" "$ok"
expect_eq "every load read summary, hooks, folios and mismatches" "$CYCLES" "$read_ok"
kill -0 $stress && ktap_test_pass "the stress loop survived" ||
	ktap_test_fail "the stress loop survived"
kill $stress
wait $stress 2>/dev/null
killall mlockstress 2>/dev/null
sleep 1

grep -q '^mlockwatch_entry ' /proc/slabinfo 2>/dev/null &&
	ktap_test_fail "no mlockwatch slab cache is left" ||
	ktap_test_pass "no mlockwatch slab cache is left"
settle_mem
vmalloc1=$(meminfo VmallocUsed) sunreclaim1=$(meminfo SUnreclaim)
ktap_print_msg "VmallocUsed ${vmalloc0} -> ${vmalloc1} kB, SUnreclaim ${sunreclaim0} -> ${sunreclaim1} kB"
# One load's table buckets alone are 256 kB at max_folios=65536: one
# leaked table is well over this.
vmalloc_slack_kb=128
[ $((vmalloc1 - vmalloc0)) -lt $vmalloc_slack_kb ] &&
	ktap_test_pass "vmalloc'ed memory back to baseline (within $vmalloc_slack_kb kB)" ||
	ktap_test_fail "vmalloc'ed memory back to baseline (within $vmalloc_slack_kb kB)"
if [ -w "$KMEMLEAK" ]; then
	# The debug kernel: KASAN's quarantine holds freed objects (tens of
	# MiB of SUnreclaim), so ask kmemleak, which is exact, instead.
	sleep 6
	echo scan > "$KMEMLEAK"
	echo scan > "$KMEMLEAK"
	leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	[ "$leaks" = 0 ] || sed 's/^/# /' "$KMEMLEAK"
	expect_eq "kmemleak: no object leaked by $CYCLES cycles" 0 "$leaks"
else
	# What the stress itself leaves in kernel caches, not the module's.
	sunreclaim_slack_kb=$((2 * 1024))
	[ $((sunreclaim1 - sunreclaim0)) -lt $sunreclaim_slack_kb ] &&
		ktap_test_pass "unreclaimable slab back to baseline (within $sunreclaim_slack_kb kB)" ||
		ktap_test_fail "unreclaimable slab back to baseline (within $sunreclaim_slack_kb kB)"
fi

mw_load
mw_control drain
stat_refresh
expect_eq "identity_diff once the stress stops" 0 "$(mw_summary identity_diff)"
mw_unload
ktap_finished
