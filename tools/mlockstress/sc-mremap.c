// SPDX-License-Identifier: GPL-2.0
/*
 * mremap of locked VMAs: the locks and the contents must follow the
 * pages when they move, grow or shrink.
 */
#include "mlockstress.h"

/*
 * mremap moves page tables without rmap calls, so PG_mlocked travels
 * with the pages; growing a locked VMA populates and locks the tail.
 * Each region is one VMA, locked or unlocked as a whole.
 */
struct mr_region {
	struct region r;
	bool locked, onfault;
};

static int mr_resize(struct ctx *c, struct region *r, size_t npages)
{
	unsigned char *st = realloc(r->st, npages);
	unsigned char *gen = realloc(r->gen, npages);
	unsigned char *vec = realloc(r->vec, npages);

	if (st)
		r->st = st;
	if (gen)
		r->gen = gen;
	if (vec)
		r->vec = vec;
	if (!st || !gen || !vec)
		return surprise(c, "realloc", ENOMEM, "");
	if (npages > r->npages) {
		memset(r->st + r->npages, 0, npages - r->npages);
		memset(r->gen + r->npages, 0, npages - r->npages);
	}
	r->npages = npages;
	return 0;
}

static int mr_step(struct ctx *c, struct mr_region *m, size_t max_pages)
{
	struct region *r = &m->r;
	size_t old = r->npages, len = old * page_size, k, nw;
	char *p, *dst;

	switch (rnd(c, 8)) {
	case 0:
		m->onfault = rnd(c, 3) == 0;
		m->locked = true;
		return r_lock(c, r, 0, old, m->onfault);
	case 1:
		m->locked = false;
		return r_unlock(c, r, 0, old);
	case 2:
		r_touch(c, r, 0, old, true);
		return 0;
	case 3: case 4:
		/* move to a spot of our choosing */
		dst = mmap(NULL, len, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (dst == MAP_FAILED)
			return surprise(c, "mmap", errno, "placeholder");
		count(c, OP_MREMAP);
		p = mremap(r->addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst);
		if (p == MAP_FAILED) {
			munmap(dst, len);
			return surprise(c, "mremap(FIXED)", errno, "%p",
					r->addr);
		}
		r->addr = p;
		return 0;
	case 5:
		/* grow, or shrink once at the limit */
		nw = old < max_pages ? old + 1 + rnd(c, max_pages - old) :
		     1 + rnd(c, old);
		count(c, OP_MREMAP);
		p = mremap(r->addr, len, nw * page_size, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return surprise(c, "mremap", errno, "%zu to %zu pages",
					old, nw);
		r->addr = p;
		if (m->locked)
			c->locked += ((long)nw - (long)old) * (long)page_size;
		if (mr_resize(c, r, nw))
			return -1;
		for (k = old; k < nw; k++) {
			if (!m->locked)
				continue;
			r->st[k] = S_LOCKED | (m->onfault ? S_ONFAULT : S_RES);
		}
		return 0;
	case 6:
		/*
		 * DONTUNMAP leaves the old range mapped, empty and
		 * unlocked; the lock goes with the pages.
		 */
		count(c, OP_MREMAP);
		/* new_address is read with DONTUNMAP: pass NULL, not junk */
		p = mremap(r->addr, len, len,
			   MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
		if (p == MAP_FAILED)
			return surprise(c, "mremap(DONTUNMAP)", errno, "%p",
					r->addr);
		if (check_vmlck(c, "mremap(DONTUNMAP)"))
			return -1;
		count(c, OP_MUNMAP);
		if (munmap(r->addr, len))
			return surprise(c, "munmap", errno, "old range");
		r->addr = p;
		/*
		 * The region may have been part of a bigger locked VMA:
		 * the rest must keep VM_LOCKED (6.12 drops it, see
		 * tests/guest/mremap_dontunmap.c).
		 */
		return check_vmlck_vs_smaps(c, "mremap(DONTUNMAP) of a locked range");
	default:
		/* a piece of the region, locked or not as the rest */
		k = rnd(c, old);
		count(c, OP_TOUCH);
		r->gen[k]++;
		*(volatile uint64_t *)(r->addr + k * page_size) = pattern(r, k);
		r->st[k] |= S_KNOWN | S_RES;
		return 0;
	}
}

int sc_mremap(struct ctx *c)
{
	struct mr_region m[4];
	size_t init = size_pages(c, 16), max = size_pages(c, 4), j;
	int ret = -1;

	memset(m, 0, sizeof(m));
	for (j = 0; j < ARRAY_SIZE(m); j++) {
		m[j].r.verify = true;
		if (r_map(c, &m[j].r, init, page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE, NULL, false))
			goto out;
		r_touch(c, &m[j].r, 0, init, true);
	}
	while (more(c)) {
		step(c);
		j = rnd(c, ARRAY_SIZE(m));
		if (mr_step(c, &m[j], max) || r_check(c, &m[j].r) ||
		    check_vmlck(c, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
out:
	for (j = 0; j < ARRAY_SIZE(m); j++)
		r_unmap_all(c, &m[j].r);
	return c->failed ? -1 : ret;
}
