#!/bin/sh
# Loading and unloading 20 times while a mlock/munlock loop runs: no WARN,
# no Oops (the guest runs with panic_on_warn, so mlockvm sees any), and
# every load sees a consistent identity.
#
# Single-threaded TCG: QEMU 7.2's multi-threaded TCG can go on executing
# a stale translation of kernel text after the kernel live-patches it
# (the int3 of text_poke_bp), which wedges or crashes the guest whoever
# does the patching; the kernel's own ftrace does it too. See README.
# mlockvm: --tcg-single
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 3

/mw/mlock_region 16 loop &
loop1=$!
/mw/mlock_region 8 loop &
loop2=$!
ok=0 bad_identity=0
i=0
while [ $i -lt 20 ]; do
	if mw_load; then
		cat "$MW_DEBUGFS/summary" > /dev/null
		cat "$MW_DEBUGFS/hooks" > /dev/null
		mw_unload && ok=$((ok + 1))
	fi
	i=$((i + 1))
done
expect_eq "20 load/unload cycles under a mlock/munlock load" 20 "$ok"
kill -0 $loop1 && kill -0 $loop2 && ktap_test_pass "the mlock loops survived" ||
	ktap_test_fail "the mlock loops survived"
kill $loop1 $loop2
wait $loop1 $loop2 2>/dev/null
mw_load
mw_control drain
expect_eq "identity_diff once the loops stop" 0 "$(mw_summary identity_diff)"
mw_unload
ktap_finished
