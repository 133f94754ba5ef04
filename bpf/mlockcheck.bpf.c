// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck's BPF side: an independent witness of the kernel's mlock
 * accounting, which does not trust mlockwatch.ko.
 *
 * - Every NR_MLOCK write (mod_zone_page_state and __mod_zone_page_state,
 *   item NR_MLOCK) is attributed to the function it returns into, by the
 *   address ranges user space found in /proc/kallsyms. These are kprobes:
 *   the return address is what attributes a write, and an fentry program
 *   cannot read it.
 * - The batch processor (mlock_folio_batch / mlock_pagevec) is bracketed by
 *   an entry and an exit program that read this CPU's unevictable_pgs_*
 *   events: the batch runs under a local lock with preemption off, so the
 *   difference is exactly the batch's own.
 * - mm_page_free, which fires before the kernel clears PG_mlocked at free,
 *   counts the PG_mlocked pages freed (unevictable_pgs_cleared).
 * - The mlock entry points are counted for the record.
 *
 * Flag transitions are never inferred by reading PG_mlocked before and
 * after a call: that races with other CPUs, and batch folios may be freed
 * by the exit. Enum values and field offsets come from the running
 * kernel's BTF (CO-RE).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "mlockcheck.h"

const volatile struct mc_range ranges[MC_MAX_RANGES] = {};
const volatile unsigned int nr_ranges = 0;

struct mc_totals totals = {};

extern struct vm_event_state vm_event_states __ksym;

/* This CPU's events when its batch began. */
struct mc_batch_start {
	__u64 ev[MC_NR_EV];
	__u32 cpu;
	__u32 active;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mc_batch_start);
} batch_start SEC(".maps");

static __always_inline int ev_item(int ev)
{
	switch (ev) {
	case MC_EV_CULLED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGCULLED);
	case MC_EV_SCANNED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGSCANNED);
	case MC_EV_RESCUED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGRESCUED);
	case MC_EV_MLOCKED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGMLOCKED);
	case MC_EV_MUNLOCKED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGMUNLOCKED);
	case MC_EV_CLEARED:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGCLEARED);
	default:
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PGSTRANDED);
	}
}

static __always_inline void read_events(__u64 *ev)
{
	struct vm_event_state *s = bpf_this_cpu_ptr(&vm_event_states);
	int i;

	for (i = 0; i < MC_NR_EV; i++) {
		unsigned long v = 0;

		bpf_probe_read_kernel(&v, sizeof(v), &s->event[ev_item(i)]);
		ev[i] = v;
	}
}

static __always_inline unsigned int cause_of(__u64 caller)
{
	unsigned int i;

	for (i = 0; i < MC_MAX_RANGES; i++) {
		if (i >= nr_ranges)
			break;
		if (caller >= ranges[i].start && caller < ranges[i].end)
			return ranges[i].cause;
	}
	return MC_UNATTRIBUTED;
}

static __always_inline int nr_mlock_write(struct pt_regs *ctx, long item,
					  long delta)
{
	unsigned int cause;
	__u64 caller = 0;

	if (item != bpf_core_enum_value(enum zone_stat_item, NR_MLOCK))
		return 0;
	BPF_KPROBE_READ_RET_IP(caller, ctx);
	cause = cause_of(caller);
	if (cause >= MC_NR_CAUSES)
		return 0;
	__sync_fetch_and_add(&totals.nr_mlock_by[cause], delta);
	__sync_fetch_and_add(&totals.writes_by[cause], 1);
	if (cause == MC_UNATTRIBUTED && !totals.first_unattributed)
		totals.first_unattributed = caller;
	return 0;
}

SEC("kprobe/mod_zone_page_state")
int BPF_KPROBE(mod_zone_page_state, void *zone, long item, long delta)
{
	return nr_mlock_write(ctx, item, delta);
}

SEC("kprobe/__mod_zone_page_state")
int BPF_KPROBE(__mod_zone_page_state, void *zone, long item, long delta)
{
	return nr_mlock_write(ctx, item, delta);
}

static __always_inline int batch_enter(void)
{
	__u32 zero = 0;
	struct mc_batch_start *b = bpf_map_lookup_elem(&batch_start, &zero);

	if (!b)
		return 0;
	read_events(b->ev);
	b->cpu = bpf_get_smp_processor_id();
	b->active = 1;
	__sync_fetch_and_add(&totals.batches, 1);
	return 0;
}

static __always_inline int batch_exit(void)
{
	__u32 zero = 0;
	struct mc_batch_start *b = bpf_map_lookup_elem(&batch_start, &zero);
	__u64 now[MC_NR_EV];
	int i;

	if (!b || !b->active)
		return 0;
	b->active = 0;
	if (b->cpu != bpf_get_smp_processor_id()) {
		__sync_fetch_and_add(&totals.unreliable_batches, 1);
		return 0;
	}
	read_events(now);
	for (i = 0; i < MC_NR_EV; i++)
		__sync_fetch_and_add(&totals.batch_ev[i], now[i] - b->ev[i]);
	return 0;
}

/* One of each pair is loaded: fentry/fexit where BTF has the function. */
SEC("fentry/mlock_folio_batch")
int BPF_PROG(batch_fentry) { return batch_enter(); }

SEC("fexit/mlock_folio_batch")
int BPF_PROG(batch_fexit) { return batch_exit(); }

SEC("kprobe/mlock_folio_batch")
int BPF_KPROBE(batch_kprobe) { return batch_enter(); }

SEC("kretprobe/mlock_folio_batch")
int BPF_KRETPROBE(batch_kretprobe) { return batch_exit(); }

SEC("fentry/mlock_folio")
int BPF_PROG(mlock_fentry) { __sync_fetch_and_add(&totals.mlock_calls, 1); return 0; }

SEC("kprobe/mlock_folio")
int BPF_KPROBE(mlock_kprobe) { __sync_fetch_and_add(&totals.mlock_calls, 1); return 0; }

SEC("fentry/mlock_new_folio")
int BPF_PROG(mlock_new_fentry) { __sync_fetch_and_add(&totals.mlock_new_calls, 1); return 0; }

SEC("kprobe/mlock_new_folio")
int BPF_KPROBE(mlock_new_kprobe) { __sync_fetch_and_add(&totals.mlock_new_calls, 1); return 0; }

SEC("fentry/munlock_folio")
int BPF_PROG(munlock_fentry) { __sync_fetch_and_add(&totals.munlock_calls, 1); return 0; }

SEC("kprobe/munlock_folio")
int BPF_KPROBE(munlock_kprobe) { __sync_fetch_and_add(&totals.munlock_calls, 1); return 0; }

SEC("tp_btf/mm_page_free")
int BPF_PROG(page_free, struct page *page, unsigned int order)
{
	unsigned long flags = BPF_CORE_READ(page, flags);
	int bit = bpf_core_enum_value(enum pageflags, PG_mlocked);

	if (flags & (1UL << bit))
		__sync_fetch_and_add(&totals.cleared_pages, 1ULL << order);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
