/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_TABLE_H
#define MLOCKWATCH_TABLE_H

#include <linux/mm_types.h>
#include <linux/types.h>

#include "compat.h"
#include "entry.h"

/* max_folios: 64 to 64M; a table of 48 bytes per entry stays below 4 GiB. */
#define MW_MAX_FOLIOS_MIN	64UL
#define MW_MAX_FOLIOS_MAX	(64UL << 20)

/*
 * A CPU's queue of hooked mlocks (table.c) holds its batch, plus mlocks
 * hooked but not yet added to it: on PREEMPT_RT a task can be preempted
 * between the two (it stays on its CPU: the page table lock disables
 * migration), and others may fill and run the batch meanwhile.
 */
#define MW_QUEUED_MAX	(2 * MW_BATCH_MAX)

struct mw_table_stats {
	unsigned long entries, max_entries, buckets;
	unsigned long kept, max_kept;	/* unlocked entries kept, of entries */
	unsigned long alloc_failures, full;
	unsigned long stale;		/* an entry met a PFN reused under it */
	unsigned long munlock_untracked;
	unsigned long resolved;		/* unlocked, and PG_mlocked cleared */
	unsigned long reaped;		/* kept unlocked entries let go */
	unsigned long reap_runs;	/* passes of the reaper */
	unsigned long freed, freed_mlocked;
	unsigned long split_entries;	/* entries made for split pieces */
	unsigned long preexisting;
	unsigned long locked_sections;	/* bucket lock taken, since load */
	unsigned long free_lockless;	/* frees passed by an empty bucket */
	unsigned long queued_lost;	/* hooked mlocks a full queue let go */
};

int mw_table_init(unsigned long max_entries);
void mw_table_exit(void);

/* Event side: any context, hardirq included; never sleeps. */
void mw_table_mlock(struct folio *folio, bool new);
void mw_table_rmap_add(struct folio *folio, struct vm_area_struct *vma);
void mw_table_rmap_remove(struct folio *folio, long nr_pages,
			  bool munlocks_whole);
/* A batch's munlocks of known folios, from its entry to its exit. */
struct mw_inflight;

struct mw_batch_ops {
	struct mw_inflight *rec;	/* where the batch is published */
	unsigned int nr;
	unsigned long pfn[MW_BATCH_MAX];
	u8 gen[MW_BATCH_MAX];
	u8 kind[MW_BATCH_MAX];		/* what the exit checks: table.c */
};

void mw_table_batch_enter(const struct mw_batch *b, struct mw_batch_ops *w,
			  bool remote);
void mw_table_batch_exit(const struct mw_batch_ops *w);
bool mw_table_in_flight(unsigned long pfn);
bool mw_table_queued(unsigned long pfn);
void mw_table_remote_drain(int cpu);
void mw_table_free(unsigned long pfn);
void mw_table_split_enter(void);
void mw_table_split_exit(unsigned long head_pfn, unsigned int old_order,
			 bool done);
bool mw_table_splits_in_flight(void);

/* Process context. */
void mw_table_add_preexisting(unsigned long pfn, unsigned int order);
/* Make an entry for a PG_mlocked folio that scan found unknown. */
bool mw_table_add_unwitnessed(unsigned long pfn, unsigned int order);
bool mw_table_lookup(unsigned long pfn, struct mw_entry_view *v);
void mw_table_set_flags(unsigned long pfn, u8 flags);
void mw_table_drop(unsigned long pfn);
void mw_table_stats(struct mw_table_stats *s);
bool mw_table_incomplete(void);
void mw_table_reset(void);

/*
 * Iteration for the views: copies up to @max entries starting at bucket
 * *@pos into @out, in bucket order, and advances *@pos. Returns the number
 * copied; 0 at the end.
 */
unsigned int mw_table_walk(unsigned long *pos, struct mw_entry_view *out,
			   unsigned int max);

const char *mw_state_name(enum mw_state s);

#endif /* MLOCKWATCH_TABLE_H */
