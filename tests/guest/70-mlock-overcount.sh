#!/bin/sh
# mlock_count overcount from out-of-order mlock batches (mlock_overcount.c,
# a kselftest: KSFT_FAIL when it saw the bug, KSFT_SKIP when it could not
# run, which fails here):
# a folio left PG_mlocked and unevictable after every locking mapping is
# gone, NR_MLOCK one page high, until the folio is freed. Every check
# kernel has it (tests/known-kernel-bugs: open since 5.18); mlockwatch's
# shadow table found it during mlockstress and must name the folio.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 3

out=$("$MW_DIR/mlock_overcount")
rc=$?
ktap_print_msg "$out"
expect_ok_unless_known_bug mlock-count-overcount \
	"the kernel unlocks a folio once every locking mapping is gone" "$rc"

mw_load
out=$(MO_KEEP=1 "$MW_DIR/mlock_overcount")
rc=$?
ktap_print_msg "with mlockwatch: $out"
pfn=$(echo "$out" | sed -n 's/^# PFN \([0-9]*\) .*/\1/p')
drain
mw_control scan
line=$(awk -v p="$pfn" 'NR > 2 && $1 == p { print $4, $5, $6, $9, $13 }' "$MW_DEBUGFS/folios")
ktap_print_msg "folios: shadow kernel_count mlocked mapcount verdict = $line"
# A second run that could not set up leaves nothing to compare the
# module's view with: both checks fail, never pass on an empty view.
if ! repro_ran "$rc"; then
	ktap_test_fail "mlockwatch names the leaked folio (the reproducer did not run)"
	ktap_test_fail "mismatches lists it (the reproducer did not run)"
elif [ "$rc" = 1 ]; then
	expect_eq "mlockwatch names the leaked folio: shadow 0, kernel count 1, PG_mlocked, unmapped: overcount" \
		"0 1 1 0 overcount" "$line"
	expect_eq "mismatches lists it" "overcount" \
		"$(awk -v p="$pfn" 'NR > 2 && $1 == p { print $13 }' "$MW_DEBUGFS/mismatches")"
else
	expect_eq "no leak on this kernel: mlockwatch has no entry for the folio" "" "$line"
	expect_eq "no leak on this kernel: mismatches is empty" "0" \
		"$(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .)"
fi
rm -f /dev/shm/mlock_overcount
mw_unload
ktap_finished
