/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_SCAN_H
#define MLOCKWATCH_SCAN_H

#include <linux/seq_file.h>

struct zone;

/* Every populated zone of every online node. */
struct zone *mw_next_zone(struct zone *zone);
#define mw_for_each_zone(zone) \
	for ((zone) = mw_next_zone(NULL); (zone); (zone) = mw_next_zone(zone))

struct mw_preexisting {
	unsigned long folios;
	unsigned long pages;
	unsigned long pfns_scanned;
};

/* What the last "scan" found. */
struct mw_scan_result {
	unsigned long runs, pfns, mlocked_folios, entries;
	unsigned long unwitnessed_set, unwitnessed_clear, overcount;
	unsigned long transient;	/* skipped: a THP split was running */
	unsigned long untracked;	/* unknown, but the table is incomplete */
};

extern struct mw_preexisting mw_preexisting;

/* At load, after the hooks: count PG_mlocked folios, give them entries. */
void mw_preexisting_scan(struct mw_preexisting *p);
/* The "scan" control verb; process context, may sleep. */
void mw_scan(void);
void mw_scan_show(struct seq_file *m);

#endif /* MLOCKWATCH_SCAN_H */
