/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_VERDICT_H
#define MLOCKWATCH_VERDICT_H

#include <linux/types.h>

#include "table.h"

/* The taxonomy: include/mlockwatch/format.h explains each one. */
enum mw_verdict {
	MW_V_OK,
	MW_V_PENDING,
	MW_V_PREEXISTING,
	MW_V_UNRESOLVED,
	MW_V_INCOMPLETE,
	MW_V_KNOWN_UNDERCOUNT,
	MW_V_KNOWN_SPLIT_INHERITED,
	MW_V_KNOWN_UNMAPPED,
	MW_V_KNOWN_LARGE_PARTIAL,
	MW_V_RESOLVED,		/* internal: the entry is done, drop it */
	MW_V_UNWITNESSED_SET,	/* errors from here on */
	MW_V_UNWITNESSED_CLEAR,
	MW_V_OVERCOUNT,
	MW_NR_VERDICTS,
};

static inline bool mw_verdict_is_error(enum mw_verdict v)
{
	return v >= MW_V_UNWITNESSED_SET;
}

/* The folio behind an entry, as read now (process context). */
struct mw_folio_now {
	bool present;		/* the PFN is still a folio head */
	bool mlocked, unevictable, lru, large;
	int mapcount;
	long kcount;		/* the kernel's mlock_count, or -1: unreadable */
};

void mw_folio_read(unsigned long pfn, struct mw_folio_now *f);
enum mw_verdict mw_verdict_of(const struct mw_entry_view *e,
			      const struct mw_folio_now *f);
const char *mw_verdict_name(enum mw_verdict v);
/* Fire the mismatch tracepoint once per entry and error verdict. */
void mw_verdict_report(const struct mw_entry_view *e,
		       const struct mw_folio_now *f, enum mw_verdict v);
/* An NR_MLOCK write by an unknown caller: traced where it happens. */
void mw_verdict_report_unattributed(unsigned long caller, long delta);

#endif /* MLOCKWATCH_VERDICT_H */
