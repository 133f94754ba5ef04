/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MLOCKWATCH_PREEXISTING_H
#define MLOCKWATCH_PREEXISTING_H

struct mw_preexisting {
	unsigned long folios;
	unsigned long pages;
	unsigned long pfns_scanned;
};

void mw_preexisting_scan(struct mw_preexisting *p);

#endif /* MLOCKWATCH_PREEXISTING_H */
