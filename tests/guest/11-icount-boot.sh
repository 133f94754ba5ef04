#!/bin/sh
# The boot make bench's deterministic time needs (mlockvm --icount): the
# guest comes up on one CPU (maxcpus=1) and its init onlines the others,
# since 6.1 never completes a boot-time secondary bring-up under -icount.
# Every present CPU is then online, and the module's witness is exact for
# a mlock and munlock run on the CPU that came up late.
# mlockvm: --icount
. "$(dirname "$0")/lib.sh"
ktap_print_header
# Only an mlockvm --icount guest boots this way; tests/run gives the test
# such a boot, on a test box or another boot it has nothing to check.
if ! grep -qs '^MLOCKVM_ONLINE_CPUS=[1-9]' /etc/mlockvm.conf; then
	ktap_skip_all "not an mlockvm --icount boot (tests/run gives this test one)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 5
mib=16
pages=$(pages_of $mib)

case " $(cat /proc/cmdline) " in
*" maxcpus=1 "*) ktap_test_pass "booted with maxcpus=1" ;;
*) ktap_test_fail "booted with maxcpus=1 (cmdline: $(cat /proc/cmdline))" ;;
esac
present=$(cat /sys/devices/system/cpu/present)
online=$(cat /sys/devices/system/cpu/online)
if [ "$present" != 0 ] && [ "$online" = "$present" ]; then
	ktap_test_pass "every present CPU online ($online)"
else
	ktap_test_fail "every present CPU online (present $present, online $online)"
fi

mw_load || ktap_exit_fail_msg "insmod failed"
region_start $mib
taskset -p -c 1 "$REGION_PID" > /dev/null || ktap_exit_fail_msg "taskset -c 1 failed"
region_cmd lock
mw_control drain
expect_eq "nr_mlock delta after mlock of $mib MiB on CPU 1" "$pages" "$(mw_summary nr_mlock_delta)"
region_cmd unlock
mw_control drain
expect_eq "witnessed_munlocked_pages == unevictable_pgs_munlocked delta" \
	"$(mw_event_delta munlocked)" "$(mw_summary witnessed_munlocked_pages)"
expect_eq "identity_diff after munlock and drain" 0 "$(mw_summary identity_diff)"
region_stop
mw_unload
ktap_finished
