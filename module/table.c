// SPDX-License-Identifier: GPL-2.0
/*
 * The shadow table: one entry per folio (keyed by the PFN of its head
 * page) that a witnessed mlock has touched, holding the shadow
 * mlock_count: +1 at every mlock_folio/mlock_new_* call, -1 for every
 * munlock operation when the mlock batch runs it. (Which mlocks are
 * still queued in a batch is kept beside the table, per CPU: struct
 * mw_queued.) Unlike the kernel's count it is never lost to an isolated
 * folio, and the mlocks it counts are counted in the order they were
 * made, not in the order the per-CPU batches happen to run them, so the
 * kernel's may only ever be lower.
 *
 * Entries follow their folios: a THP split hands PG_mlocked pieces their
 * own entries, a free (the mm_page_free tracepoint) removes the entry, and
 * migration needs nothing here because the kernel munlocks the source and
 * re-mlocks the destination through hooked calls. An entry whose locks
 * are all undone, once its batch has cleared PG_mlocked, stays linked in
 * state unlocked: the folio's next mlock reuses it, in the one locked
 * section it takes anyway, and a munlock's batch needs no second section
 * to drop it. Such an entry stands for no entry at all (verdict.c). It
 * goes when its folio is freed, when a reader finds it, or by the reaper
 * once their budget is spent (mw_max_kept, mw_reap()).
 *
 * Locking: a fixed array of buckets (max_folios / 2, rounded up to a power
 * of two), each group of buckets under an irq-safe raw spinlock, because
 * the free hook runs in any context and every hook runs with preemption
 * off (a spinlock_t sleeps on PREEMPT_RT). Readers of the views walk a bucket under
 * its lock and copy what they need. Every lookup holds its bucket's lock,
 * so an entry is freed as soon as it is unlinked (deferring the free
 * through RCU cost a callback per munlocked folio and 16 bytes per entry,
 * for no lockless reader); allocation is GFP_ATOMIC
 * from a kmem_cache. When an entry cannot be made (the table is at
 * max_folios, or the allocation failed), the table counts it and is
 * incomplete from then on: the verdicts then never call anything an error.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <mlockwatch/format.h>

#include "table.h"

struct mw_entry {
	struct hlist_node node;
	unsigned long pfn;
	int shadow;
	pid_t last_pid;
	u32 mm_hash[2];		/* the first two distinct locking mms */
	u8 gen;			/* tells a reused PFN's new entry from the old */
	u16 seq;		/* every change a hook makes: mw_judge() */
	u8 state, order, flags;
	u8 nr_mms;		/* distinct locking mms, to MW_NR_MMS_MAX */
};

#define MW_LOCK_BITS	8

/*
 * Buckets: one per MW_BUCKET_LOAD entries of max_folios, so that a full
 * table's chains stay short, and no fewer than MW_MIN_BUCKETS. Never more
 * buckets than max_folios: the walk's cursor relies on it.
 */
#define MW_BUCKET_LOAD	2
#define MW_MIN_BUCKETS	64UL
static_assert(MW_MIN_BUCKETS <= MW_MAX_FOLIOS_MIN);

static struct hlist_head *mw_buckets;
static unsigned int mw_bucket_bits;
static raw_spinlock_t mw_locks[1 << MW_LOCK_BITS];
static struct kmem_cache *mw_entry_cache;
static unsigned long mw_max_entries;
static atomic_long_t mw_nr_entries;	/* linked, kept ones included */

/*
 * Kept unlocked entries: at most max_folios / 8 of them, on top of
 * max_folios. Past that, a batch drops what it unlocks, as it did before
 * entries were kept (one more locked section), and starts the reaper.
 */
#define MW_KEPT_SHARE	8
static long mw_max_kept;
static atomic_long_t mw_nr_kept;
static atomic_t mw_splits;
static atomic_t mw_gen;

/*
 * Only what makes the table incomplete is a shared atomic: it is rare, and
 * every verdict reads it. The hot path's counters are per CPU.
 */
static struct {
	atomic_long_t alloc_failures, full;
} mw_stats;

/*
 * The mm and pid a rmap add in a VM_LOCKED VMA was made for: the
 * mlock_folio() it tail-calls on the same CPU (under the page table lock,
 * so without preemption) takes its attribution from here.
 */
struct mw_rmap_ctx {
	struct folio *folio;
	struct mm_struct *mm;
	pid_t pid;
};
static DEFINE_PER_CPU(struct mw_rmap_ctx, mw_rmap_ctx);

/*
 * One entry per CPU allocated ahead, so that the mlock of a folio the
 * table does not know links it in the one locked section that finds it
 * missing. A spare is not an entry: it is counted against max_folios only
 * once linked.
 */
static DEFINE_PER_CPU(struct mw_entry *, mw_spare);

/**
 * struct mw_inflight - the folios of a batch the kernel is processing
 * @seq: odd while the record is being rewritten
 * @nr: how many of @pfn are set; 0: no batch in flight
 * @pfn: the head PFN of every folio in the batch, whatever its operation
 *
 * The shadow moves for a batch's operations at its entry, before the
 * kernel changes the folios, and nothing is written to their entries at
 * its exit: between the two, a reader finds the folio here and calls it
 * pending (mw_table_in_flight()). One record per CPU for its own batch,
 * which runs under the mlock local_lock (no second one can start there),
 * and one for the CPU-dead drain, which runs from a preemptible task on
 * any CPU (CPU hotplug is serialised: there is one at a time).
 */
struct mw_inflight {
	seqcount_t seq;
	unsigned int nr;
	unsigned long pfn[MW_BATCH_MAX];
};
static DEFINE_PER_CPU(struct mw_inflight, mw_inflight);
static struct mw_inflight mw_inflight_remote;

