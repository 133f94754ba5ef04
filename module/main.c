// SPDX-License-Identifier: GPL-2.0
/*
 * mlockwatch: watch the kernel's mlock accounting while it happens.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>

#include "mlockwatch.h"

static int __init mlockwatch_init(void)
{
	int err;

	err = mw_debugfs_init();
	if (err)
		return err;
	pr_info("loaded (version %s)\n", MLOCKWATCH_VERSION);
	return 0;
}

static void __exit mlockwatch_exit(void)
{
	mw_debugfs_exit();
	pr_info("unloaded\n");
}

module_init(mlockwatch_init);
module_exit(mlockwatch_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadow mlock accounting checker");
MODULE_VERSION(MLOCKWATCH_VERSION);
