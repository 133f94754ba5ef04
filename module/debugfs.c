// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs views under /sys/kernel/debug/mlockwatch/, all root-only.
 * Formats are documented and versioned in include/mlockwatch/format.h.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kallsyms.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include <mlockwatch/format.h>
#include "compat.h"
#include "control.h"
#include "hooks.h"
#include "judge.h"
#include "mlockwatch.h"
#include "folios.h"
#include "mms.h"
#include "scan.h"
#include "table.h"
#include "vmstat.h"
#include "witness.h"

static struct dentry *mw_dir;

static const char *const mw_keys[MW_NR_SUMMARY_KEYS] = {
#define MW_SUMMARY_KEY(id, key) \
	[MW_KEY_##id] = #key,
#include <mlockwatch/summary_keys.h>
#undef MW_SUMMARY_KEY
};

/*
 * A figure only the NR_MLOCK writer hook makes: "-" without it
 * (attribute_writers=0), where a 0 would read as "no write seen".
 */
static void summary_writer_long(struct seq_file *m, const char *key, long v)
{
	if (mw_attribute_writers)
		seq_printf(m, "%s: %ld\n", key, v);
	else
		seq_printf(m, "%s: -\n", key);
}

static int summary_show(struct seq_file *m, void *v)
{
	struct mw_witness_totals w;
	struct mw_table_stats t;
	struct mw_vmstat now, base;
	long identity_events, witnessed_delta;
	char first[KSYM_SYMBOL_LEN];	/* witness.c keeps the name so */
	int i;

	mw_vmstat_read(&now);
	mw_control_baseline(&base);
	mw_witness_read(&w);

	seq_printf(m, "format: %d\n", MLOCKWATCH_SUMMARY_FORMAT);
	seq_printf(m, "version: %s\n", MLOCKWATCH_VERSION);
	seq_printf(m, "kernel: %s\n", init_utsname()->release);
	seq_printf(m, "rmap_hooks: %d\n", mw_rmap_hooks);
	seq_printf(m, "%s: %d\n", mw_keys[MW_KEY_ATTRIBUTE_WRITERS],
		   mw_attribute_writers);
	seq_printf(m, "%s: %d\n", mw_keys[MW_KEY_INCOMPLETE], mw_control_incomplete());
	seq_printf(m, "%s: ", mw_keys[MW_KEY_INCOMPLETE_REASONS]);
	mw_control_show_incomplete(m);
	seq_puts(m, "selftest: ");
	mw_control_show_selftest(m);
	seq_printf(m, "preexisting_folios: %lu\n", mw_preexisting.folios);
	seq_printf(m, "preexisting_pages: %lu\n", mw_preexisting.pages);

	seq_printf(m, "%s: %ld\n", mw_keys[MW_KEY_NR_MLOCK], now.nr_mlock);
	seq_printf(m, "nr_mlock_at_load: %ld\n", base.nr_mlock);
	seq_printf(m, "nr_mlock_delta: %ld\n", now.nr_mlock - base.nr_mlock);
	for (i = 0; i < MW_NR_EV; i++) {
		seq_printf(m, "%s: %lu\n", mw_ev_names[i], now.ev[i]);
		seq_printf(m, "%s_at_load: %lu\n", mw_ev_names[i], base.ev[i]);
	}

	witnessed_delta = (long)(w.mlocked_pages - w.munlocked_pages -
				 w.stranded_pages - w.cleared_pages);
	summary_writer_long(m, mw_keys[MW_KEY_WITNESSED_MLOCKED],
			    (long)w.mlocked_pages);
	seq_printf(m, "%s: %lu\n", mw_keys[MW_KEY_WITNESSED_MUNLOCKED], w.munlocked_pages);
	seq_printf(m, "%s: %lu\n", mw_keys[MW_KEY_WITNESSED_STRANDED], w.stranded_pages);
	seq_printf(m, "%s: %lu\n", mw_keys[MW_KEY_WITNESSED_CLEARED], w.cleared_pages);
	summary_writer_long(m, "witnessed_nr_mlock_delta", witnessed_delta);
	for (i = 0; i < MW_NR_CAUSES; i++) {
		char key[32];

		if (i == MW_CAUSE_UNKNOWN)
			continue;
		snprintf(key, sizeof(key), "nr_mlock_by_%s", mw_cause_name(i));
		summary_writer_long(m, key, w.nr_mlock_by[i]);
	}
	summary_writer_long(m, "nr_mlock_unattributed",
			    w.nr_mlock_by[MW_CAUSE_UNKNOWN]);
	summary_writer_long(m, "nr_mlock_unattributed_writes",
			    (long)w.unattributed_writes);
	mw_witness_first_unattributed(first, sizeof(first));
	seq_printf(m, "nr_mlock_unattributed_first_caller: %s\n",
		   mw_attribute_writers ? first : "-");
	seq_printf(m, "witnessed_culled_in_batch: %lu\n", w.culled_in_batch);
	seq_printf(m, "witnessed_rescued_in_batch: %lu\n", w.rescued_in_batch);
	seq_printf(m, "mlock_calls: %lu\n", w.mlock_calls);
	seq_printf(m, "mlock_new_calls: %lu\n", w.mlock_new_calls);
	seq_printf(m, "munlock_calls: %lu\n", w.munlock_calls);
	seq_printf(m, "splits: %lu\n", w.splits);
	seq_printf(m, "mlocked_splits: %lu\n", w.mlocked_splits);
	seq_printf(m, "rmap_locked_adds: %lu\n", w.rmap_locked_adds);
	seq_printf(m, "rmap_locked_removes: %lu\n", w.rmap_locked_removes);
	seq_printf(m, "rmap_last_locked_pid: %d\n", mw_witness_last_locked_pid());
	seq_printf(m, "missed_events: %lu\n", mw_hooks_missed());
	seq_printf(m, "unreliable_batches: %lu\n", w.unreliable_batches);
	seq_printf(m, "remote_drains: %lu\n", w.remote_drains);
	/* Signed: see format.h. */
	seq_printf(m, "remote_munlocked_pages: %ld\n", (long)w.remote_munlocked);
	seq_printf(m, "remote_stranded_pages: %ld\n", (long)w.remote_stranded);

	/* The since-boot identity: needs no hook and no drain. */
	identity_events = (long)(now.ev[MW_EV_MLOCKED] - now.ev[MW_EV_MUNLOCKED] -
				 now.ev[MW_EV_STRANDED] - now.ev[MW_EV_CLEARED]);
	seq_printf(m, "identity_nr_mlock: %ld\n", now.nr_mlock);
	seq_printf(m, "identity_events: %ld\n", identity_events);
	seq_printf(m, "identity_diff: %ld\n", now.nr_mlock - identity_events);

	mw_table_stats(&t);
	seq_printf(m, "table_entries: %lu\n", t.entries);
	seq_printf(m, "table_max_folios: %lu\n", t.max_entries);
	seq_printf(m, "table_buckets: %lu\n", t.buckets);
	seq_printf(m, "table_full: %lu\n", t.full);
	seq_printf(m, "table_alloc_failures: %lu\n", t.alloc_failures);
	seq_printf(m, "table_allocator: %s\n", mw_entry_allocator());
	seq_printf(m, "table_stale: %lu\n", t.stale);
	seq_printf(m, "table_preexisting: %lu\n", t.preexisting);
	seq_printf(m, "table_resolved: %lu\n", t.resolved);
	seq_printf(m, "table_kept: %lu\n", t.kept);
	seq_printf(m, "table_max_kept: %lu\n", t.max_kept);
	seq_printf(m, "table_reaped: %lu\n", t.reaped);
	seq_printf(m, "table_reap_runs: %lu\n", t.reap_runs);
	seq_printf(m, "table_freed: %lu\n", t.freed);
	seq_printf(m, "table_freed_mlocked: %lu\n", t.freed_mlocked);
	seq_printf(m, "table_split_entries: %lu\n", t.split_entries);
	seq_printf(m, "table_locked_sections: %lu\n", t.locked_sections);
	seq_printf(m, "table_free_lockless: %lu\n", t.free_lockless);
	seq_printf(m, "munlock_untracked: %lu\n", t.munlock_untracked);
	seq_printf(m, "%s: %ld\n", mw_keys[MW_KEY_TRACED_UNWITNESSED_SET],
		   mw_judge_traced(MW_V_UNWITNESSED_SET));
	seq_printf(m, "%s: %ld\n", mw_keys[MW_KEY_TRACED_UNWITNESSED_CLEAR],
		   mw_judge_traced(MW_V_UNWITNESSED_CLEAR));
	seq_printf(m, "%s: %ld\n", mw_keys[MW_KEY_TRACED_OVERCOUNT],
		   mw_judge_traced(MW_V_OVERCOUNT));
	mw_scan_show(m);
	mw_mms_show_summary(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(summary);

static int hooks_show(struct seq_file *m, void *v)
{
	seq_printf(m, "format: %d\n", MLOCKWATCH_HOOKS_FORMAT);
	mw_hooks_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hooks);

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[MW_CONTROL_WRITE_MAX];
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* One whole verb per write, from the start: no pieces, no offsets. */
	if (*ppos || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	err = mw_control_write(buf, len);
	return err ?: len;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = control_write,
};

int mw_debugfs_init(void)
{
	mw_dir = debugfs_create_dir(MLOCKWATCH_DEBUGFS_DIR, NULL);
	if (IS_ERR(mw_dir))
		return PTR_ERR(mw_dir);
	debugfs_create_file("summary", 0400, mw_dir, NULL, &summary_fops);
	debugfs_create_file("hooks", 0400, mw_dir, NULL, &hooks_fops);
	debugfs_create_file("control", 0200, mw_dir, NULL, &control_fops);
	mw_folios_create(mw_dir);
	mw_mms_create(mw_dir);
	return 0;
}

void mw_debugfs_exit(void)
{
	debugfs_remove(mw_dir);
}