/**
 * struct mw_queued - the mlocks a CPU's hooks saw that its batch has not run
 * @seq: odd while the queue is being rewritten
 * @nr: how many of @pfn are set
 * @pfn: the head PFN of each mlock's folio, oldest first
 *
 * An mlock is hooked where it is called, before the kernel sets PG_mlocked
 * and queues it in this CPU's mlock batch; its folio is pending until the
 * batch has run it. The hook adds the PFN here in the same locked section
 * that raises the shadow, and the batch's entry takes it out after
 * publishing the batch as in flight (struct mw_inflight), so a reader that
 * checks here and then there never misses a queued mlock. So the batch
 * passes its mlocks without touching the table. Only the owning CPU
 * writes a queue (a dead CPU's: the one task that drains it); readers
 * never wait (mw_table_queued()).
 */
struct mw_queued {
	seqcount_t seq;
	unsigned int nr;
	unsigned long pfn[MW_QUEUED_MAX];
};
static DEFINE_PER_CPU(struct mw_queued, mw_queued);

/* The CPU whose batch the CPU-dead drain runs, or -1 (hotplug is serial). */
static int mw_remote_cpu = -1;

static const char *const mw_state_names[MW_NR_STATES] = {
#define MW_STATE(id, name) \
	[MW_ST_##id] = #name,
#include <mlockwatch/verdicts.h>
#undef MW_STATE
};

const char *mw_state_name(enum mw_state s)
{
	return s < MW_NR_STATES ? mw_state_names[s] : "?";
}

/*
 * PG_mlocked of the page at @pfn itself: the folio's flag when it is a
 * head page, and clear on a tail page or a free page. Safe on a folio
 * that may be freed meanwhile: struct page stays.
 */
static inline bool mw_pfn_mlocked(unsigned long pfn)
{
	return test_bit(PG_mlocked, mw_page_flags(pfn_to_page(pfn)));
}

static inline unsigned int mw_bucket(unsigned long pfn)
{
	return hash_long(pfn, mw_bucket_bits);
}

static inline raw_spinlock_t *mw_lock(unsigned int bucket)
{
	return &mw_locks[bucket & ((1 << MW_LOCK_BITS) - 1)];
}

/*
 * The table's counters, per CPU so that counting costs no shared cache
 * line: locked sections and lockless free misses (what make bench divides
 * by the pages it moved), and what happened to entries. this_cpu ops,
 * safe in any context.
 */
struct mw_table_pcpu {
	unsigned long sections, free_lockless, queued_lost;
	unsigned long stale, munlock_untracked, resolved, freed, freed_mlocked;
	unsigned long split_entries, preexisting, reaped, reap_runs;
};
static DEFINE_PER_CPU(struct mw_table_pcpu, mw_table_pcpu);

/* Take @bucket's lock, interrupts off; returns the flags to restore. */
static inline unsigned long mw_bucket_lock(unsigned int bucket)
{
	unsigned long flags;

	raw_spin_lock_irqsave(mw_lock(bucket), flags);
	__this_cpu_inc(mw_table_pcpu.sections);
	return flags;
}

static inline void mw_bucket_unlock(unsigned int bucket, unsigned long flags)
{
	raw_spin_unlock_irqrestore(mw_lock(bucket), flags);
}

/* Caller holds the bucket's lock. */
static struct mw_entry *mw_find(unsigned int bucket, unsigned long pfn)
{
	struct mw_entry *e;

	hlist_for_each_entry(e, &mw_buckets[bucket], node)
		if (e->pfn == pfn)
			return e;
	return NULL;
}

/*
 * Caller holds the bucket's lock, and frees the entry with mw_free() once
 * it has dropped it: freeing can release a slab page, whose free hook
 * would take a bucket lock (maybe this one).
 */
static struct mw_entry *mw_unlink(struct mw_entry *e)
{
	hlist_del(&e->node);
	if (e->state == MW_ST_UNLOCKED)
		atomic_long_dec(&mw_nr_kept);
	atomic_long_dec(&mw_nr_entries);
	return e;
}

static void mw_free(struct mw_entry *e)
{
	if (e)
		mw_entry_free(mw_entry_cache, e);
}

/*
 * Room for one more entry in the table, or false (counted): it is full.
 * max_folios bounds the entries that describe a lock; kept unlocked ones
 * have a budget of their own (mw_max_kept).
 */
static bool mw_reserve(void)
{
	if (atomic_long_inc_return(&mw_nr_entries) -
	    atomic_long_read(&mw_nr_kept) > mw_max_entries) {
		atomic_long_dec(&mw_nr_entries);
		atomic_long_inc(&mw_stats.full);
		return false;
	}
	return true;
}

/*
 * An entry allocated before the lock is taken, so that nothing runs under
 * a bucket lock that could end in the page allocator.
 */
static struct mw_entry *mw_alloc(void)
{
	struct mw_entry *e;

	if (!mw_reserve())
		return NULL;
	e = mw_entry_alloc(mw_entry_cache, sizeof(*e));
	if (!e) {
		atomic_long_dec(&mw_nr_entries);
		atomic_long_inc(&mw_stats.alloc_failures);
	}
	return e;
}

/* Give this CPU's spare entry back, or free it if another took its place. */
static void mw_spare_put(struct mw_entry *e)
{
	if (e && this_cpu_cmpxchg(mw_spare, NULL, e))
		mw_entry_free(mw_entry_cache, e);
}

/*
 * Caller holds bucket @b's lock: @e, fresh from mw_alloc(), becomes the
 * entry of @pfn, with a generation of its own.
 */
static struct mw_entry *mw_link(struct mw_entry *e, unsigned int b,
				unsigned long pfn, unsigned int order, u8 state)
{
	e->pfn = pfn;
	e->order = order;
	e->state = state;
	e->gen = atomic_inc_return(&mw_gen);
	hlist_add_head(&e->node, &mw_buckets[b]);
	return e;
}

static void mw_unalloc(struct mw_entry *e)
{
	atomic_long_dec(&mw_nr_entries);
	mw_entry_free(mw_entry_cache, e);
}

/*
 * Caller holds @e's bucket lock: a kept unlocked entry is mlocked again.
 * If the batch that unlocked it is done, the folio starts a new life with
 * nothing of the last one (a flag such as "munlocked" would turn a new
 * error into a known-* verdict) and a generation of its own, as a new
 * entry would. If that batch is still running, the kernel may yet run
 * the old munlock after this mlock (clearing PG_mlocked under it, a known
 * undercount): the entry keeps its history, as an unlocked-pending one
 * does. That check reads every CPU's in-flight record, which only a
 * folio mlocked again pays.
 */
static void mw_renew(struct mw_entry *e)
{
	atomic_long_dec(&mw_nr_kept);
	e->state = MW_ST_LOCKED;
	if (mw_table_in_flight(e->pfn))
		return;
	e->shadow = 0;
	e->last_pid = 0;
	e->mm_hash[0] = 0;
	e->mm_hash[1] = 0;
	e->nr_mms = 0;
	e->flags = 0;
	e->gen = atomic_inc_return(&mw_gen);
}

/*
 * Caller holds @e's bucket lock: @e is a kept unlocked entry that can go.
 * Not while PG_mlocked is set again (it then reads unwitnessed-set), nor
 * while a batch holds the folio or one of its mlocks is queued: the batch
 * may yet leave PG_mlocked set, and its exit needs the entry to say so.
 */
static bool mw_reapable(const struct mw_entry *e)
{
	return e->state == MW_ST_UNLOCKED && !mw_pfn_mlocked(e->pfn) &&
	       !mw_table_queued(e->pfn);
}

static void mw_reap(struct work_struct *work);
static DECLARE_WORK(mw_reap_work, mw_reap);

/* jiffies before which no new pass starts: see mw_reap(). */
static unsigned long mw_reap_after;

/*
 * From a batch that found the kept budget spent, with no bucket lock
 * held: queue_work() takes only raw locks, in any context.
 */
static void mw_reap_soon(void)
{
	if (time_after_eq(jiffies, READ_ONCE(mw_reap_after)) &&
	    !work_pending(&mw_reap_work))
		queue_work(system_unbound_wq, &mw_reap_work);
}

/**
 * mw_reap() - let every kept unlocked entry that can go, go
 * @work: mw_reap_work
 *
 * One pass over the buckets, one lock at a time, in process context,
 * started when the kept budget is spent: entries kept for folios that
 * stay mapped unlocked would otherwise hold it, and every later munlock
 * would cost its second section again. A pass is followed by a pause of
 * ten times its length, at least 100 ms, before the next may start, so
 * that a budget held by folios mlocked again (not reapable) costs little.
 */
static void mw_reap(struct work_struct *work)
{
	unsigned int nb = 1U << mw_bucket_bits, b;
	unsigned long start = jiffies, reaped = 0;

	for (b = 0; b < nb; b++) {
		struct mw_entry *e;
		struct hlist_node *tmp;
		HLIST_HEAD(gone);
		unsigned long flags;

		if (!READ_ONCE(mw_buckets[b].first))
			continue;
		flags = mw_bucket_lock(b);
		hlist_for_each_entry_safe(e, tmp, &mw_buckets[b], node) {
			if (!mw_reapable(e))
				continue;
			mw_unlink(e);
			hlist_add_head(&e->node, &gone);
		}
		mw_bucket_unlock(b, flags);
		hlist_for_each_entry_safe(e, tmp, &gone, node) {
			mw_entry_free(mw_entry_cache, e);
			reaped++;
		}
		cond_resched();
	}
	this_cpu_add(mw_table_pcpu.reaped, reaped);
	this_cpu_inc(mw_table_pcpu.reap_runs);
	WRITE_ONCE(mw_reap_after, jiffies + max(10 * (jiffies - start),
						  (unsigned long)HZ / 10));
}

static void mw_note_mm(struct mw_entry *e, struct mm_struct *mm, pid_t pid)
{
	u32 h;

	if (pid)
		e->last_pid = pid;
	if (!mm)
		return;
	h = hash_ptr(mm, 32) | 1;	/* never 0, the empty slot */
	if (e->mm_hash[0] == h || e->mm_hash[1] == h)
		return;
	if (!e->mm_hash[0])
		e->mm_hash[0] = h;
	else if (!e->mm_hash[1])
		e->mm_hash[1] = h;
	if (e->nr_mms < MW_NR_MMS_MAX)
		e->nr_mms++;
}

void mw_table_rmap_add(struct folio *folio, struct vm_area_struct *vma)
{
	struct mw_rmap_ctx *c = this_cpu_ptr(&mw_rmap_ctx);

	c->folio = folio;
	c->mm = vma->vm_mm;
	c->pid = current->mm == vma->vm_mm ? task_tgid_nr(current) : 0;
}

/**
 * mw_table_rmap_remove() - a mapping of @folio in a VM_LOCKED VMA goes
 * @folio: the folio
 * @nr_pages: the pages of it unmapped
 * @munlocks_whole: the kernel munlocks all of @folio after this (6.8+),
 *                  not only when the last page goes
 *
 * A large folio losing only some of its pages there is munlocked whole,
 * although the rest stays mapped in the VMA: its entry says so, so that
 * the munlock is not called resolved. The munlock that follows is only
 * queued, so the entry is marked now.
 */
void mw_table_rmap_remove(struct folio *folio, long nr_pages,
			  bool munlocks_whole)
{
	unsigned long pfn, flags;
	struct mw_entry *e;
	unsigned int b;

	if (!munlocks_whole || !folio_test_large(folio) ||
	    nr_pages >= folio_nr_pages(folio))
		return;
	pfn = folio_pfn(folio);
	b = mw_bucket(pfn);
	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e && e->state != MW_ST_UNLOCKED) {
		e->flags |= MW_EF_PARTIAL;
		e->seq++;
	}
	mw_bucket_unlock(b, flags);
}

