#!/bin/sh
# The test bed reads real kernel state: a 64 MiB anonymous mlock raises
# nr_mlock by exactly 16384 pages and munlock brings it back exactly,
# once the per-CPU mlock batches are drained and vmstat is folded.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 4

pages=$((64 * 1024 * 1024 / 4096))	# x86-64: the only target
base=$(nr_mlock_quiesced)
ktap_print_msg "nr_mlock at start: $base"

region_start 64
region_cmd touch
region_cmd lock && ktap_test_pass "mlock 64 MiB" || ktap_test_fail "mlock 64 MiB"
locked=$(nr_mlock_quiesced)
expect_eq "nr_mlock rises by $pages" "$pages" "$((locked - base))"
region_cmd unlock && ktap_test_pass "munlock 64 MiB" || ktap_test_fail "munlock 64 MiB"
after=$(nr_mlock_quiesced)
expect_eq "nr_mlock returns to $base" "$base" "$after"
region_stop
ktap_finished
