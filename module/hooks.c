// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching to the kernel: the descriptors of compat.c become ftrace_ops,
 * kprobes, kretprobes or tracepoint probes, and every hit is decoded into
 * struct mw_args and handed to the witness.
 *
 * Context: every handler may run in any context, hardirq included (the
 * free tracepoint does), and must not sleep, allocate or take a lock that
 * is not irq-safe. Registration and unregistration run in process context
 * at load and unload only.
 *
 * Every ftrace hook shares one ftrace_ops, whose filter holds all their
 * functions: registering or unregistering an ops patches kernel text and
 * waits for RCU-tasks grace periods, so one ops per hook made loading and
 * unloading several times slower. The handler finds a hook by the traced
 * function's address, through a small lock-free map that each hook's
 * first hit fills in by symbol name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/trace_recursion.h>
#include <linux/tracepoint.h>
#include <linux/utsname.h>

#include "compat.h"
#include "hooks.h"
#include "mms.h"
#include "table.h"
#include "witness.h"

struct mw_hook {
	const struct mw_hook_desc *desc;
	const struct mw_symbol *sym;	/* the candidate this kernel has */
	bool active;
	bool disabled;			/* by the rmap_hooks parameter */
	unsigned long __percpu *hits;
	union {
		struct kretprobe krp;
		struct tracepoint *tp;
	};
};

static struct mw_hook *mw_hooks;

static void mw_ftrace_handler(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *op, struct ftrace_regs *fregs);

static struct ftrace_ops mw_fops = {
	.func = mw_ftrace_handler,
};
static bool mw_fops_registered;

/*
 * Traced function address -> hook index + 1 (0: not known yet). Open
 * addressing on a table far larger than the number of ftrace hooks; a
 * slot's ip is claimed with cmpxchg and its hook published after it.
 */
#define MW_IP_MAP_BITS	6
static struct {
	unsigned long ip;
	unsigned int hook;
} mw_ip_map[1 << MW_IP_MAP_BITS];
static DEFINE_PER_CPU(char [KSYM_SYMBOL_LEN], mw_ip_sym);

static void mw_decode(const struct mw_hook *h, const unsigned long *raw,
		      struct mw_args *a)
{
	memset(a, 0, sizeof(*a));
	h->sym->decode(raw, a);
}

static void mw_dispatch_entry(struct mw_hook *h, const unsigned long *raw,
			      unsigned long caller)
{
	struct mw_args a;

	if (h->desc->role == MW_ROLE_NR_MLOCK_WRITE) {
		/* mod_zone_page_state(zone, item, delta): NR_MLOCK only. */
		if (raw[1] != NR_MLOCK)
			return;
		this_cpu_inc(*h->hits);
		mw_witness_nr_mlock_write(caller, (long)raw[2]);
		return;
	}
	this_cpu_inc(*h->hits);
	mw_decode(h, raw, &a);
	switch (h->desc->role) {
	case MW_ROLE_MLOCK:
		mw_witness_mlock(&a);
		mw_table_mlock(a.folio, false);
		break;
	case MW_ROLE_MLOCK_NEW:
		mw_witness_mlock_new(&a);
		mw_table_mlock(a.folio, true);
		break;
	case MW_ROLE_MUNLOCK:
		mw_witness_munlock(&a);
		mw_table_munlock(a.folio);
		break;
	case MW_ROLE_RMAP_ADD:
		mw_witness_rmap(&a, true);
		if (a.vma && (a.vma->vm_flags & VM_LOCKED))
			mw_table_rmap_add(a.folio, a.vma);
		break;
	case MW_ROLE_RMAP_REMOVE:
		mw_witness_rmap(&a, false);
		if (a.vma && (a.vma->vm_flags & VM_LOCKED))
			mw_table_rmap_remove(a.folio, a.vma, a.nr_pages);
		break;
	default:
		break;
	}
}

/* The ftrace hook whose function is named @sym, or NULL. */
static struct mw_hook *mw_ftrace_hook_named(const char *sym)
{
	unsigned int i;

	for (i = 0; i < mw_nr_hook_descs; i++) {
		struct mw_hook *h = &mw_hooks[i];

		if (h->active && h->desc->mech == MW_MECH_FTRACE &&
		    !strcmp(h->sym->name, sym))
			return h;
	}
	return NULL;
}

/**
 * mw_ftrace_hook() - the hook of the function traced at @ip
 * @ip: the address ftrace passes to the handler
 *
 * The first hit of each function looks its name up (kallsyms, no lock,
 * no allocation) and remembers the answer; later hits cost a hash and a
 * compare. Racing first hits may both look up; one slot wins.
 *
 * Return: the hook, or NULL if @ip is none of ours (the filter makes
 * that impossible; the handler ignores it then).
 */