/* Who is locking @folio right now: the rmap add that led here, or us. */
static void mw_attribution(struct folio *folio, struct mm_struct **mm,
			   pid_t *pid)
{
	struct mw_rmap_ctx *c = this_cpu_ptr(&mw_rmap_ctx);

	if (c->folio == folio) {
		*mm = c->mm;
		*pid = c->pid;
		c->folio = NULL;
		return;
	}
	/* Reclaim re-mlocking on behalf of some mm: no pid to give. */
	*mm = current->flags & PF_KTHREAD ? NULL : current->mm;
	*pid = *mm ? task_tgid_nr(current) : 0;
}

/*
 * This CPU's mlock about to be queued, from its hook (preemption off).
 * A full queue means batches went unseen or an RT task sat preempted in
 * mlock_folio() for two batches' worth of mlocks: the oldest is let go
 * and counted, which makes the table incomplete.
 */
static void mw_queued_add(unsigned long pfn)
{
	struct mw_queued *q = this_cpu_ptr(&mw_queued);

	raw_write_seqcount_begin(&q->seq);
	if (q->nr == MW_QUEUED_MAX) {
		memmove(q->pfn, q->pfn + 1,
			(MW_QUEUED_MAX - 1) * sizeof(*q->pfn));
		q->nr--;
		__this_cpu_inc(mw_table_pcpu.queued_lost);
	}
	q->pfn[q->nr++] = pfn;
	raw_write_seqcount_end(&q->seq);
}

