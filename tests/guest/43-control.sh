#!/bin/sh
# The control file takes reset, drain and selftest; anything else is
# refused with EINVAL and changes nothing. A missing required symbol
# refuses the load, naming it and the kernel.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 8

# With the writer hook, whose witnessed_mlocked_pages reset must zero.
mw_load attribute_writers=1 || ktap_exit_fail_msg "insmod failed"
for bad in "bogus" "reset extra" "$(printf 'reset\nreset')" \
	"a-very-long-verb-that-does-not-fit-anywhere-at-all"; do
	before=$(mw_summary selftest)
	if printf '%s' "$bad" > "$MW_DEBUGFS/control" 2>/dev/null; then
		ktap_test_fail "control refuses '$bad'"
	else
		ktap_test_pass "control refuses '$bad'"
	fi
done
mib=8
region_start $mib
region_cmd touch
region_cmd lock
mw_control reset && [ "$(mw_summary witnessed_mlocked_pages)" = 0 ] &&
	[ "$(mw_summary nr_mlock_delta)" = 0 ] &&
	ktap_test_pass "reset zeroes the witnessed counters and rebases" ||
	ktap_test_fail "reset zeroes the witnessed counters and rebases"
region_cmd unlock
# The munlock of every page of the region, queued until the drain.
unlocked=-$(pages_of $mib)
mw_control drain && [ "$(mw_summary nr_mlock_delta)" = "$unlocked" ] &&
	ktap_test_pass "drain empties the batches (nr_mlock_delta $unlocked)" ||
	ktap_test_fail "drain empties the batches (nr_mlock_delta $(mw_summary nr_mlock_delta))"
region_stop
mw_unload

sym=mlock_folio
if mw_load force_missing_symbol=$sym 2>/dev/null; then
	mw_unload
	ktap_test_fail "a missing required symbol refuses the load"
else
	ktap_test_pass "a missing required symbol refuses the load"
fi
msg=$(dmesg | grep "unsupported kernel $(uname -r): required hook 'mlock' found none of: $sym" | tail -n1)
[ -n "$msg" ] && ktap_test_pass "the refusal names the symbol and the kernel" ||
	ktap_test_fail "the refusal names the symbol and the kernel"
ktap_print_msg "$msg"
ktap_finished