static struct mw_hook *mw_ftrace_hook(unsigned long ip)
{
	unsigned int n = 1U << MW_IP_MAP_BITS;
	unsigned int slot = hash_long(ip, MW_IP_MAP_BITS);
	unsigned int probes, hook;
	struct mw_hook *h;
	char *buf;

	for (probes = 0; probes < n; probes++, slot = (slot + 1) & (n - 1)) {
		unsigned long cur = READ_ONCE(mw_ip_map[slot].ip);

		if (cur == ip) {
			/* Pairs with the smp_store_release() below. */
			hook = smp_load_acquire(&mw_ip_map[slot].hook);
			if (hook)
				return &mw_hooks[hook - 1];
			break;	/* being published: look it up ourselves */
		}
		if (!cur)
			break;
	}
	buf = this_cpu_ptr(mw_ip_sym);
	sprint_symbol_no_offset(buf, ip);
	h = mw_ftrace_hook_named(buf);
	if (!h)
		return NULL;
	slot = hash_long(ip, MW_IP_MAP_BITS);
	for (probes = 0; probes < n; probes++, slot = (slot + 1) & (n - 1)) {
		unsigned long cur = cmpxchg(&mw_ip_map[slot].ip, 0, ip);

		if (!cur) {
			/* Readers that see the hook see it complete. */
			smp_store_release(&mw_ip_map[slot].hook, h - mw_hooks + 1);
			break;
		}
		if (cur == ip)
			break;
	}
	return h;
}

/*
 * parent_ip is the traced function's return address: its caller. The
 * handler guards against recursion itself (which also disables
 * preemption), so that ftrace calls it directly rather than through
 * ftrace_ops_assist_func(), an extra call on every hit.
 */
static void notrace mw_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				      struct ftrace_ops *op,
				      struct ftrace_regs *fregs)
{
	unsigned long raw[MW_MAX_ARGS];
	struct mw_hook *h;
	int bit, i;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (unlikely(bit < 0))
		return;
	h = mw_ftrace_hook(ip);
	if (likely(h)) {
		for (i = 0; i < MW_MAX_ARGS; i++)
			raw[i] = mw_fregs_arg(fregs, i);
		mw_dispatch_entry(h, raw, parent_ip);
	}
	ftrace_test_recursion_unlock(bit);
}

static void mw_regs_args(struct pt_regs *regs, unsigned long *raw)
{
	int i;

	for (i = 0; i < MW_MAX_ARGS; i++)
		raw[i] = regs_get_kernel_argument(regs, i);
}

/* The batch decoded at its entry: too big for the kretprobe's stack. */
static DEFINE_PER_CPU(struct mw_batch, mw_batch_buf);

union mw_kretprobe_data {
	struct {
		struct mw_batch_window w;
		struct mw_batch_ops ops;
	} batch;
	struct {
		struct mw_split_window w;
		unsigned long head_pfn;
		unsigned int old_order;
	} split;
	long driver_pages;	/* __account_locked_vm(mm, pages, inc, ...) */
};

static int mw_kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct mw_hook *h = container_of(rp, struct mw_hook, krp);
	union mw_kretprobe_data *d = (void *)ri->data;
	unsigned long raw[MW_MAX_ARGS];
	struct mw_args a;

	struct mw_batch *batch;

	this_cpu_inc(*h->hits);
	switch (h->desc->role) {
	case MW_ROLE_BATCH:
		mw_witness_batch_enter(&d->batch.w);
		/* Preemption is off in the batch (the mlock local_lock). */
		batch = this_cpu_ptr(&mw_batch_buf);
		mw_regs_args(regs, raw);
		memset(&a, 0, sizeof(a));
		a.batch = batch;
		batch->nr = 0;
		h->sym->decode(raw, &a);
		mw_table_batch_enter(batch, &d->batch.ops);
		break;
	case MW_ROLE_DRAIN_REMOTE:
		mw_witness_remote_drain(true);
		break;
	case MW_ROLE_SPLIT:
		mw_regs_args(regs, raw);
		mw_decode(h, raw, &a);
		mw_witness_split_enter(&d->split.w, &a);
		d->split.head_pfn = folio_pfn(a.folio);
		d->split.old_order = folio_order(a.folio);
		mw_table_split_enter();
		break;
	case MW_ROLE_DRIVER_LOCKED_VM:
		mw_regs_args(regs, raw);
		mw_decode(h, raw, &a);
		d->driver_pages = a.nr_pages;
		break;
	default:
		break;
	}
	return 0;
}