/*
 * Batch @b, whose head PFNs are @pfns, runs from queue @q: each of its
 * mlocks takes the oldest queued PFN of its folio out. An mlock found
 * nowhere was queued before the hooks were armed. What stays was hooked
 * but is not in this batch yet (RT, see MW_QUEUED_MAX).
 */
static void mw_queued_run(struct mw_queued *q, const struct mw_batch *b,
			  const unsigned long *pfns)
{
	unsigned int i, j;

	raw_write_seqcount_begin(&q->seq);
	for (i = 0; i < b->nr && q->nr; i++) {
		if (b->op[i] == MW_BATCH_MUNLOCK)
			continue;
		for (j = 0; j < q->nr; j++)
			if (q->pfn[j] == pfns[i])
				break;
		if (j == q->nr)
			continue;
		memmove(q->pfn + j, q->pfn + j + 1,
			(q->nr - j - 1) * sizeof(*q->pfn));
		q->nr--;
	}
	raw_write_seqcount_end(&q->seq);
}

/*
 * @want may be among the @nr of @pfn, a per-CPU list of at most @max
 * under @seq (a queue or an in-flight record); a list being rewritten
 * may hold anything, so it answers yes.
 */
static bool mw_pfns_have(const seqcount_t *seq, const unsigned int *nr,
			 const unsigned long *pfn, unsigned int max,
			 unsigned long want)
{
	unsigned int start = raw_read_seqcount(seq), i, n;

	if (start & 1)
		return true;
	n = min_t(unsigned int, READ_ONCE(*nr), max);
	for (i = 0; i < n; i++)
		if (READ_ONCE(pfn[i]) == want)
			return true;
	return read_seqcount_retry(seq, start);
}

static bool mw_queued_has(const struct mw_queued *q, unsigned long pfn)
{
	return mw_pfns_have(&q->seq, &q->nr, q->pfn, MW_QUEUED_MAX, pfn);
}

/**
 * mw_table_queued() - a hooked mlock of @pfn's folio has not run yet
 * @pfn: the PFN of an entry
 *
 * Queued, or in a batch in flight: a batch takes its mlocks out of the
 * queue only after publishing itself in flight, and this reads the queues
 * first. Called after copying the entry: an mlock the copy counted is
 * found here until the kernel has run it. Never waits for a writer.
 *
 * Return: true if the folio may have an mlock pending.
 */
bool mw_table_queued(unsigned long pfn)
{
	bool hit = false;
	int cpu;

	for_each_possible_cpu(cpu)
		if (!hit)
			hit = mw_queued_has(per_cpu_ptr(&mw_queued, cpu), pfn);
	/* The queues before the in-flight records: see above. */
	smp_rmb();
	return hit || mw_table_in_flight(pfn);
}

/**
 * mw_table_remote_drain() - the CPU-dead callback is about to drain @cpu
 * @cpu: the dead CPU, or -1 once the callback is over
 */
void mw_table_remote_drain(int cpu)
{
	WRITE_ONCE(mw_remote_cpu, cpu);
}

/**
 * mw_table_mlock() - a witnessed mlock_folio() or mlock_new_*()
 * @folio: the folio the kernel is about to mark PG_mlocked
 * @new: mlock_new_*(): a folio fresh from the allocator
 *
 * Runs at the entry of the kernel function, so the shadow count always
 * rises before PG_mlocked is set. The folio also joins this CPU's mlock
 * batch, so it is queued here too (struct mw_queued), pending until the
 * batch runs. One locked section: an unknown folio gets this CPU's spare
 * entry, and the spare is replaced after the lock is dropped.
 */
void mw_table_mlock(struct folio *folio, bool new)
{
	unsigned long pfn = folio_pfn(folio), flags;
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e, *gone = NULL, *fresh;
	struct mm_struct *mm;
	bool refill = false;
	pid_t pid;

	mw_attribution(folio, &mm, &pid);
	fresh = this_cpu_xchg(mw_spare, NULL);
again:
	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e && new) {
		/* A new folio has no history: its old one was never seen freed. */
		this_cpu_inc(mw_table_pcpu.stale);
		gone = mw_unlink(e);
		e = NULL;
		new = false;
	}
	if (!e && !fresh) {
		mw_bucket_unlock(b, flags);
		mw_free(gone);
		gone = NULL;
		fresh = mw_entry_alloc(mw_entry_cache, sizeof(*fresh));
		if (fresh)
			goto again;
		atomic_long_inc(&mw_stats.alloc_failures);	/* incomplete */
		return;
	}
	if (!e && !mw_reserve()) {
		mw_bucket_unlock(b, flags);	/* counted: incomplete */
		mw_free(gone);
		mw_spare_put(fresh);
		return;
	}
	if (!e) {
		e = mw_link(fresh, b, pfn, folio_order(folio), MW_ST_LOCKED);
		fresh = NULL;
		refill = true;
	} else if (e->state == MW_ST_UNLOCKED) {
		mw_renew(e);
	}
	e->order = folio_order(folio);
	mw_queued_add(pfn);
	e->shadow++;
	if (e->state == MW_ST_UNLOCKED_PENDING || e->state == MW_ST_UNWITNESSED)
		e->state = MW_ST_LOCKED;
	e->flags &= ~MW_EF_PARTIAL;
	e->seq++;
	mw_note_mm(e, mm, pid);
	mw_bucket_unlock(b, flags);
	mw_free(gone);
	if (refill)
		fresh = mw_entry_alloc(mw_entry_cache, sizeof(*fresh));
	mw_spare_put(fresh);
}

