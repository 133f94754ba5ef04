// SPDX-License-Identifier: GPL-2.0
/*
 * Witnessed accounting: every NR_MLOCK change and unevictable_pgs_* event
 * the kernel makes, attributed to the hooked cause that made it.
 *
 * - NR_MLOCK increments: the mod_zone_page_state() writer hook, attributed
 *   by its return address to mlock_folio or mlock_new_*. Exact, where
 *   reading PG_mlocked at mlock_folio entry would race with a concurrent
 *   mlock of the same folio on another CPU.
 * - PGMUNLOCKED/PGSTRANDED: this CPU's event counters read at entry and
 *   exit of the batch processor. The batch runs under the mlock local_lock,
 *   no other task can run a batch on this CPU meanwhile, and interrupts
 *   never count these events, so the delta is exactly the batch's own,
 *   with one exception: the CPU-dead callback, which drains the dead CPU's
 *   batch from a preemptible task (it may be preempted, letting other
 *   batches run on its CPU, and migrate) and then folds the dead CPU's
 *   event counters into its current CPU's. On PREEMPT_RT the local_lock
 *   leaves preemption on, so that fold can land inside a local batch's
 *   window. mw_remote_sum() is taken around the whole callback, which
 *   makes the drain's events and any such fold come out exact.
 * - PGCLEARED: the mm_page_free tracepoint, which fires before
 *   free_pages_prepare() clears PG_mlocked. A folio being freed has no
 *   references, so nothing can clear the flag in between.
 *
 * All counters are per CPU and updated with this_cpu ops: safe from any
 * context, hardirq included, with no lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/seqlock.h>

#include "judge.h"
#include "witness.h"

struct mw_witness_pcpu {
	unsigned long mlocked_pages;
	unsigned long munlocked_pages;
	unsigned long stranded_pages;
	unsigned long cleared_pages;
	unsigned long culled_in_batch;
	unsigned long rescued_in_batch;
	long nr_mlock_by[MW_NR_CAUSES];
	unsigned long unattributed_writes;
	unsigned long unreliable_batches;
	unsigned long remote_drains, remote_munlocked, remote_stranded;
	unsigned long mlock_calls, mlock_new_calls, munlock_calls;
	unsigned long splits, mlocked_splits;
	unsigned long rmap_locked_adds, rmap_locked_removes;
};

static DEFINE_PER_CPU(struct mw_witness_pcpu, mw_pcpu);

/*
 * What a remote reader needs to know about the batch running on a CPU:
 * whether one is in flight and this CPU's events when it began. seq
 * brackets every update of it and of the CPU's batch sums, so a reader
 * sees the events, the in-flight state and the completed batches' sums of
 * one CPU as of a single instant.
 */
struct mw_batch_state {
	seqcount_t seq;
	bool in_flight;
	unsigned long ev_enter[MW_NR_EV];
};

static DEFINE_PER_CPU(struct mw_batch_state, mw_batch_state);

/* The events a remote drain can be counted for: only batches count them. */
static const enum mw_ev mw_remote_evs[] = { MW_EV_MUNLOCKED, MW_EV_STRANDED };
#define MW_NR_REMOTE_EVS ARRAY_SIZE(mw_remote_evs)

/*
 * The task draining a dead CPU's batch, and the sums taken when it began
 * (CPU hotplug is serialised, so there is at most one).
 */
static struct task_struct *mw_remote_drainer;
static long mw_remote_base[MW_NR_REMOTE_EVS];
static bool mw_remote_torn;
static pid_t mw_last_locked_pid;
static unsigned long mw_first_unattributed;
/*
 * Its name, resolved in the writer's context: by the time someone reads
 * it, a module's address may be free or another module's.
 */
static DEFINE_RAW_SPINLOCK(mw_first_lock);
static char mw_first_name[KSYM_SYMBOL_LEN];

/*
 * Return addresses of NR_MLOCK writes already classified. The call sites
 * are few (docs/kernel-map.md), so a small lock-free table spares a kallsyms
 * lookup per write; when it is full, lookups simply are not cached.
 */
#define MW_CALLER_CACHE	32
static struct {
	unsigned long addr;
	enum mw_cause cause;
} mw_caller_cache[MW_CALLER_CACHE];
static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], mw_sym_buf);

