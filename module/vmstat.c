// SPDX-License-Identifier: GPL-2.0
/*
 * Reading NR_MLOCK and the unevictable_pgs_* events exactly.
 *
 * /proc/vmstat shows NR_MLOCK without the per-CPU diffs (up to the stat
 * threshold per CPU and zone behind) and clamps it at 0, so the module
 * sums zone->vm_stat with every CPU's vm_stat_diff itself. The read is
 * not atomic against concurrent updates: it is exact when the system is
 * quiet, and within the updates in flight otherwise.
 */
#include <linux/mmzone.h>
#include <linux/cpumask.h>
#include <linux/percpu.h>
#include <linux/mm.h>
#include <linux/vmstat.h>

#include "scan.h"
#include "vmstat.h"

static const enum vm_event_item mw_ev_items[MW_NR_EV] = {
#define MW_EVENT(id, ...) \
	[MW_EV_##id] = UNEVICTABLE_PG##id,
#include <mlockwatch/events.h>
#undef MW_EVENT
};

const char *const mw_ev_names[MW_NR_EV] = {
#define MW_EVENT(id, name) \
	[MW_EV_##id] = "unevictable_pgs_" #name,
#include <mlockwatch/events.h>
#undef MW_EVENT
};

static long mw_exact_nr_mlock(void)
{
	struct zone *zone;
	long sum = 0;
	int cpu;

	/* A dead CPU's diffs are folded away, so possible CPUs cover all. */
	mw_for_each_zone(zone) {
		sum += atomic_long_read(&zone->vm_stat[NR_MLOCK]);
		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu_ptr(zone->per_cpu_zonestats,
						     cpu)->vm_stat_diff[NR_MLOCK]);
	}
	return sum;
}

void mw_vmstat_read(struct mw_vmstat *v)
{
	int cpu, i;

	v->nr_mlock = mw_exact_nr_mlock();
	for (i = 0; i < MW_NR_EV; i++) {
		v->ev[i] = 0;
		for_each_possible_cpu(cpu)
			v->ev[i] += READ_ONCE(per_cpu(vm_event_states, cpu).event[mw_ev_items[i]]);
	}
}

enum vm_event_item mw_vmstat_item(enum mw_ev ev)
{
	return mw_ev_items[ev];
}

unsigned long mw_vmstat_this_cpu_event(enum mw_ev ev)
{
	return __this_cpu_read(vm_event_states.event[mw_ev_items[ev]]);
}
