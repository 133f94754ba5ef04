/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_MMS_H
#define MLOCKWATCH_MMS_H

#include <linux/sched.h>
#include <linux/seq_file.h>

#include "verdict.h"

struct dentry;

/* One mm as read, in pages. */
struct mw_mm {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long locked_vm, vm_locked;
	long delta;		/* locked_vm - vm_locked */
	enum mw_mm_verdict verdict;
};

/* What the last "scan" found over every mm. */
struct mw_mms_result {
	unsigned long mms, mismatched, transient, driver_charged;
	unsigned long locked_vm, vm_locked, excess, deficit;
	struct mw_mm first;	/* the first mismatched mm */
};

/* A driver's __account_locked_vm() of @pages (< 0: uncharged); any context. */
void mw_mms_driver_charge(long pages);
long mw_mms_driver_pages(void);
/* Part of the "scan" control verb; process context, may sleep. */
void mw_mms_scan(void);
void mw_mms_show_summary(struct seq_file *m);
void mw_mms_create(struct dentry *dir);

#endif /* MLOCKWATCH_MMS_H */
