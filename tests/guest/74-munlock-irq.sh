#!/bin/sh
# The NR_MLOCK decrement of __munlock_folio()'s off-LRU path, made with
# interrupts on by a non-IRQ-safe accessor before 6.12.112 and 6.1.191
# (known bug munlock-irq-unsafe-nr-mlock): an interrupt that writes
# NR_MLOCK on the same CPU inside it loses its update, and the identity
# drifts for good. munlock_offlru.c drives that path on CPU 1 for
# MW_IRQ_SECONDS (default 10) while the test-only injector's irq_nr_mlock
# IPIs CPU 1 with IRQ-safe NR_MLOCK writes, standing in for the free of
# an mlocked folio in interrupt context, which a process cannot make on
# demand. The reproducer judges the identity from /proc/vmstat; then
# mlockcheck, with mlockwatch loaded (its exact NR_MLOCK), must give the
# same drift. A race: on a kernel with the bug a run may see none (then
# the reproducer's result is a SKIP, never a pass); on one without it,
# no run may see one.
#
# Single-threaded TCG: under QEMU 7.2's multi-threaded TCG a flood of
# IPIs once left a guest with a double fault on garbage EFLAGS right
# after a cmpxchg16b, an emulation fault, not the kernel's.
# mlockvm: --tcg-single
# destructive: loads the test-only injector mlockinject.ko, which corrupts kernel state on purpose
. "$(dirname "$0")/lib.sh"
ktap_print_header
need_module
ktap_set_plan 3

MC="$MW_DIR/mlockcheck"
secs=${MW_IRQ_SECONDS:-10}

insmod "$MW_DIR/mlockinject.ko" || ktap_exit_fail_msg "cannot load the injector"
# Both of the reproducer's readings are taken with the writer stopped.
hold_start '^ready:' "$MW_DIR/munlock_offlru" --seconds "$secs" --hold
echo "irq_nr_mlock 1 10" > $INJ || ktap_exit_fail_msg "cannot start the injector's interrupt-side writer"
echo go >&3
HOLD_TIMEOUT=$((secs + 60)) hold_wait '^stressed:'
echo "irq_nr_mlock off" > $INJ
writes=$(sed -n 's/^irq_writes: //p' $INJ)
hold_end
rc=$hold_rc
rmmod mlockinject
ktap_print_msg "$(tr '\n' ' ' < $HOLD_OUT)"
ktap_print_msg "interrupt-side NR_MLOCK writes on CPU 1: ${writes:-none}"
drift=$(sed -n 's/.*drift_pages=+*\(-*[0-9]*\).*/\1/p' $HOLD_OUT)

mw_load || ktap_exit_fail_msg "cannot load mlockwatch"
$MC --once --exact --json > /tmp/mc.json 2> /tmp/mc.err
mc_rc=$?
found=$(mc_final_delta identity /tmp/mc.json)
mw_unload
ktap_print_msg "mlockcheck exit $mc_rc, identity delta ${found:-none}"
ktap_print_msg "CORPUS bug=munlock-irq-unsafe-nr-mlock rc=$rc delta=${drift:-none} mms=loaded:none:0 mlockcheck=$mc_rc:${found:-none} invariant=identity detect_s=- seconds=$secs irq_writes=${writes:-0} kernel=$(kernel_version)"

what="no NR_MLOCK update lost while munlocks of off-LRU folios race interrupts (reproducer, ${secs} s)"
if [ "$rc" = 0 ] && known_bug munlock-irq-unsafe-nr-mlock; then
	ktap_test_skip "$what: not seen in ${secs} s on $(kernel_version), which has the bug: a race, not a pass"
else
	expect_ok_unless_known_bug munlock-irq-unsafe-nr-mlock "$what" "$rc"
fi
expect_eq "the interrupt-side writer ran (irq_writes > 0)" yes \
	"$([ "${writes:-0}" -gt 0 ] && echo yes)"
if [ -z "$drift" ]; then
	ktap_test_fail "mlockcheck's identity gives the reproducer's drift (no drift line)"
elif [ "$drift" = 0 ]; then
	[ "$mc_rc" = 0 ] || { grep '"final"' /tmp/mc.json | sed 's/^/# /'; sed 's/^/# /' /tmp/mc.err; }
	expect_eq "no drift: mlockcheck --once --exact is consistent" "0 none" "$mc_rc ${found:-none}"
else
	expect_eq "mlockcheck's identity gives the reproducer's drift ($drift pages), from mlockwatch's exact NR_MLOCK" \
		"1 $drift" "$mc_rc ${found:-none}"
fi
ktap_finished
