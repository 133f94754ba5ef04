// SPDX-License-Identifier: GPL-2.0
/*
 * The folios that were already PG_mlocked when the module loaded. Their
 * mlock history is unknown, so every later comparison is a delta since
 * load, never an absolute sum: on a busy test box that is the only honest
 * baseline.
 */
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>

#include "preexisting.h"

/**
 * mw_preexisting_scan() - count the folios PG_mlocked right now
 * @p: the result
 *
 * Walks every online PFN of every populated zone, looking at head pages
 * only. Flags are read without locks: a folio split or freed during the
 * walk may be counted in its old or its new shape, which is why the
 * result is only a baseline and never compared against.
 */
void mw_preexisting_scan(struct mw_preexisting *p)
{
	int nid, i;

	memset(p, 0, sizeof(*p));
	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);

		for (i = 0; i < MAX_NR_ZONES; i++) {
			struct zone *zone = &pgdat->node_zones[i];
			unsigned long pfn, end;

			if (!populated_zone(zone))
				continue;
			end = zone_end_pfn(zone);
			for (pfn = zone->zone_start_pfn; pfn < end; pfn++) {
				struct page *page = pfn_to_online_page(pfn);
				struct folio *folio;

				if (!(pfn & 1023))
					cond_resched();
				if (!page || PageTail(page))
					continue;
				p->pfns_scanned++;
				folio = page_folio(page);
				if (!folio_test_mlocked(folio))
					continue;
				p->folios++;
				p->pages += folio_nr_pages(folio);
			}
		}
	}
}
