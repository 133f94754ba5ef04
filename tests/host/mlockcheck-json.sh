#!/bin/bash
# mlockcheck-json.sh: tools/mlockcheck.md, the contract of mlockcheck's
# --json and --csv, names exactly what tools/mlockcheck/output.c prints
# (every JSON field, the version, the CSV columns in order), and its
# validator (tests/guest/mlockcheck_json.c, which 60-mlockcheck.sh runs
# over real output in the guest) refuses what breaks the contract.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
BUILD=${BUILD:-$top/build}
md=$top/tools/mlockcheck.md
src=$top/tools/mlockcheck/output.c
check=$BUILD/tools/mlockcheck_json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: expected '$2', got '$3'"
		ktap_test_fail "$1"
	fi
}
ktap_print_header
ktap_set_plan 10

# The field rows of the md's JSON tables: "object field".
awk -F'|' '$2 ~ /^ `(sample|final|mismatch|scope|global)` $/ {
	gsub(/[ `]/, "", $2); gsub(/[ `]/, "", $3); print $2, $3 }' "$md" > "$tmp/rows"
# Every key output.c prints: \"key\": in its format strings,
# and the keys json_num() prints.
{ grep -o '\\"[a-z_]*\\":' "$src" | sed 's/\\"//g; s/:$//'
  grep -o 'json_num("[a-z_]*"' "$src" | sed 's/json_num("//; s/"$//'; } | sort -u > "$tmp/printed"
awk '{ print $2 }' "$tmp/rows" | sort -u > "$tmp/documented"

missing=$(comm -23 "$tmp/printed" "$tmp/documented" | tr '\n' ' ')
[ -z "$missing" ] && ktap_test_pass "every JSON field output.c prints is documented in tools/mlockcheck.md" ||
	ktap_test_fail "JSON field(s) output.c prints but tools/mlockcheck.md does not document: $missing"
stale=$(comm -13 "$tmp/printed" "$tmp/documented" | tr '\n' ' ')
[ -z "$stale" ] && ktap_test_pass "every field tools/mlockcheck.md documents is printed by output.c" ||
	ktap_test_fail "field(s) tools/mlockcheck.md documents but output.c never prints: $stale"
dups=$(sort "$tmp/rows" | uniq -d | tr '\n' ' ')
[ -z "$dups" ] && ktap_test_pass "each field has one row per object" ||
	ktap_test_fail "field(s) documented twice for one object: $dups"