static int mw_kretprobe_exit(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct kretprobe *rp = get_kretprobe(ri);
	struct mw_hook *h = container_of(rp, struct mw_hook, krp);
	union mw_kretprobe_data *d = (void *)ri->data;
	int ret;

	switch (h->desc->role) {
	case MW_ROLE_BATCH:
		mw_witness_batch_exit(&d->batch.w);
		mw_table_batch_exit(&d->batch.ops);
		break;
	case MW_ROLE_DRAIN_REMOTE:
		mw_witness_remote_drain(false);
		break;
	case MW_ROLE_SPLIT:
		ret = (int)regs_return_value(regs);
		mw_witness_split_exit(&d->split.w, ret);
		mw_table_split_exit(d->split.head_pfn, d->split.old_order, !ret);
		break;
	case MW_ROLE_DRIVER_LOCKED_VM:
		/* A charge over RLIMIT_MEMLOCK fails and changes nothing. */
		if (!regs_return_value(regs))
			mw_mms_driver_charge(d->driver_pages);
		break;
	default:
		break;
	}
	return 0;
}

static void mw_tp_page_free(void *data, struct page *page, unsigned int order)
{
	struct mw_hook *h = data;

	this_cpu_inc(*h->hits);
	mw_witness_free(page, order);
	mw_table_free(page_to_pfn(page));
}

struct mw_tp_lookup {
	const char *name;
	struct tracepoint *tp;
};

static void mw_tp_match(struct tracepoint *tp, void *priv)
{
	struct mw_tp_lookup *l = priv;

	if (!strcmp(tp->name, l->name))
		l->tp = tp;
}

static const char *mw_mech_name(enum mw_mech m)
{
	switch (m) {
	case MW_MECH_FTRACE:
		return "ftrace";
	case MW_MECH_KRETPROBE:
		return "kretprobe";
	case MW_MECH_TRACEPOINT:
		return "tracepoint";
	}
	return "?";
}

/* Try one candidate symbol; 0 when this kernel has it and it is attached. */
static int mw_attach(struct mw_hook *h, const char *name)
{
	struct mw_tp_lookup l = { .name = name };
	int err;

	switch (h->desc->mech) {
	case MW_MECH_FTRACE:
		/* Into the shared filter; mw_hooks_init() registers it once. */
		return ftrace_set_filter(&mw_fops, (unsigned char *)name,
					 strlen(name), 0);
	case MW_MECH_KRETPROBE:
		h->krp.kp.symbol_name = name;
		h->krp.entry_handler = mw_kretprobe_entry;
		h->krp.handler = mw_kretprobe_exit;
		h->krp.data_size = sizeof(union mw_kretprobe_data);
		/* Generous: a miss makes the module incomplete. */
		h->krp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
		return register_kretprobe(&h->krp);
	case MW_MECH_TRACEPOINT:
		for_each_kernel_tracepoint(mw_tp_match, &l);
		if (!l.tp)
			return -ENOENT;
		err = tracepoint_probe_register(l.tp, (void *)mw_tp_page_free, h);
		if (!err)
			h->tp = l.tp;
		return err;
	}
	return -EINVAL;
}

static void mw_detach(struct mw_hook *h)
{
	switch (h->desc->mech) {
	case MW_MECH_FTRACE:
		break;		/* the shared ops goes in mw_hooks_exit() */
	case MW_MECH_KRETPROBE:
		unregister_kretprobe(&h->krp);
		break;
	case MW_MECH_TRACEPOINT:
		tracepoint_probe_unregister(h->tp, (void *)mw_tp_page_free, h);
		break;
	}
	h->active = false;
}

/**
 * mw_hooks_init() - resolve and attach every hook of compat.c
 * @rmap_hooks: attach the rmap attribution hooks too
 * @force_missing: a symbol name to treat as absent (for testing the
 *                 refusal to load on unsupported kernels), or ""
 *
 * For each descriptor the first candidate symbol the kernel has is used.
 * A required descriptor with no candidate fails the load, naming the
 * symbols and the kernel release.
 *
 * Return: 0 or a negative errno; nothing stays attached on failure.
 */
