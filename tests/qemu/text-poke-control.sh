#!/bin/sh
# text-poke-control.sh [ROUNDS]: the control experiment behind mlockvm's
# --tcg-single. No mlockwatch involved: the kernel's own tracing is
# switched on and off ROUNDS times (default 100) under a mlock/munlock
# load: the function tracer on the mlock paths, a kretprobe event on the
# batch function and the mm_page_free tracepoint. Each switch live-patches
# kernel text with text_poke_bp (int3 first, then the rest).
#
#   tools/mlockvm --kernel 6.1 --add tests/qemu/text-poke-control.sh \
#       -- /mw/text-poke-control.sh 200
#
# Measured 2026-11-22 on QEMU 7.2 (Debian 12): with multi-threaded TCG the
# 6.1 guest wedged after 36 s (soft lockup, RIP mod_zone_page_state+0x0,
# whose bytes in memory are already the restored nop: the vCPU keeps
# executing a stale translation that still holds the int3). With
# --tcg-single, 200 rounds passed. mlockwatch's reload test met the same
# wedge (and an "Oops: int3" on 6.12), so it runs with --tcg-single.
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
T=/sys/kernel/tracing
/mw/mlock_region 16 loop & l1=$!
/mw/mlock_region 8 loop & l2=$!
n=${1:-100}
funcs=$(grep -E '^(mlock_folio|munlock_page|munlock_folio|mlock_new_page|mlock_new_folio|mod_zone_page_state|page_add_file_rmap|page_remove_rmap|folio_add_file_rmap_ptes|folio_remove_rmap_ptes|mlock_pagevec|mlock_folio_batch)( |$)' $T/available_filter_functions | cut -d' ' -f1)
echo "functions: $funcs"
batchfn=$(echo "$funcs" | grep -E 'mlock_pagevec|mlock_folio_batch')
i=0
while [ $i -lt $n ]; do
	echo "$funcs" > $T/set_ftrace_filter
	echo function > $T/current_tracer
	echo "r:mwctl $batchfn" > $T/kprobe_events
	echo 1 > $T/events/kprobes/mwctl/enable
	echo 1 > $T/events/kmem/mm_page_free/enable
	echo 0 > $T/events/kmem/mm_page_free/enable
	echo 0 > $T/events/kprobes/mwctl/enable
	echo > $T/kprobe_events
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
	i=$((i+1))
done
kill $l1 $l2
echo "control done: $i rounds"
