/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MW_ARGP_ERR_H
#define MW_ARGP_ERR_H

#include <stdio.h>

/*
 * A stream for argp's state->err_stream that passes on only the lines
 * starting with @prefix ("PROG: "), so that a usage error is one line on
 * stderr: argp follows its "PROG: message" line with a "Try `PROG
 * --help'..." one, and getopt has already printed its own line for an
 * unknown option. Lines may arrive in pieces of any size. @prefix must
 * outlive the stream. stderr when the stream cannot be made.
 */
FILE *argp_err_stream(const char *prefix);

#endif
