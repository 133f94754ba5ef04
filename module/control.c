// SPDX-License-Identifier: GPL-2.0
/*
 * The control verbs and the state they change:
 *
 *   reset     take a new baseline and zero the witnessed counters
 *             (meant for a quiet system: hooks running meanwhile may be
 *             counted on either side)
 *   drain     empty every CPU's mlock and lru_add batches
 *   selftest  drain, then check that every hook that must fire has
 *             (must_fire in the hooks view) and that the witnessed
 *             counters equal vmstat's deltas; if not, the module is
 *             incomplete and says which hook or counter
 *   scan      walk every PFN and every table entry for the verdicts no
 *             hook can reach (unwitnessed-set, unwitnessed-clear), and
 *             every mm for its locked_vm (mms.c)
 *
 * Everything here runs in process context under mw_control_lock and may
 * sleep; the hooks never take it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "control.h"
#include "mlockwatch.h"
#include "hooks.h"
#include "mms.h"
#include "scan.h"
#include "table.h"
#include "witness.h"

static DEFINE_MUTEX(mw_control_lock);
static struct mw_vmstat mw_baseline;
static char mw_selftest_result[160] = "not run";
static bool mw_selftest_failed;

void mw_control_init(void)
{
	mw_vmstat_read(&mw_baseline);
}

void mw_control_baseline(struct mw_vmstat *v)
{
	mutex_lock(&mw_control_lock);
	*v = mw_baseline;
	mutex_unlock(&mw_control_lock);
}

static int mw_sysctl_rw(const char *path, char *val, size_t len, bool write)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (write) {
		n = kernel_write(f, val, strlen(val), &pos);
	} else {
		n = kernel_read(f, val, len - 1, &pos);
		if (n >= 0)
			val[n] = '\0';
	}
	filp_close(f, NULL);
	return n < 0 ? n : 0;
}

/*
 * None of the kernel's drain functions is exported, and calling one
 * through a kallsyms-resolved pointer faults on IBT hardware (Debian 6.12
 * seals unexported functions' ENDBR). The compaction sysctl handler calls
 * lru_add_drain_all(), which drains the mlock batches too; with
 * compact_unevictable_allowed at 0 for the duration, the compaction it
 * also runs leaves mlocked pages where they are.
 */
static int mw_drain(void)
{
	static const char allowed[] = "/proc/sys/vm/compact_unevictable_allowed";
	char old[16];	/* a sysctl bool: "0" or "1" and a newline */
	int err, err2;

	err = mw_sysctl_rw(allowed, old, sizeof(old), false);
	if (err)
		return err;
	err = mw_sysctl_rw(allowed, "0", 0, true);
	if (err)
		return err;
	err = mw_sysctl_rw("/proc/sys/vm/compact_memory", "1", 0, true);
	err2 = mw_sysctl_rw(allowed, strim(old), 0, true);
	return err ?: err2;
}

static void mw_reset(void)
{
	mw_witness_reset();
	mw_table_reset();
	mw_vmstat_read(&mw_baseline);
	strscpy(mw_selftest_result, "not run", sizeof(mw_selftest_result));
	mw_selftest_failed = false;
}

/* The witnessed counters the selftest holds against vmstat's deltas. */
struct mw_selftest_check {
	const char *name;
	enum mw_ev ev;
	unsigned long witnessed;
};

