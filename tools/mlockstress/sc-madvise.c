// SPDX-License-Identifier: GPL-2.0
/*
 * Advice next to and on locked pages: reclaim of the unlocked neighbours
 * must succeed, and the advice that would drop locked pages is refused.
 */
#include "mlockstress.h"

/*
 * Reclaim aimed at unlocked neighbours of locked pages: MADV_PAGEOUT and
 * MADV_COLD on the unlocked runs between locked ones, so large folios
 * straddling both are split and their locked parts must stay.  With
 * --threads > 1, phases where a helper thread locks and unlocks while
 * this one pages out the same ranges: reclaim then meets pages that
 * became locked after it isolated them.  No swap is needed and nothing
 * can OOM: pageout only drops what can be dropped.
 */
struct race {
	struct ctx *c;
	struct region *r;
	unsigned long steps;
};

static void *reclaim_helper(void *arg)
{
	static const enum act acts[] = { A_LOCK, A_UNLOCK, A_WRITE };
	struct race *rc = arg;
	unsigned long k;

	for (k = 0; k < rc->steps && !rc->c->failed; k++) {
		size_t i, n;

		pick_range(rc->c, rc->r->npages, 1, &i, &n);
		if (r_act(rc->c, rc->r, acts[rnd(rc->c, ARRAY_SIZE(acts))],
			  i, n))
			break;
	}
	return NULL;
}

static int reclaim_race(struct ctx *c, struct region *r, unsigned int phase)
{
	struct ctx hc = *c;
	struct race rc = { &hc, r, 16 };
	pthread_t t;
	unsigned long k;
	int err;

	hc.rng = rng_seed(c->o->seed, c->name, 100 + phase);
	err = pthread_create(&t, NULL, reclaim_helper, &rc);
	if (err)
		return surprise(c, "pthread_create", err, "");
	for (k = 0; k < rc.steps; k++) {
		size_t i, n;
		int adv = rnd(c, 2) ? MADV_PAGEOUT : MADV_COLD;

		pick_range(c, r->npages, 1, &i, &n);
		count(c, adv == MADV_COLD ? OP_MADV_COLD : OP_MADV_PAGEOUT);
		/* a locked VMA in the range refuses: the race decides */
		if (madvise(r->addr + i * page_size, n * page_size, adv)) {
			if (errno != EINVAL) {
				surprise(c, "madvise", errno, "racing");
				break;
			}
			refused(c);
		}
	}
	pthread_join(t, NULL);
	c->locked = hc.locked;
	c->failed |= hc.failed;
	return c->failed ? -1 : 0;
}

int sc_reclaim(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_UNLOCK, A_WRITE, A_PAGEOUT, A_PAGEOUT, A_COLD,
	};
	size_t nr = c->o->path ? 3 : 2, pmd = pmd_size(), j;
	size_t np[3] = { size_pages(c, 2), size_pages(c, 4), size_pages(c, 4) };
	struct region r[3] = { { .verify = true }, { .verify = true },
			       { .verify = true } };
	struct sfile f[2];
	unsigned int phase = 0;
	int ret = -1;

	sfile_init(&f[0]);
	sfile_init(&f[1]);
	if (r_map(c, &r[0], np[0], pmd ? pmd : page_size,
		  PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL, pmd != 0))
		goto out;
	for (j = 1; j < nr; j++)
		if (sfile_open(c, &f[j - 1], j == 2 ? c->o->path : NULL,
			       np[j] * page_size) ||
		    r_map(c, &r[j], np[j], page_size, PROT_READ | PROT_WRITE,
			  MAP_SHARED, &f[j - 1], false))
			goto out;
	for (j = 0; j < nr; j++) {
		r_touch(c, &r[j], 0, np[j], true);
		/* every other eighth locked: neighbours on both sides */
		for (size_t i = 0; i + np[j] / 8 <= np[j] && np[j] >= 8;
		     i += np[j] / 4)
			if (r_lock(c, &r[j], i, np[j] / 8, false))
				goto out;
	}
	while (more(c)) {
		j = rnd(c, nr);
		if (c->o->threads > 1 && !rnd(c, 8)) {
			step(c);
			if (reclaim_race(c, &r[j], phase++) ||
			    checkpoint(c, r, nr, "race"))
				break;
		} else {
			size_t i, n;

			step(c);
			pick_range(c, np[j], 1, &i, &n);
			if (r_act(c, &r[j], acts[rnd(c, ARRAY_SIZE(acts))],
				  i, n) || checkpoint(c, r, nr, "step"))
				break;
		}
	}
	ret = c->failed ? -1 : 0;
out:
	for (j = 0; j < nr; j++)
		r_unmap_all(c, &r[j]);
	for (j = 0; j + 1 < nr; j++)
		sfile_close(c, &f[j]);
	return c->failed ? -1 : ret;
}

