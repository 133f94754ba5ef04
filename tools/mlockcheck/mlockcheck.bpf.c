// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck's BPF side: an independent witness of the kernel's mlock
 * accounting, which does not trust mlockwatch.ko.
 *
 * - Every NR_MLOCK write (mod_zone_page_state and __mod_zone_page_state,
 *   item NR_MLOCK) is attributed to the function it returns into, by the
 *   address ranges user space found in /proc/kallsyms. These are kprobes:
 *   the return address is what attributes a write, and an fentry program
 *   cannot read it. They fire several times per mlocked page and only
 *   name the writer, so user space loads them with -w only.
 * - The batch processor (mlock_folio_batch / mlock_pagevec) is bracketed by
 *   an entry and an exit program that read this CPU's unevictable_pgs_*
 *   events: the batch runs under a local lock, so the difference is
 *   exactly the batch's own. The exception is the CPU-dead callback
 *   (page_alloc_cpu_dead), which drains the dead CPU's batch from a
 *   preemptible task and then folds the dead CPU's counters into its
 *   current CPU's, inside a preempted local batch's window on PREEMPT_RT:
 *   see remote_sum(). With mlockwatch.ko loaded, which hooks the same
 *   functions, user space loads these with --bpf-batches only: a second
 *   ftrace user on a function slows every call to it.
 * - mm_page_free, which fires before the kernel clears PG_mlocked at free,
 *   counts the PG_mlocked pages freed (unevictable_pgs_cleared).
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
const volatile unsigned int nr_cpus = 1;

struct mc_totals totals = {};

extern struct vm_event_state vm_event_states __ksym;

/*
 * A CPU's batch state, which the remote drain reads from another CPU:
 * whether a batch is in flight, this CPU's events when it began, and what
 * its completed batches were counted for. seq is odd while the owner
 * updates it (x86 is TSO and the JIT keeps the order of these accesses).
 */
struct mc_batch_state {
	__u64 ev_enter[MC_NR_EV];
	__u64 counted[MC_NR_EV];
	__u32 seq;
	__u32 in_flight;
	__u32 cpu;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mc_batch_state);
} batch_state SEC(".maps");

/* The task draining a dead CPU's batch (hotplug is serialised): 0 if none. */
__u64 drainer;
__s64 remote_base[2];
__u32 remote_torn;

