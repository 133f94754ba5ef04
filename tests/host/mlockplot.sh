#!/bin/bash
# mlockplot.sh: mlockplot turns an mlockcheck --csv file into a PNG, and
# refuses what is not one.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktap_print_header
ktap_set_plan 4
printf 'time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict\n1.00,10,0,10,10,0,10,ok\n2.00,0,0,0,0,0,0,ok\n' > "$tmp/s.csv"
if "$top/tools/mlockplot" "$tmp/s.csv" > /dev/null && [ "$(head -c 4 "$tmp/s.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
	ktap_test_pass "a two-sample CSV becomes a PNG"
else
	ktap_test_fail "a two-sample CSV becomes a PNG"
fi
# Without the module, mlockcheck leaves module_witnessed empty (not 0).
printf 'time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict\n1.00,10,0,10,10,0,,ok\n2.00,0,0,0,0,0,,ok\n' > "$tmp/n.csv"
if "$top/tools/mlockplot" "$tmp/n.csv" > /dev/null 2> "$tmp/n.err" && [ ! -s "$tmp/n.err" ] &&
   [ "$(head -c 4 "$tmp/n.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
	ktap_test_pass "a CSV without the module's column filled in becomes a PNG, with no warning"
else
	sed 's/^/# /' "$tmp/n.err"
	ktap_test_fail "a CSV without the module's column filled in becomes a PNG, with no warning"
fi
# mlockcheck's default (no -w, the module without attribute_writers=1):
# the BPF columns and the module's witness are all empty.
printf 'time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict\n1.00,10,0,10,,,,ok\n2.00,0,0,0,,,,ok\n' > "$tmp/d.csv"
if "$top/tools/mlockplot" "$tmp/d.csv" > /dev/null 2> "$tmp/d.err" && [ ! -s "$tmp/d.err" ] &&
   [ "$(head -c 4 "$tmp/d.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
	ktap_test_pass "a CSV of mlockcheck's default, the witness columns empty, becomes a PNG, with no warning"
else
	sed 's/^/# /' "$tmp/d.err"
	ktap_test_fail "a CSV of mlockcheck's default, the witness columns empty, becomes a PNG, with no warning"
fi
echo "not,a,csv" > "$tmp/bad.csv"
"$top/tools/mlockplot" "$tmp/bad.csv" > /dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && ktap_test_pass "a file that is not mlockcheck's CSV exits 2" ||
	ktap_test_fail "a file that is not mlockcheck's CSV exits 2 (got $rc)"
ktap_finished
