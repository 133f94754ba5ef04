// SPDX-License-Identifier: GPL-2.0
/*
 * mlockwatch: watch the kernel's mlock accounting while it happens.
 *
 * Data flows one way: kernel event -> hooks.c (decoded by compat.c) ->
 * witness.c -> views in debugfs.c. See module/README for the context and
 * locking rules.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/init.h>
#include <linux/utsname.h>

#include "control.h"
#include "hooks.h"
#include "mlockwatch.h"

bool mw_rmap_hooks = true;
module_param_named(rmap_hooks, mw_rmap_hooks, bool, 0444);
MODULE_PARM_DESC(rmap_hooks, "Hook the rmap add/remove paths for attribution (default on; the hottest hooks)");

static char *mw_force_missing = "";
module_param_named(force_missing_symbol, mw_force_missing, charp, 0444);
MODULE_PARM_DESC(force_missing_symbol, "Testing only: treat this kernel symbol as absent");

struct mw_preexisting mw_preexisting;

static int __init mlockwatch_init(void)
{
	int err;

	/* Baseline first, so that nothing the hooks see predates it. */
	mw_control_init();
	err = mw_hooks_init(mw_rmap_hooks, mw_force_missing);
	if (err)
		return err;
	mw_preexisting_scan(&mw_preexisting);
	err = mw_debugfs_init();
	if (err) {
		mw_hooks_exit();
		return err;
	}
	pr_info("loaded on %s: %lu folios (%lu pages) were already mlocked\n",
		init_utsname()->release, mw_preexisting.folios,
		mw_preexisting.pages);
	return 0;
}

static void __exit mlockwatch_exit(void)
{
	mw_debugfs_exit();
	mw_hooks_exit();
	pr_info("unloaded\n");
}

module_init(mlockwatch_init);
module_exit(mlockwatch_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadow mlock accounting checker");
MODULE_VERSION(MLOCKWATCH_VERSION);
