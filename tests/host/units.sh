#!/bin/bash
# units.sh: the host unit tests, tests/host/*_test.c (kselftest harness
# programs built by `make host-units`). Each program is one KTAP test here;
# its own TAP output is shown indented.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
BUILD=${BUILD:-$top/build}

units=$(cd "$top/tests/host" && ls ./*_test.c 2>/dev/null | sed 's|^\./||; s|\.c$||')
ktap_print_header
if [ -z "$units" ]; then
	ktap_set_plan 1
	ktap_test_fail "no host unit tests found in tests/host/*_test.c"
	ktap_finished
fi
ktap_set_plan "$(echo "$units" | wc -w)"
# A unit that no longer builds must not pass on the binary of its last
# good build.
for u in $units; do rm -f "$BUILD/host/$u"; done
if ! make -s -k -C "$top" host-units > "$BUILD/host-units.log" 2>&1; then
	sed 's/^/# /' "$BUILD/host-units.log"
fi
for u in $units; do
	if [ ! -x "$BUILD/host/$u" ]; then
		ktap_test_fail "$u: did not build"
		continue
	fi
	out=$("$BUILD/host/$u" 2>&1) && rc=0 || rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$rc" = 0 ]; then
		ktap_test_pass "$u"
	else
		ktap_test_fail "$u (exit $rc)"
	fi
done
ktap_finished
