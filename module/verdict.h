/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The verdicts, judged by pure functions (verdict.c) of what was read:
 * nothing here calls the kernel, so tests/host/verdict_test.c runs the
 * same code on the host. judge.h reads the folios and reports.
 */
#ifndef MLOCKWATCH_VERDICT_H
#define MLOCKWATCH_VERDICT_H

#include <linux/types.h>

#include "entry.h"

/*
 * The taxonomy, numbered as include/mlockwatch/verdicts.h lists it (and
 * folios.bin records it); format.h explains each one. RESOLVED is
 * internal: the entry is done, drop it. The errors come last.
 */
enum mw_verdict {
#define MW_VERDICT(id, ...) MW_V_##id,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
	MW_NR_VERDICTS,
};

static inline bool mw_verdict_is_error(enum mw_verdict v)
{
	return v >= MW_V_UNWITNESSED_SET;
}

enum mw_verdict mw_verdict_of(const struct mw_entry_view *e,
			      const struct mw_folio_now *f, bool incomplete);
const char *mw_verdict_name(enum mw_verdict v);

/* The mms view's verdicts; include/mlockwatch/format.h explains each. */
enum mw_mm_verdict {
	MW_MM_OK,
	MW_MM_TRANSIENT,
	MW_MM_KNOWN_DRIVER_CHARGE,
	MW_MM_EXCESS,		/* errors from here on */
	MW_MM_DEFICIT,
	MW_NR_MM_VERDICTS,
};

enum mw_mm_verdict mw_mm_verdict_of(bool stable, long delta,
				    long driver_pages);
const char *mw_mm_verdict_name(enum mw_mm_verdict v);

#endif /* MLOCKWATCH_VERDICT_H */