/* What a batch's exit checks for one of its munlocks (mw_batch_ops.kind). */
enum mw_exit_check {
	MW_EXIT_NONE,		/* nothing: the entry stays as it is */
	MW_EXIT_KEPT,		/* unlocked: PG_mlocked should now clear */
	MW_EXIT_DROP,		/* dropped if PG_mlocked cleared */
};

/*
 * Caller holds the entry's bucket lock: the batch is about to undo one
 * mapping's mlock of the folio. An entry whose last lock this undoes is
 * unlocked from now on, before the kernel runs the munlock: its batch
 * stays in flight (pending) until then, and the exit puts it back to
 * unlocked-pending if PG_mlocked did not clear, which is rare (an error,
 * or a new mlock meanwhile). With the kept budget spent, it is
 * unlocked-pending instead, and dropped at the exit. A partly unmapped
 * large folio stays unlocked-pending while mapped
 * (known-large-partial-munlock).
 *
 * Return: what the batch's exit must check, enum mw_exit_check.
 */
static u8 mw_entry_munlock(struct mw_entry *e)
{
	e->flags |= MW_EF_MUNLOCKED;
	if (e->state == MW_ST_PREEXISTING) {
		e->shadow--;
		return MW_EXIT_DROP;
	}
	if (e->state == MW_ST_UNWITNESSED || (e->shadow > 0 && --e->shadow))
		return MW_EXIT_NONE;
	e->state = MW_ST_UNLOCKED_PENDING;
	if (e->flags & MW_EF_PARTIAL)
		return MW_EXIT_NONE;
	if (!atomic_long_add_unless(&mw_nr_kept, 1, mw_max_kept))
		return MW_EXIT_DROP;
	e->state = MW_ST_UNLOCKED;
	return MW_EXIT_KEPT;
}

static struct mw_inflight *mw_inflight_of(bool remote)
{
	return remote ? &mw_inflight_remote : this_cpu_ptr(&mw_inflight);
}

/**
 * mw_table_batch_enter() - the batch processor is about to run a batch
 * @b: the batch, decoded at the entry of mlock_folio_batch/mlock_pagevec
 * @w: out: the batch's munlocks of folios the table knows, for its exit
 * @remote: the CPU-dead drain's batch, not this CPU's own
 *
 * A munlock is accounted here, when the kernel does it, not when it is
 * queued: a queued munlock changes nothing in the folio, while the
 * mlock that queues an operation sets PG_mlocked at once, so mlocks are
 * counted at their call (mw_table_mlock()) and only leave their CPU's
 * queue here, without a table lookup. The batch's folios are published as
 * in flight first, so that a reader that finds an entry changed here, or
 * an mlock gone from its queue, also finds it in flight until the kernel
 * is done (mw_table_in_flight()). One locked section per munlock of a
 * known folio, none for an mlock; the exit takes none unless PG_mlocked
 * stayed set.
 *
 * The batch holds a reference on every folio in it, so the folio pointers
 * are good here (and only here): what the exit needs is kept by PFN, with
 * the entry's generation so that a PFN freed and reused meanwhile is not
 * taken for the same folio.
 */
void mw_table_batch_enter(const struct mw_batch *b, struct mw_batch_ops *w,
			  bool remote)
{
	struct mw_inflight *r = mw_inflight_of(remote);
	bool spent = false;
	unsigned int i;
	int cpu;

	/* The exit clears this record, on whatever CPU it runs. */
	w->rec = r;
	raw_write_seqcount_begin(&r->seq);
	for (i = 0; i < b->nr; i++)
		r->pfn[i] = folio_pfn(b->folio[i]);
	r->nr = b->nr;
	raw_write_seqcount_end(&r->seq);
	/* The record before the queue: see mw_table_queued(). */
	smp_wmb();
	cpu = remote ? READ_ONCE(mw_remote_cpu) : smp_processor_id();
	if (cpu >= 0)
		mw_queued_run(per_cpu_ptr(&mw_queued, cpu), b, r->pfn);

	w->nr = 0;
	for (i = 0; i < b->nr; i++) {
		unsigned long pfn = r->pfn[i], flags;
		unsigned int bk = mw_bucket(pfn);
		struct mw_entry *e;
		u8 kind;

		if (b->op[i] != MW_BATCH_MUNLOCK)
			continue;
		flags = mw_bucket_lock(bk);
		e = mw_find(bk, pfn);
		/* A kept unlocked entry is no entry: untracked, like one. */
		if (e && e->state == MW_ST_UNLOCKED)
			e = NULL;
		if (e) {
			kind = mw_entry_munlock(e);
			e->seq++;
		}
		if (e && kind != MW_EXIT_NONE) {
			w->pfn[w->nr] = pfn;
			w->gen[w->nr] = e->gen;
			w->kind[w->nr] = kind;
			w->nr++;
			/* Unlocked, but not kept: the budget is spent. */
			if (kind == MW_EXIT_DROP &&
			    e->state == MW_ST_UNLOCKED_PENDING)
				spent = true;
		}
		mw_bucket_unlock(bk, flags);
		if (!e)
			this_cpu_inc(mw_table_pcpu.munlock_untracked);
	}
	if (spent)
		mw_reap_soon();
}