static const char *const mw_cause_names[MW_NR_CAUSES] = {
#define MW_CAUSE(id, name) \
	[MW_CAUSE_##id] = #name,
#include <mlockwatch/causes.h>
#undef MW_CAUSE
};

const char *mw_cause_name(enum mw_cause c)
{
	return mw_cause_names[c];
}

void mw_witness_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(&mw_batch_state, cpu)->seq);
}

void mw_witness_mlock(void)
{
	this_cpu_inc(mw_pcpu.mlock_calls);
}

void mw_witness_mlock_new(void)
{
	this_cpu_inc(mw_pcpu.mlock_new_calls);
}

/* The munlocks a batch is about to run: counted when they are done. */
void mw_witness_batch_munlocks(const struct mw_batch *b)
{
	unsigned int i, n = 0;

	for (i = 0; i < b->nr; i++)
		n += b->op[i] == MW_BATCH_MUNLOCK;
	this_cpu_add(mw_pcpu.munlock_calls, n);
}

void mw_witness_batch_enter(struct mw_batch_window *w)
{
	struct mw_batch_state *st;
	int i;

	w->cpu = smp_processor_id();
	/* The remote drain's window covers its batch: see mw_remote_sum(). */
	w->remote = READ_ONCE(mw_remote_drainer) == current;
	if (w->remote)
		return;
	st = this_cpu_ptr(&mw_batch_state);
	raw_write_seqcount_begin(&st->seq);
	for (i = 0; i < MW_NR_EV; i++)
		w->ev[i] = st->ev_enter[i] = mw_vmstat_this_cpu_event(i);
	st->in_flight = true;
	raw_write_seqcount_end(&st->seq);
}

void mw_witness_batch_exit(struct mw_batch_window *w)
{
	struct mw_batch_state *st;
	unsigned long d[MW_NR_EV];
	int i;

	if (w->remote)
		return;
	if (w->cpu != smp_processor_id()) {
		/* Cannot happen under the local lock; never guess if it does. */
		this_cpu_inc(mw_pcpu.unreliable_batches);
		return;
	}
	for (i = 0; i < MW_NR_EV; i++)
		d[i] = mw_vmstat_this_cpu_event(i) - w->ev[i];
	st = this_cpu_ptr(&mw_batch_state);
	raw_write_seqcount_begin(&st->seq);
	this_cpu_add(mw_pcpu.munlocked_pages, d[MW_EV_MUNLOCKED]);
	this_cpu_add(mw_pcpu.stranded_pages, d[MW_EV_STRANDED]);
	this_cpu_add(mw_pcpu.culled_in_batch, d[MW_EV_CULLED]);
	this_cpu_add(mw_pcpu.rescued_in_batch, d[MW_EV_RESCUED]);
	st->in_flight = false;
	raw_write_seqcount_end(&st->seq);
}

static unsigned long mw_batch_counted(const struct mw_witness_pcpu *p,
				      enum mw_ev ev)
{
	return ev == MW_EV_MUNLOCKED ? READ_ONCE(p->munlocked_pages) :
				       READ_ONCE(p->stranded_pages);
}

/**
 * mw_remote_sum() - the events no local batch window accounts for
 * @sum: out: per mw_remote_evs[], the sum over every possible CPU of its
 *	event counter (as it was when its batch in flight, if any, began),
 *	less what its completed batches were counted for
 *
 * Only mlock batches count unevictable_pgs_munlocked and _stranded, and
 * the terms above account for every event a CPU's completed and in-flight
 * local batches counted. The difference of two sums taken at the start
 * and the end of the CPU-dead callback is therefore exactly the drain's
 * own events, wherever it ran, however often it was preempted or
 * migrated, plus what the fold of the dead CPU's counters moved: nothing
 * when it landed outside any local window (the dead CPU's term falls by
 * what the current CPU's rises), minus the folded count when it landed
 * in a local batch's window (PREEMPT_RT only), which that batch counts as
 * its own at its exit. The remote figure can then be negative; the sum of
 * the witnesses stays exact.
 *
 * Return: false if a CPU's batches kept changing under the reader.
 */
/*
 * A batch's seqcount write section is a few dozen loads and stores with
 * preemption off: a read retried this often means the CPU runs batches
 * back to back, and the CPU-dead callback reports its drain unreliable
 * rather than spin on.
 */
