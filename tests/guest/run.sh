#!/bin/sh
# run.sh [TEST...]: run the guest tests (default: every [0-9]*.sh here)
# in kselftest runner style: each test's KTAP output indented as "# "
# lines, then one "ok N selftests: mlockwatch: NAME" line per test.
# The kernel's run_kselftest.sh, installed beside this directory by make
# kselftest-install, runs the same tests; this runner also checks
# kmemleak and lockdep after them, and says how long each test took.
# Each test is bounded by the timeout= of the kselftest settings file
# here, as run_kselftest.sh bounds it; MW_TEST_TIMEOUT (seconds)
# overrides it as run_kselftest.sh's --override-timeout does. A test
# that runs over it fails with exit status 124.
cd "$(dirname "$0")" || exit 1
. ./ktap_helpers.sh
test_timeout=${MW_TEST_TIMEOUT:-$(sed -n 's/^timeout=//p' settings)}

if [ $# -gt 0 ]; then
	tests="$*"
else
	tests=$(ls [0-9]*.sh)
fi
# On a kernel with kmemleak (the debug kernel), forget what predates the
# tests; after the last one, a new suspected leak goes to the kernel log
# as a kmemleak report, which fails the boot (scripts/console-verdict).
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w "$KMEMLEAK" ]; then
	echo scan > "$KMEMLEAK"
	echo clear > "$KMEMLEAK"
fi
n=0
for t in $tests; do n=$((n + 1)); done
ktap_print_header
ktap_set_plan "$n"
# Where the suite ran from, for the log: tests/run's boots run it as
# installed (mlockvm --kselftest), away from where it was built.
ktap_print_msg "mlockwatch selftests in $(pwd) on $(uname -r)"
for t in $tests; do
	start=$(date +%s)
	{
		timeout "${test_timeout:-45}" sh "./$t" 2>&1
		echo $? > /tmp/.mw-test-rc
	} | sed -e 's/^/# /'
	rc=$(cat /tmp/.mw-test-rc)
	ktap_print_msg "$t: exit $rc after $(( $(date +%s) - start ))s"
	case "$rc" in
	0) ktap_test_pass "selftests: mlockwatch: $t" ;;
	4) ktap_test_skip "selftests: mlockwatch: $t" ;;
	*) ktap_test_fail "selftests: mlockwatch: $t # exit=$rc" ;;
	esac
done
if [ -w "$KMEMLEAK" ]; then
	# kmemleak reports only objects older than 5 s, and only after a
	# scan has found them unreferenced.
	sleep 6
	echo scan > "$KMEMLEAK"
	echo scan > "$KMEMLEAK"
	leaks=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo "# kmemleak: $leaks new suspected memory leaks after the tests"
	if [ "$leaks" != 0 ]; then
		sed 's/^/# /' "$KMEMLEAK"
		echo "<3>kmemleak: $leaks new suspected memory leaks (tests/guest/run.sh)" > /dev/kmsg
	fi
fi
[ -r /proc/lockdep_stats ] && echo "# lockdep $(grep -o 'debug_locks: *[0-9]*' /proc/lockdep_stats | tr -s ' ')"
ktap_finished
