/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by mlockcheck.bpf.c and tools/mlockcheck.c. */
#ifndef MLOCKCHECK_H
#define MLOCKCHECK_H

/* Who wrote NR_MLOCK: the function the writer returns into. */
enum mc_cause {
	MC_MLOCK,		/* mlock_folio */
	MC_MLOCK_NEW,		/* mlock_new_folio / mlock_new_page */
	MC_MUNLOCK,		/* the batch: mlock_folio_batch / mlock_pagevec */
	MC_FREE,		/* the inlined free paths */
	MC_UNATTRIBUTED,	/* anyone else: a stray writer */
	MC_NR_CAUSES,
};

/* The unevictable_pgs_* events, in /proc/vmstat order. */
enum mc_ev {
	MC_EV_CULLED,
	MC_EV_SCANNED,
	MC_EV_RESCUED,
	MC_EV_MLOCKED,
	MC_EV_MUNLOCKED,
	MC_EV_CLEARED,
	MC_EV_STRANDED,
	MC_NR_EV,
};

/* Caller address ranges, from /proc/kallsyms, set before load. */
#define MC_MAX_RANGES	32

struct mc_range {
	unsigned long long start, end;
	unsigned int cause;
	unsigned int pad;
};

/* Everything the BPF side counts since it was attached (in .bss). */
struct mc_totals {
	long long nr_mlock_by[MC_NR_CAUSES];	/* pages, signed */
	unsigned long long writes_by[MC_NR_CAUSES];
	unsigned long long first_unattributed;	/* a caller address */
	unsigned long long batch_ev[MC_NR_EV];	/* event deltas in batches */
	unsigned long long cleared_pages;	/* PG_mlocked pages freed */
	unsigned long long mlock_calls, mlock_new_calls, munlock_calls;
	unsigned long long batches, unreliable_batches;
	unsigned long long remote_drains;	/* dead CPUs' batches drained */
};

/* CPUs the remote-drain accounting reads (more: the drain is unreliable). */
#define MC_MAX_CPUS	1024

#endif /* MLOCKCHECK_H */
