// SPDX-License-Identifier: GPL-2.0
/*
 * Anonymous memory: the plain lock and unlock traffic, and the same cut
 * through THPs at odd offsets so that VMA splits go through large folios.
 */
#include "mlockstress.h"

int sc_anon(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_UNLOCK, A_UNLOCK, A_WRITE, A_READ,
	};
	struct region r = { .verify = true };
	int ret;

	if (r_map(c, &r, size_pages(c, 1), page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false))
		return -1;
	ret = r_loop(c, &r, acts, ARRAY_SIZE(acts), 1, 0);
	r_unmap_all(c, &r);
	return ret;
}

/*
 * Partial munlock, munmap and mprotect at arbitrary page offsets of a
 * THP-backed region, so VMA splits cut through large folios.
 */
int sc_vma_split(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_LOCK_ONFAULT, A_UNLOCK, A_UNLOCK, A_WRITE,
		A_READ, A_PROTECT, A_PROTECT, A_REMAP,
	};
	size_t pmd = pmd_size(), npages = size_pages(c, 1);
	struct region r = { .verify = true };
	int ret;

	if (r_map(c, &r, npages, pmd ? pmd : page_size,
		  PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL, pmd != 0))
		return -1;
	r_touch(c, &r, 0, npages, true);
	if (r_lock(c, &r, 0, npages, false) || checkpoint(c, &r, 1, "lock"))
		ret = -1;
	else
		ret = r_loop(c, &r, acts, ARRAY_SIZE(acts), 1, 0);
	r_unmap_all(c, &r);
	return c->failed ? -1 : ret;
}
