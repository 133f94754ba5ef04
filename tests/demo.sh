#!/bin/sh
# make demo, the guest side: load mlockwatch, run mlockstress under
# mlockcheck with the live table on screen, then show the shadow table
# (folios) for a locked 64 MiB region, the mismatches (empty) and the
# verdict. The CSV time series goes to the console between markers, for
# scripts/demo to plot on the host.
set -e
D=/sys/kernel/debug/mlockwatch
echo "== insmod mlockwatch.ko on $(uname -r)"
insmod mlockwatch.ko
ls $D

echo
echo "== mlockcheck -i 1 --csv /tmp/mlockcheck.csv -- mlockstress --duration 1 (every scenario)"
# A scenario that a known kernel bug fails on this kernel (see
# tests/known-kernel-bugs) would make mlockstress fail: leave it out.
. "$(dirname "$0")/lib.sh"
skip=$(known_bug mremap-dontunmap-partial && echo mremap || true)
scen=$(./mlockstress --list | awk -v s="$skip" '$1 != s { printf "%s%s", sep, $1; sep = "," }')
set +e
./mlockcheck -i 1 --csv /tmp/mlockcheck.csv -- ./mlockstress --duration 1 --scenario "$scen"
rc=$?
set -e
echo "mlockcheck exit status: $rc"

echo
echo "== a process locks 64 MiB (tests/guest/mlock_region.c)"
mkfifo /tmp/demo.in /tmp/demo.out
./mlock_region 64 < /tmp/demo.in > /tmp/demo.out &
exec 3> /tmp/demo.in 4< /tmp/demo.out
echo touch >&3; read -r _ <&4
echo lock >&3; read -r _ <&4
drain
echo "== head $D/folios ($(($(wc -l < $D/folios) - 2)) folios)"
head -n 8 $D/folios
echo "== the same folios, by order, shadow count and verdict"
awk 'NR > 2 { n[$2 " " $3 " " $4 " " $13]++ }
     END { for (k in n) { split(k, f, " ")
	     printf "  %5d folios of order %s (%s pages): shadow %s, %s\n", n[k], f[1], f[2], f[3], f[4] } }' $D/folios | sort -k5n
echo "== cat $D/mismatches"
cat $D/mismatches
echo "== mlockcheck --once --exact (with the 64 MiB still locked)"
./mlockcheck --once --exact || true
echo unlock >&3; read -r _ <&4
echo exit >&3
exec 3>&- 4<&-
wait
echo "== summary, after the process has gone"
drain
grep -E '^(incomplete|nr_mlock|witnessed_nr_mlock_delta|identity_diff|table_entries|scan_)' $D/summary
rmmod mlockwatch
echo "--- mlockcheck.csv begin"
cat /tmp/mlockcheck.csv
echo "--- mlockcheck.csv end"
exit "$rc"
