#!/bin/sh
# Loading and unloading 20 times while a mlock/munlock loop runs: no WARN,
# no Oops (the guest runs with panic_on_warn, so mlockvm sees any), and
# every load sees a consistent identity.
. "$(dirname "$0")/lib.sh"
ktap_print_header
# Known open defect (see the notes on issue 3): registering or
# unregistering the module's ftrace hooks while mlock/munlock run on the
# other CPU has crashed guests under QEMU TCG: on 6.1 a call to address 0
# from an ftrace call site or a soft lockup at mod_zone_page_state+0, on
# 6.12 an "Oops: int3" (a text_poke breakpoint hit after it was retired).
# Not yet explained, so not yet claimed: run with MW_RUN_KNOWN_CRASHES=1.
if [ "${MW_RUN_KNOWN_CRASHES:-0}" != 1 ]; then
	ktap_skip_all "reload under load crashes 6.1 and 6.12 guests: open defect"
	exit "$KSFT_SKIP"
fi
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
