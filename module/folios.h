/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_FOLIOS_H
#define MLOCKWATCH_FOLIOS_H

struct dentry;

/* The folios and mismatches files under @dir. */
void mw_folios_create(struct dentry *dir);

#endif /* MLOCKWATCH_FOLIOS_H */
