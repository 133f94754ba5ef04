/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_VMSTAT_H
#define MLOCKWATCH_VMSTAT_H

#include <linux/mm.h>
#include <linux/vmstat.h>

/* The unevictable_pgs_* events, in /proc/vmstat order. */
enum mw_ev {
#define MW_EVENT(id, ...) MW_EV_##id,
#include <mlockwatch/events.h>
#undef MW_EVENT
	MW_NR_EV,
};

extern const char *const mw_ev_names[MW_NR_EV];

struct mw_vmstat {
	long nr_mlock;			/* exact: zone atomics + every CPU's diff */
	unsigned long ev[MW_NR_EV];	/* summed over every possible CPU */
};

void mw_vmstat_read(struct mw_vmstat *v);

/* This CPU's raw event counter; for deltas taken with preemption off. */
unsigned long mw_vmstat_this_cpu_event(enum mw_ev ev);
/* The kernel's event item behind @ev, for reading another CPU's counter. */
enum vm_event_item mw_vmstat_item(enum mw_ev ev);

#endif /* MLOCKWATCH_VMSTAT_H */
