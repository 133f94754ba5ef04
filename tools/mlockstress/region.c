// SPDX-License-Identifier: GPL-2.0
#include "mlockstress.h"

/* ------------------------------------------------------------------ */
/* files */

void sfile_init(struct sfile *f)
{
	f->fd = -1;
	f->len = 0;
	f->path[0] = '\0';
}

int sfile_open(struct ctx *c, struct sfile *f, const char *dir,
	       size_t len)
{
	static const char fill[] = "mlockstress page cache ";
	struct statfs sfs;
	char buf[65536];
	size_t off, i;

	memset(f, 0, sizeof(*f));
	f->len = len;
	if (!dir && !statfs("/dev/shm", &sfs) && sfs.f_type == TMPFS_MAGIC)
		dir = "/dev/shm";
	if (dir) {
		snprintf(f->path, sizeof(f->path), "%s/mlockstress.%d.%s.%u",
			 dir, getpid(), c->name, c->nfiles++);
		f->fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600);
		if (f->fd < 0) {
			surprise(c, "open", errno, "%s", f->path);
			f->path[0] = '\0';
			return -1;
		}
	} else {
		/* no tmpfs on /dev/shm: a memfd is shmem all the same */
		f->fd = memfd_create("mlockstress", MFD_CLOEXEC);
		if (f->fd < 0)
			return surprise(c, "memfd_create", errno, "tmpfs file");
	}
	if (ftruncate(f->fd, len))
		return surprise(c, "ftruncate", errno, "%zu bytes", len);
	/* real pages in the page cache, for fault-around to find */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = fill[i % (sizeof(fill) - 1)];
	for (off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);

		if (pwrite(f->fd, buf, n, off) != (ssize_t)n)
			return surprise(c, "pwrite", errno, "filling %s",
					f->path[0] ? f->path : "memfd");
	}
	return 0;
}

