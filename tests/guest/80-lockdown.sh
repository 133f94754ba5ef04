#!/bin/sh
# Lockdown: a test box under Secure Boot runs locked down to integrity,
# with the module signed by the DKMS MOK key and loaded. A guest's module
# is unsigned, so it is loaded first and the level raised afterwards
# (securityfs), which reaches the same state. debugfs then refuses every
# open of a file that is not read-only, the module's control included,
# and keeps the 0400 views (seq_file, no ioctl or mmap) readable:
# mlockcheck around a workload must end incomplete (exit 4, KSFT_SKIP)
# naming lockdown, never a setup error or a mismatch; the module must
# still unload; a fresh load must be refused as an unsigned module;
# mlockcheck without the module still judges the kernel's own counters;
# and in confidentiality, which refuses its BPF, it exits 2 saying so.
#
# Lockdown can only be raised until the next boot: this group runs after
# every other test of its boot (tests/README). Booted with lockdown=
# (MW_BOOT_OPTS="--append lockdown=integrity", this test alone) it checks
# the boot-time case instead: the unsigned module refused, mlockcheck
# without it.
#
# Single-threaded TCG: mlockcheck attaches and detaches BPF probes, live
# patching that QEMU 7.2's multi-threaded TCG can execute stale (see
# 42-reload-under-load.sh and README); this also keeps it in the boot of
# 60 and the 70s, the last of that boot, at no boot of its own.
# mlockvm: --tcg-single
# destructive: raises the lockdown level, which only a reboot lowers
. "$(dirname "$0")/lib.sh"
ktap_print_header

MC=$MW_DIR/mlockcheck
LOCKDOWN=/sys/kernel/security/lockdown
out=/tmp/mc80.out
nomod="mlockcheck: consistent (exact, after a drain) (without mlockwatch.ko: BPF and vmstat only)"
reason="lockdown (integrity): cannot write $MW_DEBUGFS/control (Operation not permitted): no final scan"

[ -e $LOCKDOWN ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ ! -e $LOCKDOWN ]; then
	ktap_skip_all "no lockdown LSM on $(uname -r) (no $LOCKDOWN)"
	exit "$KSFT_SKIP"
fi
# kmemleak is a debugfs file that is not read-only: run.sh's scan after
# the last test would be refused.
if [ -e /sys/kernel/debug/kmemleak ]; then
	ktap_skip_all "kmemleak is on: run.sh's leak scan after the tests needs debugfs unlocked"
	exit "$KSFT_SKIP"
fi
need_module

# level: the bracketed word of $LOCKDOWN.
level() {
	sed -n 's/.*\[\([a-z]*\)\].*/\1/p' $LOCKDOWN
}

# signer: who signed the module mw_load loads ("" when unsigned, as the
# suite's own build is; a DKMS build on a Secure Boot box is signed, and
# whether lockdown lets it load depends on the key, not on this test).
signer() {
	if [ -f "$MW_KO" ]; then
		modinfo -F signer "$MW_KO" 2>/dev/null
	else
		modinfo -F signer mlockwatch 2>/dev/null
	fi
}

# logged PATTERN: how many kernel log lines since the mark match PATTERN.
logged() {
	dmesg | sed -n '/mlockwatch-80-mark/,$p' | grep -c "$1"
}
echo "mlockwatch-80-mark" > /dev/kmsg

if [ "$(level)" != none ] && [ -z "$(signer)" ]; then
	# Booted locked down with an unsigned module: the boot-time case. (A
	# signed one, as DKMS builds on a Secure Boot box, loads: the checks
	# below then run as they do after the level is raised.)
	ktap_set_plan 3
	mw_load 2> /tmp/insmod80.err
	expect_eq "booted with lockdown=$(level): insmod of the unsigned mlockwatch.ko fails" "1 1" \
		"$([ ! -e /sys/module/mlockwatch ] && echo 1) $(grep -c 'Operation not permitted' /tmp/insmod80.err)"
	expect_eq "  ... the kernel log says why" 1 \
		"$(logged 'Lockdown: insmod: unsigned module loading is restricted' | awk '{ print ($1 > 0) }')"
	"$MC" --once --exact > $out 2>&1
	rc=$?
	[ "$rc" = 0 ] || sed 's/^/# /' $out
	expect_eq "  ... mlockcheck --once --exact without the module is consistent (exit 0)" "0 1" \
		"$rc $(grep -cxF "$nomod" $out)"
	ktap_finished
	exit
