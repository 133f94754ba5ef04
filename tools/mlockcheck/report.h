/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockcheck --report FILE: one plain-text file for a bug report (the
 * kernel and its config, mlockwatch's state and views, the verdict, every
 * mismatch and the stacks of the mlockwatch_mismatch tracepoint).
 */
#ifndef MLOCKCHECK_REPORT_H
#define MLOCKCHECK_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "judge.h"
#include "output.h"

/*
 * Before the run: creates FILE's temporary twin (so that a FILE that
 * cannot be written fails now, not after the run) and, with the module,
 * a tracefs instance of its own recording the tracepoint's stacks.
 * Returns 0, or -errno when FILE cannot be created.
 */
int report_begin(const char *path, bool have_mod, char *const *cmd);
/* Moves what the tracepoint recorded out of the kernel's ring buffer. */
void report_poll(void);
/* After the verdict: writes FILE (atomically); 0 or -errno. */
int report_end(const struct check *c, const struct final *fin);

/* Exposed for the host unit test. */
void report_clean_line(char *line);
bool report_looks_like_address(const char *s, size_t len);

#endif /* MLOCKCHECK_REPORT_H */
