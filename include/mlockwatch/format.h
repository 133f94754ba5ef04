/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockwatch debugfs formats, shared by the module and by user-space tools.
 *
 * Every file under /sys/kernel/debug/mlockwatch/ starts with a line
 * "format: N". N changes whenever a field is removed, renamed or changes
 * meaning; new fields are only ever appended, and readers must skip keys
 * they do not know.
 */
#ifndef MLOCKWATCH_FORMAT_H
#define MLOCKWATCH_FORMAT_H

#define MLOCKWATCH_DEBUGFS_DIR		"mlockwatch"

/*
 * summary: "key: value" lines.
 *   format: 1
 *   version: the module version
 *   kernel: the release the module was built for
 */
#define MLOCKWATCH_SUMMARY_FORMAT	1

#endif /* MLOCKWATCH_FORMAT_H */
