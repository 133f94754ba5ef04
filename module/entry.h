/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the verdicts judge: a shadow table entry as a reader copies it, and
 * its folio as read now. Plain data, no kernel calls, so that the judging
 * (verdict.c) is tested on the host too (tests/host/verdict_test.c).
 */
#ifndef MLOCKWATCH_ENTRY_H
#define MLOCKWATCH_ENTRY_H

#include <linux/types.h>

/*
 * Entry states, numbered as include/mlockwatch/verdicts.h lists them;
 * format.h has the state machine. LOCKED: shadow >= 1, witnessed mlocks
 * outstanding. UNLOCKED_PENDING: shadow 0, the batch or a free clears
 * it. PREEXISTING: PG_mlocked at load, the shadow is a delta.
 * UNWITNESSED: found PG_mlocked by scan, never witnessed. UNLOCKED:
 * shadow 0, and the batch that undid the last lock cleared PG_mlocked;
 * kept for the folio's next mlock, it stands for no entry at all.
 */
enum mw_state {
#define MW_STATE(id, ...) MW_ST_##id,
#include <mlockwatch/verdicts.h>
#undef MW_STATE
	MW_NR_STATES,
};

/* Entry flags: what the entry has seen, for the known-* verdicts. */
enum mw_entry_flag {
	MW_EF_MUNLOCKED = 1 << 0,	/* a witnessed munlock reached it */
	MW_EF_INHERITED = 1 << 1,	/* PG_mlocked copied by a THP split */
	MW_EF_REPORTED = 1 << 2,	/* its error verdict was traced */
	MW_EF_PARTIAL = 1 << 4,		/* munlocked whole by a partial unmap */
};

/*
 * Distinct mms seen locking a folio are counted up to this, which the
 * views show as "3+": the entry remembers two mms, so a third that is
 * neither is new, and any later one may be the third again.
 */
#define MW_NR_MMS_MAX	3

/* What a reader gets: a copy taken under the bucket lock. */
struct mw_entry_view {
	unsigned long pfn;
	int shadow;
	pid_t last_pid;
	u8 pending;
	u8 state, order, flags;
	u8 nr_mms;		/* 0 to MW_NR_MMS_MAX */
	u8 gen;			/* the entry's generation (a PFN reused: another) */
	u16 seq;		/* bumped by every change a hook makes */
};

/* The folio behind an entry, as read now (process context). */
struct mw_folio_now {
	bool present;		/* the PFN is still a folio head */
	bool mlocked, unevictable, lru, large;
	int mapcount;
	long kcount;		/* the kernel's mlock_count, or -1: unreadable */
};

#endif /* MLOCKWATCH_ENTRY_H */