int mw_hooks_init(bool rmap_hooks, const char *force_missing)
{
	unsigned int i;
	int err;

	mw_hooks = kcalloc(mw_nr_hook_descs, sizeof(*mw_hooks), GFP_KERNEL);
	if (!mw_hooks)
		return -ENOMEM;
	memset(mw_ip_map, 0, sizeof(mw_ip_map));
	mw_fops.flags = mw_ftrace_arg_flags;
	for (i = 0; i < mw_nr_hook_descs; i++) {
		struct mw_hook *h = &mw_hooks[i];
		const struct mw_symbol *s;

		h->desc = &mw_hook_descs[i];
		h->hits = alloc_percpu(unsigned long);
		if (!h->hits) {
			err = -ENOMEM;
			goto fail;
		}
		if ((h->desc->flags & MW_HOOK_RMAP) && !rmap_hooks) {
			h->disabled = true;
			continue;
		}
		err = -ENOENT;
		for (s = h->desc->symbols; s->name; s++) {
			if (force_missing && !strcmp(s->name, force_missing))
				continue;
			/* Handlers may fire as soon as it is attached. */
			h->sym = s;
			err = mw_attach(h, s->name);
			if (!err) {
				h->active = true;
				break;
			}
			h->sym = NULL;
		}
		if (err && (h->desc->flags & MW_HOOK_REQUIRED)) {
			char names[160] = "";

			for (s = h->desc->symbols; s->name; s++)
				snprintf(names + strlen(names),
					 sizeof(names) - strlen(names), " %s",
					 s->name);
			pr_err("unsupported kernel %s: required hook '%s' found none of:%s (%s, error %d)\n",
			       init_utsname()->release, h->desc->label, names,
			       mw_mech_name(h->desc->mech), err);
			err = -ENOENT;
			goto fail;
		}
	}
	err = register_ftrace_function(&mw_fops);
	if (err) {
		pr_err("cannot register the ftrace hooks on %s (error %d)\n",
		       init_utsname()->release, err);
		goto fail;
	}
	mw_fops_registered = true;
	return 0;
fail:
	mw_hooks_exit();
	return err;
}

void mw_hooks_exit(void)
{
	unsigned int i;

	if (!mw_hooks)
		return;
	if (mw_fops_registered)
		unregister_ftrace_function(&mw_fops);
	mw_fops_registered = false;
	ftrace_free_filter(&mw_fops);
	for (i = 0; i < mw_nr_hook_descs; i++) {
		struct mw_hook *h = &mw_hooks[i];

		if (h->active) {
			if (h->desc->mech == MW_MECH_KRETPROBE && h->krp.nmissed)
				pr_warn("%s (%s) missed %d events\n", h->desc->label,
					h->sym->name, h->krp.nmissed);
			mw_detach(h);
		}
	}
	/* No tracepoint probe may still be running when hits are freed. */
	tracepoint_synchronize_unregister();
	for (i = 0; i < mw_nr_hook_descs; i++)
		free_percpu(mw_hooks[i].hits);
	kfree(mw_hooks);
	mw_hooks = NULL;
}

static unsigned long mw_hook_hits(const struct mw_hook *h)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(h->hits, cpu));
	return sum;
}

static unsigned long mw_hook_missed(const struct mw_hook *h)
{
	if (!h->active)
		return 0;
	if (h->desc->mech == MW_MECH_KRETPROBE)
		return h->krp.nmissed + h->krp.kp.nmissed;
	return 0;
}

unsigned long mw_hooks_missed(void)
{
	unsigned long sum = 0;
	unsigned int i;

	for (i = 0; i < mw_nr_hook_descs; i++)
		sum += mw_hook_missed(&mw_hooks[i]);
	return sum;
}

const char *mw_hooks_first_silent(void)
{
	unsigned int i;

	for (i = 0; i < mw_nr_hook_descs; i++) {
		const struct mw_hook *h = &mw_hooks[i];

		/*
		 * Only the accounting hooks must have fired after a known
		 * mlock and munlock: drain_remote fires when a CPU goes
		 * offline, split with a THP split, and the rmap hooks are
		 * attribution only; 6.8+ calls folio_add_anon_rmap_ptes for
		 * swap-in, migration and KSM, never for a new anon page.
		 */
		if (!h->active || !(h->desc->flags & MW_HOOK_REQUIRED) ||
		    (h->desc->flags & MW_HOOK_RMAP) ||
		    h->desc->role == MW_ROLE_DRAIN_REMOTE ||
		    h->desc->role == MW_ROLE_SPLIT)
			continue;
		if (!mw_hook_hits(h))
			return h->sym->name;
	}
	return NULL;
}

void mw_hooks_show(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "# hook symbol mechanism required state hits missed\n");
	for (i = 0; i < mw_nr_hook_descs; i++) {
		const struct mw_hook *h = &mw_hooks[i];
		const char *state = h->active ? "active" :
				    h->disabled ? "off" : "absent";

		seq_printf(m, "%s %s %s %s %s %lu %lu\n", h->desc->label,
			   h->sym ? h->sym->name : h->desc->symbols[0].name ?: "-",
			   mw_mech_name(h->desc->mech),
			   h->desc->flags & MW_HOOK_REQUIRED ? "yes" : "no",
			   state, mw_hook_hits(h), mw_hook_missed(h));
	}
}
