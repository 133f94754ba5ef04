// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs views under /sys/kernel/debug/mlockwatch/. Formats are
 * documented in include/mlockwatch/format.h.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#include <linux/err.h>

#include <mlockwatch/format.h>
#include "mlockwatch.h"

static struct dentry *mw_dir;

static int summary_show(struct seq_file *m, void *v)
{
	seq_printf(m, "format: %d\n", MLOCKWATCH_SUMMARY_FORMAT);
	seq_printf(m, "version: %s\n", MLOCKWATCH_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(summary);

int mw_debugfs_init(void)
{
	mw_dir = debugfs_create_dir(MLOCKWATCH_DEBUGFS_DIR, NULL);
	if (IS_ERR(mw_dir))
		return PTR_ERR(mw_dir);
	debugfs_create_file("summary", 0400, mw_dir, NULL, &summary_fops);
	return 0;
}

void mw_debugfs_exit(void)
{
	debugfs_remove(mw_dir);
}
