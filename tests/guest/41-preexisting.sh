#!/bin/sh
# Memory locked before the module loaded is recorded as preexisting, and
# its later munlock makes no false alarm: every comparison is a delta
# since load.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 9
mib=64
pages=$(pages_of $mib)

region_start $mib
region_cmd touch
region_cmd lock
drain
# With the writer hook: the witnessed NR_MLOCK change is judged below.
mw_load attribute_writers=1 || ktap_exit_fail_msg "insmod failed"
pre=$(mw_summary preexisting_pages)
if [ "$pre" -ge "$pages" ]; then
	ktap_test_pass "preexisting_pages ($pre) covers the $mib MiB locked before load"
else
	ktap_test_fail "preexisting_pages ($pre) covers the $mib MiB locked before load"
fi
expect_eq "folios: the preexisting folios carry the preexisting verdict, as many as counted" \
	"$(mw_summary preexisting_folios) preexisting" \
	"$(awk 'NR > 2 { n++; v[$13] = 1 } END { for (k in v) s = s k; print n + 0, s }' "$MW_DEBUGFS/folios")"
region_cmd unlock
mw_control drain
mw_control scan
expect_eq "after their munlock: no entry, no error" "0 0" \
	"$(awk 'NR > 2' "$MW_DEBUGFS/folios" | grep -c .) $(awk 'NR > 2' "$MW_DEBUGFS/mismatches" | grep -c .)"
expect_eq "nr_mlock delta after munlock of preexisting memory" "-$pages" "$(mw_summary nr_mlock_delta)"
expect_eq "witnessed munlocked+stranded == vmstat delta" \
	"$(( $(mw_event_delta munlocked) + $(mw_event_delta stranded) ))" \
	"$(( $(mw_summary witnessed_munlocked_pages) + $(mw_summary witnessed_stranded_pages) ))"
expect_eq "witnessed NR_MLOCK change == actual change" \
	"$(mw_summary nr_mlock_delta)" "$(mw_summary witnessed_nr_mlock_delta)"
expect_eq "identity_diff" 0 "$(mw_summary identity_diff)"
expect_eq "no unattributed NR_MLOCK writer" 0 "$(mw_summary nr_mlock_unattributed_writes)"
expect_eq "not incomplete" 0 "$(mw_summary incomplete)"
region_stop
mw_unload
ktap_finished
