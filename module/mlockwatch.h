/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_H
#define MLOCKWATCH_H

#define MLOCKWATCH_VERSION	"0.1"

/* The rmap_hooks and attribute_writers module parameters (main.c). */
extern bool mw_rmap_hooks;
extern bool mw_attribute_writers;

int mw_debugfs_init(void);
void mw_debugfs_exit(void);

#endif /* MLOCKWATCH_H */
