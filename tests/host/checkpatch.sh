#!/bin/bash
# checkpatch.sh: the kernel code follows the kernel's coding style, as
# checked by scripts/checkpatch.pl from the pinned linux-source.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
cp=${CHECKPATCH:?set by tests/run}

cd "$top"
files=$(ls module/*.[ch] include/mlockwatch/*.h tests/inject/*.[ch] 2>/dev/null)
ktap_print_header
ktap_set_plan "$(echo "$files" | wc -w)"
for f in $files; do
	if out=$(perl "$cp" --no-tree --quiet --show-types -f "$f" 2>&1); then
		ktap_test_pass "checkpatch $f"
	else
		echo "$out" | sed 's/^/# /'
		ktap_test_fail "checkpatch $f"
	fi
done
ktap_finished