code_version=$(sed -n 's/^#define MLOCKCHECK_JSON_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$top/tools/mlockcheck/output.h")
doc_versions=$(awk -F'|' '$3 ~ /`version`/ { gsub(/[ `]/, "", $6); print $6 }' "$md" | sort -u | tr '\n' ' ')
expect_eq "the version tools/mlockcheck.md documents (every object's) is output.h's MLOCKCHECK_JSON_VERSION" \
	"$code_version " "$doc_versions"

# The final object's exit is mlockcheck's status: every status --help
# gives but the usage or setup error's, which prints no JSON.
"$BUILD/tools/mlockcheck" --help > "$tmp/help" 2>&1
help_exits=$(sed -n '/^Exit status:/,/^$/p' "$tmp/help" | tr '\n' ' ' |
	sed 's/\([0-9][0-9]*\) usage or setup error//' | grep -o '\b[0-9][0-9]*\b' | sort -un | tr '\n' ' ')
doc_exits=$(awk -F'|' '$2 ~ /`final`/ && $3 ~ /`exit`/ { print $6 }' "$md" | grep -o '[0-9][0-9]*' | sort -un | tr '\n' ' ')
[ -n "$help_exits" ] && [ "$help_exits" = "$doc_exits" ] &&
	ktap_test_pass "the final object's documented exit values are mlockcheck --help's statuses but setup errors': $help_exits" ||
	{ ktap_print_msg "mlockcheck --help: '$help_exits' (without the usage or setup error's); tools/mlockcheck.md: '$doc_exits'"
	  ktap_test_fail "the final object's documented exit values are mlockcheck --help's statuses but setup errors'"; }

# CSV: the header output.c writes, and the documented columns in order.
code_csv=$(grep -o '"time,nr_mlock[a-z_,]*' "$src" | tr -d '"')
doc_csv=$(sed -n '/^## CSV columns/,$p' "$md" | awk -F'|' '$2 ~ /^ `[a-z_]+` $/ { gsub(/[ `]/, "", $2); printf "%s%s", sep, $2; sep = "," }')
expect_eq "the CSV columns tools/mlockcheck.md documents are output.c's header, in order" "$code_csv" "$doc_csv"

# The validator, on objects shaped as mlockcheck prints them, then on
# each way of breaking the contract.
if [ ! -x "$check" ]; then
	ktap_test_fail "the validator $check is not built (make tools)"
	for i in 1 2 3; do ktap_test_fail "validator case $i: not built"; done
	ktap_finished
fi
v=$code_version
cat > "$tmp/good" <<JSON
{"version":$v,"time":1.12,"nr_mlock":798,"nr_mlock_exact":true,"identity_diff":0,"nr_mlock_delta":798,"bpf_attributed":2,"bpf_unattributed":0,"module_witnessed":798,"module_mismatches":0,"locked_vm_mismatched_mms":0,"differences":2,"verdict":"drift"}
{"version":$v,"time":2.00,"nr_mlock":0,"nr_mlock_exact":false,"identity_diff":0,"nr_mlock_delta":0,"bpf_attributed":0,"bpf_unattributed":0,"module_witnessed":null,"module_mismatches":null,"locked_vm_mismatched_mms":null,"differences":0,"verdict":"ok"}
{"version":$v,"final":true,"mode":"wrap","exact":true,"module":true,"verdict":"mismatch","exit":1,"cmd_status":0,"incomplete_reason":"","notes":"a \"quoted\" note","mismatches":[{"invariant":"identity","expected":0,"actual":5,"delta":5,"judged":true,"detail":"x"},{"invariant":"locked-vm","expected":0,"actual":-3,"delta":-3,"judged":false,"detail":"pid 1"}]}
{"version":$v,"final":true,"mode":"once","exact":true,"module":true,"verdict":"mismatch","exit":1,"global":{"identity_diff":0,"module_mismatches":2},"scope":{"target":"pid 7","processes":1,"exited":0,"vmlck_pages":16,"locked_vma_pages":16,"locked_present_pages":16,"locked_mlocked_pages":16,"charged_pages":null,"charged_mlocked_pages":null,"module_folios":16,"module_mismatches":1,"module_mismatches_shared":0,"unstable_folios":0},"scope_folio_pfns":[4096,4097],"incomplete_reason":"","notes":"","mismatches":[{"invariant":"module-verdicts","expected":0,"actual":1,"delta":1,"judged":true,"scope":true,"detail":"y"}]}
JSON
"$check" "$md" "$tmp/good" > "$tmp/out" 2>&1 && ktap_test_pass "the validator passes objects that keep the contract" ||
	{ sed 's/^/# /' "$tmp/out"; ktap_test_fail "the validator passes objects that keep the contract"; }

# break NAME SED EXPECTED: the validator must fail the broken objects,
# saying EXPECTED.
breaks=0 missed=""
brk() {
	sed "$2" "$tmp/good" > "$tmp/bad"
	if "$check" "$md" "$tmp/bad" > "$tmp/out" 2>&1 || ! grep -q -- "$3" "$tmp/out"; then
		sed 's/^/# /' "$tmp/out"
		missed="$missed $1;"
	fi
	breaks=$((breaks + 1))
}
brk "a renamed sample field" 's/"nr_mlock_delta"/"nr_mlock_change"/' 'field "nr_mlock_change" is not documented'
brk "... is also missing" 's/"nr_mlock_delta"/"nr_mlock_change"/' 'documented field "nr_mlock_delta" (present always) is missing'
brk "an undocumented field in a mismatch" 's/"detail":"x"/"detail":"x","pfn":12/' 'mismatch object: field "pfn" is not documented'
brk "a missing final field" 's/"mode":"wrap",//' 'documented field "mode" (present always) is missing'
brk "another version" "s/{\"version\":$v,\"final\"/{\"version\":$((v + 1)),\"final\"/" 'field "version" is '"$((v + 1))"', not one of the documented values'
brk "an integer as a number" 's/"exit":1,/"exit":1.0,/' 'field "exit" is number, documented as integer'
brk "a null where it is not documented" 's/"nr_mlock":0,/"nr_mlock":null,/' 'field "nr_mlock" is null, documented as integer'
brk "an undocumented verdict" 's/"verdict":"drift"/"verdict":"drifting"/' 'field "verdict" is drifting, not one of the documented values'
brk "an undocumented invariant" 's/"invariant":"identity"/"invariant":"identiti"/' 'field "invariant" is identiti, not one of the documented values'
brk "a truncated object" '3s/]}$/]/' 'not a JSON object'
brk "a string in the scope object" 's/"processes":1,/"processes":"1",/' 'scope object: field "processes" is string, documented as integer'
brk "a field missing from the global object" 's/"identity_diff":0,"module_mismatches":2/"identity_diff":0/' 'global object: documented field "module_mismatches" (present always) is missing'
brk "a scope that is not an object" 's/"scope":{"target":"pid 7",[^}]*}/"scope":7/' 'field "scope" is integer, documented as scope object'
brk "a PFN that is not an integer" 's/\[4096,4097\]/[4096,"4097"]/' 'field "scope_folio_pfns": an element is string, not an integer'
[ -z "$missed" ] && ktap_test_pass "the validator fails each of $breaks broken contracts, naming the field" ||
	ktap_test_fail "the validator let through:$missed"

: > "$tmp/empty"
"$check" "$md" "$tmp/empty" > "$tmp/out" 2>&1
expect_eq "the validator fails when there is no object to check" 1 "$?"
# The guest runs it with the md the payload carries: a table it cannot
# read is an error of its own (exit 2), not a pass.
sed 's/| integer |/| int |/' "$md" > "$tmp/bad.md"
"$check" "$tmp/bad.md" "$tmp/good" > "$tmp/out" 2>&1
expect_eq "the validator refuses a field table with an unknown type (exit 2)" 2 "$?"
ktap_finished
