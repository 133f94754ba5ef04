/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_CONTROL_H
#define MLOCKWATCH_CONTROL_H

#include <linux/seq_file.h>
#include "vmstat.h"

void mw_control_init(void);
/*
 * The bytes one control write may have: the longest verb ("selftest")
 * and its newline, with room to spare. A write this long or longer is no
 * verb and is refused whole, before anything is copied.
 */
#define MW_CONTROL_WRITE_MAX	16

/* Parse and run one control verb; process context, may sleep. */
int mw_control_write(const char *buf, size_t len);

/* The baseline every delta is taken against: load time or the last reset. */
void mw_control_baseline(struct mw_vmstat *v);
/* Why the module cannot be exact, as "a, b"; "none" when it can. */
void mw_control_show_incomplete(struct seq_file *m);
bool mw_control_incomplete(void);
void mw_control_show_selftest(struct seq_file *m);

#endif /* MLOCKWATCH_CONTROL_H */
