// SPDX-License-Identifier: GPL-2.0
/*
 * Walks over every PFN: at load, to give the folios that were already
 * PG_mlocked an entry ("preexisting": their history is unknown, so every
 * later comparison for them is a delta since load), and for the "scan"
 * control verb, which finds what no hook could have seen: PG_mlocked
 * folios the table does not know (unwitnessed-set), and entries whose
 * folio lost PG_mlocked without a witnessed cause (unwitnessed-clear).
 *
 * Flags are read without locks, head pages only. A folio split or freed
 * during the walk may be seen in its old or its new shape; a candidate
 * met while a THP split is running is counted as transient, not reported.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "judge.h"
#include "scan.h"
#include "table.h"

struct mw_preexisting mw_preexisting;

static DEFINE_MUTEX(mw_scan_lock);
static struct mw_scan_result mw_last_scan;

/**
 * mw_next_zone() - the next populated zone, in node and zone order
 * @zone: the zone the walk is at, or NULL to begin
 *
 * The kernel's for_each_populated_zone() is built on helpers that are not
 * exported; this is the same walk over the online nodes.
 *
 * Return: the zone, or NULL after the last one.
 */
struct zone *mw_next_zone(struct zone *zone)
{
	int nid = zone ? zone_to_nid(zone) : first_online_node;
	int i = zone ? zone_idx(zone) + 1 : 0;

	for (; nid < MAX_NUMNODES; nid = next_online_node(nid), i = 0) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (; i < MAX_NR_ZONES; i++)
			if (populated_zone(&pgdat->node_zones[i]))
				return &pgdat->node_zones[i];
	}
	return NULL;
}

/*
 * A walk gives the CPU up once per this many PFNs: often enough for a
 * walk of every PFN to stay preemptible, rarely enough that the check
 * costs nothing next to the flag reads.
 */
#define MW_WALK_RESCHED_PFNS	1024

/*
 * Calls @fn for every online head page with PG_mlocked, once each. Zones
 * may overlap (a node's ZONE_MOVABLE inside its ZONE_NORMAL span, nodes
 * interleaved in the PFN space), so like kmemleak's scan a PFN counts
 * only in the zone its page belongs to.
 */
static unsigned long mw_walk_mlocked(void (*fn)(unsigned long pfn,
						struct folio *folio, void *priv),
				     void *priv)
{
	unsigned long scanned = 0, pfn, end;
	struct zone *zone;

	mw_for_each_zone(zone) {
		end = zone_end_pfn(zone);
		for (pfn = zone->zone_start_pfn; pfn < end; pfn++) {
			struct page *page = pfn_to_online_page(pfn);
			struct folio *folio;

			if (IS_ALIGNED(pfn, MW_WALK_RESCHED_PFNS))
				cond_resched();
			if (!page || page_zone(page) != zone || PageTail(page))
				continue;
			scanned++;
			folio = page_folio(page);
			if (folio_test_mlocked(folio))
				fn(pfn, folio, priv);
		}
	}
	return scanned;
}

static void mw_preexisting_one(unsigned long pfn, struct folio *folio,
			       void *priv)
{
	struct mw_preexisting *p = priv;

	p->folios++;
	p->pages += folio_nr_pages(folio);
	mw_table_add_preexisting(pfn, folio_order(folio));
}

void mw_preexisting_scan(struct mw_preexisting *p)
{
	memset(p, 0, sizeof(*p));
	p->pfns_scanned = mw_walk_mlocked(mw_preexisting_one, p);
}

static void mw_scan_one(unsigned long pfn, struct folio *folio, void *priv)
{
	struct mw_scan_result *r = priv;

	r->mlocked_folios++;
	if (mw_table_lookup(pfn, NULL))
		return;
	if (mw_table_splits_in_flight()) {
		r->transient++;
		return;
	}
	/* Recheck: the hook makes the entry before the flag is set. */
	if (!folio_test_mlocked(folio) || mw_table_lookup(pfn, NULL))
		return;
	if (!mw_table_add_unwitnessed(pfn, folio_order(folio)))
		r->untracked++;
}

#define MW_SCAN_CHUNK	64

/**
 * mw_scan() - the "scan" control verb
 *
 * First every PFN, for PG_mlocked folios without an entry (each gets an
 * entry in state unwitnessed, so that folios and mismatches show it),
 * then every entry, for its verdict. Error verdicts fire the tracepoint.
 */
void mw_scan(void)
{
	struct mw_scan_result r = { };
	struct mw_entry_view *buf;
	unsigned long pos = 0;
	unsigned int n, i;

	buf = kmalloc_array(MW_SCAN_CHUNK, sizeof(*buf), GFP_KERNEL);
	mutex_lock(&mw_scan_lock);
	r.runs = mw_last_scan.runs + 1;
	r.pfns = mw_walk_mlocked(mw_scan_one, &r);
	while (buf && (n = mw_table_walk(&pos, buf, MW_SCAN_CHUNK))) {
		for (i = 0; i < n; i++) {
			struct mw_folio_now f;
			enum mw_verdict v;

			r.entries++;
			v = mw_judge(&buf[i], &f);
			if (v == MW_V_UNWITNESSED_SET)
				r.unwitnessed_set++;
			else if (v == MW_V_UNWITNESSED_CLEAR)
				r.unwitnessed_clear++;
			else if (v == MW_V_OVERCOUNT)
				r.overcount++;
		}
		cond_resched();
	}
	if (!buf)
		r.untracked = ULONG_MAX;	/* could not walk the table */
	mw_last_scan = r;
	mutex_unlock(&mw_scan_lock);
	kfree(buf);
	pr_info("scan: %lu PFNs, %lu PG_mlocked folios, %lu entries: %lu unwitnessed-set, %lu unwitnessed-clear, %lu overcount, %lu transient\n",
		r.pfns, r.mlocked_folios, r.entries, r.unwitnessed_set,
		r.unwitnessed_clear, r.overcount, r.transient);
}

void mw_scan_show(struct seq_file *m)
{
	struct mw_scan_result r;

	mutex_lock(&mw_scan_lock);
	r = mw_last_scan;
	mutex_unlock(&mw_scan_lock);
	seq_printf(m, "scan_runs: %lu\n", r.runs);
	seq_printf(m, "scan_pfns: %lu\n", r.pfns);
	seq_printf(m, "scan_mlocked_folios: %lu\n", r.mlocked_folios);
	seq_printf(m, "scan_entries: %lu\n", r.entries);
	seq_printf(m, "scan_unwitnessed_set: %lu\n", r.unwitnessed_set);
	seq_printf(m, "scan_unwitnessed_clear: %lu\n", r.unwitnessed_clear);
	seq_printf(m, "scan_overcount: %lu\n", r.overcount);
	seq_printf(m, "scan_transient: %lu\n", r.transient);
	seq_printf(m, "scan_untracked: %lu\n", r.untracked);
}