static int mw_selftest(void)
{
	struct mw_witness_totals w;
	struct mw_selftest_check checks[4];
	struct mw_vmstat now;
	const char *silent;
	unsigned int i;
	int err;

	err = mw_drain();
	if (err)
		return err;
	mw_witness_read(&w);
	mw_vmstat_read(&now);
	checks[0] = (struct mw_selftest_check){ "mlocked_pages", MW_EV_MLOCKED, w.mlocked_pages };
	checks[1] = (struct mw_selftest_check){ "munlocked_pages", MW_EV_MUNLOCKED, w.munlocked_pages };
	checks[2] = (struct mw_selftest_check){ "stranded_pages", MW_EV_STRANDED, w.stranded_pages };
	checks[3] = (struct mw_selftest_check){ "cleared_pages", MW_EV_CLEARED, w.cleared_pages };

	mw_selftest_failed = true;
	silent = mw_hooks_first_silent();
	if (silent) {
		snprintf(mw_selftest_result, sizeof(mw_selftest_result),
			 "fail: hook %s has not fired", silent);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(checks); i++) {
		unsigned long d = now.ev[checks[i].ev] -
				  mw_baseline.ev[checks[i].ev];

		/* Only the writer hook witnesses NR_MLOCK increments. */
		if (d == checks[i].witnessed ||
		    (checks[i].ev == MW_EV_MLOCKED && !mw_attribute_writers))
			continue;
		snprintf(mw_selftest_result, sizeof(mw_selftest_result),
			 "fail: witnessed %s %lu != %s delta %lu",
			 checks[i].name, checks[i].witnessed,
			 mw_ev_names[checks[i].ev], d);
		goto out;
	}
	mw_selftest_failed = false;
	strscpy(mw_selftest_result, "pass", sizeof(mw_selftest_result));
out:
	pr_info("selftest: %s\n", mw_selftest_result);
	return 0;
}

int mw_control_write(const char *buf, size_t len)
{
	char verb[MW_CONTROL_WRITE_MAX];
	int err;

	/* One verb, optionally newline-terminated; nothing else. */
	if (!len || len >= sizeof(verb) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(verb, buf, len);
	verb[len] = '\0';
	if (verb[len - 1] == '\n')
		verb[len - 1] = '\0';

	mutex_lock(&mw_control_lock);
	if (!strcmp(verb, "reset")) {
		mw_reset();
		err = 0;
	} else if (!strcmp(verb, "drain")) {
		err = mw_drain();
	} else if (!strcmp(verb, "selftest")) {
		err = mw_selftest();
	} else if (!strcmp(verb, "scan")) {
		mw_scan();
		mw_mms_scan();
		err = 0;
	} else {
		err = -EINVAL;
	}
	mutex_unlock(&mw_control_lock);
	return err;
}

bool mw_control_incomplete(void)
{
	struct mw_witness_totals w;

	mw_witness_read(&w);
	return READ_ONCE(mw_selftest_failed) || mw_hooks_missed() ||
	       w.unreliable_batches || mw_table_incomplete();
}

void mw_control_show_incomplete(struct seq_file *m)
{
	struct mw_witness_totals w;
	const char *sep = "";

	mw_witness_read(&w);
	if (!mw_control_incomplete()) {
		seq_puts(m, "none\n");
		return;
	}
	if (mw_hooks_missed()) {
		seq_printf(m, "%shooks missed %lu events (see hooks)", sep,
			   mw_hooks_missed());
		sep = ", ";
	}
	if (w.unreliable_batches) {
		seq_printf(m, "%s%lu batches not counted exactly (their CPU changed, or a dead CPU's drain could not read another CPU's batches at rest)",
			   sep, w.unreliable_batches);
		sep = ", ";
	}
	if (mw_table_incomplete()) {
		struct mw_table_stats t;

		mw_table_stats(&t);
		if (t.full || t.alloc_failures) {
			seq_printf(m, "%sshadow table lost %lu folios (max_folios %lu reached %lu times, %lu allocations failed)",
				   sep, t.full + t.alloc_failures, t.max_entries,
				   t.full, t.alloc_failures);
			sep = ", ";
		}
		if (t.queued_lost) {
			seq_printf(m, "%s%lu queued mlocks not followed to their batch (a CPU's queue of %u overflowed)",
				   sep, t.queued_lost, MW_QUEUED_MAX);
			sep = ", ";
		}
	}
	if (READ_ONCE(mw_selftest_failed))
		seq_printf(m, "%sselftest %s", sep, mw_selftest_result);
	seq_putc(m, '\n');
}

void mw_control_show_selftest(struct seq_file *m)
{
	mutex_lock(&mw_control_lock);
	seq_printf(m, "%s\n", mw_selftest_result);
	mutex_unlock(&mw_control_lock);
}