#define MW_SEQ_TRIES	1000

static bool mw_remote_sum(long *sum)
{
	int cpu, i, tries;

	memset(sum, 0, sizeof(*sum) * MW_NR_REMOTE_EVS);
	for_each_possible_cpu(cpu) {
		const struct mw_batch_state *st = per_cpu_ptr(&mw_batch_state, cpu);
		const struct mw_witness_pcpu *p = per_cpu_ptr(&mw_pcpu, cpu);
		const struct vm_event_state *ev = per_cpu_ptr(&vm_event_states, cpu);
		long v[MW_NR_REMOTE_EVS];
		unsigned int seq;
		bool in_flight;

		for (tries = 0; ; tries++) {
			if (tries == MW_SEQ_TRIES)
				return false;
			seq = raw_read_seqcount_begin(&st->seq);
			/*
			 * A batch in flight has counted some of its events:
			 * the CPU's own count stops where it began.
			 */
			in_flight = READ_ONCE(st->in_flight);
			for (i = 0; i < MW_NR_REMOTE_EVS; i++) {
				enum mw_ev e = mw_remote_evs[i];

				v[i] = (in_flight ? READ_ONCE(st->ev_enter[e]) :
					READ_ONCE(ev->event[mw_vmstat_item(e)])) -
				       mw_batch_counted(p, e);
			}
			if (!read_seqcount_retry(&st->seq, seq))
				break;
		}
		for (i = 0; i < MW_NR_REMOTE_EVS; i++)
			sum[i] += v[i];
	}
	return true;
}

void mw_witness_remote_drain(bool entering)
{
	long now[MW_NR_REMOTE_EVS];

	if (entering) {
		mw_remote_torn = !mw_remote_sum(mw_remote_base);
		WRITE_ONCE(mw_remote_drainer, current);
		return;
	}
	WRITE_ONCE(mw_remote_drainer, NULL);
	this_cpu_inc(mw_pcpu.remote_drains);
	if (mw_remote_torn || !mw_remote_sum(now)) {
		this_cpu_inc(mw_pcpu.unreliable_batches);
		return;
	}
	this_cpu_add(mw_pcpu.remote_munlocked, now[0] - mw_remote_base[0]);
	this_cpu_add(mw_pcpu.remote_stranded, now[1] - mw_remote_base[1]);
}

static enum mw_cause mw_caller_cause(unsigned long caller)
{
	char *buf;
	enum mw_cause cause;
	int i;

	for (i = 0; i < MW_CALLER_CACHE; i++) {
		unsigned long addr = READ_ONCE(mw_caller_cache[i].addr);

		if (addr == caller) {
			/* Pairs with the smp_store_release() below. */
			smp_rmb();
			return READ_ONCE(mw_caller_cache[i].cause);
		}
		if (!addr)
			break;
	}
	buf = this_cpu_ptr(mw_sym_buf);
	sprint_symbol_no_offset(buf, caller);
	cause = mw_classify_caller(buf);
	for (i = 0; i < MW_CALLER_CACHE; i++) {
		if (READ_ONCE(mw_caller_cache[i].addr))
			continue;
		/* Claim the slot through its cause first, then publish. */
		if (cmpxchg(&mw_caller_cache[i].addr, 0, 1) == 0) {
			WRITE_ONCE(mw_caller_cache[i].cause, cause);
			/* The cause must be visible before the address is. */
			smp_store_release(&mw_caller_cache[i].addr, caller);
			break;
		}
	}
	return cause;
}

/* No address, ever: "unknown" when kallsyms cannot name the caller. */
static void mw_name_first_unattributed(unsigned long caller)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&mw_first_lock, flags);
	sprint_symbol_no_offset(mw_first_name, caller);
	if (!strncmp(mw_first_name, "0x", 2))
		strscpy(mw_first_name, "unknown", sizeof(mw_first_name));
	raw_spin_unlock_irqrestore(&mw_first_lock, flags);
}

