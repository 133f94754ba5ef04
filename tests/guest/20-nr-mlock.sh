#!/bin/sh
# The test bed reads real kernel state: a 64 MiB anonymous mlock raises
# nr_mlock by exactly the pages it holds and munlock brings it back exactly,
# once the per-CPU mlock batches are drained and vmstat is folded.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 4

mib=64
pages=$(pages_of $mib)
base=$(nr_mlock_quiesced)
ktap_print_msg "nr_mlock at start: $base"

region_start $mib
region_cmd touch
region_cmd lock && ktap_test_pass "mlock $mib MiB" || ktap_test_fail "mlock $mib MiB"
locked=$(nr_mlock_quiesced)
expect_eq "nr_mlock rises by $pages" "$pages" "$((locked - base))"
region_cmd unlock && ktap_test_pass "munlock $mib MiB" || ktap_test_fail "munlock $mib MiB"
after=$(nr_mlock_quiesced)
expect_eq "nr_mlock returns to $base" "$base" "$after"
region_stop
ktap_finished
