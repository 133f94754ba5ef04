#!/bin/sh
# secretmem's accounting changed in 6.12.113 and 6.1.191 ("mm/secretmem:
# properly account locked pages"): before, its VMAs were VM_LOCKED,
# charged to the mm's locked_vm and their pages mlocked; since, nothing of
# it is mlock. The reproducer (secretmem_lock.c) says which way the
# booted kernel does it (the old way is the known bug secretmem-mm-charge,
# an RLIMIT_MEMLOCK bypass through fork). mlockwatch must model both: no
# verdict, no locked-vm difference and a consistent mlockcheck while the
# secretmem pages are mapped and touched, and after.
# Single-threaded TCG: mlockcheck attaches and detaches BPF probes, live
# patching that QEMU 7.2's multi-threaded TCG can execute stale (see
# 42-reload-under-load.sh and README); a 7.3 guest died in this group with
# a call to 0 from lru_gen_del_folio, in khugepaged, right after it.
# mlockvm: --tcg-single
. "$(dirname "$0")/lib.sh"
ktap_print_header
need_module
ktap_set_plan 4

MC="$MW_DIR/mlockcheck"
mw_load || ktap_exit_fail_msg "cannot load mlockwatch"
hold_start '^locked_vm:' "$MW_DIR/secretmem_lock" --hold
pid=$hold_pid
ktap_print_msg "$(head -n1 $HOLD_OUT)"
mms=$(mms_of $pid)
$MC --once --exact --json > /tmp/mc.json 2> /tmp/mc.err
mc=$?
hold_end
rc=$hold_rc
expect_ok_unless_known_bug secretmem-mm-charge "secretmem is not VM_LOCKED, not charged to the mm (reproducer)" "$rc"
expect_eq "while secretmem is mapped: its mm is ok in mms" "0 ok" "$mms"
[ "$mc" = 0 ] || { grep '"final"' /tmp/mc.json | sed 's/^/# /'; sed 's/^/# /' /tmp/mc.err; }
expect_eq "while secretmem is mapped: mlockcheck --once --exact is consistent" 0 "$mc"
$MC --once --exact > /tmp/mc.out 2>&1
mc=$?
[ "$mc" = 0 ] || sed 's/^/# /' /tmp/mc.out
expect_eq "after it is gone: mlockcheck --once --exact is consistent" 0 "$mc"
ktap_print_msg "CORPUS bug=secretmem-mm-charge rc=$rc delta=0 mms=$(echo "$mms" | awk '{ print $2 ":" $1 }'):$pid mlockcheck=$mc:none detect_s=- kernel=$(kernel_version) expect=silent"
mw_unload
ktap_finished
