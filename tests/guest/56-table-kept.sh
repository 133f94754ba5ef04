#!/bin/sh
# Kept entries. Once a folio's locks are all undone and its batch has
# cleared PG_mlocked, its table entry stays, in state unlocked: the
# folio's next mlock reuses it, and a munlock costs one locked table
# section instead of two (make bench's count). A kept entry stands for no
# entry: the views leave it out, and a PG_mlocked set again behind the
# hooks' back reads unwitnessed-set. Their budget is max_folios / 8, on
# top of max_folios: past it a batch drops what it unlocks and starts the
# reaper, and kept entries never make the table full.
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 16

sections() { mw_summary table_locked_sections; }
# within N LO SLACK: LO <= N <= LO + SLACK. The slack is for page frees
# elsewhere in the guest that land in one of the table's few non-empty
# buckets (each takes that bucket's lock).
within() { [ "$1" -ge "$2" ] && [ "$1" -le $(($2 + $3)) ]; }
expect_within() {
	if within "$2" "$3" "$4"; then
		ktap_test_pass "$1 ($2)"
	else
		ktap_test_fail "$1 ($2, expected $3 to $(($3 + $4)))"
	fi
}
# wait_summary KEY MIN: up to 5 s for summary KEY to reach MIN
wait_summary() {
	local i=0
	while [ "$(mw_summary "$1")" -lt "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

mw_load
insmod "$MW_DIR/mlockinject.ko" || ktap_exit_fail_msg "insmod mlockinject.ko failed"
probe_start p1
# On CPU 0 alone, the batches its munlocks fill are CPU 0's, and
# munlock() drains them before it returns: no drain (which compacts, and
# may migrate the unlocked pages) is needed to see what they did.
taskset -p -c 0 "$PROBE_PID_p1" > /dev/null || ktap_exit_fail_msg "taskset failed"

probe "map a nothp 256" && settle a && probe "mlock a" && probe "pfns a /tmp/a"
n=$(wc -l < /tmp/a)
check "$n pages locked, shadow 1" "$n $n shadow=1:$n order=0:$n counts-agree" /tmp/a

kept0=$(mw_summary table_kept)
entries0=$(mw_summary table_entries)
s0=$(sections)
probe "munlock a"
s1=$(sections)
expect_eq "munlock: each of the $n unlocked entries is kept" "$n" "$(($(mw_summary table_kept) - kept0))"
expect_within "munlock: one locked table section per page" "$((s1 - s0))" "$n" 8

s0=$(sections)
probe "mlock a"
s1=$(sections)
expect_within "mlock again: one locked table section per page" "$((s1 - s0))" "$n" 8
expect_eq "mlock again: the kept entries are locked again, none made" \
	"$kept0 $entries0" "$(mw_summary table_kept) $(mw_summary table_entries)"
check "mlock again: shadow 1, as a new entry's" "$n $n shadow=1:$n order=0:$n counts-agree" /tmp/a

# A kept entry stands for no entry.
probe "munlock a"
probe "inject a 0 set"
pfn=$(injected_pfn)
expect_eq "the injector set PG_mlocked on a's first page" "$(head -n1 /tmp/a)" "$pfn"
folios_of /tmp/a > /tmp/a.folios
expect_eq "PG_mlocked set with no mlock on a kept entry: unwitnessed-set, state unlocked" \
	"unlocked unwitnessed-set" "$(awk -v p="$pfn" '$1 == p { print $12, $13 }' /tmp/a.folios)"
expect_eq "  ... and the views leave the other kept entries out" 1 "$(grep -c . /tmp/a.folios)"
mw_control scan
expect_eq "  ... the scan counts it, as it counts a page without an entry" 1 "$(mw_summary scan_unwitnessed_set)"
# The kernel clears the stray PG_mlocked when the page is freed.
probe "munmap a"
expect_no_errors "after munmap"
mw_unload

# The budget: max_folios=64 keeps 8.
mw_load max_folios=64 || ktap_exit_fail_msg "insmod max_folios=64 failed"
expect_eq "max_folios=64: the kept budget is 8" 8 "$(mw_summary table_max_kept)"
probe "map b nothp 256" && settle b && probe "mlock b" && probe "munlock b"
wait_summary table_reap_runs 1
kept=$(mw_summary table_kept)
expect_eq "munlock of $n: within the budget, the rest dropped; the reaper ran" \
	"yes yes" "$([ "$kept" -le 8 ] && echo yes) $([ "$(mw_summary table_reap_runs)" -ge 1 ] && echo yes)"
# Kept entries do not count against max_folios: 64 more fit.
sleep 0.2
probe "map c nothp 256" && settle c && probe "mlock c" && probe "pfns c /tmp/c"
check "$n more locked beside $kept kept: the table is not full" \
	"$n $n shadow=1:$n order=0:$n counts-agree" /tmp/c
probe "munlock c"
wait_summary table_reaped 1
expect_eq "no folio lost, the reaper let kept entries go, complete" "0 yes 0" \
	"$(mw_summary table_full) $([ "$(mw_summary table_reaped)" -ge 1 ] && echo yes) $(mw_summary incomplete)"
probe "munmap b" && probe "munmap c"
expect_no_errors "the budget"
probe_stop p1
rmmod mlockinject
mw_unload
ktap_finished