/*
 * Caller holds @e's bucket lock: every witnessed lock of the folio is
 * undone and the kernel has cleared PG_mlocked. No queue is read for an
 * unlocked-pending entry: each queued mlock of it is still in its shadow
 * (the hook raised it), so a shadow of 0 has none; a preexisting entry's
 * shadow is only a change since load.
 */
static bool mw_resolvable(const struct mw_entry *e)
{
	if (e->shadow > 0 || (e->flags & MW_EF_PARTIAL) ||
	    mw_pfn_mlocked(e->pfn))
		return false;
	if (e->state == MW_ST_UNLOCKED_PENDING)
		return true;
	return e->state == MW_ST_PREEXISTING && !mw_table_queued(e->pfn);
}

/*
 * A batch's munlock left @pfn's folio PG_mlocked: its entry, if still the
 * one the batch unlocked, goes back to unlocked-pending, to be judged as
 * such (overcount, unresolved or a known verdict), or stays locked if a
 * new mlock took it meanwhile.
 */
static void mw_unlock_failed(unsigned long pfn, u8 gen)
{
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e;
	unsigned long flags;

	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e && e->gen == gen && e->state == MW_ST_UNLOCKED) {
		atomic_long_dec(&mw_nr_kept);
		e->state = MW_ST_UNLOCKED_PENDING;
		e->seq++;
	}
	mw_bucket_unlock(b, flags);
}

/**
 * mw_table_batch_exit() - the batch processor has run
 * @w: what mw_table_batch_enter() kept
 *
 * An entry the batch has unlocked stays (kept) if the kernel has cleared
 * PG_mlocked, which needs no lock to be seen; only a folio left
 * PG_mlocked takes a locked section (mw_unlock_failed()). Any other it
 * unlocked (preexisting, or past the kept budget) is dropped once
 * PG_mlocked is clear (mw_resolvable()). The folio
 * may already be free (the batch drops its references): then the free
 * hook has removed the entry, or a new folio has a new one, of another
 * generation; the PFN's struct page stays. Then the batch stops being in
 * flight.
 */
void mw_table_batch_exit(const struct mw_batch_ops *w)
{
	struct mw_inflight *r = w->rec;
	unsigned int i;

	for (i = 0; i < w->nr; i++) {
		unsigned long pfn = w->pfn[i], flags;
		unsigned int b = mw_bucket(pfn);
		struct mw_entry *e, *gone = NULL;
		bool mlocked = mw_pfn_mlocked(pfn);

		if (w->kind[i] == MW_EXIT_KEPT) {
			if (mlocked)
				mw_unlock_failed(pfn, w->gen[i]);
			else
				this_cpu_inc(mw_table_pcpu.resolved);
			continue;
		}
		if (mlocked)
			continue;
		flags = mw_bucket_lock(b);
		e = mw_find(b, pfn);
		if (e && e->gen == w->gen[i] && mw_resolvable(e)) {
			gone = mw_unlink(e);
			this_cpu_inc(mw_table_pcpu.resolved);
		}
		mw_bucket_unlock(b, flags);
		mw_free(gone);
	}
	/* What the kernel did to the folios is seen before the record clears. */
	smp_wmb();
	raw_write_seqcount_begin(&r->seq);
	r->nr = 0;
	raw_write_seqcount_end(&r->seq);
}

static bool mw_inflight_has(const struct mw_inflight *r, unsigned long pfn)
{
	return mw_pfns_have(&r->seq, &r->nr, r->pfn, MW_BATCH_MAX, pfn);
}

/**
 * mw_table_in_flight() - a batch the kernel is processing may hold @pfn
 * @pfn: the PFN of an entry
 *
 * Never waits for a writer (on PREEMPT_RT a batch may be preempted by
 * the reader): a record being rewritten answers yes. A reader that has
 * copied an entry and finds its folio in no batch here reads the folio
 * after every batch that changed the copy is done.
 *
 * Return: true if the folio may be in flight; then its entry is pending.
 */
bool mw_table_in_flight(unsigned long pfn)
{
	bool hit = mw_inflight_has(&mw_inflight_remote, pfn);
	int cpu;

	for_each_possible_cpu(cpu)
		if (!hit)
			hit = mw_inflight_has(per_cpu_ptr(&mw_inflight, cpu), pfn);
	/* Pairs with the smp_wmb() of mw_table_batch_exit(). */
	smp_rmb();
	return hit;
}

/*
 * The mm_page_free tracepoint: the PFN's folio is gone, and its entry.
 * It fires for every page the system frees, nearly all untracked, so an
 * empty bucket is passed without its lock. That cannot miss an entry of
 * this PFN: it was linked while its folio was held, and the reference
 * drop that let the folio be freed is a fully ordered atomic after it.
 */
void mw_table_free(unsigned long pfn)
{
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e;
	unsigned long flags;

	if (!READ_ONCE(mw_buckets[b].first)) {
		this_cpu_inc(mw_table_pcpu.free_lockless);
		return;
	}
	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e) {
		this_cpu_inc(mw_table_pcpu.freed);
		if (mw_pfn_mlocked(pfn))
			this_cpu_inc(mw_table_pcpu.freed_mlocked);
		mw_unlink(e);
	}
	mw_bucket_unlock(b, flags);
	mw_free(e);
}

void mw_table_split_enter(void)
{
	atomic_inc(&mw_splits);
}

bool mw_table_splits_in_flight(void)
{
	return atomic_read(&mw_splits) > 0;
}

/*
 * The order of the piece of a just-split folio that starts at @pfn, read
 * from its page: a non-uniform split (7.x folio_split()) leaves pieces of
 * many orders, and one that ran out of memory may stop early. A piece
 * freed meanwhile reads as order 0, which only makes the walk slower.
 */
static unsigned int mw_piece_order(unsigned long pfn, unsigned long end)
{
	struct page *page = pfn_to_page(pfn);
	unsigned int order = PageHead(page) ? compound_order(page) : 0;

	if (!IS_ALIGNED(pfn, 1UL << order) || pfn + (1UL << order) > end)
		return 0;
	return order;
}

