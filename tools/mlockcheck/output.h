/* SPDX-License-Identifier: GPL-2.0 */
/* mlockcheck's output: text rows, --json objects and the --csv series. */
#ifndef MLOCKCHECK_OUTPUT_H
#define MLOCKCHECK_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "judge.h"

/*
 * The version of --json's contract, in every object mlockcheck prints:
 * tools/mlockcheck.md says what it covers and what bumps it.
 */
#define MLOCKCHECK_JSON_VERSION	2

/* The final report's context: what ran, and how it ended. */
struct final {
	const char *mode;	/* once, watch, wrap */
	bool exact, have_mod;
	int code, cmd_status;	/* cmd_status -1: no command */
	const char *notes;
	const struct sample *last;	/* the reading judged last */
};

/* @scope: the -p/-c scope's label, NULL without one. */
void output_init(bool json, FILE *csv, const char *scope);
void print_header(void);
void print_row(const struct sample *b, const struct sample *s,
	       const struct check *c, const char *verdict);
void print_final(const struct check *c, const struct final *fin);
/* The final verdict lines, as print_final() writes them without --json. */
void print_final_text(FILE *out, const struct check *c, const struct final *fin);

#endif /* MLOCKCHECK_OUTPUT_H */
