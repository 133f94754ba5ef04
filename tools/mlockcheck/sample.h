/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the kernel's counters and mlockwatch's views into a sample. */
#ifndef MLOCKCHECK_SAMPLE_H
#define MLOCKCHECK_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include <mlockwatch/format.h>

#include "judge.h"

#define MW_DIR		"/sys/kernel/debug/" MLOCKWATCH_DEBUGFS_DIR

/* One line of the mms view (include/mlockwatch/format.h). */
struct mms_line {
	int pid;
	char comm[64], verdict[32];
	unsigned long long locked_vm, vm_locked;
	long long delta;
};

/* When set (-p/-c), read_mms() keeps only the pids it accepts. */
extern bool (*mms_keep)(int pid);

bool module_loaded(void);
bool lockdown_parse(const char *line, char *level, size_t size);
const char *lockdown_level(void);
const char *lockdown_prefix(void);
void read_module(struct sample *s);
void read_mms(struct sample *s);
void read_vmstat(struct sample *s);
void parse_summary_line(struct sample *s, char *line);
bool mms_error_line(const char *line, struct mms_line *m);
int write_file(const char *path, const char *val);
int format_refusal(const char *view, int known, const char *first_line,
		   char *msg, size_t len);
int module_format_check(const char *dir, char *msg, size_t len);
int quiesce(void);

#endif /* MLOCKCHECK_SAMPLE_H */
