// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching to the kernel: the descriptors of compat.c become ftrace_ops,
 * kretprobes or tracepoint probes, and every hit is handed, with its raw
 * arguments, to the handlers of its role in mw_roles[] (roles.c). This
 * file is the plumbing only: attach, detach, the ip map, hit counts and
 * the hooks view; what a hook does is its role's.
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
#include "roles.h"

struct mw_hook {
	const struct mw_hook_desc *desc;
	const struct mw_symbol *sym;	/* the candidate this kernel has */
	bool active;
	bool disabled;			/* by rmap_hooks or attribute_writers */
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

/* ftrace hits dropped by the recursion guard: missed, so incomplete. */
static DEFINE_PER_CPU(unsigned long, mw_recursion_missed);

/*
 * A hit of @h: counted unless its role refuses the call, then handed to
 * the role (roles.c).
 */
static __always_inline void mw_hook_enter(struct mw_hook *h,
					  const struct mw_hit *hit)
{
	const struct mw_role_ops *r = &mw_roles[h->desc->role];

	if (r->match && !r->match(hit->raw))
		return;
	this_cpu_inc(*h->hits);
	r->enter(hit);
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
	struct mw_hit hit;
	struct mw_hook *h;
	int bit, i;

	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (unlikely(bit < 0)) {
		this_cpu_inc(mw_recursion_missed);
		return;
	}
	h = mw_ftrace_hook(ip);
	if (likely(h)) {
		hit.sym = h->sym;
		for (i = 0; i < MW_MAX_ARGS; i++)
			hit.raw[i] = mw_fregs_arg(fregs, i);
		hit.caller = parent_ip;
		hit.data = NULL;
		mw_hook_enter(h, &hit);
	}
	ftrace_test_recursion_unlock(bit);
}

static int mw_kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mw_hook *h = container_of(get_kretprobe(ri), struct mw_hook, krp);
	struct mw_hit hit;
	int i;

	hit.sym = h->sym;
	for (i = 0; i < MW_MAX_ARGS; i++)
		hit.raw[i] = regs_get_kernel_argument(regs, i);
	hit.caller = 0;
	hit.data = ri->data;
	mw_hook_enter(h, &hit);
	return 0;
}

static int mw_kretprobe_exit(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mw_hook *h = container_of(get_kretprobe(ri), struct mw_hook, krp);

	mw_roles[h->desc->role].exit(ri->data, regs_return_value(regs));
	return 0;
}

/*
 * The one tracepoint hooked, mm_page_free(page, order): its arguments
 * become raw[0] and raw[1], as any other hook's would.
 */
static void mw_tp_page_free(void *data, struct page *page, unsigned int order)
{
	struct mw_hook *h = data;
	struct mw_hit hit = {
		.sym = h->sym,
		.raw = { (unsigned long)page, order },
	};

	mw_hook_enter(h, &hit);
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

/*
 * Instances of each kretprobe, for calls in flight at once: generous,
 * because a call without one is missed and makes the module incomplete.
 * Each CPU may be in a hooked call interrupted by another (a batch, then
 * a free in an interrupt).
 */
#define MW_KRETPROBE_MIN_ACTIVE		64
#define MW_KRETPROBE_ACTIVE_PER_CPU	4

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
		h->krp.data_size = mw_roles[h->desc->role].data_size;
		h->krp.maxactive = max_t(int, MW_KRETPROBE_MIN_ACTIVE,
					 MW_KRETPROBE_ACTIVE_PER_CPU *
					 num_possible_cpus());
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

/* Every role attached has the handlers its mechanism calls. */
static bool mw_hook_desc_ok(const struct mw_hook_desc *d)
{
	const struct mw_role_ops *r;

	if (WARN_ON_ONCE(d->role >= MW_NR_ROLES))
		return false;
	r = &mw_roles[d->role];
	return !WARN_ON_ONCE(!r->enter ||
			     (d->mech == MW_MECH_KRETPROBE && !r->exit));
}

/**
 * mw_hooks_init() - resolve and attach every hook of compat.c
 * @rmap_hooks: attach the rmap attribution hooks too
 * @writers: attach the NR_MLOCK writer hook too (attribute_writers)
 * @force_missing: a symbol name to treat as absent (for testing the
 *                 refusal to load on unsupported kernels), or ""
 *
 * For each descriptor the first candidate symbol the kernel has is used.
 * A required descriptor with no candidate fails the load, naming the
 * symbols and the kernel release.
 *
 * Return: 0 or a negative errno; nothing stays attached on failure.
 */
int mw_hooks_init(bool rmap_hooks, bool writers, const char *force_missing)
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
		if (!mw_hook_desc_ok(h->desc)) {
			err = -EINVAL;
			goto fail;
		}
		h->hits = alloc_percpu(unsigned long);
		if (!h->hits) {
			err = -ENOMEM;
			goto fail;
		}
		if (((h->desc->flags & MW_HOOK_RMAP) && !rmap_hooks) ||
		    ((h->desc->flags & MW_HOOK_WRITERS) && !writers)) {
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
	int cpu;

	for (i = 0; i < mw_nr_hook_descs; i++)
		sum += mw_hook_missed(&mw_hooks[i]);
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(*per_cpu_ptr(&mw_recursion_missed, cpu));
	return sum;
}

/* The policy of the selftest: see struct mw_role_ops's must_fire. */
static bool mw_hook_must_fire(const struct mw_hook *h)
{
	return h->active && (h->desc->flags & MW_HOOK_REQUIRED) &&
	       mw_roles[h->desc->role].must_fire;
}

const char *mw_hooks_first_silent(void)
{
	unsigned int i;

	for (i = 0; i < mw_nr_hook_descs; i++) {
		const struct mw_hook *h = &mw_hooks[i];

		if (mw_hook_must_fire(h) && !mw_hook_hits(h))
			return h->sym->name;
	}
	return NULL;
}

void mw_hooks_show(struct seq_file *m)
{
	unsigned int i;

	seq_puts(m, "# hook symbol mechanism required state hits missed must_fire\n");
	for (i = 0; i < mw_nr_hook_descs; i++) {
		const struct mw_hook *h = &mw_hooks[i];
		const char *state = h->active ? "active" :
				    h->disabled ? "off" : "absent";

		seq_printf(m, "%s %s %s %s %s %lu %lu %s\n", h->desc->label,
			   h->sym ? h->sym->name : h->desc->symbols[0].name ?: "-",
			   mw_mech_name(h->desc->mech),
			   h->desc->flags & MW_HOOK_REQUIRED ? "yes" : "no",
			   state, mw_hook_hits(h), mw_hook_missed(h),
			   mw_hook_must_fire(h) ? "yes" : "no");
	}
}
