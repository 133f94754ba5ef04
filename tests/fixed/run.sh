#!/bin/sh
# The guest side of `make fixed-kernel` (scripts/check-fixed), run the same
# on the stock and the patched kernel: the overcount reproducer, the
# kernel's own mlock selftests (tools/testing/selftests/mm, as
# run_vmtests.sh runs them), and all of mlockstress under mlockcheck with
# mlockwatch loaded. One "RESULT NAME EXIT DETAIL" line per check.
cd /mw || exit 1
result() { echo "RESULT $1 $2 ${3:-}"; }

out=$(./mlock_overcount 2>&1)
rc=$?
echo "$out" | sed 's/^/  /'
result reproducer "$rc" "$(echo "$out" | sed -n 's/^# PFN [0-9]* after both processes munlocked and unmapped it: //p')"

for t in mlock2-tests mlock-random-test; do
	./"$t" > "/tmp/$t.out" 2>&1
	rc=$?
	sed 's/^/  /' "/tmp/$t.out"
	result "$t" "$rc" "$(grep -o 'Totals: .*' "/tmp/$t.out" | tail -n1)"
done
# run_vmtests.sh runs on-fault-limit as nobody: the limit is the point.
cp on-fault-limit /tmp/ && chmod 755 /tmp/on-fault-limit
./runas nobody /tmp/on-fault-limit > /tmp/ofl.out 2>&1
rc=$?
sed 's/^/  /' /tmp/ofl.out
result on-fault-limit "$rc" "$(grep -o 'Totals: .*' /tmp/ofl.out | tail -n1)"

insmod ./mlockwatch.ko || { result mlockcheck-mlockstress 2 "insmod failed"; exit 0; }
./mlockcheck -i 1 -- ./mlockstress --duration 1 > /tmp/mc.out 2>&1
rc=$?
tail -n 5 /tmp/mc.out | sed 's/^/  /'
m=$(awk 'NR > 2' /sys/kernel/debug/mlockwatch/mismatches | grep -c .)
result mlockcheck-mlockstress "$rc" "$(tail -n1 /tmp/mc.out); $m folio verdicts in mismatches"
rmmod mlockwatch