void mw_witness_nr_mlock_write(unsigned long caller, long delta)
{
	enum mw_cause cause = mw_caller_cause(caller);

	this_cpu_add(mw_pcpu.nr_mlock_by[cause], delta);
	if ((cause == MW_CAUSE_MLOCK || cause == MW_CAUSE_MLOCK_NEW) && delta > 0)
		this_cpu_add(mw_pcpu.mlocked_pages, delta);
	if (cause == MW_CAUSE_UNKNOWN) {
		this_cpu_inc(mw_pcpu.unattributed_writes);
		if (!READ_ONCE(mw_first_unattributed) &&
		    !cmpxchg(&mw_first_unattributed, 0, caller))
			mw_name_first_unattributed(caller);
		/* In the writer's context: its stack names the culprit. */
		mw_verdict_report_unattributed(delta);
	}
}

void mw_witness_free(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (unlikely(folio_test_mlocked(folio)))
		this_cpu_add(mw_pcpu.cleared_pages, folio_nr_pages(folio));
}

void mw_witness_split_enter(struct mw_split_window *w, struct folio *folio)
{
	w->mlocked = folio_test_mlocked(folio);
}

void mw_witness_split_exit(struct mw_split_window *w, int ret)
{
	if (ret)
		return;
	this_cpu_inc(mw_pcpu.splits);
	if (w->mlocked)
		this_cpu_inc(mw_pcpu.mlocked_splits);
}

void mw_witness_rmap(const struct mw_args *a, bool add)
{
	if (!a->vma || !(a->vma->vm_flags & VM_LOCKED))
		return;
	if (add)
		this_cpu_inc(mw_pcpu.rmap_locked_adds);
	else
		this_cpu_inc(mw_pcpu.rmap_locked_removes);
	WRITE_ONCE(mw_last_locked_pid, current->pid);
}

void mw_witness_read(struct mw_witness_totals *t)
{
	int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct mw_witness_pcpu *p = per_cpu_ptr(&mw_pcpu, cpu);

		t->mlocked_pages += READ_ONCE(p->mlocked_pages);
		t->munlocked_pages += READ_ONCE(p->munlocked_pages) +
				      READ_ONCE(p->remote_munlocked);
		t->stranded_pages += READ_ONCE(p->stranded_pages) +
				     READ_ONCE(p->remote_stranded);
		t->remote_drains += READ_ONCE(p->remote_drains);
		t->remote_munlocked += READ_ONCE(p->remote_munlocked);
		t->remote_stranded += READ_ONCE(p->remote_stranded);
		t->cleared_pages += READ_ONCE(p->cleared_pages);
		t->culled_in_batch += READ_ONCE(p->culled_in_batch);
		t->rescued_in_batch += READ_ONCE(p->rescued_in_batch);
		for (i = 0; i < MW_NR_CAUSES; i++)
			t->nr_mlock_by[i] += READ_ONCE(p->nr_mlock_by[i]);
		t->unattributed_writes += READ_ONCE(p->unattributed_writes);
		t->unreliable_batches += READ_ONCE(p->unreliable_batches);
		t->mlock_calls += READ_ONCE(p->mlock_calls);
		t->mlock_new_calls += READ_ONCE(p->mlock_new_calls);
		t->munlock_calls += READ_ONCE(p->munlock_calls);
		t->splits += READ_ONCE(p->splits);
		t->mlocked_splits += READ_ONCE(p->mlocked_splits);
		t->rmap_locked_adds += READ_ONCE(p->rmap_locked_adds);
		t->rmap_locked_removes += READ_ONCE(p->rmap_locked_removes);
	}
}

/*
 * Not atomic against hooks running on other CPUs: "reset" is meant for a
 * quiet system, and the control file says so.
 */
void mw_witness_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&mw_pcpu, cpu), 0, sizeof(struct mw_witness_pcpu));
	raw_spin_lock_irq(&mw_first_lock);
	WRITE_ONCE(mw_first_unattributed, 0);
	mw_first_name[0] = '\0';
	raw_spin_unlock_irq(&mw_first_lock);
}

pid_t mw_witness_last_locked_pid(void)
{
	return READ_ONCE(mw_last_locked_pid);
}

void mw_witness_first_unattributed(char *buf, size_t len)
{
	raw_spin_lock_irq(&mw_first_lock);
	strscpy(buf, mw_first_name[0] ? mw_first_name : "none", len);
	raw_spin_unlock_irq(&mw_first_lock);
}