/**
 * mw_table_split_exit() - a THP split has returned
 * @head_pfn: the PFN of the folio that was split
 * @old_order: its order before
 * @done: the split succeeded
 *
 * The kernel copies PG_mlocked from the head to every piece and gives the
 * pieces mlock_count 0; the head keeps its count. So the head's entry
 * keeps its shadow count at the head piece's new order, and each
 * PG_mlocked piece without an entry of its own (the remap inside the split
 * may already have mlocked it) gets one with shadow 0, marked inherited.
 * The pieces' orders are read from their pages, so uniform and
 * non-uniform splits are handled alike.
 */
void mw_table_split_exit(unsigned long head_pfn, unsigned int old_order,
			 bool done)
{
	unsigned long pfn, end = head_pfn + (1UL << old_order), flags;
	unsigned int b, order;
	struct mw_entry *e, *fresh;

	if (!done)
		goto out;
	order = mw_piece_order(head_pfn, end);
	b = mw_bucket(head_pfn);
	flags = mw_bucket_lock(b);
	e = mw_find(b, head_pfn);
	if (e) {
		e->order = order;
		e->seq++;
	}
	mw_bucket_unlock(b, flags);

	for (pfn = head_pfn + (1UL << order); pfn < end;
	     pfn += 1UL << order) {
		order = mw_piece_order(pfn, end);
		if (!mw_pfn_mlocked(pfn))
			continue;
		fresh = mw_alloc();
		b = mw_bucket(pfn);
		flags = mw_bucket_lock(b);
		e = mw_find(b, pfn);
		if (!e && fresh) {
			e = mw_link(fresh, b, pfn, order,
				    MW_ST_UNLOCKED_PENDING);
			e->flags = MW_EF_INHERITED;
			fresh = NULL;
			this_cpu_inc(mw_table_pcpu.split_entries);
		}
		mw_bucket_unlock(b, flags);
		if (fresh)
			mw_unalloc(fresh);
	}
out:
	atomic_dec(&mw_splits);
}

static bool mw_add_state(unsigned long pfn, unsigned int order, u8 state)
{
	struct mw_entry *e, *fresh = mw_alloc();
	unsigned int b = mw_bucket(pfn);
	unsigned long flags;
	bool added = false;

	if (!fresh)
		return false;
	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (!e) {
		mw_link(fresh, b, pfn, order, state);
		fresh = NULL;
		added = true;
	}
	mw_bucket_unlock(b, flags);
	if (fresh)
		mw_unalloc(fresh);
	return added;
}

/* A folio already PG_mlocked at load, unless a hook got to it first. */
void mw_table_add_preexisting(unsigned long pfn, unsigned int order)
{
	if (mw_add_state(pfn, order, MW_ST_PREEXISTING))
		this_cpu_inc(mw_table_pcpu.preexisting);
}

bool mw_table_add_unwitnessed(unsigned long pfn, unsigned int order)
{
	return mw_add_state(pfn, order, MW_ST_UNWITNESSED);
}

static void mw_view(const struct mw_entry *e, struct mw_entry_view *v)
{
	v->pfn = e->pfn;
	v->shadow = e->shadow;
	v->last_pid = e->last_pid;
	v->state = e->state;
	v->order = e->order;
	v->pending = 0;		/* mw_view_pending(), once copied */
	v->flags = e->flags;
	v->nr_mms = e->nr_mms;
	v->gen = e->gen;
	v->seq = e->seq;
}

/* After the copy, never before: see mw_table_queued(). */
static void mw_view_pending(struct mw_entry_view *v)
{
	v->pending = mw_table_queued(v->pfn);
}

bool mw_table_lookup(unsigned long pfn, struct mw_entry_view *v)
{
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e;
	unsigned long flags;

	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e && v)
		mw_view(e, v);
	mw_bucket_unlock(b, flags);
	if (e && v)
		mw_view_pending(v);
	return e;
}

void mw_table_set_flags(unsigned long pfn, u8 set)
{
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e;
	unsigned long flags;

	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e)
		e->flags |= set;
	mw_bucket_unlock(b, flags);
}

/* Drop a resolved entry found by a reader (unlocked, PG_mlocked clear). */
void mw_table_drop(unsigned long pfn)
{
	unsigned int b = mw_bucket(pfn);
	struct mw_entry *e, *gone = NULL;
	unsigned long flags;

	flags = mw_bucket_lock(b);
	e = mw_find(b, pfn);
	if (e && e->shadow <= 0 && !mw_pfn_mlocked(pfn) &&
	    !mw_table_queued(pfn)) {
		gone = mw_unlink(e);
		if (gone->state == MW_ST_UNLOCKED)
			this_cpu_inc(mw_table_pcpu.reaped);	/* resolved before */
		else
			this_cpu_inc(mw_table_pcpu.resolved);
	}
	mw_bucket_unlock(b, flags);
	mw_free(gone);
}

/*
 * The walk's cursor: the bucket in the high bits, the entries of that
 * bucket already read in the low MW_WALK_SKIP_BITS. No bucket can hold
 * more entries than the table (at most MW_MAX_FOLIOS_MAX), so the count
 * never spills into the bucket, and there are no more buckets than that
 * either (mw_table_init()), so the bucket fits above it.
 */
#define MW_WALK_SKIP_BITS	32
static_assert(MW_MAX_FOLIOS_MAX <= (1ULL << MW_WALK_SKIP_BITS));
static_assert(MW_MAX_FOLIOS_MAX <=
	      (1ULL << (BITS_PER_LONG - MW_WALK_SKIP_BITS)));

static inline unsigned long mw_walk_pos(unsigned int bucket,
					unsigned long skip)
{
	return (unsigned long)bucket << MW_WALK_SKIP_BITS | skip;
}

/*
 * A chunk is filled across as many buckets as it takes (one lock each):
 * returning after the first non-empty bucket made every chunk carry about
 * one entry, and the reader pay a call per entry.
 */
