// SPDX-License-Identifier: GPL-2.0
/*
 * The per-role behaviour of the hooks: what a hit of each role tells the
 * witness (witness.c), the shadow table (table.c) and the mms side
 * (mms.c). hooks.c attaches the hooks and calls into mw_roles[] by role;
 * nothing here knows whether a role is an ftrace hook, a kretprobe or a
 * tracepoint.
 *
 * Context: every handler may run in any context, hardirq included, and
 * must not sleep (module/README).
 */
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "mms.h"
#include "roles.h"
#include "table.h"
#include "witness.h"

/* The hit's arguments as struct mw_args, with @batch to fill, or NULL. */
static void mw_hit_decode(const struct mw_hit *hit, struct mw_args *a,
			  struct mw_batch *batch)
{
	memset(a, 0, sizeof(*a));
	a->batch = batch;
	hit->sym->decode(hit->raw, a);
}

/*
 * mod_zone_page_state(zone, item, delta): NR_MLOCK only. item is an enum
 * passed in a 64-bit register whose upper half the ABI leaves undefined,
 * so only its low 32 bits say which item it is.
 */
static bool mw_is_nr_mlock(const unsigned long *raw)
{
	return (enum zone_stat_item)(u32)raw[1] == NR_MLOCK;
}

static void mw_on_nr_mlock_write(const struct mw_hit *hit)
{
	mw_witness_nr_mlock_write(hit->caller, (long)hit->raw[2]);
}

static void mw_on_mlock(const struct mw_hit *hit)
{
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_witness_mlock();
	mw_table_mlock(a.folio, false);
}

static void mw_on_mlock_new(const struct mw_hit *hit)
{
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_witness_mlock_new();
	mw_table_mlock(a.folio, true);
}

static void mw_on_rmap_add(const struct mw_hit *hit)
{
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_witness_rmap(&a, true);
	if (a.vma && (a.vma->vm_flags & VM_LOCKED))
		mw_table_rmap_add(a.folio, a.vma);
}

static void mw_on_rmap_remove(const struct mw_hit *hit)
{
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_witness_rmap(&a, false);
	if (a.vma && (a.vma->vm_flags & VM_LOCKED))
		mw_table_rmap_remove(a.folio, a.nr_pages, a.munlocks_whole);
}

/* mm_page_free(page, order), in raw[0] and raw[1]. */
static void mw_on_free(const struct mw_hit *hit)
{
	struct page *page = (struct page *)hit->raw[0];

	mw_witness_free(page);
	mw_table_free(page_to_pfn(page));
}

/* The batch decoded at its entry: too big for the kretprobe's stack. */
static DEFINE_PER_CPU(struct mw_batch, mw_batch_buf);

struct mw_batch_data {
	struct mw_batch_window w;
	struct mw_batch_ops ops;
};

static void mw_on_batch_enter(const struct mw_hit *hit)
{
	struct mw_batch_data *d = hit->data;
	struct mw_batch *batch;
	struct mw_args a;

	mw_witness_batch_enter(&d->w);
	/* Preemption is off in the batch (the mlock local_lock). */
	batch = this_cpu_ptr(&mw_batch_buf);
	batch->nr = 0;
	mw_hit_decode(hit, &a, batch);
	mw_witness_batch_munlocks(batch);
	mw_table_batch_enter(batch, &d->ops, d->w.remote);
}

static void mw_on_batch_exit(void *data, unsigned long ret)
{
	struct mw_batch_data *d = data;

	mw_witness_batch_exit(&d->w);
	mw_table_batch_exit(&d->ops);
}

static void mw_on_drain_remote_enter(const struct mw_hit *hit)
{
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_table_remote_drain(a.cpu);
	mw_witness_remote_drain(true);
}

static void mw_on_drain_remote_exit(void *data, unsigned long ret)
{
	mw_witness_remote_drain(false);
	mw_table_remote_drain(-1);
}

struct mw_split_data {
	struct mw_split_window w;
	unsigned long head_pfn;
	unsigned int old_order;
};

static void mw_on_split_enter(const struct mw_hit *hit)
{
	struct mw_split_data *d = hit->data;
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	mw_witness_split_enter(&d->w, a.folio);
	d->head_pfn = folio_pfn(a.folio);
	d->old_order = folio_order(a.folio);
	mw_table_split_enter();
}

static void mw_on_split_exit(void *data, unsigned long ret)
{
	struct mw_split_data *d = data;
	int err = (int)ret;

	mw_witness_split_exit(&d->w, err);
	mw_table_split_exit(d->head_pfn, d->old_order, !err);
}

/* __account_locked_vm(mm, pages, inc, ...): the signed charge, to exit. */
static void mw_on_driver_locked_vm_enter(const struct mw_hit *hit)
{
	long *pages = hit->data;
	struct mw_args a;

	mw_hit_decode(hit, &a, NULL);
	*pages = a.nr_pages;
}

static void mw_on_driver_locked_vm_exit(void *data, unsigned long ret)
{
	long *pages = data;

	/* A charge over RLIMIT_MEMLOCK fails and changes nothing. */
	if (!ret)
		mw_mms_driver_charge(*pages);
}

/*
 * Only the accounting roles must have fired after a known mlock and
 * munlock: drain_remote fires when a CPU goes offline, split with a THP
 * split, driver_locked_vm with a driver's DMA pin, and the rmap roles are
 * attribution only (6.8+ calls folio_add_anon_rmap_ptes() for swap-in,
 * migration and KSM, never for a new anon page).
 */
const struct mw_role_ops mw_roles[MW_NR_ROLES] = {
	[MW_ROLE_MLOCK] = { .enter = mw_on_mlock, .must_fire = true },
	[MW_ROLE_MLOCK_NEW] = { .enter = mw_on_mlock_new, .must_fire = true },
	[MW_ROLE_BATCH] = {
		.enter = mw_on_batch_enter,
		.exit = mw_on_batch_exit,
		.data_size = sizeof(struct mw_batch_data),
		.must_fire = true,
	},
	[MW_ROLE_DRAIN_REMOTE] = {
		.enter = mw_on_drain_remote_enter,
		.exit = mw_on_drain_remote_exit,
	},
	[MW_ROLE_NR_MLOCK_WRITE] = {
		.match = mw_is_nr_mlock,
		.enter = mw_on_nr_mlock_write,
		.must_fire = true,
	},
	[MW_ROLE_FREE] = { .enter = mw_on_free, .must_fire = true },
	[MW_ROLE_SPLIT] = {
		.enter = mw_on_split_enter,
		.exit = mw_on_split_exit,
		.data_size = sizeof(struct mw_split_data),
	},
	[MW_ROLE_RMAP_ADD] = { .enter = mw_on_rmap_add },
	[MW_ROLE_RMAP_REMOVE] = { .enter = mw_on_rmap_remove },
	[MW_ROLE_DRIVER_LOCKED_VM] = {
		.enter = mw_on_driver_locked_vm_enter,
		.exit = mw_on_driver_locked_vm_exit,
		.data_size = sizeof(long),
	},
};
