#!/bin/sh
# folio_activate() racing the mlock batch (known bug folio-activate-mlock,
# 6.11 to 6.12.49 and 6.13 to 6.16): mlocked folios left on an evictable
# list, so Unevictable falls below Mlocked. Judged two ways: the
# reproducer alone (folio_activate_mlock.c: kpageflags and meminfo), and
# mlockcheck's unevictable invariant, which must give the reproducer's
# count exactly while it holds its mapping. Runs without mlockwatch.ko
# too: the kernels with this bug are served without headers. With the
# module there, it is loaded, so that on a kernel without the bug
# mlockwatch is shown silent as well.
# Single-threaded TCG: mlockcheck attaches and detaches BPF probes, live
# patching that QEMU 7.2's multi-threaded TCG can execute stale (see
# 42-reload-under-load.sh and README); a 7.3 guest died in this group with
# a call to 0 from lru_gen_del_folio, in khugepaged, right after it.
# mlockvm: --tcg-single
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 3

MC="$MW_DIR/mlockcheck"

module=unloaded
if have_module; then
	mw_load || ktap_exit_fail_msg "cannot load mlockwatch"
	module=loaded
fi
t0=$(uptime_cs)
hold_start '^stranded:' "$MW_DIR/folio_activate_mlock" --hold
line=$(grep '^stranded:' $HOLD_OUT)
# Unevictable's shortfall: the sign mlockcheck's delta has.
want=$(echo "$line" | sed -n 's/.*mlocked_over_unevictable_pages=+*\(-*[0-9]*\).*/\1/p')
want=${want:+$((-want))}
$MC --once --exact --json > /tmp/mc.json 2> /tmp/mc.err
mc_rc=$?
t=$(secs_since $t0)
found=$(mc_final_delta unevictable /tmp/mc.json)
hold_end
rc=$hold_rc
ktap_print_msg "$(sed -n '1,3p' $HOLD_OUT | tr '\n' ' ')"
ktap_print_msg "mlockcheck exit $mc_rc, unevictable delta ${found:-none} (mlockwatch.ko $module)"
ktap_print_msg "CORPUS bug=folio-activate-mlock rc=$rc delta=${want:-none} mms=$module:none:$hold_pid mlockcheck=$mc_rc:${found:-none} invariant=unevictable detect_s=$t kernel=$(kernel_version)"

expect_ok_unless_known_bug folio-activate-mlock \
	"mlocked folios stay unevictable when an mlock batch meets a queued activation (reproducer)" "$rc"
if [ -z "$want" ]; then
	ktap_test_fail "mlockcheck's unevictable invariant gives the reproducer's count (no stranded: line)"
elif [ "$want" = 0 ]; then
	[ "$mc_rc" = 0 ] || { grep '"final"' /tmp/mc.json | sed 's/^/# /'; sed 's/^/# /' /tmp/mc.err; }
	expect_eq "nothing stranded: mlockcheck --once --exact is consistent, its unevictable invariant silent" \
		"0 none" "$mc_rc ${found:-none}"
else
	expect_eq "mlockcheck's unevictable invariant gives the reproducer's count ($want pages)" \
		"1 $want" "$mc_rc ${found:-none}"
fi
# Once the mapping is gone, nothing may be left behind.
$MC --once --exact > /tmp/mc.out 2>&1
mc=$?
[ "$mc" = 0 ] || sed 's/^/# /' /tmp/mc.out
expect_eq "after the reproducer exits: mlockcheck --once --exact is consistent" 0 "$mc"
[ "$module" = unloaded ] || mw_unload
ktap_finished
