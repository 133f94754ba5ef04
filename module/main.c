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
#include "scan.h"
#include "table.h"
#include "witness.h"

bool mw_rmap_hooks = true;
module_param_named(rmap_hooks, mw_rmap_hooks, bool, 0444);
MODULE_PARM_DESC(rmap_hooks, "Hook the rmap add/remove paths for attribution (default on; the hottest hooks)");

bool mw_attribute_writers;
module_param_named(attribute_writers, mw_attribute_writers, bool, 0444);
MODULE_PARM_DESC(attribute_writers, "Hook mod_zone_page_state to attribute every NR_MLOCK write to its caller (default off: a callback on every vmstat update; the identity catches a wrong NR_MLOCK without it)");

static char *mw_force_missing = "";
module_param_named(force_missing_symbol, mw_force_missing, charp, 0444);
MODULE_PARM_DESC(force_missing_symbol, "Testing only: treat this kernel symbol as absent");

static unsigned long mw_max_folios = 1UL << 20;

/*
 * Checked while the parameters are parsed, so that a bogus value (not a
 * number) gets the same one-line message, naming the parameter and the
 * range, as one out of range; either refuses the load.
 */
static int mw_max_folios_set(const char *val, const struct kernel_param *kp)
{
	unsigned long n;

	if (!val || kstrtoul(val, 0, &n) || n < MW_MAX_FOLIOS_MIN ||
	    n > MW_MAX_FOLIOS_MAX) {
		pr_err("max_folios=%.32s is invalid: must be a number in %lu..%lu\n",
		       val ?: "", MW_MAX_FOLIOS_MIN, MW_MAX_FOLIOS_MAX);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops mw_max_folios_ops = {
	.set = mw_max_folios_set,
	.get = param_get_ulong,
};

module_param_cb(max_folios, &mw_max_folios_ops, &mw_max_folios, 0444);
MODULE_PARM_DESC(max_folios, "Shadow table capacity in folios, 64..67108864 (default 1048576); beyond it the module says incomplete");

static int __init mlockwatch_init(void)
{
	int err;

	err = mw_table_init(mw_max_folios);
	if (err)
		return err;
	mw_witness_init();
	/* Baseline first, so that nothing the hooks see predates it. */
	mw_control_init();
	err = mw_hooks_init(mw_rmap_hooks, mw_attribute_writers, mw_force_missing);
	if (err)
		goto fail_table;
	/* After the hooks, so that no folio falls between the two. */
	mw_preexisting_scan(&mw_preexisting);
	err = mw_debugfs_init();
	if (err)
		goto fail_hooks;
	pr_info("loaded on %s: %lu folios (%lu pages) were already mlocked\n",
		init_utsname()->release, mw_preexisting.folios,
		mw_preexisting.pages);
	return 0;
fail_hooks:
	mw_hooks_exit();
fail_table:
	mw_table_exit();
	return err;
}

static void __exit mlockwatch_exit(void)
{
	mw_debugfs_exit();
	mw_hooks_exit();
	mw_table_exit();
	pr_info("unloaded\n");
}

module_init(mlockwatch_init);
module_exit(mlockwatch_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Shadow mlock accounting checker");
MODULE_VERSION(MLOCKWATCH_VERSION);
