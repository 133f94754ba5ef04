#!/bin/sh
# The module loads, shows its debugfs directory, and unloads cleanly.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 4

mw_load && ktap_test_pass "insmod mlockwatch.ko" || ktap_test_fail "insmod mlockwatch.ko"
[ -d "$MW_DEBUGFS" ] && ktap_test_pass "$MW_DEBUGFS exists" || ktap_test_fail "$MW_DEBUGFS exists"
expect_eq "summary starts with its format line" "format: 2" "$(head -n1 $MW_DEBUGFS/summary 2>&1)"
mw_unload && [ ! -e "$MW_DEBUGFS" ] && ktap_test_pass "rmmod removes $MW_DEBUGFS" ||
	ktap_test_fail "rmmod removes $MW_DEBUGFS"
ktap_finished
