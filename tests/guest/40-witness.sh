#!/bin/sh
# Witnessed accounting: after a 64 MiB mlock the witnessed counters equal
# vmstat's deltas exactly; after munlock and a drain the identity holds
# with difference 0 and NR_MLOCK is back at its value at load; the
# selftest passes and every required accounting hook has fired. First
# with attribute_writers=1 (the NR_MLOCK writer hook, which witnesses
# the increments), then as loaded by default, without it: the increments
# are then unknown ("-", never 0), the rest is witnessed as before, the
# writer hook is off and the selftest does not want it.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 20
mib=64
pages=$(pages_of $mib)

# silent_hooks: the hooks the module says must fire (its must_fire
# column, format.h) that have not, found by the header's column names;
# none marked is a failure.
silent_hooks() {
	awk '/^# / { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
	     !col["must_fire"] { next }
	     $col["must_fire"] == "yes" { n++; if ($col["hits"] == 0) print $col["symbol"] }
	     END { if (!n) print "(no hook has must_fire yes)" }' "$MW_DEBUGFS/hooks"
}

mw_load attribute_writers=1 || ktap_exit_fail_msg "insmod failed"
expect_eq "attribute_writers=1: the summary says so, the writer hook is active" "1 active" \
	"$(mw_summary attribute_writers) $(awk '$1 == "nr_mlock_write" { print $5 }' "$MW_DEBUGFS/hooks")"
region_start $mib
# Locking before touching faults the pages in through mlock_new_*.
region_cmd lock
mw_control drain
expect_eq "nr_mlock delta after mlock of untouched $mib MiB" "$pages" "$(mw_summary nr_mlock_delta)"
expect_eq "witnessed_mlocked_pages == unevictable_pgs_mlocked delta" \
	"$(mw_event_delta mlocked)" "$(mw_summary witnessed_mlocked_pages)"
expect_eq "NR_MLOCK rises through mlock_new" "$pages" \
	"$(( $(mw_summary nr_mlock_by_mlock_new) + $(mw_summary nr_mlock_by_mlock) ))"

region_cmd unlock
region_cmd touch
# Locking touched pages goes through mlock_folio.
region_cmd lock
mw_control drain
expect_eq "witnessed_mlocked_pages == delta after a second mlock" \
	"$(mw_event_delta mlocked)" "$(mw_summary witnessed_mlocked_pages)"
expect_eq "witnessed NR_MLOCK change == actual change" \
	"$(mw_summary nr_mlock_delta)" "$(mw_summary witnessed_nr_mlock_delta)"

region_cmd unlock
mw_control drain
expect_eq "witnessed_munlocked_pages == unevictable_pgs_munlocked delta" \
	"$(mw_event_delta munlocked)" "$(mw_summary witnessed_munlocked_pages)"
expect_eq "witnessed_stranded_pages == unevictable_pgs_stranded delta" \
	"$(mw_event_delta stranded)" "$(mw_summary witnessed_stranded_pages)"
expect_eq "identity_diff after munlock and drain" 0 "$(mw_summary identity_diff)"
expect_eq "nr_mlock back at its value at load" \
	"$(mw_summary nr_mlock_at_load)" "$(mw_summary nr_mlock)"

mw_control selftest
expect_eq "selftest after a known mlock and munlock" pass "$(mw_summary selftest)"
# The hooks the module says must fire (its must_fire column, format.h)
# have, found by the header's column names; none marked is a failure.
expect_eq "every hook that must fire has fired" "" "$(silent_hooks)"
expect_eq "every required rmap attribution hook is attached" "" \
	"$(awk '$4 == "yes" && $1 ~ /^rmap_/ && $5 != "active" { print $2 }' "$MW_DEBUGFS/hooks")"
expect_eq "not incomplete" 0 "$(mw_summary incomplete)"
region_stop
mw_unload

# The default: no writer hook.
mw_load || ktap_exit_fail_msg "insmod failed"
expect_eq "by default: attribute_writers 0, the writer hook off and not wanted by the selftest" "0 off no" \
	"$(mw_summary attribute_writers) $(awk '$1 == "nr_mlock_write" { print $5, $8 }' "$MW_DEBUGFS/hooks")"
region_start $mib
region_cmd lock
region_cmd unlock
mw_control drain
expect_eq "  ... what only the writer hook sees reads '-', never 0" "- - - - -" \
	"$(mw_summary witnessed_mlocked_pages) $(mw_summary witnessed_nr_mlock_delta) $(mw_summary nr_mlock_by_mlock_new) $(mw_summary nr_mlock_unattributed) $(mw_summary nr_mlock_unattributed_first_caller)"
expect_eq "  ... the batches' events are witnessed still" \
	"$(mw_event_delta munlocked) $(mw_event_delta stranded)" \
	"$(mw_summary witnessed_munlocked_pages) $(mw_summary witnessed_stranded_pages)"
expect_eq "  ... and the identity holds, NR_MLOCK back at its value at load" \
	"0 $(mw_summary nr_mlock_at_load)" "$(mw_summary identity_diff) $(mw_summary nr_mlock)"
mw_control selftest
expect_eq "  ... the selftest passes without the writer hook" pass "$(mw_summary selftest)"
expect_eq "  ... every hook that must fire has fired" "" "$(silent_hooks)"
expect_eq "  ... not incomplete" 0 "$(mw_summary incomplete)"
region_stop
mw_unload
ktap_finished