/* The running kernel's item numbers, which move between versions (CO-RE). */
static __always_inline int ev_item(int ev)
{
	switch (ev) {
#define MW_EVENT(id, ...) \
	case MC_EV_##id: \
		return bpf_core_enum_value(enum vm_event_item, UNEVICTABLE_PG##id);
#include <mlockwatch/events.h>
#undef MW_EVENT
	}
	return 0;
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
	return MC_CAUSE_UNKNOWN;
}

/*
 * item is an enum zone_stat_item: an int in a 64-bit register whose
 * upper half the ABI leaves undefined, hence int, never long.
 */
static __always_inline int nr_mlock_write(struct pt_regs *ctx, int item,
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
	if (cause == MC_CAUSE_UNKNOWN && !totals.first_unattributed)
		totals.first_unattributed = caller;
	return 0;
}

SEC("kprobe/mod_zone_page_state")
int BPF_KPROBE(mod_zone_page_state, void *zone, int item, long delta)
{
	return nr_mlock_write(ctx, item, delta);
}

SEC("kprobe/__mod_zone_page_state")
int BPF_KPROBE(__mod_zone_page_state, void *zone, int item, long delta)
{
	return nr_mlock_write(ctx, item, delta);
}

static __always_inline void seq_bump(struct mc_batch_state *b)
{
	b->seq++;
	asm volatile("" ::: "memory");
}

static __always_inline int batch_enter(void)
{
	__u32 zero = 0;
	struct mc_batch_state *b;

	/* The remote drain's window covers its batch. */
	if (drainer && drainer == bpf_get_current_pid_tgid())
		return 0;
	b = bpf_map_lookup_elem(&batch_state, &zero);
	if (!b)
		return 0;
	seq_bump(b);
	read_events(b->ev_enter);
	b->cpu = bpf_get_smp_processor_id();
	b->in_flight = 1;
	seq_bump(b);
	return 0;
}

static __always_inline int batch_exit(void)
{
	__u32 zero = 0;
	struct mc_batch_state *b;
	__u64 now[MC_NR_EV];
	int i;

	if (drainer && drainer == bpf_get_current_pid_tgid())
		return 0;
	b = bpf_map_lookup_elem(&batch_state, &zero);
	if (!b || !b->in_flight)
		return 0;
	if (b->cpu != bpf_get_smp_processor_id()) {
		/* Cannot happen under the local lock; never guess if it does. */
		__sync_fetch_and_add(&totals.unreliable_batches, 1);
		return 0;
	}
	read_events(now);
	seq_bump(b);
	for (i = 0; i < MC_NR_EV; i++) {
		b->counted[i] += now[i] - b->ev_enter[i];
		__sync_fetch_and_add(&totals.batch_ev[i], now[i] - b->ev_enter[i]);
	}
	b->in_flight = 0;
	seq_bump(b);
	return 0;
}

struct remote_ctx {
	__s64 sum[2];
	int torn;
};

static const int remote_evs[2] = { MC_EV_MUNLOCKED, MC_EV_STRANDED };

/*
 * Reads of one CPU's batch state before it counts as torn: the verifier
 * wants a bound, and a batch is short, so a CPU still mid-batch after
 * this many reads is caught in a long one and the drain is unreliable.
 */
#define SEQ_TRIES	8

static long remote_cpu(__u32 cpu, struct remote_ctx *c)
{
	__u32 zero = 0;
	struct mc_batch_state *b;
	struct vm_event_state *evs;
	__s64 v[2];
	__u32 seq;
	int try, i;

	if (cpu >= nr_cpus)
		return 1;
	b = bpf_map_lookup_percpu_elem(&batch_state, &zero, cpu);
	evs = bpf_per_cpu_ptr(&vm_event_states, cpu);
	if (!b || !evs) {
		c->torn = 1;
		return 1;
	}
	for (try = 0; try < SEQ_TRIES; try++) {
		seq = *(volatile __u32 *)&b->seq;
		if (seq & 1)
			continue;
		for (i = 0; i < 2; i++) {
			int e = remote_evs[i];
			unsigned long cur = 0;

			/* A batch in flight: the CPU's count stops where it began. */
			if (*(volatile __u32 *)&b->in_flight)
				cur = *(volatile __u64 *)&b->ev_enter[e];
			else
				bpf_probe_read_kernel(&cur, sizeof(cur), &evs->event[ev_item(e)]);
			v[i] = cur - *(volatile __u64 *)&b->counted[e];
		}
		asm volatile("" ::: "memory");
		if (*(volatile __u32 *)&b->seq == seq) {
			c->sum[0] += v[0];
			c->sum[1] += v[1];
			return 0;
		}
	}
	c->torn = 1;
	return 1;
}

/*
 * Per CPU: its event count (as of the start of its batch in flight, if
 * any) less what its completed batches were counted for. Only batches
 * count unevictable_pgs_munlocked and _stranded, so the difference of two
 * sums taken around the CPU-dead callback is exactly the drain's own
 * events, however it was preempted or migrated meanwhile, less the fold
 * of the dead CPU's counters when that landed in a local batch's window
 * (which that batch then counts as its own): the witnesses' sum is exact.
 */
static __always_inline int remote_sum(__s64 *sum)
{
	struct remote_ctx c = {};

	if (nr_cpus > MC_MAX_CPUS)
		return -1;
	bpf_loop(MC_MAX_CPUS, remote_cpu, &c, 0);
	if (c.torn)
		return -1;
	sum[0] = c.sum[0];
	sum[1] = c.sum[1];
	return 0;
}

static __always_inline int drain_remote_enter(void)
{
	__s64 base[2] = {};

	remote_torn = remote_sum(base) != 0;
	remote_base[0] = base[0];
	remote_base[1] = base[1];
	drainer = bpf_get_current_pid_tgid();
	return 0;
}

static __always_inline int drain_remote_exit(void)
{
	__s64 now[2] = {};

	drainer = 0;
	if (remote_torn || remote_sum(now)) {
		__sync_fetch_and_add(&totals.unreliable_batches, 1);
		return 0;
	}
	__sync_fetch_and_add(&totals.batch_ev[MC_EV_MUNLOCKED], now[0] - remote_base[0]);
	__sync_fetch_and_add(&totals.batch_ev[MC_EV_STRANDED], now[1] - remote_base[1]);
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

SEC("fentry/mlock_drain_remote")
int BPF_PROG(drain_remote_fentry) { return drain_remote_enter(); }

SEC("fexit/mlock_drain_remote")
int BPF_PROG(drain_remote_fexit) { return drain_remote_exit(); }

SEC("kprobe/mlock_drain_remote")
int BPF_KPROBE(drain_remote_kprobe) { return drain_remote_enter(); }

SEC("kretprobe/mlock_drain_remote")
int BPF_KRETPROBE(drain_remote_kretprobe) { return drain_remote_exit(); }

/* 7.0 wrapped page->flags in memdesc_flags_t: { unsigned long f; }. */
struct page___memdesc {
	struct {
		unsigned long f;
	} flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long page_flags(struct page *page)
{
	struct page___memdesc *p = (void *)page;

	if (bpf_core_field_exists(p->flags.f))
		return BPF_CORE_READ(p, flags.f);
	return BPF_CORE_READ(page, flags);
}

SEC("tp_btf/mm_page_free")
int BPF_PROG(page_free, struct page *page, unsigned int order)
{
	unsigned long flags = page_flags(page);
	int bit = bpf_core_enum_value(enum pageflags, PG_mlocked);

	if (flags & (1UL << bit))
		__sync_fetch_and_add(&totals.cleared_pages, 1ULL << order);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
