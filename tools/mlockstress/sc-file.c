// SPDX-License-Identifier: GPL-2.0
/*
 * Page cache: tmpfs (and --path) files locked through more than one
 * mapping or process, cut under the locks by punch and truncate, and
 * locked on fault where fault-around maps more than was touched.
 */
#include "mlockstress.h"

/*
 * Page cache: a shared writable and a private read-only mapping of each
 * file, so locked file pages have one or two mappings, while holes are
 * punched and files truncated under the locks.
 */
int sc_file(struct ctx *c)
{
	struct sfile f[2];
	struct region r[4] = { { .verify = true }, { 0 },
			       { .verify = true }, { 0 } };
	size_t nf = c->o->path ? 2 : 1, npages = size_pages(c, 2 * nf);
	size_t j;
	bool punch_ok[2] = { true, true };
	int ret = -1;

	for (j = 0; j < 2; j++)
		sfile_init(&f[j]);
	for (j = 0; j < nf; j++) {
		if (sfile_open(c, &f[j], j ? c->o->path : NULL,
			       npages * page_size) ||
		    r_map(c, &r[2 * j], npages, page_size,
			  PROT_READ | PROT_WRITE, MAP_SHARED, &f[j], false) ||
		    r_map(c, &r[2 * j + 1], npages, page_size, PROT_READ,
			  MAP_PRIVATE, &f[j], false))
			goto out;
	}
	while (more(c)) {
		size_t ri = rnd(c, 2 * nf), i, n;
		struct region *rr = &r[ri];
		struct sfile *ff = &f[ri / 2];
		char buf[4096];

		step(c);
		pick_range(c, npages, 1, &i, &n);
		switch (rnd(c, 9)) {
		case 0: case 1:
			ret = r_lock(c, rr, i, n, false);
			break;
		case 2:
			ret = r_lock(c, rr, i, n, true);
			break;
		case 3: case 4:
			ret = r_unlock(c, rr, i, n);
			break;
		case 5:
			r_touch(c, rr, i, n, true);
			ret = 0;
			break;
		case 6:
			count(c, OP_PREAD);
			ret = 0;
			if (pread(ff->fd, buf, sizeof(buf), i * page_size) < 0)
				ret = surprise(c, "pread", errno, "page %zu",
					       i);
			break;
		case 7:
			/* holes under locked mappings: zapped and munlocked */
			count(c, OP_PUNCH);
			if (!punch_ok[ri / 2]) {
				ret = 0;
				break;
			}
			ret = fallocate(ff->fd, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE, i * page_size,
					n * page_size);
			if (ret && errno == EOPNOTSUPP) {
				refused(c);
				info(c, "no hole punching on %s", ff->path);
				punch_ok[ri / 2] = false;
				ret = 0;
			} else if (ret) {
				ret = surprise(c, "fallocate(PUNCH_HOLE)",
					       errno, "page %zu + %zu", i, n);
			} else {
				file_zapped(r, 2 * nf, ff, i, n);
			}
			break;
		case 8:
			/* truncate away the tail and grow back at once */
			count(c, OP_TRUNCATE);
			if (ftruncate(ff->fd, i * page_size) ||
			    ftruncate(ff->fd, ff->len)) {
				ret = surprise(c, "ftruncate", errno,
					       "to page %zu and back", i);
				break;
			}
			file_zapped(r, 2 * nf, ff, i, npages - i);
			ret = 0;
			break;
		}
		if (ret || checkpoint(c, r, 2 * nf, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
out:
	for (j = 0; j < 2 * nf; j++)
		r_unmap_all(c, &r[j]);
	for (j = 0; j < nf; j++)
		sfile_close(c, &f[j]);
	return c->failed ? -1 : ret;
}

/*
 * Both processes lock the whole file before either goes on, so every
 * folio has two locking mappings at least once; then each locks and
 * unlocks on its own.  Contents are not checked: both write.
 */
static int shared_side(struct ctx *c, struct sfile *f, size_t npages,
		       int rfd, int wfd)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_UNLOCK, A_UNLOCK, A_WRITE, A_READ,
	};
	struct region r = { 0 };
	int ret = -1;

	if (r_map(c, &r, npages, page_size, PROT_READ | PROT_WRITE,
		  MAP_SHARED, f, false))
		goto out;
	if (r_lock(c, &r, 0, npages, false) || checkpoint(c, &r, 1, "lock"))
		goto out;
	if (sync_send(wfd) || sync_wait(rfd)) {
		surprise(c, "sync", errno, "the other process is gone");
		goto out;
	}
	ret = r_loop(c, &r, acts, ARRAY_SIZE(acts), 1, 0);
out:
	r_unmap_all(c, &r);
	if (!c->failed)
		check_vmlck(c, "munmap");
	return c->failed ? -1 : ret;
}

int sc_shared(struct ctx *c)
{
	size_t npages = size_pages(c, 2);
	unsigned long errs = c->res->errors;
	struct sfile f;
	int p2c[2], c2p[2], ret;
	pid_t pid;

	if (sfile_open(c, &f, NULL, npages * page_size)) {
		sfile_close(c, &f);
		return -1;
	}
	if (pipe2(p2c, O_CLOEXEC)) {
		sfile_close(c, &f);
		return surprise(c, "pipe", errno, "");
	}
	if (pipe2(c2p, O_CLOEXEC)) {
		surprise(c, "pipe", errno, "");
		close(p2c[0]);
		close(p2c[1]);
		sfile_close(c, &f);
		return -1;
	}
	fflush(NULL);
	count(c, OP_FORK);
	pid = fork();
	if (pid < 0) {
		ret = surprise(c, "fork", errno, "");
		close(p2c[0]);
		close(p2c[1]);
		close(c2p[0]);
		close(c2p[1]);
	} else if (pid == 0) {
		struct ctx cc = *c;

		cc.rng = rng_seed(c->o->seed, c->name, 1);
		cc.budget = c->budget / 2;
		cc.locked = 0;
		close(p2c[1]);
		close(c2p[0]);
		_exit(shared_side(&cc, &f, npages, p2c[0], c2p[1]) ? 1 : 0);
	} else {
		close(p2c[0]);
		close(c2p[1]);
		c->budget -= c->budget / 2;
		ret = shared_side(c, &f, npages, c2p[0], p2c[1]);
		close(p2c[1]);
		close(c2p[0]);
		if (reap(c, pid, errs))
			ret = -1;
	}
	sfile_close(c, &f);
	return c->failed ? -1 : ret;
}

/* How many pages of [a, a + n pages) have a present PTE. */
static long present_pages(const char *a, size_t n)
{
	uint64_t e;
	long present = 0;
	size_t k;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (k = 0; k < n; k++) {
		off_t off = ((uintptr_t)a / page_size + k) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e))
			break;
		present += (e >> 63) & 1;
	}
	close(fd);
	return present;
}