/*
 * The advice that would drop or age pages is refused on locked VMAs
 * (mm/madvise.c: madvise_dontneed_free_valid_vma, can_madv_lru_vma,
 * madvise_remove): EINVAL.  COLD and PAGEOUT could as well have skipped
 * the range silently, so 0 is taken from them as long as the locked
 * pages are intact.  MADV_DONTNEED_LOCKED is the exception that zaps.
 */
static int madv_step(struct ctx *c, struct region *r, size_t i, size_t n)
{
	static const struct {
		int advice;
		enum op op;
		const char *name;
		bool refused_if_locked, skip_ok, zaps, anon_only, file_only;
	} advs[] = {
		{ MADV_DONTNEED, OP_MADV_DONTNEED, "MADV_DONTNEED",
		  true, false, true, false, false },
		{ MADV_FREE, OP_MADV_FREE, "MADV_FREE",
		  true, false, true, true, false },
		{ MADV_COLD, OP_MADV_COLD, "MADV_COLD",
		  true, true, false, false, false },
		{ MADV_PAGEOUT, OP_MADV_PAGEOUT, "MADV_PAGEOUT",
		  true, true, false, false, false },
		{ MADV_REMOVE, OP_MADV_REMOVE, "MADV_REMOVE",
		  true, false, true, false, true },
		{ MADV_WILLNEED, OP_MADV_WILLNEED, "MADV_WILLNEED",
		  false, false, false, false, false },
		{ MADV_DONTNEED_LOCKED, OP_MADV_DONTNEED_LOCKED,
		  "MADV_DONTNEED_LOCKED", false, false, true, false, false },
	};
	size_t w = rnd(c, ARRAY_SIZE(advs)), k;
	bool locked = r_any(r, i, n, S_LOCKED), anon = !r->file;
	char *a = r->addr + i * page_size;
	int ret;

	if ((advs[w].anon_only && !anon) || (advs[w].file_only && anon))
		w = ARRAY_SIZE(advs) - 2;	/* WILLNEED fits all */
	count(c, advs[w].op);
	ret = madvise(a, n * page_size, advs[w].advice);
	if (locked && advs[w].refused_if_locked) {
		if (ret && errno != EINVAL)
			return surprise(c, advs[w].name, errno,
					"locked range %p + %zu kB: expected EINVAL",
					a, n * page_size / 1024);
		if (!ret && !advs[w].skip_ok)
			return surprise(c, advs[w].name, 0,
					"succeeded on locked range %p + %zu kB",
					a, n * page_size / 1024);
		if (ret)
			c->einval++;
		else
			c->silent++;
		refused(c);
	} else if (ret) {
		return surprise(c, advs[w].name, errno, "%s range %p + %zu kB",
				locked ? "locked" : "unlocked", a,
				n * page_size / 1024);
	}
	if (!advs[w].zaps)
		return 0;
	/*
	 * The advice went VMA by VMA up to the first locked one, so any
	 * unlocked page in the range may have lost its contents.
	 */
	for (k = i; k < i + n; k++) {
		bool hit = !(r->st[k] & S_LOCKED) ||
			   advs[w].advice == MADV_DONTNEED_LOCKED;

		if (!hit)
			continue;
		r->st[k] &= ~S_RES;
		/* anon pages are gone; shared file pages stay in the cache */
		if (anon || advs[w].advice == MADV_REMOVE)
			r->st[k] &= ~S_KNOWN;
	}
	return 0;
}

int sc_madvise(struct ctx *c)
{
	size_t np[2] = { size_pages(c, 2), size_pages(c, 4) }, j;
	struct region r[2] = { { .verify = true }, { .verify = true } };
	struct sfile f;
	int ret = -1;

	sfile_init(&f);
	if (r_map(c, &r[0], np[0], page_size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE, NULL, false) ||
	    sfile_open(c, &f, NULL, np[1] * page_size) ||
	    r_map(c, &r[1], np[1], page_size, PROT_READ | PROT_WRITE,
		  MAP_SHARED, &f, false))
		goto out;
	for (j = 0; j < 2; j++) {
		r_touch(c, &r[j], 0, np[j], true);
		if (r_lock(c, &r[j], 0, np[j] / 2, false))
			goto out;
	}
	while (more(c)) {
		size_t i, n;
		int rc;

		step(c);
		j = rnd(c, 2);
		pick_range(c, np[j], 1, &i, &n);
		switch (rnd(c, 6)) {
		case 0:
			rc = r_lock(c, &r[j], i, n, false);
			break;
		case 1:
			rc = r_unlock(c, &r[j], i, n);
			break;
		case 2:
			r_touch(c, &r[j], i, n, true);
			rc = 0;
			break;
		default:
			rc = madv_step(c, &r[j], i, n);
			break;
		}
		if (rc || checkpoint(c, r, 2, "step"))
			break;
	}
	ret = c->failed ? -1 : 0;
	info(c, "on locked ranges: %lu EINVAL, %lu silent skips (COLD/PAGEOUT)",
	     c->einval, c->silent);
out:
	for (j = 0; j < 2; j++)
		r_unmap_all(c, &r[j]);
	sfile_close(c, &f);
	return c->failed ? -1 : ret;
}
