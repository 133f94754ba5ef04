/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by mlockcheck.bpf.c and mlockcheck's user space. */
#ifndef MLOCKCHECK_H
#define MLOCKCHECK_H

/*
 * Who wrote NR_MLOCK: the function the writer returns into, by the same
 * causes as mlockwatch's (UNKNOWN: anyone else, a stray writer).
 */
enum mc_cause {
#define MW_CAUSE(id, ...) MC_CAUSE_##id,
#include <mlockwatch/causes.h>
#undef MW_CAUSE
	MC_NR_CAUSES,
};

/* The unevictable_pgs_* events, in /proc/vmstat order. */
enum mc_ev {
#define MW_EVENT(id, ...) MC_EV_##id,
#include <mlockwatch/events.h>
#undef MW_EVENT
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
	unsigned long long unreliable_batches;
};

/* CPUs the remote-drain accounting reads (more: the drain is unreliable). */
#define MC_MAX_CPUS	1024

#endif /* MLOCKCHECK_H */
