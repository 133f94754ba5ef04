// SPDX-License-Identifier: GPL-2.0
/*
 * Locks across fork: mlockall only ever in a child, so that the parent's
 * VmLck stays exact, and COW of locked pages on either side of a fork.
 */
#include "mlockstress.h"

/*
 * mlockall in a child, so the parent is never left locked.  VmLck can't
 * be predicted (every mapping of the process counts), but it must match
 * smaps, and a probe mapping made after each call shows whether
 * MCL_FUTURE took: locked or not, populated or not.
 */
static int mlockall_probe(struct ctx *c, int future, size_t npages)
{
	size_t len = npages * page_size, k, res = 0;
	unsigned char vec[256];
	long before, after, want;
	char *p;

	before = vmlck_kb();
	count(c, OP_MMAP);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return surprise(c, "mmap", errno, "probe of %zu kB",
				len / 1024);
	after = vmlck_kb();
	want = future ? (long)(len / 1024) : 0;
	if (after - before != want) {
		surprise(c, "mmap", 0,
			 "with mlockall(%s) VmLck grew by %ld kB, expected %ld kB",
			 !future ? "no MCL_FUTURE" : future & MCL_ONFAULT ?
			 "MCL_FUTURE|MCL_ONFAULT" : "MCL_FUTURE",
			 after - before, want);
		goto out;
	}
	if (mincore(p, len, vec)) {
		surprise(c, "mincore", errno, "probe");
		goto out;
	}
	for (k = 0; k < npages; k++)
		res += vec[k] & 1;
	/* MCL_FUTURE populates new mappings, unless MCL_ONFAULT */
	if (future && !(future & MCL_ONFAULT) && res != npages)
		surprise(c, "mmap", 0, "MCL_FUTURE mapping has %zu of %zu pages resident",
			 res, npages);
	else if ((!future || (future & MCL_ONFAULT)) && res)
		surprise(c, "mmap", 0, "%s mapping has %zu pages resident before any touch",
			 future ? "MCL_ONFAULT" : "unlocked", res);
	for (k = 0; k < npages; k += 2)
		p[k * page_size] = 1;
out:
	count(c, OP_MUNMAP);
	munmap(p, len);
	if (!c->failed && vmlck_kb() != before)
		surprise(c, "munmap", 0, "VmLck is %ld kB after unmapping the probe, was %ld kB",
			 vmlck_kb(), before);
	return c->failed ? -1 : 0;
}

