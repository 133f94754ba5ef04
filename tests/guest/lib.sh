# Shared helpers for the guest tests, on top of the kernel's own
# kselftest KTAP helpers (ktap_helpers.sh, copied from linux-source).
# Sourced by busybox sh from /mw/tests.
. "$(dirname "$0")/ktap_helpers.sh"

MW_DEBUGFS=/sys/kernel/debug/mlockwatch
MW_KO=/mw/mlockwatch.ko

# vmstat NAME: the value of NAME in /proc/vmstat.
vmstat() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) exit 1 }' /proc/vmstat
}

# drain: empty every CPU's mlock and lru_add batches through the kernel's
# own path: the compact_memory handler calls lru_add_drain_all(). Locked
# pages stay where they are because compact_unevictable_allowed is 0
# while it runs.
drain() {
	local old
	old=$(cat /proc/sys/vm/compact_unevictable_allowed)
	echo 0 > /proc/sys/vm/compact_unevictable_allowed
	echo 1 > /proc/sys/vm/compact_memory
	echo "$old" > /proc/sys/vm/compact_unevictable_allowed
}

# stat_refresh: fold every CPU's vmstat diffs into the global counters.
stat_refresh() {
	echo 1 > /proc/sys/vm/stat_refresh
}

# nr_mlock_quiesced: nr_mlock after a drain and a stat_refresh.
nr_mlock_quiesced() {
	drain
	stat_refresh
	vmstat nr_mlock
}

# expect_eq DESCRIPTION EXPECTED ACTUAL: one KTAP result.
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: expected '$2', got '$3'"
		ktap_test_fail "$1"
	fi
}

# region_start MIB [FLAGS]: start mlock_region in the background, driven
# through fifos; region_cmd CMD sends it one command and waits for "ok".
region_start() {
	rm -f /tmp/region.in /tmp/region.out
	mkfifo /tmp/region.in /tmp/region.out
	/mw/mlock_region "$@" < /tmp/region.in > /tmp/region.out &
	REGION_PID=$!
	exec 3> /tmp/region.in 4< /tmp/region.out
}

region_cmd() {
	local reply
	echo "$1" >&3
	read -r reply <&4 || reply="(mlock_region died)"
	[ "$reply" = ok ] || { ktap_print_msg "mlock_region $1: $reply"; return 1; }
}

region_stop() {
	echo exit >&3
	exec 3>&- 4<&-
	wait "$REGION_PID"
}

mw_load() {
	insmod "$MW_KO" "$@"
}

mw_unload() {
	rmmod mlockwatch
}

# mw_summary KEY: the value of KEY in the module's summary.
mw_summary() {
	awk -v k="$1:" '$1 == k { sub(/^[^:]*: /, ""); print; found = 1 } END { if (!found) exit 1 }' \
		"$MW_DEBUGFS/summary"
}

# mw_control VERB: write VERB to the control file; fails as the write does.
mw_control() {
	echo "$1" > "$MW_DEBUGFS/control"
}

# mw_event_delta NAME: how much the unevictable_pgs_NAME event moved since
# the module's baseline.
mw_event_delta() {
	echo $(( $(mw_summary "unevictable_pgs_$1") - $(mw_summary "unevictable_pgs_$1_at_load") ))
}
