#!/bin/bash
# checkpatch.sh: the kernel code follows the kernel's coding style, as
# checked by scripts/checkpatch.pl from the pinned linux-source.
#
# Only the files git tracks count: an in-tree `make module` leaves Kbuild
# output next to the sources (mlockwatch.mod.c and the like), which is
# not ours to style and must never fail this test. A new source file is
# checked once it is added to git.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
cp=${CHECKPATCH:?set by tests/run}

cd "$top"
ktap_print_header
if ! git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
	ktap_skip_all "not a git checkout: cannot tell the sources from build output"
	exit "$KSFT_SKIP"
fi
# A tracked file deleted in the work tree is not there to check.
files=$(git ls-files -- 'module/*.[ch]' 'include/mlockwatch/*.h' 'tests/inject/*.[ch]' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done)
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
