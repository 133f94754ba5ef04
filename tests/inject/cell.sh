#!/bin/sh
# cell.sh CELL: one cell of the detection matrix, in the guest. Loads
# mlockwatch (attribute_writers=1) and the injector, runs mlockcheck
# (-w --bpf-batches) around a workload that
# makes CELL's corruption one second in (or none: "control"), and prints
# one line for scripts/detection-matrix:
#   DETECT cell=CELL exit=N invariants=A,B,... magnitude=INV:DELTA,...
#          pfn=expected:found detect_s=S
# The detection matrix runs from mlockvm's /mw, where the programs are
# not beside lib.sh as in the installed guest tests.
MW_DIR=/mw
. /mw/tests/lib.sh
cell=${1:?usage: cell.sh CELL}
INJ=/sys/kernel/debug/mlockinject/inject

if [ "${2:-}" = workload ]; then
	# The wrapped command: a locked region held by mlock_probe, which
	# stays (as an orphan) after this script ends, so that a corrupted
	# folio is still there for mlockcheck's final, exact check.
	probe_start p1
	probe "map a nothp 256" && probe "touch a" && drain && probe "mlock a"
	probe "pfns a /tmp/cell.pfns"
	sleep 1
	case "$cell" in
	control) ;;
	nr_mlock_plus) echo "nr_mlock 5" > $INJ ;;
	nr_mlock_minus) echo "nr_mlock -5" > $INJ ;;
	event_*) echo "event ${cell#event_} 3" > $INJ ;;
	stray) echo stray > $INJ ;;
	clear) probe "inject a 0 clear" ;;
	raise) probe "inject a 0 raise 2" ;;
	*) echo "cell.sh: unknown cell $cell" >&2; exit 2 ;;
	esac
	awk '/^pfn:/ { print $2 }' $INJ > /tmp/cell.pfn
	sleep 2
	# Leave the probe running: a sleep keeps its command fifo open, so it
	# does not see the end of its input when this script exits.
	sleep 600 > /tmp/p1.in &
	exit 0
fi

# Every witness on, the module's and mlockcheck's: the matrix checks
# every verdict, the writer attribution and BPF's batch counts included,
# which both leave out by default.
insmod /mw/mlockwatch.ko attribute_writers=1 || exit 1
insmod /mw/mlockinject.ko || exit 1
/mw/mlockcheck -w --bpf-batches -i 0.25 --streak 3 --json -- sh /mw/tests/cell.sh "$cell" workload > /tmp/cell.json 2>/tmp/cell.err
rc=$?
final=$(grep '"final":true' /tmp/cell.json)
invariants=$(echo "$final" | grep -o '"invariant":"[a-z-]*"' | cut -d'"' -f4 | sort -u | paste -sd, -)
magnitude=$(echo "$final" | grep -o '"invariant":"[a-z-]*","expected":-*[0-9]*,"actual":-*[0-9]*,"delta":-*[0-9]*' |
	sed 's/"invariant":"\([a-z-]*\)".*"delta":\(-*[0-9]*\)/\1:\2/' | sort -u | paste -sd, -)
want_pfn=$(cat /tmp/cell.pfn 2>/dev/null)
found_pfn=$(awk 'NR > 2 { print $1 ":" $13 }' /sys/kernel/debug/mlockwatch/mismatches | paste -sd, -)
excess=$(awk -v p="$want_pfn" 'NR > 2 && $1 == p && $5 != "-" { print $5 - $4 }' /sys/kernel/debug/mlockwatch/folios)
first=$(grep -v '"final"' /tmp/cell.json | grep '"verdict":"mismatch"' | head -n1 | sed 's/.*"time":\([0-9.]*\).*/\1/')
echo "DETECT cell=$cell exit=$rc invariants=${invariants:-none} magnitude=${magnitude:-none} pfn=${want_pfn:-0}:${found_pfn:-none} count_excess=${excess:-none} first_live_mismatch_s=${first:-none}"
[ "$rc" = 2 ] && sed 's/^/# /' /tmp/cell.err
killall sleep mlock_probe 2>/dev/null
rmmod mlockinject
exit 0