static int mlockall_child(struct ctx *c, unsigned long chunk)
{
	static const int flag_sets[] = {
		MCL_CURRENT, MCL_CURRENT | MCL_ONFAULT, MCL_FUTURE,
		MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT | MCL_FUTURE,
		MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT,
	};
	size_t npages = size_pages(c, 4), probe = npages < 256 ? npages : 256;
	int future = 0;
	unsigned long steps = 0;
	char *a;

	count(c, OP_MMAP);
	a = mmap(NULL, npages * page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return surprise(c, "mmap", errno, "%zu pages", npages);
	memset(a, 1, npages * page_size / 2);
	while (more(c) && steps++ < chunk) {
		int flags;

		step(c);
		switch (rnd(c, 5)) {
		case 0: case 1: case 2:
			flags = flag_sets[rnd(c, ARRAY_SIZE(flag_sets))];
			count(c, OP_MLOCKALL);
			if (mlockall(flags))
				return lock_failed(c, "mlockall", NULL, 0,
						   errno);
			future = flags & MCL_FUTURE ?
				 flags & (MCL_FUTURE | MCL_ONFAULT) : 0;
			break;
		case 3:
			count(c, OP_MUNLOCKALL);
			if (munlockall())
				return surprise(c, "munlockall", errno, "");
			future = 0;
			if (vmlck_kb() != 0)
				return surprise(c, "munlockall", 0,
						"VmLck is %ld kB after munlockall",
						vmlck_kb());
			break;
		case 4:
			/* MCL_ONFAULT alone is documented EINVAL */
			count(c, OP_MLOCKALL);
			if (!mlockall(MCL_ONFAULT))
				return surprise(c, "mlockall(MCL_ONFAULT)", 0,
						"succeeded without MCL_CURRENT or MCL_FUTURE");
			if (errno != EINVAL)
				return surprise(c, "mlockall(MCL_ONFAULT)",
						errno, "expected EINVAL");
			break;
		}
		if (mlockall_probe(c, future, probe) ||
		    check_vmlck_vs_smaps(c, "mlockall"))
			return -1;
		count(c, OP_TOUCH);
		a[rnd(c, npages) * page_size]++;
	}
	/* half the time leave it to exit to drop the locks */
	if (rnd(c, 2)) {
		count(c, OP_MUNLOCKALL);
		if (munlockall())
			return surprise(c, "munlockall", errno, "");
		if (vmlck_kb() != 0)
			return surprise(c, "munlockall", 0,
					"VmLck is %ld kB after munlockall",
					vmlck_kb());
	}
	return 0;
}

int sc_mlockall(struct ctx *c)
{
	unsigned int n = 0;

	while (more(c)) {
		unsigned long errs = c->res->errors, before = c->res->steps;
		pid_t pid;

		fflush(NULL);
		count(c, OP_FORK);
		n++;
		pid = fork();
		if (pid < 0)
			return surprise(c, "fork", errno, "");
		if (pid == 0) {
			struct ctx cc = *c;

			cc.rng = rng_seed(c->o->seed, c->name, n);
			_exit(mlockall_child(&cc, 64) ? 1 : 0);
		}
		if (reap(c, pid, errs))
			return -1;
		c->done += c->res->steps - before;
		if (vmlck_kb() != c->vmlck_base)
			return surprise(c, "fork", 0,
					"the parent's VmLck changed to %ld kB",
					vmlck_kb());
	}
	return c->failed ? -1 : 0;
}

/*
 * fork with locked VMAs: the child must not inherit VM_LOCKED, sees the
 * parent's data, and both sides' COW writes stay their own.  The
 * parent's COW in a locked VMA mlocks the new page and munlocks the old.
 */
static int cow_child(struct ctx *c, struct region *r, int rfd, int wfd)
{
	size_t i, n;

	c->locked = 0;
	c->vmlck_base = 0;
	for (i = 0; i < r->npages; i++)
		r->st[i] &= ~(S_LOCKED | S_ONFAULT);
	if (check_vmlck(c, "fork") || r_check(c, r))
		return -1;
	if (sync_send(wfd) || sync_wait(rfd))
		return surprise(c, "sync", errno, "parent gone");
	/* the parent has written since: our copy must not have changed */
	if (r_check(c, r))
		return -1;
	pick_range(c, r->npages, 1, &i, &n);
	count(c, OP_COW);
	r_touch(c, r, i, n, true);
	pick_range(c, r->npages, 1, &i, &n);
	if (r_lock(c, r, i, n, false) || checkpoint(c, r, 1, "child"))
		return -1;
	return 0;	/* exit drops the child's locks */
}

int sc_fork_cow(struct ctx *c)
{
	struct region r = { .verify = true };
	int ret = -1;

	if (r_map(c, &r, size_pages(c, 1), page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false))
		return -1;
	r_touch(c, &r, 0, r.npages, true);
	if (r_lock(c, &r, 0, r.npages / 2, false))
		goto out;
	while (more(c)) {
		unsigned long errs = c->res->errors;
		int p2c[2], c2p[2];
		size_t i, n;
		pid_t pid;

		step(c);
		pick_range(c, r.npages, 1, &i, &n);
		if (r_act(c, &r, rnd(c, 2) ? A_LOCK : A_UNLOCK, i, n))
			break;
		if (pipe2(p2c, O_CLOEXEC)) {
			surprise(c, "pipe", errno, "");
			break;
		}
		if (pipe2(c2p, O_CLOEXEC)) {
			surprise(c, "pipe", errno, "");
			close(p2c[0]);
			close(p2c[1]);
			break;
		}
		fflush(NULL);
		count(c, OP_FORK);
		pid = fork();
		if (pid < 0) {
			surprise(c, "fork", errno, "");
			close(p2c[0]);
			close(p2c[1]);
			close(c2p[0]);
			close(c2p[1]);
			break;
		}
		if (pid == 0) {
			struct ctx cc = *c;

			cc.rng = rng_seed(c->o->seed, c->name,
					  (unsigned int)c->done);
			close(p2c[1]);
			close(c2p[0]);
			_exit(cow_child(&cc, &r, p2c[0], c2p[1]) ? 1 : 0);
		}
		close(p2c[0]);
		close(c2p[1]);
		if (sync_wait(c2p[0])) {
			close(p2c[1]);
			close(c2p[0]);
			reap(c, pid, errs);
			if (!c->failed)
				surprise(c, "sync", errno, "child gone");
			break;
		}
		/* COW while the child still shares every page */
		pick_range(c, r.npages, 1, &i, &n);
		count(c, OP_COW);
		r_touch(c, &r, i, n, true);
		ret = checkpoint(c, &r, 1, "cow");
		sync_send(p2c[1]);
		close(p2c[1]);
		close(c2p[0]);
		if (reap(c, pid, errs) || ret || checkpoint(c, &r, 1, "reap"))
			break;
	}
	ret = c->failed ? -1 : 0;
out:
	r_unmap_all(c, &r);
	return c->failed ? -1 : ret;
}
