#!/bin/sh
# make demo: load mlockwatch in the guest and show what it exposes.
set -e
echo "== insmod mlockwatch.ko on $(uname -r)"
insmod mlockwatch.ko
echo "== ls /sys/kernel/debug/mlockwatch"
ls -l /sys/kernel/debug/mlockwatch
for f in /sys/kernel/debug/mlockwatch/*; do
	[ -r "$f" ] || continue
	case "$f" in */control) continue ;; esac
	echo "== cat $f"
	cat "$f"
done
echo "== rmmod mlockwatch"
rmmod mlockwatch