fi

ktap_set_plan 13
mw_load && ktap_test_pass "insmod mlockwatch.ko before lockdown" ||
	ktap_exit_fail_msg "insmod mlockwatch.ko failed before lockdown"
echo integrity > $LOCKDOWN 2>/dev/null
expect_eq "lockdown raised to integrity through securityfs (or booted so)" integrity "$(level)"
echo none > $LOCKDOWN 2>/dev/null
expect_eq "  ... and it cannot be lowered again (writing none is refused)" integrity "$(level)"

bad=
for v in summary hooks folios folios.bin mismatches mms; do
	cat "$MW_DEBUGFS/$v" > /dev/null 2>> /tmp/views80.err || bad="$bad $v"
done
[ -z "$bad" ] || sed 's/^/# /' /tmp/views80.err
expect_eq "under lockdown every view (0400, read-only fops) stays readable" "" "$bad"
runs=$(mw_summary scan_runs)
mw_control scan 2> /tmp/control80.err
expect_eq "  ... and control (0200) cannot be opened: EPERM, no scan ran" "1 same" \
	"$(grep -c 'Operation not permitted' /tmp/control80.err) $([ -n "$runs" ] && [ "$(mw_summary scan_runs)" = "$runs" ] && echo same)"

# A short wrapped run: mlockcheck's final scan cannot run.
"$MC" -i 0.5 -- "$MW_DIR/mlockstress" --duration 0.3 --scenario anon,file > $out 2>&1
rc=$?
tail -n 6 $out | sed 's/^/# /'
expect_eq "mlockcheck -i 0.5 -- mlockstress under lockdown: exit 4 (incomplete)" 4 "$rc"
expect_eq "  ... naming lockdown and the final scan it could not run, nothing a mismatch" "1 0 1" \
	"$(grep -cxF "INCOMPLETE: $reason" $out) $(grep -c '^MISMATCH' $out) $(grep -cx 'mlockcheck: INCOMPLETE (exact, after a drain)' $out)"
"$MC" --once --exact --json > $out 2>&1
rc=$?
final=$(grep '"final":true' $out)
[ "$rc" = 4 ] || sed 's/^/# /' $out
expect_eq "mlockcheck --once --exact --json under lockdown: exit 4, its final object incomplete with the reason" \
	"4 \"verdict\":\"incomplete\",\"exit\":4 \"incomplete_reason\":\"$reason\"" \
	"$rc $(echo "$final" | grep -o '"verdict":"[a-z-]*","exit":[0-9]*') $(echo "$final" | grep -o '"incomplete_reason":"[^"]*"')"

mw_unload && [ ! -e /sys/module/mlockwatch ] && ktap_test_pass "rmmod mlockwatch under lockdown" ||
	ktap_test_fail "rmmod mlockwatch under lockdown"
if [ -n "$(signer)" ]; then
	ktap_test_skip "  ... a new insmod: the module is signed ($(signer)), so lockdown does not refuse it for that"
else
	mw_load 2> /tmp/insmod80.err
	expect_eq "  ... a new insmod of the unsigned module is refused (EPERM), the kernel log says why" "1 1 1" \
		"$([ ! -e /sys/module/mlockwatch ] && echo 1) $(grep -c 'Operation not permitted' /tmp/insmod80.err) $(logged 'Lockdown: insmod: unsigned module loading is restricted' | awk '{ print ($1 > 0) }')"
fi
mw_unload 2> /dev/null
"$MC" --once --exact > $out 2>&1
rc=$?
[ "$rc" = 0 ] || sed 's/^/# /' $out
expect_eq "mlockcheck --once --exact without the module under lockdown: consistent (exit 0), the kernel's own counters judged" \
	"0 1" "$rc $(grep -cxF "$nomod" $out)"

# Confidentiality forbids BPF reading kernel memory: mlockcheck cannot run.
echo confidentiality > $LOCKDOWN
"$MC" --once > $out 2>&1
rc=$?
[ "$rc" = 2 ] || sed 's/^/# /' $out
expect_eq "lockdown raised to confidentiality: mlockcheck exits 2, one line naming it" \
	"confidentiality 2 1 1" \
	"$(level) $rc $(grep -c . $out) $(grep -c '^mlockcheck: .*locked down to confidentiality' $out)"
expect_eq "no WARNING in the kernel log since the test began" 0 "$(logged 'WARNING:')"
ktap_finished