unsigned int mw_table_walk(unsigned long *pos, struct mw_entry_view *out,
			   unsigned int max)
{
	unsigned int n = 0, nb = 1U << mw_bucket_bits, i;

	while ((*pos >> MW_WALK_SKIP_BITS) < nb && n < max) {
		unsigned int b = *pos >> MW_WALK_SKIP_BITS, here = 0;
		unsigned long skip = *pos & GENMASK(MW_WALK_SKIP_BITS - 1, 0);
		unsigned long i = 0;
		bool more = false;
		struct mw_entry *e;
		unsigned long flags;

		/*
		 * Most buckets are empty until the table nears max_folios:
		 * skip those unlocked. An entry added meanwhile is missed, as
		 * it would be had it come just after the walk passed it.
		 */
		if (!READ_ONCE(mw_buckets[b].first)) {
			*pos = mw_walk_pos(b + 1, 0);
			continue;
		}
		flags = mw_bucket_lock(b);
		hlist_for_each_entry(e, &mw_buckets[b], node) {
			if (i++ < skip)
				continue;
			if (n == max) {
				more = true;
				break;
			}
			mw_view(e, &out[n++]);
			here++;
		}
		mw_bucket_unlock(b, flags);
		*pos = more ? mw_walk_pos(b, skip + here) : mw_walk_pos(b + 1, 0);
	}
	for (i = 0; i < n; i++)
		mw_view_pending(&out[i]);
	return n;
}

void mw_table_stats(struct mw_table_stats *s)
{
	int cpu;

	*s = (struct mw_table_stats){ };
	s->entries = atomic_long_read(&mw_nr_entries);
	s->kept = atomic_long_read(&mw_nr_kept);
	s->max_kept = mw_max_kept;
	s->max_entries = mw_max_entries;
	s->buckets = 1UL << mw_bucket_bits;
	s->alloc_failures = atomic_long_read(&mw_stats.alloc_failures);
	s->full = atomic_long_read(&mw_stats.full);
	/* The rest are sums over the CPUs. */
	for_each_possible_cpu(cpu) {
		const struct mw_table_pcpu *c = per_cpu_ptr(&mw_table_pcpu, cpu);

		s->stale += READ_ONCE(c->stale);
		s->munlock_untracked += READ_ONCE(c->munlock_untracked);
		s->resolved += READ_ONCE(c->resolved);
		s->freed += READ_ONCE(c->freed);
		s->freed_mlocked += READ_ONCE(c->freed_mlocked);
		s->split_entries += READ_ONCE(c->split_entries);
		s->preexisting += READ_ONCE(c->preexisting);
		s->locked_sections += READ_ONCE(c->sections);
		s->free_lockless += READ_ONCE(c->free_lockless);
		s->queued_lost += READ_ONCE(c->queued_lost);
		s->reaped += READ_ONCE(c->reaped);
		s->reap_runs += READ_ONCE(c->reap_runs);
	}
}

/* Entries were lost: no verdict may be called an error any more. */
bool mw_table_incomplete(void)
{
	int cpu;

	if (atomic_long_read(&mw_stats.alloc_failures) ||
	    atomic_long_read(&mw_stats.full))
		return true;
	for_each_possible_cpu(cpu)
		if (READ_ONCE(per_cpu_ptr(&mw_table_pcpu, cpu)->queued_lost))
			return true;
	return false;
}

/* The counters restart; the entries stay, they describe live folios. */
void mw_table_reset(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct mw_table_pcpu *c = per_cpu_ptr(&mw_table_pcpu, cpu);

		WRITE_ONCE(c->munlock_untracked, 0);
		WRITE_ONCE(c->resolved, 0);
		WRITE_ONCE(c->freed, 0);
		WRITE_ONCE(c->freed_mlocked, 0);
		WRITE_ONCE(c->split_entries, 0);
		WRITE_ONCE(c->reaped, 0);
	}
}

int mw_table_init(unsigned long max_entries)
{
	unsigned int i;
	int cpu;

	mw_max_entries = max_entries;
	mw_max_kept = max_entries / MW_KEPT_SHARE;
	mw_reap_after = jiffies;
	mw_bucket_bits = ilog2(roundup_pow_of_two(max(max_entries / MW_BUCKET_LOAD,
						      MW_MIN_BUCKETS)));
	mw_buckets = vzalloc(sizeof(*mw_buckets) << mw_bucket_bits);
	if (!mw_buckets)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(mw_locks); i++)
		raw_spin_lock_init(&mw_locks[i]);
	for_each_possible_cpu(cpu) {
		seqcount_init(&per_cpu_ptr(&mw_inflight, cpu)->seq);
		seqcount_init(&per_cpu_ptr(&mw_queued, cpu)->seq);
	}
	seqcount_init(&mw_inflight_remote.seq);
	mw_entry_cache = kmem_cache_create_usercopy(MLOCKWATCH_SLAB_CACHE,
			sizeof(struct mw_entry), __alignof__(struct mw_entry),
			MW_SLAB_NO_MERGE_FLAGS, 0,
			MW_SLAB_NO_MERGE_USERCOPY ? sizeof(struct mw_entry) : 0, NULL);
	if (!mw_entry_cache) {
		vfree(mw_buckets);
		mw_buckets = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* After every hook is gone: nothing else can touch the table. */
void mw_table_exit(void)
{
	unsigned int i;
	int cpu;
	struct mw_entry *e;
	struct hlist_node *tmp;

	if (!mw_buckets)
		return;
	cancel_work_sync(&mw_reap_work);
	for_each_possible_cpu(cpu) {
		mw_free(*per_cpu_ptr(&mw_spare, cpu));
		*per_cpu_ptr(&mw_spare, cpu) = NULL;
	}
	for (i = 0; i < (1U << mw_bucket_bits); i++)
		hlist_for_each_entry_safe(e, tmp, &mw_buckets[i], node) {
			hlist_del(&e->node);
			mw_entry_free(mw_entry_cache, e);
		}
	kmem_cache_destroy(mw_entry_cache);
	vfree(mw_buckets);
	mw_buckets = NULL;
}