void sfile_close(struct ctx *c, struct sfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->path[0] && unlink(f->path))
		surprise(c, "unlink", errno, "%s", f->path);
	f->path[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* regions: mappings whose lock state we mirror page by page */

uint64_t pattern(const struct region *r, size_t i)
{
	return r->tag ^ (i * 0x9e3779b97f4a7c15ull) ^
	       ((uint64_t)r->gen[i] << 56) ^ 1;
}

int r_alloc(struct ctx *c, struct region *r, size_t npages)
{
	r->npages = npages;
	r->st = calloc(npages, 1);
	r->gen = calloc(npages, 1);
	r->vec = calloc(npages, 1);
	if (!r->st || !r->gen || !r->vec) {
		free(r->st);
		free(r->gen);
		free(r->vec);
		r->st = r->gen = r->vec = NULL;
		return surprise(c, "calloc", ENOMEM, "%zu pages of state",
				npages);
	}
	return 0;
}

void r_release(struct region *r)
{
	free(r->st);
	free(r->gen);
	free(r->vec);
	r->st = r->gen = r->vec = NULL;
	r->addr = NULL;
}

/*
 * Maps a region, aligned to 'align' bytes so that PMD-sized folios can
 * back it.  The file, if any, is mapped from offset 0.
 */
int r_map(struct ctx *c, struct region *r, size_t npages, size_t align,
	  int prot, int flags, struct sfile *f, bool huge)
{
	size_t len = npages * page_size, extra = align > page_size ? align : 0;
	char *p, *a;

	r->file = f;
	r->prot = prot;
	r->flags = flags;
	r->huge = huge;
	r->tag = splitmix64(&c->rng);
	if (r_alloc(c, r, npages))
		return -1;
	count(c, OP_MMAP);
	p = mmap(NULL, len + extra, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		r_release(r);
		return surprise(c, "mmap", errno, "reserving %zu kB",
				(len + extra) / 1024);
	}
	a = extra ? (char *)(((uintptr_t)p + align - 1) & ~(align - 1)) : p;
	if (a > p)
		munmap(p, a - p);
	if (a + len < p + len + extra)
		munmap(a + len, p + len + extra - (a + len));
	p = mmap(a, len, prot, flags | MAP_FIXED | (f ? 0 : MAP_ANONYMOUS),
		 f ? f->fd : -1, 0);
	if (p == MAP_FAILED) {
		munmap(a, len);
		r_release(r);
		return surprise(c, "mmap", errno, "%zu kB", len / 1024);
	}
	r->addr = p;
	if (huge) {
		count(c, OP_MADV_HUGEPAGE);
		if (madvise(p, len, MADV_HUGEPAGE) && errno != EINVAL)
			return surprise(c, "madvise(MADV_HUGEPAGE)", errno,
					"%p", p);
	}
	return 0;
}

/* Unmaps the whole region; whatever was locked stops counting. */
void r_unmap_all(struct ctx *c, struct region *r)
{
	size_t i;

	if (!r->addr)
		return;
	for (i = 0; i < r->npages; i++)
		if (r->st[i] & S_LOCKED)
			c->locked -= page_size;
	count(c, OP_MUNMAP);
	if (munmap(r->addr, r->npages * page_size))
		surprise(c, "munmap", errno, "%p", r->addr);
	r_release(r);
}

bool r_any(const struct region *r, size_t i, size_t n,
	   unsigned char mask)
{
	for (; n; i++, n--)
		if (r->st[i] & mask)
			return true;
	return false;
}

int r_lock(struct ctx *c, struct region *r, size_t i, size_t n,
	   bool onfault)
{
	char *a = r->addr + i * page_size;
	size_t len = n * page_size, k;
	int ret;

	if (onfault) {
		count(c, OP_MLOCK_ONFAULT);
		ret = mlock2(a, len, MLOCK_ONFAULT);
	} else {
		count(c, OP_MLOCK);
		ret = mlock(a, len);
	}
	if (ret)
		return lock_failed(c, onfault ? "mlock2(MLOCK_ONFAULT)" :
				   "mlock", a, len, errno);
	for (k = i; k < i + n; k++) {
		if (!(r->st[k] & S_LOCKED))
			c->locked += page_size;
		r->st[k] |= S_LOCKED;
		/* plain mlock populates; ONFAULT keeps what is there */
		if (onfault)
			r->st[k] |= S_ONFAULT;
		else
			r->st[k] = (r->st[k] & ~S_ONFAULT) | S_RES;
	}
	return 0;
}

int r_unlock(struct ctx *c, struct region *r, size_t i, size_t n)
{
	char *a = r->addr + i * page_size;
	size_t k;

	count(c, OP_MUNLOCK);
	if (munlock(a, n * page_size))
		return surprise(c, "munlock", errno, "%p + %zu kB", a,
				n * page_size / 1024);
	for (k = i; k < i + n; k++) {
		if (r->st[k] & S_LOCKED)
			c->locked -= page_size;
		r->st[k] &= ~(S_LOCKED | S_ONFAULT);
	}
	return 0;
}

/* Writes the pattern into writable pages and reads the others. */
void r_touch(struct ctx *c, struct region *r, size_t i, size_t n,
	     bool write)
{
	bool w = write && (r->prot & PROT_WRITE);
	size_t k;

	count(c, OP_TOUCH);
	for (k = i; k < i + n; k++) {
		volatile uint64_t *p = (void *)(r->addr + k * page_size);

		if (w && !(r->st[k] & S_RO)) {
			r->gen[k]++;
			*p = pattern(r, k);
			if (r->verify)
				r->st[k] |= S_KNOWN;
		} else {
			(void)*p;
		}
		r->st[k] |= S_RES;
	}
}

/*
 * What the kernel owes us: a locked page that was populated is still
 * resident (reclaim, compaction and migration may move it, never drop
 * it) and every page we wrote still holds what we wrote.
 */
int r_check(struct ctx *c, struct region *r)
{
	size_t k;

	if (mincore(r->addr, r->npages * page_size, r->vec))
		return surprise(c, "mincore", errno, "%p", r->addr);
	for (k = 0; k < r->npages; k++) {
		uint64_t v;

		if ((r->st[k] & (S_LOCKED | S_RES)) == (S_LOCKED | S_RES) &&
		    !(r->vec[k] & 1))
			return surprise(c, "check", 0,
					"locked page %zu of %p is not resident",
					k, r->addr);
		if (!(r->st[k] & S_KNOWN))
			continue;
		memcpy(&v, r->addr + k * page_size, sizeof(v));
		if (v != pattern(r, k))
			return surprise(c, "check", 0,
					"page %zu of %p holds %#" PRIx64 ", wrote %#" PRIx64,
					k, r->addr, v, pattern(r, k));
	}
	return 0;
}

int checkpoint(struct ctx *c, struct region *rs, size_t nr,
	       const char *where)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (rs[i].addr && r_check(c, &rs[i]))
			return -1;
	return check_vmlck(c, where);
}

/* munmap a piece and map fresh memory over it at once. */
static int r_remap(struct ctx *c, struct region *r, size_t i, size_t n)
{
	char *a = r->addr + i * page_size, *p;
	size_t len = n * page_size, k;

	count(c, OP_MUNMAP);
	if (munmap(a, len))
		return surprise(c, "munmap", errno, "%p + %zu kB", a,
				len / 1024);
	for (k = i; k < i + n; k++) {
		if (r->st[k] & S_LOCKED)
			c->locked -= page_size;
		/* a shared file's page cache keeps what was written */
		r->st[k] &= (r->file && (r->flags & MAP_SHARED)) ? S_KNOWN : 0;
	}
	if (check_vmlck(c, "munmap"))
		return -1;
	count(c, OP_MMAP);
	p = mmap(a, len, r->prot,
		 r->flags | MAP_FIXED | (r->file ? 0 : MAP_ANONYMOUS),
		 r->file ? r->file->fd : -1, r->file ? i * page_size : 0);
	if (p == MAP_FAILED)
		return surprise(c, "mmap(MAP_FIXED)", errno, "%p", a);
	if (r->huge) {
		count(c, OP_MADV_HUGEPAGE);
		madvise(a, len, MADV_HUGEPAGE);
	}
	return 0;
}

