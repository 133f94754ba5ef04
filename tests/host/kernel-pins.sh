#!/bin/bash
# kernel-pins.sh: kernels.conf resolves as pinned, and a pin that is no
# longer served falls back to the newest version of the same series,
# loudly, instead of failing the run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
ktap_print_header
ktap_set_plan 4

fetch=$top/scripts/kernel-fetch
while read -r name pkg ver; do
	got=$("$fetch" --resolve "$name" 2>/dev/null)
	if [ "$got" = "$name $pkg $ver" ]; then
		ktap_test_pass "$name resolves to its pin $ver"
	else
		ktap_test_fail "$name resolves to its pin $ver (got '$got')"
	fi
done < <(awk '!/^#/ && NF { print $1, $2, $3 }' "$top/kernels.conf" | head -n 2)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '6.1\tlinux-image-amd64\t6.1.0-no-such-version\n' > "$tmp/kernels.conf"
got=$(KERNELS_CONF=$tmp/kernels.conf "$fetch" --resolve 6.1 2> "$tmp/err")
ver=${got##* }
case "$ver" in
6.1.*-*) ktap_test_pass "an unserved 6.1 pin falls back to a served 6.1 version ($ver)" ;;
*) ktap_test_fail "an unserved 6.1 pin falls back to a served 6.1 version (got '$got')" ;;
esac
if grep -q "WARNING: .*no longer served" "$tmp/err" && grep -q "falling back to .*$ver" "$tmp/err"; then
	ktap_test_pass "the fallback is announced with a WARNING"
else
	sed 's/^/# /' "$tmp/err"
	ktap_test_fail "the fallback is announced with a WARNING"
fi
ktap_finished
