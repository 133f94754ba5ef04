// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages: PMD-sized THP and the multi-size THP of newer kernels,
 * set through sysfs for the scenario and put back after it.
 */
#include "mlockstress.h"

static long smaps_rollup_kb(const char *key)
{
	return proc_field("/proc/self/smaps_rollup", key);
}

/* PMD-sized THP needs the global switch; 'never' is turned to 'madvise'. */
static int thp_enable(struct ctx *c, struct knob *k)
{
	char cur[128];

	if (!pmd_size() || read_text(THP_SYSFS "/enabled", cur, sizeof(cur)))
		return skip(c, "no transparent hugepages in this kernel");
	if (!strstr(cur, "[never]"))
		return 0;
	if (knob_set(c, k, THP_SYSFS "/enabled", "madvise"))
		return skip(c, "THP is 'never' and %s/enabled is not writable (%s)",
			    THP_SYSFS, strerror(errno));
	return 0;
}

int sc_thp(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_UNLOCK, A_UNLOCK, A_WRITE, A_WRITE,
		A_LOCK_ONFAULT, A_COLLAPSE,
	};
	size_t pmd = pmd_size(), pmd_pages, npages;
	struct region r = { .verify = true };
	struct knob k = { .saved = false };
	long peak = 0;
	int ret;

	ret = thp_enable(c, &k);
	if (ret)
		return ret;
	pmd_pages = pmd / page_size;
	npages = size_pages(c, 1);
	if (npages < 2 * pmd_pages)
		npages = 2 * pmd_pages;
	npages = (npages + pmd_pages - 1) / pmd_pages * pmd_pages;
	ret = -1;
	if (r_map(c, &r, npages, pmd, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		  NULL, true))
		goto out;
	r_touch(c, &r, 0, npages, true);
	while (more(c)) {
		long kb;

		if (r_loop(c, &r, acts, ARRAY_SIZE(acts), pmd_pages, 1))
			break;
		kb = smaps_rollup_kb("AnonHugePages");
		if (kb > peak)
			peak = kb;
	}
	ret = c->failed ? -1 : 0;
	info(c, "PMD %zu kB; AnonHugePages peak %ld kB", pmd / 1024, peak);
	if (!peak)
		info(c, "no THP was faulted: the run used small pages");
out:
	r_unmap_all(c, &r);
	knob_restore(c, &k);
	return c->failed ? -1 : ret;
}

static long read_long(const char *path)
{
	char buf[32];

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Multi-size THP: the kernel lists each anonymous folio size it can
 * use as hugepages-<size>kB.  One size at a time is set to 'always' and
 * every other one (PMD size too) to 'never', so the folios we lock are
 * of that size.  Every setting is put back at the end.
 */
int sc_mthp(struct ctx *c)
{
	static const enum act acts[] = {
		A_LOCK, A_LOCK, A_UNLOCK, A_UNLOCK, A_WRITE, A_PROTECT,
		A_LOCK_ONFAULT, A_REMAP,
	};
	size_t sizes[16], nsizes = 0, nall = 0, pmd = pmd_size(), j;
	long faults[16] = { 0 };
	bool used[16] = { false };
	struct knob knobs[16];
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	memset(knobs, 0, sizeof(knobs));
	dir = opendir(THP_SYSFS);
	if (!dir)
		return skip(c, "no transparent hugepages in this kernel");
	while ((d = readdir(dir)) && nall < ARRAY_SIZE(knobs)) {
		unsigned long kb;

		if (sscanf(d->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		/* shmem-only sizes (6.12: 8kB) have no anon 'enabled' */
		snprintf(knobs[nall].path, PATH_MAX, THP_SYSFS "/%s/enabled",
			 d->d_name);
		if (access(knobs[nall].path, F_OK))
			continue;
		nall++;
		if (kb * 1024 < pmd && kb * 1024 > page_size)
			sizes[nsizes++] = kb * 1024;
	}
	closedir(dir);
	if (!nsizes)
		return skip(c, "no multi-size THP in this kernel (no hugepages-<size>kB below PMD size in %s)",
			    THP_SYSFS);
	/* readdir order is the file system's: sort for a stable choice */
	for (j = 1; j < nsizes; j++) {
		size_t v = sizes[j], k = j;

		for (; k && sizes[k - 1] > v; k--)
			sizes[k] = sizes[k - 1];
		sizes[k] = v;
	}
	while (more(c)) {
		size_t si = rnd(c, nsizes), sz = sizes[si];
		struct region r = { .verify = true };
		char want[PATH_MAX];
		long before, after;

		snprintf(want, sizeof(want),
			 THP_SYSFS "/hugepages-%zukB/enabled", sz / 1024);
		for (j = 0; j < nall; j++) {
			if (!knob_set(c, &knobs[j], knobs[j].path,
				      strcmp(knobs[j].path, want) ? "never" :
				      "always"))
				continue;
			if (errno == EACCES || errno == EPERM || errno == EROFS)
				ret = skip(c, "cannot write %s (%s)",
					   knobs[j].path, strerror(errno));
			else
				ret = surprise(c, "sysfs", errno, "writing %s",
					       knobs[j].path);
			goto out;
		}
		snprintf(path, sizeof(path),
			 THP_SYSFS "/hugepages-%zukB/stats/anon_fault_alloc",
			 sz / 1024);
		before = read_long(path);
		if (r_map(c, &r, size_pages(c, 1), pmd ? pmd : sz,
			  PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL, false)) {
			ret = -1;
			goto out;
		}
		r_touch(c, &r, 0, r.npages, true);
		after = read_long(path);
		used[si] = true;
		if (before >= 0 && after >= before)
			faults[si] += after - before;
		else
			faults[si] = -1;	/* no per-size stats */
		ret = r_loop(c, &r, acts, ARRAY_SIZE(acts), sz / page_size, 32);
		r_unmap_all(c, &r);
		if (ret)
			goto out;
	}
out:
	for (j = 0; j < nall; j++)
		knob_restore(c, &knobs[j]);
	for (j = 0; j < nsizes; j++) {
		if (!used[j])
			continue;
		if (faults[j] < 0)
			info(c, "%zukB used", sizes[j] / 1024);
		else
			info(c, "%zukB: %ld folios faulted", sizes[j] / 1024,
			     faults[j]);
	}
	return c->failed ? -1 : ret;
}
