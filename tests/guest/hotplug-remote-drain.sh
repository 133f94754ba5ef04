#!/bin/sh
# hotplug-remote-drain.sh: leave munlocks queued in CPU 1's mlock batch,
# then take CPU 1 offline, so that the kernel drains the batch remotely;
# bring it back. Used by 46-cpu-hotplug.sh, under mlockcheck.
#
# A process on CPU 1 COWs 6 pages of a locked private mapping after fork:
# each fault queues a munlock of the old page and an mlock of the new one
# in CPU 1's batch (12, fewer than a batch holds; faults do not drain).
# Every other task stays on CPU 0, because any exit or munmap on CPU 1
# would drain the batch there. The COWing process stays alive until CPU 1
# is gone, for the same reason.
. "$(dirname "$0")/lib.sh"
cpu1=/sys/devices/system/cpu/cpu1/online

taskset -p -c 0 $$ > /dev/null || exit 1
rm -f /tmp/p1.in /tmp/p1.out
mkfifo /tmp/p1.in /tmp/p1.out
taskset -c 1 "$MW_DIR/mlock_probe" < /tmp/p1.in > /tmp/p1.out &
PROBE_PID_p1=$!
exec 5> /tmp/p1.in 6< /tmp/p1.out
probe "map a nothp 24 locked" && probe "touch a" && probe fork && probe "touch a" || exit 1
echo 0 > "$cpu1" || exit 1
echo 1 > "$cpu1" || exit 1
probe reap && probe_stop
