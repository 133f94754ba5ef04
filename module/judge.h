/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's side of the verdicts: reading an entry's folio now, and
 * reporting what verdict.c makes of it.
 */
#ifndef MLOCKWATCH_JUDGE_H
#define MLOCKWATCH_JUDGE_H

#include "verdict.h"

void mw_folio_read(unsigned long pfn, struct mw_folio_now *f);
enum mw_verdict mw_judge(struct mw_entry_view *e,
			 struct mw_folio_now *f);
/* Error verdicts of @v (an error) traced since load: one per folio. */
long mw_judge_traced(enum mw_verdict v);
/* An NR_MLOCK write by an unknown caller: traced where it happens. */
void mw_verdict_report_unattributed(long delta);

#endif /* MLOCKWATCH_JUDGE_H */
