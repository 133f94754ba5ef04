/* SPDX-License-Identifier: GPL-2.0 */
/* The one clock the tools time with, inline so one-file tools need no link. */
#ifndef MW_TOOLS_CLOCK_H
#define MW_TOOLS_CLOCK_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC: intervals survive the wall clock being set. */
static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* MW_TOOLS_CLOCK_H */
