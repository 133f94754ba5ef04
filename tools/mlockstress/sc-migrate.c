// SPDX-License-Identifier: GPL-2.0
/*
 * Locked pages moved by the kernel: migration between NUMA nodes and
 * compaction.  They may move, never drop out or lose their contents.
 */
#include "mlockstress.h"

static int online_nodes(int *nodes, int max)
{
	char buf[256], *p;
	int n = 0;

	if (read_text("/sys/devices/system/node/online", buf, sizeof(buf)))
		return 1;
	for (p = buf; *p && n < max;) {
		long a = strtol(p, &p, 10), b = a;

		if (*p == '-')
			b = strtol(p + 1, &p, 10);
		for (; a <= b && n < max; a++)
			nodes[n++] = (int)a;
		if (*p != ',')
			break;
		p++;
	}
	return n;
}

/*
 * Locked pages migrate (move_pages, mbind with MPOL_MF_MOVE) and must
 * come back locked, resident and intact.  Raw syscalls: no libnuma.
 */
int sc_migrate(struct ctx *c)
{
	int nodes[64], nn = online_nodes(nodes, 64);
	struct region r = { .verify = true };
	size_t batch = 256, moved = 0, tried = 0;
	void **pages = NULL;
	int *target = NULL, *status = NULL, ret = -1;

	if (nn < 2)
		return skip(c, "%d NUMA node online; migration needs two", nn);
	pages = calloc(batch, sizeof(*pages));
	target = calloc(batch, sizeof(*target));
	status = calloc(batch, sizeof(*status));
	if (!pages || !target || !status) {
		surprise(c, "calloc", ENOMEM, "");
		goto out;
	}
	if (r_map(c, &r, size_pages(c, 1), page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false))
		goto out;
	r_touch(c, &r, 0, r.npages, true);
	if (r_lock(c, &r, 0, r.npages, false))
		goto out;
	while (more(c)) {
		size_t i, n, k;
		int node = nodes[rnd(c, nn)];
		unsigned long mask;
		long rv;

		step(c);
		pick_range(c, r.npages, 1, &i, &n);
		switch (rnd(c, 6)) {
		case 0: case 1:
			if (n > batch)
				n = batch;
			for (k = 0; k < n; k++) {
				pages[k] = r.addr + (i + k) * page_size;
				target[k] = node;
				status[k] = INT_MIN;
			}
			count(c, OP_MOVE_PAGES);
			rv = syscall(SYS_move_pages, 0, n, pages, target,
				     status, MPOL_MF_MOVE);
			if (rv < 0 && errno != EBUSY && errno != EAGAIN &&
			    errno != ENOMEM) {
				surprise(c, "move_pages", errno,
					 "%zu pages to node %d", n, node);
				break;
			}
			if (rv)
				refused(c);
			for (k = 0; rv >= 0 && k < n; k++) {
				tried++;
				if (status[k] == node)
					moved++;
				else if (status[k] < 0 &&
					 status[k] != -EBUSY &&
					 status[k] != -EAGAIN &&
					 status[k] != -ENOMEM &&
					 status[k] != -ENOENT)
					surprise(c, "move_pages", -status[k],
						 "page %zu", i + k);
			}
			break;
		case 2:
			/* bind a range to a node, moving it; then unbind */
			mask = 1ul << node;
			count(c, OP_MBIND);
			if (syscall(SYS_mbind, r.addr + i * page_size,
				    n * page_size, MPOL_BIND, &mask,
				    sizeof(mask) * 8 + 1, MPOL_MF_MOVE)) {
				if (errno == EIO || errno == ENOMEM) {
					refused(c);
				} else {
					surprise(c, "mbind(MPOL_BIND)", errno,
						 "node %d", node);
					break;
				}
			}
			if (checkpoint(c, &r, 1, "mbind"))
				break;
			count(c, OP_MBIND);
			if (syscall(SYS_mbind, r.addr + i * page_size,
				    n * page_size, MPOL_DEFAULT, NULL, 0, 0))
				surprise(c, "mbind(MPOL_DEFAULT)", errno, "");
			break;
		case 3:
			r_lock(c, &r, i, n, false);
			break;
		case 4:
			r_unlock(c, &r, i, n);
			break;
		case 5:
			r_touch(c, &r, i, n, true);
			break;
		}
		if (c->failed || checkpoint(c, &r, 1, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
	info(c, "%d nodes; %zu of %zu pages asked to move landed on the target",
	     nn, moved, tried);
out:
	r_unmap_all(c, &r);
	free(pages);
	free(target);
	free(status);
	return c->failed ? -1 : ret;
}

/*
 * Compaction migrates mlocked pages while compact_unevictable_allowed
 * is 1 (the default): make sure it is, for this scenario.
 */
int sc_compact(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_UNLOCK, A_WRITE, A_READ,
	};
	struct region r = { .verify = true };
	struct knob k = { .saved = false };
	unsigned int compactions = 0;
	int ret = -1;

	if (access("/proc/sys/vm/compact_memory", W_OK))
		return skip(c, "/proc/sys/vm/compact_memory is not writable (%s)",
			    strerror(errno));
	if (!access("/proc/sys/vm/compact_unevictable_allowed", F_OK) &&
	    knob_set(c, &k, "/proc/sys/vm/compact_unevictable_allowed", "1")) {
		surprise(c, "sysctl", errno, "compact_unevictable_allowed=1");
		goto out;
	}
	if (r_map(c, &r, size_pages(c, 1), page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false))
		goto out;
	r_touch(c, &r, 0, r.npages, true);
	while (more(c)) {
		if (rnd(c, 6)) {
			if (r_loop(c, &r, acts, ARRAY_SIZE(acts), 1, 1))
				break;
			continue;
		}
		step(c);
		count(c, OP_COMPACT);
		compactions++;
		if (write_text("/proc/sys/vm/compact_memory", "1")) {
			surprise(c, "compact_memory", errno, "");
			break;
		}
		if (checkpoint(c, &r, 1, "compact"))
			break;
	}
	ret = c->failed ? -1 : 0;
	info(c, "%u compactions", compactions);
out:
	r_unmap_all(c, &r);
	knob_restore(c, &k);
	return c->failed ? -1 : ret;
}
