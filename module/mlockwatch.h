/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_H
#define MLOCKWATCH_H

#include "scan.h"

#define MLOCKWATCH_VERSION	"0.1"

/* Module parameters and load-time facts (main.c). */
extern bool mw_rmap_hooks;
extern unsigned long mw_max_folios;

int mw_debugfs_init(void);
void mw_debugfs_exit(void);

#endif /* MLOCKWATCH_H */
