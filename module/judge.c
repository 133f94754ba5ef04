// SPDX-License-Identifier: GPL-2.0
/*
 * Judging in the kernel: each entry's folio is read as it is now, judged
 * by verdict.c, and an error verdict fires the mlockwatch_mismatch
 * tracepoint (trace.h), once per entry.
 */
#include <linux/mm.h>
#include <linux/memory_hotplug.h>

#include "compat.h"
#include "hooks.h"
#include "judge.h"
#include "table.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/* A value no mlock_count reaches; the low half of a list pointer might. */
#define MW_KCOUNT_SANE	(1L << 20)

/**
 * mw_folio_read() - the folio at @pfn as it is now
 * @pfn: the PFN of a table entry
 * @f: the result
 *
 * mlock_count shares its word with lru.prev, so it means something only
 * while the folio is on the unevictable LRU: PG_lru and PG_unevictable
 * set (and PG_mlocked, or the count is 0 anyway). With a reference held,
 * the flags are checked before and after the read; a folio that moved in
 * between, a large folio (6.12 does not keep their count reliably) or a
 * value no count can have gives -1, "unreadable", never a guess.
 */
void mw_folio_read(unsigned long pfn, struct mw_folio_now *f)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;
	long count;

	memset(f, 0, sizeof(*f));
	f->kcount = -1;
	if (!page)
		return;
	folio = page_folio(page);
	if (!folio_try_get(folio))
		return;		/* free, or being freed: the free hook decides */
	if (folio_pfn(folio) != pfn)
		goto out;	/* now part of a bigger folio */
	f->present = true;
	f->mlocked = folio_test_mlocked(folio);
	f->unevictable = folio_test_unevictable(folio);
	f->lru = folio_test_lru(folio);
	f->large = folio_test_large(folio);
	f->mapcount = mw_folio_mapcount(folio);
	if (f->large || !f->lru || !f->unevictable || !f->mlocked)
		goto out;
	count = READ_ONCE(folio->mlock_count);
	/* Pairs with the kernel clearing PG_lru before it reuses the word. */
	smp_rmb();
	if (folio_test_lru(folio) && folio_test_unevictable(folio) &&
	    folio_test_mlocked(folio) && count >= 0 && count < MW_KCOUNT_SANE)
		f->kcount = count;
out:
	folio_put(folio);
}

/*
 * Folios whose error verdict fired the tracepoint, by verdict, since load
 * (never reset): an error that is gone by the end of a run (the folio
 * freed) was still wrong kernel state, and mlockcheck says so.
 */
static atomic_long_t mw_traced[MW_NR_VERDICTS - MW_V_UNWITNESSED_SET];

long mw_judge_traced(enum mw_verdict v)
{
	return atomic_long_read(&mw_traced[v - MW_V_UNWITNESSED_SET]);
}

/*
 * An error verdict is read again this many times while hooks keep
 * changing the entry; a folio that busy is judged on a later read.
 */
#define MW_JUDGE_TRIES	3

/*
 * An error cannot be told from a lost event once the table has lost an
 * entry or a hook has missed a call: a missed batch leaves its munlocks
 * uncounted, a missed mlock its lock.
 */
static bool mw_judge_incomplete(void)
{
	return mw_table_incomplete() || mw_hooks_missed();
}

/*
 * mw_verdict_of(), asking whether the module is incomplete only for an
 * error: the question sums every hook's and CPU's misses, and a listing
 * judges every entry.
 */
static enum mw_verdict mw_judge_verdict(const struct mw_entry_view *e,
					const struct mw_folio_now *f)
{
	enum mw_verdict v = mw_verdict_of(e, f, false);

	if (mw_verdict_is_error(v) && mw_judge_incomplete())
		return mw_verdict_of(e, f, true);
	return v;
}

/**
 * mw_judge() - the verdict of one entry, on its folio as it is now
 * @e: in: the entry, as copied from the table; out: the copy the verdict
 *     was made on
 * @f: out: the folio as read
 *
 * A walk copies a chunk of entries before it reads any of their folios,
 * so the copy can be older than the folio: a munlock the hooks saw from
 * start to end in between would look like PG_mlocked cleared behind their
 * back. The hooks change an entry before the kernel changes its folio,
 * and the folio stays pending (its entry's count, or its batch in flight:
 * mw_table_in_flight()) until the kernel is done. So a folio read after
 * the entry's batch is no longer in flight, between two copies of the
 * entry that no hook changed (the same generation and sequence), is
 * judged on one moment: only such a reading is called an error. An entry
 * that changes every time is pending.
 *
 * An entry found resolved is dropped; an error verdict fires the
 * tracepoint the first time the entry gets one. Process context: takes
 * a folio reference and the entry's bucket lock, one after the other.
 *
 * Return: the verdict.
 */
enum mw_verdict mw_judge(struct mw_entry_view *e, struct mw_folio_now *f)
{
	struct mw_entry_view again;
	bool confirmed = false;
	enum mw_verdict v;
	int tries = 0;

	mw_folio_read(e->pfn, f);
	v = mw_judge_verdict(e, f);
	while (mw_verdict_is_error(v) && !confirmed) {
		if (tries++ == MW_JUDGE_TRIES)
			return MW_V_PENDING;
		if (!mw_table_lookup(e->pfn, e))
			return MW_V_RESOLVED;	/* freed meanwhile */
		if (mw_table_in_flight(e->pfn))
			return MW_V_PENDING;
		mw_folio_read(e->pfn, f);
		v = mw_judge_verdict(e, f);
		confirmed = mw_table_lookup(e->pfn, &again) &&
			    again.gen == e->gen && again.seq == e->seq;
	}
	/* A batch between the shadow and the folio: nothing to say yet. */
	if (!mw_verdict_is_error(v) && v != MW_V_OK && v != MW_V_RESOLVED &&
	    v != MW_V_PENDING && mw_table_in_flight(e->pfn))
		return MW_V_PENDING;
	if (v == MW_V_RESOLVED) {
		mw_table_drop(e->pfn);
	} else if (mw_verdict_is_error(v) && !(e->flags & MW_EF_REPORTED)) {
		mw_table_set_flags(e->pfn, MW_EF_REPORTED);
		atomic_long_inc(&mw_traced[v - MW_V_UNWITNESSED_SET]);
		trace_mlockwatch_mismatch(v, e->pfn, e->order, e->shadow,
					  f->kcount, 1L << e->order);
	}
	return v;
}

void mw_verdict_report_unattributed(long delta)
{
	trace_mlockwatch_mismatch(MW_V_UNATTRIBUTED, 0, 0, 0, -1, delta);
}
