// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts: what an entry of the shadow table says about its folio, and
 * what an mm's locked_vm says about its VM_LOCKED VMAs, from values
 * already read. The state machine and the meaning of every verdict are
 * written down for users in include/mlockwatch/format.h; this is its
 * code. It is pure (no kernel call, no global state), so that
 * tests/host/verdict_test.c runs it on the host; judge.c and mms.c read
 * what it judges.
 *
 * Only three folio verdicts are errors, and only on a complete table:
 * unwitnessed-set, unwitnessed-clear and overcount. Everything the
 * kernel does by design gets a known-* verdict instead, and anything that
 * cannot be judged yet (a batch operation still queued, a count that
 * cannot be read) says so rather than guess.
 */
#include "verdict.h"

static const char *const mw_verdict_names[MW_NR_VERDICTS] = {
#define MW_VERDICT(id, name) \
	[MW_V_##id] = #name,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
};

const char *mw_verdict_name(enum mw_verdict v)
{
	return v < MW_NR_VERDICTS ? mw_verdict_names[v] : "?";
}

/* An entry that has a lock outstanding, on a folio still PG_mlocked. */
static enum mw_verdict mw_verdict_mlocked(const struct mw_entry_view *e,
					  const struct mw_folio_now *f)
{
	if (e->shadow >= 1) {
		if (f->kcount > e->shadow)
			return MW_V_OVERCOUNT;
		if (!f->mapcount)
			return MW_V_KNOWN_UNMAPPED;
		if (f->kcount >= 0 && f->kcount < e->shadow)
			return MW_V_KNOWN_UNDERCOUNT;
		return MW_V_OK;
	}
	if (e->flags & MW_EF_INHERITED)
		return MW_V_KNOWN_SPLIT_INHERITED;
	if (f->kcount > 0)
		return MW_V_OVERCOUNT;
	/* Unlocked by every witness; the count cannot be read. */
	return MW_V_UNRESOLVED;
}

/* An entry whose folio has lost PG_mlocked. */
static enum mw_verdict mw_verdict_cleared(const struct mw_entry_view *e,
					  const struct mw_folio_now *f)
{
	if (e->shadow <= 0 && (e->flags & MW_EF_PARTIAL) && f->mapcount)
		return MW_V_KNOWN_LARGE_PARTIAL;
	if (e->shadow <= 0)
		return MW_V_RESOLVED;
	if (e->flags & MW_EF_MUNLOCKED)
		/* A munlock met a kernel count that was already low. */
		return MW_V_KNOWN_UNDERCOUNT;
	return MW_V_UNWITNESSED_CLEAR;
}

/**
 * mw_verdict_of() - the verdict for one entry
 * @e: the entry, as copied from the table
 * @f: its folio now, from mw_folio_read()
 * @incomplete: the table has lost entries (mw_table_incomplete()), so an
 *              error cannot be told from a folio it never saw
 *
 * Return: the verdict; MW_V_RESOLVED when the entry has nothing left to
 * say (unlocked, and the kernel agrees).
 */
enum mw_verdict mw_verdict_of(const struct mw_entry_view *e,
			      const struct mw_folio_now *f, bool incomplete)
{
	enum mw_verdict v;

	if (!f->present)
		return MW_V_PENDING;	/* being freed or split right now */
	if (e->state == MW_ST_PREEXISTING)
		return f->mlocked ? MW_V_PREEXISTING : MW_V_RESOLVED;
	if (e->pending)
		return MW_V_PENDING;
	/* A kept unlocked entry says what no entry would. */
	if (e->state == MW_ST_UNWITNESSED || e->state == MW_ST_UNLOCKED)
		v = f->mlocked ? MW_V_UNWITNESSED_SET : MW_V_RESOLVED;
	else if (f->mlocked)
		v = mw_verdict_mlocked(e, f);
	else
		v = mw_verdict_cleared(e, f);
	if (mw_verdict_is_error(v) && incomplete)
		return MW_V_INCOMPLETE;
	return v;
}

static const char *const mw_mm_verdict_names[MW_NR_MM_VERDICTS] = {
	[MW_MM_OK] = "ok",
	[MW_MM_TRANSIENT] = "transient",
	[MW_MM_KNOWN_DRIVER_CHARGE] = "known-driver-charge",
	[MW_MM_EXCESS] = "excess",
	[MW_MM_DEFICIT] = "deficit",
};

const char *mw_mm_verdict_name(enum mw_mm_verdict v)
{
	return v < MW_NR_MM_VERDICTS ? mw_mm_verdict_names[v] : "?";
}

/**
 * mw_mm_verdict_of() - the verdict for one mm's locked_vm
 * @stable: locked_vm read the same before and after the VMA walk
 * @delta: locked_vm less the pages of the VM_LOCKED VMAs
 * @driver_pages: the net pages drivers charged since load
 *                (mw_mms_driver_pages(); may be below 0)
 *
 * Return: the verdict; an excess no larger than what drivers charged is
 * theirs, not an error.
 */
enum mw_mm_verdict mw_mm_verdict_of(bool stable, long delta,
				    long driver_pages)
{
	if (!stable)
		return MW_MM_TRANSIENT;
	if (!delta)
		return MW_MM_OK;
	if (delta < 0)
		return MW_MM_DEFICIT;
	return delta <= driver_pages ? MW_MM_KNOWN_DRIVER_CHARGE : MW_MM_EXCESS;
}
