#!/bin/sh
# Least privilege and clear refusals.
# - max_folios out of 64..67108864, or not a number, refuses the load with
#   one kernel log line naming the parameter and the range.
# - Every debugfs file is root-only (0400, control 0200): nobody can read
#   or write any of them, even with debugfs mounted 0755; root without
#   CAP_SYS_ADMIN can read but gets EPERM writing control.
# - No kernel address in any debugfs file, in the module's kernel log
#   lines, or in mlockcheck's output (text, --json), even once the first
#   unattributed NR_MLOCK writer's module is gone.
# - mlockcheck's usage and setup errors (bad arguments, --require-module
#   without the module, debugfs not mounted, not root): exit 2 and one
#   "mlockcheck: " line on stderr, nothing on stdout.
#
# Single-threaded TCG: this loads and unloads modules and attaches BPF
# (kprobes, fentry) several times, live-patching kernel text, which
# multi-threaded TCG can execute stale (see 42-reload-under-load.sh and
# README); a 6.12 guest once died with a call to 0 from __free_one_page
# right after such patching.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 27

RUNAS="$MW_DIR/runas"
MC="$MW_DIR/mlockcheck"
FILES="control folios folios.bin hooks mismatches mms summary"
# A kernel virtual address: ffff and 12 more hex digits (with or without
# 0x); PFNs are decimal and far shorter.
PTR='ffff[0-9a-f]{12}'

# new_klog: the kernel log lines since the last call.
klog_mark() { klog_n=$(dmesg | wc -l); }
new_klog() { dmesg | tail -n +$((klog_n + 1)); }

# --- max_folios -----------------------------------------------------------
for v in 0 63 67108865 18446744073709551616 -1 abc 64k ""; do
	klog_mark
	if mw_load "max_folios=$v" 2>/dev/null; then
		mw_unload
		rc=loaded
	else
		rc=refused
	fi
	# busybox insmod tries finit_module, then init_module: each attempt
	# logs the same lines. Apart from the kernel's own generic line, the
	# one distinct line must name the parameter and the range.
	new_klog | sed 's/^/# /'
	expect_eq "max_folios=$v: refused, one line naming the parameter and the range" \
		"refused mlockwatch: max_folios=$v is invalid: must be a number in 64..67108864" \
		"$rc $(new_klog | sed 's/^\[[^]]*\] //' | grep -F max_folios |
			grep -vF "invalid for parameter \`max_folios'" | sort -u)"
done
for v in 64 67108864; do
	if mw_load "max_folios=$v"; then
		rc="loaded $(mw_summary table_max_folios)"
		mw_unload
	else
		rc=refused
	fi
	expect_eq "max_folios=$v (a bound) loads" "loaded $v" "$rc"
done

# --- least privilege ------------------------------------------------------
# The writer hook on, and mlockcheck's (-w): both name an unattributed
# writer below, and neither may show its address.
mw_load attribute_writers=1 || ktap_exit_fail_msg "insmod failed"
expect_eq "control is 0200, every other file 0400, all owned by root" \
	"control:200:0 folios:400:0 folios.bin:400:0 hooks:400:0 mismatches:400:0 mms:400:0 summary:400:0" \
	"$(for f in $FILES; do printf '%s:%s ' "$f" "$(stat -c '%a:%u' "$MW_DEBUGFS/$f")"; done | sed 's/ $//')"

# access WHO: how WHO fares reading each reader and writing "scan" to
# control: ok, EACCES, EPERM or what went wrong.
access() {
	local f e out=
	for f in $FILES; do
		if [ "$f" = control ]; then
			e=$("$RUNAS" "$1" "$MW_DIR/ctlwrite" "$MW_DEBUGFS/control" scan 2>&1)
		elif e=$("$RUNAS" "$1" cat "$MW_DEBUGFS/$f" 2>&1 >/dev/null); then
			e=ok
		else
			case "$e" in
			*"Permission denied"*) e=EACCES ;;
			*"Operation not permitted"*) e=EPERM ;;
			esac
		fi
		out="$out${out:+ }$f:$e"
	done
	echo "$out"
}
denied="control:open:EACCES folios:EACCES folios.bin:EACCES hooks:EACCES mismatches:EACCES mms:EACCES summary:EACCES"
expect_eq "nobody can read or write no file (debugfs mounted 0700)" "$denied" "$(access nobody)"
mount -o remount,mode=755 /sys/kernel/debug
expect_eq "with debugfs 0755 nobody reaches the directory: the file modes must refuse" \
	"$FILES" "$("$RUNAS" nobody ls "$MW_DEBUGFS" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "nobody can read or write no file (debugfs mounted 0755)" "$denied" "$(access nobody)"
mount -o remount,mode=700 /sys/kernel/debug
expect_eq "nobody's writes ran no scan" 0 "$(mw_summary scan_runs)"

caps=$("$RUNAS" nocap sh -c 'grep CapEff /proc/self/status' | awk '{ print $2 }')
expect_eq "runas nocap: root without CAP_SYS_ADMIN, with CAP_DAC_OVERRIDE" "sys_admin=0 dac_override=1" \
	"sys_admin=$(( (0x$caps >> 21) & 1 )) dac_override=$(( (0x$caps >> 1) & 1 ))"
