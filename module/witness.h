/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_WITNESS_H
#define MLOCKWATCH_WITNESS_H

#include <linux/types.h>
#include "compat.h"
#include "vmstat.h"

/* What a batch window remembers between entry and exit (kretprobe data). */
struct mw_batch_window {
	int cpu;
	bool remote;		/* the dead-CPU drain's batch */
	unsigned long ev[MW_NR_EV];
};

struct mw_split_window {
	bool mlocked;
};

/* Totals over every CPU since load or the last reset. */
struct mw_witness_totals {
	unsigned long mlocked_pages;	/* NR_MLOCK+ by mlock and mlock_new */
	unsigned long munlocked_pages;	/* PGMUNLOCKED in batches, remote too */
	unsigned long stranded_pages;	/* PGSTRANDED in batches, remote too */
	unsigned long cleared_pages;	/* PG_mlocked folios seen freed */
	unsigned long culled_in_batch;	/* local batches only: elsewhere */
	unsigned long rescued_in_batch;	/* culling and rescue happen too */
	long nr_mlock_by[MW_NR_CAUSES];	/* writer deltas by caller */
	unsigned long unattributed_writes;
	unsigned long unreliable_batches;
	unsigned long remote_drains;	/* dead CPUs' batches drained */
	unsigned long remote_munlocked, remote_stranded; /* their share */
	unsigned long mlock_calls, mlock_new_calls, munlock_calls;
	unsigned long splits, mlocked_splits;
	unsigned long rmap_locked_adds, rmap_locked_removes;
};

void mw_witness_init(void);
void mw_witness_mlock(void);
void mw_witness_mlock_new(void);
void mw_witness_batch_munlocks(const struct mw_batch *b);
void mw_witness_batch_enter(struct mw_batch_window *w);
void mw_witness_batch_exit(struct mw_batch_window *w);
void mw_witness_remote_drain(bool entering);
void mw_witness_nr_mlock_write(unsigned long caller, long delta);
void mw_witness_free(struct page *page);
void mw_witness_split_enter(struct mw_split_window *w, struct folio *folio);
void mw_witness_split_exit(struct mw_split_window *w, int ret);
void mw_witness_rmap(const struct mw_args *a, bool add);

void mw_witness_read(struct mw_witness_totals *t);
void mw_witness_reset(void);
pid_t mw_witness_last_locked_pid(void);
/*
 * The first unattributed NR_MLOCK writer since load or reset, by name
 * ("unknown" if kallsyms had none, "none" if there was none), cut to len.
 */
void mw_witness_first_unattributed(char *buf, size_t len);
const char *mw_cause_name(enum mw_cause c);

#endif /* MLOCKWATCH_WITNESS_H */
