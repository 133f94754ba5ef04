#!/bin/sh
# The locked_vm bugs, each judged three ways on the kernel booted: the
# reproducer alone (/proc only: VmLck against smaps' VM_LOCKED VMAs),
# mlockwatch's mms view, and mlockcheck's locked-vm invariant. On a
# kernel with the bug (tests/known-kernel-bugs) the reproducer's result
# is an XFAIL and mlockwatch and mlockcheck must name the reproducer's
# pid with the exact delta it measured; on a kernel without it, all
# three stay silent. Each reproducer holds its mm (--hold) while asked.
# Single-threaded TCG: mlockcheck attaches and detaches BPF probes, live
# patching that QEMU 7.2's multi-threaded TCG can execute stale (see
# 42-reload-under-load.sh and README); a 7.3 guest died in this group with
# a call to 0 from lru_gen_del_folio, in khugepaged, right after it.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
need_module
ktap_set_plan 16

MC="$MW_DIR/mlockcheck"


# judge BUG DESCRIPTION CMD...: the three verdicts on one reproducer, and
# a "CORPUS" line for scripts/bug-corpus: the reproducer's exit status and
# delta, what mms and mlockcheck said, and the seconds from starting the
# reproducer to mms naming its mm.
judge() {
	local bug=$1 what=$2 want mms verdict delta mc_rc found rc t0 t
	shift 2
	t0=$(uptime_cs)
	hold_start '^locked_vm:' "$@" --hold
	hold_line=$(grep '^locked_vm:' $HOLD_OUT)
	want=$(echo "$hold_line" | sed -n 's/.*delta_pages=\(-*[0-9]*\).*/\1/p')
	mms=$(awk -v p=$hold_pid '$1 == p' $MW_DEBUGFS/mms)
	t=$(secs_since $t0)
	verdict=$(echo "$mms" | awk '{ print $6 }')
	delta=$(echo "$mms" | awk '{ print $5 }')
	$MC --once --exact --json > /tmp/mc.json 2> /tmp/mc.err
	mc_rc=$?
	found=$(mc_final_delta locked-vm /tmp/mc.json)
	hold_end
	rc=$hold_rc
	ktap_print_msg "$(sed -n '1,2p' $HOLD_OUT | tr '\n' ' ')"
	ktap_print_msg "mms: ${mms:-no line for pid $hold_pid}; mlockcheck exit $mc_rc, locked-vm delta ${found:-none}"
	ktap_print_msg "CORPUS bug=$bug rc=$rc delta=${want:-none} mms=${verdict:-none}:${delta:-none}:$hold_pid mlockcheck=$mc_rc:${found:-none} detect_s=$t kernel=$(kernel_version)"
	expect_ok_unless_known_bug "$bug" "$what (reproducer)" "$rc"
	if [ -z "$want" ]; then
		ktap_test_fail "$what: mlockwatch's mms names pid $hold_pid with the reproducer's delta (no locked_vm line)"
		ktap_test_fail "$what: mlockcheck's locked-vm gives the reproducer's delta"
		return
	fi
	case "$want:$verdict" in
	0:ok|-*:deficit|[1-9]*:excess)
		expect_eq "$what: mlockwatch's mms names pid $hold_pid with the reproducer's delta" "$want" "$delta" ;;
	*)
		ktap_print_msg "verdict '$verdict' for a delta of $want pages"
		ktap_test_fail "$what: mlockwatch's mms names pid $hold_pid with the reproducer's delta" ;;
	esac
	if [ "$want" = 0 ]; then
		if [ "$mc_rc" = 0 ] && [ -z "$found" ]; then
			ktap_test_pass "$what: mlockcheck's locked-vm stays silent"
		else
			sed 's/^/# /' /tmp/mc.err
			ktap_test_fail "$what: mlockcheck's locked-vm stays silent"
		fi
	else
		if [ "$mc_rc" = 1 ] && [ "$found" = "$want" ]; then
			ktap_test_pass "$what: mlockcheck's locked-vm gives the reproducer's delta"
		else
			ktap_test_fail "$what: mlockcheck's locked-vm gives the reproducer's delta ($want)"
		fi
	fi
}

mw_load || ktap_exit_fail_msg "cannot load mlockwatch"
judge mremap-dontunmap-partial "mremap(DONTUNMAP) of part of a locked VMA" \
	"$MW_DIR/mremap_dontunmap" partial
judge mremap-dontunmap-self-merge "mremap(DONTUNMAP) of an untouched locked VMA onto its neighbour" \
	"$MW_DIR/mremap_dontunmap" self-merge
judge mlock-fixup-nr-pages "mlock2(MLOCK_ONFAULT) of 8 TiB" \
	"$MW_DIR/mlock_nr_pages"
judge mremap-dontunmap-whole "mremap(DONTUNMAP) of a whole locked VMA, then unmapping both" \
	"$MW_DIR/mremap_dontunmap" whole
# Nothing is left behind: every mm is ok again.
mw_control scan
expect_eq "after the reproducers, scan finds no mm with locked_vm off" 0 \
	"$(mw_summary scan_mms_mismatched)"

# A driver's DMA pins (VFIO, iommufd): charged to locked_vm through
# __account_locked_vm(), with no VM_LOCKED VMA. The injector charges its
# writer's mm so: a shell that charges 16 pages, holds, then uncharges.
driver_start() {
	hold_start charged sh -c "echo 'locked_vm 16' > $INJ && echo charged; read x; echo 'locked_vm -16' > $INJ"
}
insmod "$MW_DIR/mlockinject.ko" || ktap_exit_fail_msg "cannot load the injector"
driver_start
expect_eq "a driver's charge made while mlockwatch is loaded: known-driver-charge, by its size" \
	"16 known-driver-charge" "$(mms_of $hold_pid)"
$MC --once --exact --json > /tmp/mc.json 2> /tmp/mc.err
expect_eq "and mlockcheck says nothing of it" "0 0" \
	"$? $(grep '"final":true' /tmp/mc.json | grep -c '"invariant":"locked-vm"')"
hold_end
mw_unload
# The documented limit: what a driver charged before the load is unseen.
driver_start
mw_load || ktap_exit_fail_msg "cannot load mlockwatch again"
expect_eq "a driver's charge made before mlockwatch was loaded reads as excess (format.h says so)" \
	"16 excess" "$(mms_of $hold_pid)"
hold_end
rmmod mlockinject
mw_unload
ktap_finished