expect_eq "root without CAP_SYS_ADMIN reads every view, but writing control is EPERM" \
	"control:EPERM folios:ok folios.bin:ok hooks:ok mismatches:ok mms:ok summary:ok" "$(access nocap)"
expect_eq "that write ran no scan; the same write with CAP_SYS_ADMIN does" "0 ok 1" \
	"$(mw_summary scan_runs) $("$MW_DIR/ctlwrite" "$MW_DEBUGFS/control" scan) $(mw_summary scan_runs)"

# --- no kernel address ----------------------------------------------------
expect_eq "the address pattern matches a kernel address (/proc/kallsyms)" 1 \
	"$(grep -m1 ' [Tt] ' /proc/kallsyms | grep -ciE "$PTR")"
klog_mark
region_start 8
region_cmd touch
region_cmd lock
insmod "$MW_DIR/mlockinject.ko"
# Two stray NR_MLOCK writes (+5 then -5): an unattributed first caller.
"$MC" -w -i 0.5 -- sh -c "echo 'nr_mlock 5' > $INJ; echo 'nr_mlock -5' > $INJ" > /tmp/mc.text 2>&1
"$MC" -w -i 0.5 --json -- sh -c "echo 'nr_mlock 5' > $INJ; echo 'nr_mlock -5' > $INJ" > /tmp/mc.json 2>&1
"$MC" -w --once > /tmp/mc.once 2>&1
"$MC" -w --once --exact --json > /tmp/mc.oncejson 2>&1
named=$(mw_summary nr_mlock_unattributed_first_caller)
rmmod mlockinject
gone=$(mw_summary nr_mlock_unattributed_first_caller)
ktap_print_msg "first unattributed caller: '$named', after rmmod mlockinject: '$gone'"
# Named when it writes: once its module is gone, its address is free or
# another module's, and neither may show.
case "$named" in [a-z_]*" [mlockinject]") class="a symbol in mlockinject" ;; *) class="'$named'" ;; esac
expect_eq "the first unattributed caller is named, and stays so once its module is gone" \
	"a symbol in mlockinject, unchanged" \
	"$class, $([ "$gone" = "$named" ] && echo unchanged || echo "then '$gone'")"
mw_control selftest
mw_control scan
for f in summary hooks folios mismatches mms; do cat "$MW_DEBUGFS/$f"; done > /tmp/views
expect_eq "no kernel address in any view (summary, hooks, $(($(wc -l < /tmp/views))) lines)" "" \
	"$(grep -iE "$PTR" /tmp/views)"
new_klog | grep mlockwatch > /tmp/klog
expect_eq "no kernel address in the module's kernel log lines ($(grep -c . /tmp/klog) lines)" "" \
	"$(grep -iE "$PTR" /tmp/klog)"
cat /tmp/mc.text /tmp/mc.json /tmp/mc.once /tmp/mc.oncejson > /tmp/mc.all
expect_eq "no kernel address in mlockcheck's output (text and JSON, with an unattributed writer named)" \
	"1 " "$(grep -c '"final":true' /tmp/mc.json | tr -d '\n'; echo " $(grep -iE "$PTR" /tmp/mc.all)")"
region_stop

# --- mlockcheck's usage and setup errors ----------------------------------
# mc_err ARGS...: "EXIT/STDERR_LINES/STDOUT_LINES" then "!" unless every
# stderr line starts "mlockcheck: "; the output goes to /tmp/mc.err.
mc_err() {
	local rc
	"$@" > /tmp/mc.out 2> /tmp/mc.err
	rc=$?
	printf '%s/%s/%s%s' $rc "$(grep -c '' /tmp/mc.err)" "$(grep -c '' /tmp/mc.out)" \
		"$(grep -qv '^mlockcheck: ' /tmp/mc.err && echo '!')"
	sed 's/^/# /' /tmp/mc.err >&2
}
r=
for a in --no-such-option "-i abc" "-i nan" "-i" "-p 0" "--streak 0" "-c /proc" "-p 1 -p 1" "-d -1" \
	extra-argument --exact "--once=3" "--once -- true" "--"; do
	# shellcheck disable=SC2086
	r="$r${r:+ }$(mc_err "$MC" $a)"
done
expect_eq "bad arguments: exit 2, one 'mlockcheck: ' line each" \
	"2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0 2/1/0" "$r"

umount /sys/kernel/debug || umount -l /sys/kernel/debug
r=$(mc_err "$MC" --once)
expect_eq "debugfs not mounted (module loaded): exit 2, one line saying so" \
	"2/1/0 debugfs is not mounted" "$r $(grep -o 'debugfs is not mounted' /tmp/mc.err)"
mount -t debugfs debugfs /sys/kernel/debug
mw_unload

r=$(mc_err "$MC" --require-module --once)
expect_eq "--require-module without the module: exit 2, one line saying so" \
	"2/1/0 mlockwatch.ko is not loaded" "$r $(grep -o 'mlockwatch.ko is not loaded' /tmp/mc.err)"
r=$(mc_err "$RUNAS" nobody "$MC" --once)
expect_eq "not root: exit 2, one line saying so" \
	"2/1/0 must run as root" "$r $(grep -o 'must run as root' /tmp/mc.err)"
ktap_finished