static int r_protect(struct ctx *c, struct region *r, size_t i, size_t n,
		     bool ro)
{
	char *a = r->addr + i * page_size;
	size_t k;

	count(c, OP_MPROTECT);
	if (mprotect(a, n * page_size, ro ? PROT_READ : r->prot))
		return surprise(c, "mprotect", errno, "%p + %zu kB", a,
				n * page_size / 1024);
	for (k = i; k < i + n; k++) {
		if (ro)
			r->st[k] |= S_RO;
		else
			r->st[k] &= ~S_RO;
	}
	return 0;
}

/*
 * MADV_COLLAPSE rebuilds a PMD folio under the lock; the kernel may
 * decline (busy, no memory, not suitable), and that is no surprise.
 */
static int r_collapse(struct ctx *c, struct region *r, size_t i, size_t n)
{
	char *a = r->addr + i * page_size;

	count(c, OP_MADV_COLLAPSE);
	if (!madvise(a, n * page_size, MADV_COLLAPSE))
		return 0;
	switch (errno) {
	case EAGAIN: case ENOMEM: case EINVAL: case EBUSY: case EPERM:
		refused(c);
		return 0;
	}
	return surprise(c, "madvise(MADV_COLLAPSE)", errno, "%p + %zu kB", a,
			n * page_size / 1024);
}

/*
 * Reclaim aimed at the unlocked neighbours of locked pages: every run of
 * unlocked pages in the range gets the advice, which must succeed.
 */
static int r_advise_unlocked(struct ctx *c, struct region *r, size_t i,
			     size_t n, int advice)
{
	size_t end = i + n, k;

	while (i < end) {
		while (i < end && (r->st[i] & S_LOCKED))
			i++;
		for (k = i; k < end && !(r->st[k] & S_LOCKED); k++)
			;
		if (k > i) {
			char *a = r->addr + i * page_size;

			count(c, advice == MADV_COLD ? OP_MADV_COLD :
			      OP_MADV_PAGEOUT);
			if (madvise(a, (k - i) * page_size, advice))
				return surprise(c, advice == MADV_COLD ?
						"madvise(MADV_COLD)" :
						"madvise(MADV_PAGEOUT)", errno,
						"unlocked %p + %zu kB", a,
						(k - i) * page_size / 1024);
		}
		i = k;
	}
	return 0;
}

/* Clears what a punched or truncated file range no longer holds. */
void file_zapped(struct region *rs, size_t nr, struct sfile *f,
		 size_t i, size_t n)
{
	size_t j, k;

	for (j = 0; j < nr; j++) {
		if (rs[j].file != f || !rs[j].addr)
			continue;
		for (k = i; k < i + n && k < rs[j].npages; k++)
			rs[j].st[k] &= ~(S_RES | S_KNOWN);
	}
}

/* One step of the kind most scenarios are built from. */
int r_act(struct ctx *c, struct region *r, enum act a, size_t i,
	  size_t n)
{
	switch (a) {
	case A_LOCK:
		return r_lock(c, r, i, n, false);
	case A_LOCK_ONFAULT:
		return r_lock(c, r, i, n, true);
	case A_UNLOCK:
		return r_unlock(c, r, i, n);
	case A_WRITE:
		r_touch(c, r, i, n, true);
		return 0;
	case A_READ:
		r_touch(c, r, i, n, false);
		return 0;
	case A_PROTECT:
		return r_protect(c, r, i, n, rnd(c, 2));
	case A_REMAP:
		return r_remap(c, r, i, n);
	case A_COLLAPSE:
		return r_collapse(c, r, i, n);
	case A_PAGEOUT:
		return r_advise_unlocked(c, r, i, n, MADV_PAGEOUT);
	case A_COLD:
		return r_advise_unlocked(c, r, i, n, MADV_COLD);
	case NR_ACTS:
		break;
	}
	return 0;
}

/*
 * The common loop: each step picks an action from 'acts' and a range,
 * then checks VmLck, residency and contents.
 */
int r_loop(struct ctx *c, struct region *r, const enum act *acts,
	   size_t nacts, size_t align, unsigned long max_steps)
{
	unsigned long steps = 0;

	while (more(c) && (!max_steps || steps++ < max_steps)) {
		size_t i, n;
		enum act a = acts[rnd(c, nacts)];

		step(c);
		pick_range(c, r->npages, align, &i, &n);
		if (r_act(c, r, a, i, n) || checkpoint(c, r, 1, "step"))
			return -1;
	}
	return c->failed ? -1 : 0;
}

size_t size_pages(struct ctx *c, size_t divisor)
{
	size_t n = c->o->size / divisor / page_size;

	return n ? n : 1;
}
