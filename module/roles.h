/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What each hook role does, apart from how it is attached (hooks.c): one
 * table, indexed by enum mw_role, that the attach plumbing dispatches
 * through. compat.c says which kernel symbols play each role.
 */
#ifndef MLOCKWATCH_ROLES_H
#define MLOCKWATCH_ROLES_H

#include <linux/types.h>

#include "compat.h"

/* One hit of a hook, at the entry of the hooked function. */
struct mw_hit {
	const struct mw_symbol *sym;	/* the candidate attached: its decoder */
	unsigned long raw[MW_MAX_ARGS];	/* the arguments as passed */
	unsigned long caller;		/* ftrace: the hooked call's return address */
	void *data;			/* kretprobe: this instance's data, to exit */
};

/**
 * struct mw_role_ops - the behaviour of one hook role
 * @match: NULL, or whether this call is one the role watches (a hooked
 *         function also called for other things); a call it refuses is
 *         not a hit
 * @enter: at the entry of the hooked function (the tracepoint's firing)
 * @exit: kretprobes: at its return, with the instance's data and the
 *        return value
 * @data_size: kretprobes: the bytes @enter leaves for @exit in @data
 * @must_fire: the hook has fired whenever a known mlock, munlock and
 *             drain have run (the selftest's and the hooks view's
 *             must_fire column); roles that fire only with CPU hotplug,
 *             a THP split, a driver or some rmap paths do not
 *
 * Every handler runs in any context, hardirq included, and never sleeps
 * (module/README).
 */
struct mw_role_ops {
	bool (*match)(const unsigned long *raw);
	void (*enter)(const struct mw_hit *hit);
	void (*exit)(void *data, unsigned long ret);
	size_t data_size;
	bool must_fire;
};

extern const struct mw_role_ops mw_roles[MW_NR_ROLES];

#endif /* MLOCKWATCH_ROLES_H */
