#!/bin/bash
# console-verdict.sh: mlockvm's verdict on a guest console catches kernel
# reports and nothing else.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
verdict=$top/scripts/console-verdict

# check LOG DESCRIPTION EXPECTED-STATUS EXPECTED-PREFIX
check() {
	local out rc
	out=$(printf "$1" | "$verdict") && rc=0 || rc=$?
	shift
	if [ "$rc" = "$2" ] && [ "${out#"$3"}" != "$out" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: status $rc, verdict '$out'"
		ktap_test_fail "$1"
	fi
}

ktap_print_header
ktap_set_plan 10
check '[    0.000000] Linux version 6.1.0\nok 1 foo\nmlockvm-exit: 0\n' \
	"a clean boot is clean" 0 clean
check 'ok 1 WARNING: test text\n# BUG: user words\n' \
	"user output saying WARNING or BUG is not a kernel report" 0 clean
check '[    2.1] ------------[ cut here ]------------\n[    2.1] WARNING: CPU: 1 PID: 7 at mm/mlock.c:10 f+0x1\n' \
	"a WARN is caught by its headline" 1 "WARNING: CPU: 1"
check '[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\n' \
	"a NULL dereference BUG is caught" 1 "BUG: kernel NULL"
check '[    3.000001] Oops: 0002 [#1] PREEMPT SMP NOPTI\n' \
	"an Oops is caught" 1 "Oops"
check '[    9.9] Kernel panic - not syncing: panic_on_warn set ...\n' \
	"a panic is caught" 1 "Kernel panic"
check 'ok 3 partial line[    5.5] BUG: KASAN: slab-use-after-free in f\r\n' \
	"a report after an unfinished user line is caught" 1 "BUG: KASAN"
check '[    2.1] ------------[ cut here ]------------\n[    2.2] something odd\n' \
	"a cut-here report without a known headline still fails" 1 "a \"cut here\""

# report LOG DESCRIPTION EXPECTED-FIRST EXPECTED-LAST: --report's excerpt
report() {
	local out
	out=$(printf "$1" | "$verdict" --report)
	if [ "$(echo "$out" | head -n1)" = "$3" ] && [ "$(echo "$out" | tail -n1)" = "$4" ]; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "$2: excerpt was: $(echo "$out" | tr '\n' '|')"
		ktap_test_fail "$2"
	fi
}
report 'boot\n[    2.1] ------------[ cut here ]------------\n[    2.1] WARNING: CPU: 1 PID: 7 at f\n[    2.2] RIP: 0010:f+0x1\n[    2.3] ---[ end trace 0000000000000000 ]---\n[    2.4] later\n' \
	"--report prints a WARN from cut here to its end trace" \
	"[    2.1] ------------[ cut here ]------------" "[    2.3] ---[ end trace 0000000000000000 ]---"
report "$(seq 1 40 | tr '\n' '|' | sed 's/|/\\n/g')" \
	"--report prints the console's last 25 lines when the kernel reported nothing" 16 40
ktap_finished
