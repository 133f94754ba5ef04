/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading mlockwatch's folios.bin (include/mlockwatch/format.h): the
 * header checked, then one record at a time. Pure: a FILE in, records
 * and messages out, so that tests/host/folios_bin_test.c runs it.
 */
#ifndef MLOCKFOLIOS_FOLIOS_BIN_H
#define MLOCKFOLIOS_FOLIOS_BIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <mlockwatch/format.h>

struct fb_reader {
	FILE *f;
	const char *name;		/* for messages */
	unsigned int header_size, record_size;
	unsigned long long records;	/* read so far */
};

/* 0, or -1 with a one-line reason in @err. */
int fb_open(struct fb_reader *r, FILE *f, const char *name, char *err,
	    size_t len);
/* 1 with a record in @out, 0 at the end, -1 with a reason in @err. */
int fb_next(struct fb_reader *r, struct mw_folio_record *out, char *err,
	    size_t len);

/* "?" for a number this build does not know. */
const char *fb_verdict_name(unsigned int v);
const char *fb_state_name(unsigned int s);
bool fb_verdict_is_error(unsigned int v);
/* The number of a verdict or state name, or -1. */
int fb_verdict_of(const char *name);
int fb_state_of(const char *name);

#endif