/*
 * MLOCK_ONFAULT locks without populating; faults then lock page by page,
 * and a read fault in a file mapping maps (and so locks) its cached
 * neighbours too: fault-around.
 */
int sc_onfault(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK_ONFAULT, A_LOCK_ONFAULT, A_WRITE, A_READ, A_LOCK,
		A_UNLOCK,
	};
	size_t nf = c->o->path ? 2 : 1, npages = size_pages(c, 2 + 2 * nf), j;
	struct sfile f[2];
	struct region r[3] = { { .verify = true } };
	long around = -1;
	int ret = -1;

	for (j = 0; j < 2; j++)
		sfile_init(&f[j]);
	if (r_map(c, &r[0], npages, page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false))
		goto out;
	for (j = 0; j < nf; j++)
		if (sfile_open(c, &f[j], j ? c->o->path : NULL,
			       npages * page_size) ||
		    r_map(c, &r[1 + j], npages, page_size, PROT_READ,
			  MAP_SHARED, &f[j], false))
			goto out;
	while (more(c)) {
		size_t ri = rnd(c, 1 + nf), i, n;
		struct region *rr = &r[ri];

		step(c);
		if (ri && !rnd(c, 4)) {
			/*
			 * A fresh mapping of a fully cached file, locked
			 * on fault: one read should map its neighbours.
			 */
			struct sfile *ff = rr->file;
			long p;

			r_unmap_all(c, rr);
			if (r_map(c, rr, npages, page_size, PROT_READ,
				  MAP_SHARED, ff, false) ||
			    r_lock(c, rr, 0, npages, true))
				break;
			i = rnd(c, npages);
			r_touch(c, rr, i, 1, false);
			p = present_pages(rr->addr, npages);
			if (p > around)
				around = p;
		} else {
			pick_range(c, npages, 1, &i, &n);
			if (r_act(c, rr, acts[rnd(c, ARRAY_SIZE(acts))], i, n))
				break;
		}
		if (checkpoint(c, r, 1 + nf, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
	if (around >= 0)
		info(c, "one read fault in a fresh MLOCK_ONFAULT file mapping mapped up to %ld pages",
		     around);
out:
	for (j = 0; j < 1 + nf; j++)
		r_unmap_all(c, &r[j]);
	for (j = 0; j < nf; j++)
		sfile_close(c, &f[j]);
	return c->failed ? -1 : ret;
}
