// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts: what an entry of the shadow table says about its folio, read
 * now. The state machine and the meaning of every verdict are written
 * down for users in include/mlockwatch/format.h; this is its code.
 *
 * Only three verdicts are errors, and only on a complete table:
 * unwitnessed-set, unwitnessed-clear and overcount. Everything the
 * kernel does by design gets a known-* verdict instead, and anything that
 * cannot be judged yet (a batch operation still queued, a count that
 * cannot be read) says so rather than guess.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/memory_hotplug.h>

#include "compat.h"
#include "verdict.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static const char *const mw_verdict_names[MW_NR_VERDICTS] = {
	[MW_V_OK] = "ok",
	[MW_V_PENDING] = "pending",
	[MW_V_PREEXISTING] = "preexisting",
	[MW_V_UNRESOLVED] = "unresolved",
	[MW_V_INCOMPLETE] = "incomplete",
	[MW_V_KNOWN_UNDERCOUNT] = "known-undercount",
	[MW_V_KNOWN_SPLIT_INHERITED] = "known-split-inherited",
	[MW_V_KNOWN_UNMAPPED] = "known-unmapped",
	[MW_V_KNOWN_LARGE_PARTIAL] = "known-large-partial-munlock",
	[MW_V_RESOLVED] = "resolved",
	[MW_V_UNWITNESSED_SET] = "unwitnessed-set",
	[MW_V_UNWITNESSED_CLEAR] = "unwitnessed-clear",
	[MW_V_OVERCOUNT] = "overcount",
};

const char *mw_verdict_name(enum mw_verdict v)
{
	return v < MW_NR_VERDICTS ? mw_verdict_names[v] : "?";
}

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

/**
 * mw_verdict_of() - the verdict for one entry
 * @e: the entry, as copied from the table
 * @f: its folio now, from mw_folio_read()
 *
 * Return: the verdict; MW_V_RESOLVED when the entry has nothing left to
 * say (unlocked, and the kernel agrees).
 */
enum mw_verdict mw_verdict_of(const struct mw_entry_view *e,
			      const struct mw_folio_now *f)
{
	enum mw_verdict v;

	if (!f->present)
		return MW_V_PENDING;	/* being freed or split right now */
	if (e->state == MW_ST_PREEXISTING)
		return f->mlocked ? MW_V_PREEXISTING : MW_V_RESOLVED;
	if (e->pending)
		return MW_V_PENDING;
	if (e->state == MW_ST_UNWITNESSED) {
		v = f->mlocked ? MW_V_UNWITNESSED_SET : MW_V_RESOLVED;
	} else if (f->mlocked) {
		if (e->shadow >= 1) {
			if (f->kcount > e->shadow)
				v = MW_V_OVERCOUNT;
			else if (!f->mapcount)
				v = MW_V_KNOWN_UNMAPPED;
			else if (f->kcount >= 0 && f->kcount < e->shadow)
				v = MW_V_KNOWN_UNDERCOUNT;
			else
				v = MW_V_OK;
		} else if (e->flags & MW_EF_INHERITED) {
			v = MW_V_KNOWN_SPLIT_INHERITED;
		} else if (f->kcount > 0) {
			v = MW_V_OVERCOUNT;
		} else {
			/* Unlocked by every witness; the count cannot be read. */
			v = MW_V_UNRESOLVED;
		}
	} else {
		if (e->shadow <= 0 && (e->flags & MW_EF_PARTIAL) && f->mapcount)
			v = MW_V_KNOWN_LARGE_PARTIAL;
		else if (e->shadow <= 0)
			v = MW_V_RESOLVED;
		else if (e->flags & MW_EF_MUNLOCKED)
			/* A munlock met a kernel count that was already low. */
			v = MW_V_KNOWN_UNDERCOUNT;
		else
			v = MW_V_UNWITNESSED_CLEAR;
	}
	if (mw_verdict_is_error(v) && mw_table_incomplete())
		return MW_V_INCOMPLETE;
	return v;
}

void mw_verdict_report(const struct mw_entry_view *e,
		       const struct mw_folio_now *f, enum mw_verdict v)
{
	if (!mw_verdict_is_error(v) || (e->flags & MW_EF_REPORTED))
		return;
	mw_table_set_flags(e->pfn, MW_EF_REPORTED);
	trace_mlockwatch_mismatch(v, e->pfn, e->order, e->shadow, f->kcount,
				  1L << e->order);
}

void mw_verdict_report_unattributed(unsigned long caller, long delta)
{
	trace_mlockwatch_mismatch(MW_V_UNATTRIBUTED, 0, 0, 0, -1, delta);
}
