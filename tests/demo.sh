#!/bin/sh
# make demo: load mlockwatch in the guest, lock 64 MiB, and show what the
# module sees: the summary, the hooks, the shadow table (folios) and the
# mismatches, which must be empty.
set -e
D=/sys/kernel/debug/mlockwatch
drain() { echo drain > $D/control; }
echo "== insmod mlockwatch.ko on $(uname -r)"
insmod mlockwatch.ko
echo "== ls $D"
ls -l $D
echo "== a process locks 64 MiB (tests/guest/mlock_region.c)"
mkfifo /tmp/demo.in /tmp/demo.out
./mlock_region 64 < /tmp/demo.in > /tmp/demo.out &
exec 3> /tmp/demo.in 4< /tmp/demo.out
echo touch >&3; read -r _ <&4
echo lock >&3; read -r _ <&4
drain
echo "== cat $D/hooks"
cat $D/hooks
echo "== cat $D/folios (first 12 lines of $(($(wc -l < $D/folios) - 2)) folios)"
head -n 12 $D/folios
echo "== the same folios, by order, shadow count and verdict"
awk 'NR > 2 { n[$2 " " $3 " " $4 " " $13]++ }
     END { for (k in n) { split(k, f, " ")
	     printf "  %5d folios of order %s (%s pages): shadow %s, %s\n", n[k], f[1], f[2], f[3], f[4] } }' $D/folios | sort -k5n
echo "== cat $D/mismatches"
cat $D/mismatches
echo "== echo scan > $D/control; then the summary"
echo scan > $D/control
cat $D/summary
echo "== the process unlocks and exits; the table empties"
echo unlock >&3; read -r _ <&4
echo exit >&3
exec 3>&- 4<&-
wait
drain
echo "folios now: $(($(wc -l < $D/folios) - 2)); mismatches: $(($(wc -l < $D/mismatches) - 2))"
echo "== rmmod mlockwatch"
rmmod mlockwatch
