// SPDX-License-Identifier: GPL-2.0
/*
 * SysV shared memory: SHM_LOCK is another kind of lock than mlock, and
 * the two must not leak into each other's accounting.
 */
#include "mlockstress.h"

/*
 * SysV shm: SHM_LOCK makes the segment's pages unevictable without
 * mlocking them and without touching VmLck; mlock of an attachment does
 * both.  One attachment stays, the other comes and goes, so the segment
 * (removed with IPC_RMID at once, so nothing leaks) lives to the end.
 */
static int shm_state(struct ctx *c, int id, bool want_locked)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return surprise(c, "shmctl(IPC_STAT)", errno, "");
	if (!!(ds.shm_perm.mode & SHM_LOCKED) != want_locked)
		return surprise(c, "shmctl", 0, "SHM_LOCKED is %s, expected %s",
				ds.shm_perm.mode & SHM_LOCKED ? "set" : "clear",
				want_locked ? "set" : "clear");
	return 0;
}

static int shm_attach(struct ctx *c, struct region *r, int id, size_t npages,
		      uint64_t tag)
{
	void *p;

	count(c, OP_SHMAT);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		return surprise(c, "shmat", errno, "");
	if (r_alloc(c, r, npages)) {
		shmdt(p);
		return -1;
	}
	r->addr = p;
	r->prot = PROT_READ | PROT_WRITE;
	r->flags = MAP_SHARED;
	r->tag = tag;
	return 0;
}

static void shm_detach(struct ctx *c, struct region *r)
{
	size_t k;

	if (!r->addr)
		return;
	for (k = 0; k < r->npages; k++)
		if (r->st[k] & S_LOCKED)
			c->locked -= page_size;
	count(c, OP_SHMDT);
	if (shmdt(r->addr))
		surprise(c, "shmdt", errno, "");
	r_release(r);
}

int sc_shm(struct ctx *c)
{
	size_t npages = size_pages(c, 2), i, n;
	struct region r[2] = { { .verify = true }, { 0 } };
	bool shm_locked = false;
	int id, ret = -1;

	id = shmget(IPC_PRIVATE, npages * page_size, IPC_CREAT | 0600);
	if (id < 0) {
		if (errno == ENOSYS)
			return skip(c, "no SysV shm in this kernel");
		return surprise(c, "shmget", errno, "%zu kB",
				npages * page_size / 1024);
	}
	if (shm_attach(c, &r[0], id, npages, splitmix64(&c->rng))) {
		shmctl(id, IPC_RMID, NULL);
		return -1;
	}
	if (shmctl(id, IPC_RMID, NULL)) {
		surprise(c, "shmctl(IPC_RMID)", errno, "");
		goto out;
	}
	r_touch(c, &r[0], 0, npages, true);
	while (more(c)) {
		struct region *rr = &r[rnd(c, 2)];
		int rc = 0;

		step(c);
		pick_range(c, npages, 1, &i, &n);
		switch (rnd(c, 8)) {
		case 0:
			count(c, OP_SHM_LOCK);
			if (shmctl(id, SHM_LOCK, NULL))
				rc = lock_failed(c, "shmctl(SHM_LOCK)", NULL,
						 npages * page_size, errno);
			shm_locked = true;
			break;
		case 1:
			count(c, OP_SHM_UNLOCK);
			if (shmctl(id, SHM_UNLOCK, NULL))
				rc = surprise(c, "shmctl(SHM_UNLOCK)", errno,
					      "");
			shm_locked = false;
			break;
		case 2:
			if (r[1].addr)
				shm_detach(c, &r[1]);
			else
				rc = shm_attach(c, &r[1], id, npages, 0);
			break;
		case 3: case 4:
			if (rr->addr)
				rc = r_lock(c, rr, i, n, false);
			break;
		case 5: case 6:
			if (rr->addr)
				rc = r_unlock(c, rr, i, n);
			break;
		case 7:
			/* only the first attachment writes: it checks */
			r_touch(c, &r[0], i, n, true);
			break;
		}
		if (rc || shm_state(c, id, shm_locked) ||
		    checkpoint(c, r, 2, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
out:
	if (shm_locked && shmctl(id, SHM_UNLOCK, NULL))
		surprise(c, "shmctl(SHM_UNLOCK)", errno, "");
	shm_detach(c, &r[1]);
	shm_detach(c, &r[0]);
	return c->failed ? -1 : ret;
}
