/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_HOOKS_H
#define MLOCKWATCH_HOOKS_H

#include <linux/seq_file.h>

int mw_hooks_init(bool rmap_hooks, bool writers, const char *force_missing);
void mw_hooks_exit(void);

/* The hooks view: one line per hook. */
void mw_hooks_show(struct seq_file *m);
/*
 * Events the hook mechanisms dropped, over all hooks: kprobe nmissed, and
 * ftrace hits the recursion guard refused.
 */
unsigned long mw_hooks_missed(void);
/*
 * The first hook that must have fired (must_fire in the hooks view) and
 * has not since load, or NULL; for the selftest after a known mlock,
 * munlock and drain.
 */
const char *mw_hooks_first_silent(void);

#endif /* MLOCKWATCH_HOOKS_H */
