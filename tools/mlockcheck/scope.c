// SPDX-License-Identifier: GPL-2.0
/*
 * The scope of -p PID and -c CGROUP (README.md, "Scope"): which folios
 * are the process's or the cgroup's, read from the kernel's page tables
 * and memcg charges, and the module's listing filtered by them.
 *
 * A process's folios are the present pages of its VM_LOCKED VMAs
 * (smaps' VmFlags "lo", then pagemap), as those are the folios mlock
 * made the module track. A cgroup's are every page charged to it or to
 * a descendant (/proc/kpagecgroup against the directories' inodes), and
 * the locked pages of every process in them (cgroup.procs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "sample.h"
#include "scope.h"

#define CGROUP2_SUPER_MAGIC	0x63677270
/* include/uapi/linux/kernel-page-flags.h */
#define KPF_MLOCKED		33
/* Documentation/admin-guide/mm/pagemap.rst */
#define PM_PRESENT		(1ULL << 63)
#define PM_SWAP			(1ULL << 62)
#define PM_PFN_MASK		((1ULL << 55) - 1)
/* 64-bit entries per pread: 1 MiB of pagemap, kpageflags or kpagecgroup. */
#define CHUNK			131072
/* Scoped mismatches lines kept for the report. */
#define KEEP_LINES		20

/* A present page's PFN; 0 is what an unprivileged reader is shown. */
bool pagemap_pfn(uint64_t entry, uint64_t *pfn)
{
	if (!(entry & PM_PRESENT) || (entry & PM_SWAP))
		return false;
	*pfn = entry & PM_PFN_MASK;
	return *pfn != 0;
}

/* A VMA's first line in smaps: "start-end perms offset dev inode [path]". */
bool smaps_vma(const char *line, uint64_t *start, uint64_t *end)
{
	unsigned long long a, b;
	char perms[8];

	if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) != 3 || b <= a)
		return false;
	*start = a;
	*end = b;
	return true;
}

/* smaps' "VmFlags:" line has "lo" for VM_LOCKED. */
bool smaps_locked(const char *line)
{
	const char *p;

	if (strncmp(line, "VmFlags:", 8))
		return false;
	for (p = line + 8; (p = strstr(p, "lo")); p += 2)
		if (p[-1] == ' ' && (p[2] == ' ' || p[2] == '\n' || !p[2]))
			return true;
	return false;
}

void pfnset_add(struct pfnset *s, uint64_t pfn)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			fprintf(stderr, "mlockcheck: out of memory for the scope's PFNs\n");
			exit(EXIT_SETUP);
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = pfn;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void pfnset_seal(struct pfnset *s)
{
	size_t i, n = 0;

	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 1; i < s->n; i++)
		if (s->v[i] != s->v[n])
			s->v[++n] = s->v[i];
	s->n = n + 1;
}

/* Whether any of [pfn, pfn + nr) is in @s. */
bool pfnset_hits(const struct pfnset *s, uint64_t pfn, uint64_t nr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->v[lo] - pfn < nr;
}

void pfnset_free(struct pfnset *s)
{
	free(s->v);
	*s = (struct pfnset){ 0 };
}

/* PFN ORDER NR_PAGES SHADOW KERNEL_COUNT MLOCKED UNEVICTABLE LRU MAPCOUNT LAST_PID LOCKING_MMS STATE VERDICT */
bool folio_line_parse(const char *line, struct folio_line *f)
{
	unsigned long long pfn, nr;

	if (sscanf(line, "%llu %u %llu %*s %*s %*s %*s %*s %d %*s %7s %*s %31s",
		   &pfn, &f->order, &nr, &f->mapcount, f->locking_mms,
		   f->verdict) != 6 || !nr)
		return false;
	f->pfn = pfn;
	f->nr_pages = nr;
	return true;
}

/* Locked by more than one mm, or mapped more than once: maybe not only ours. */
bool folio_shared(const struct folio_line *f)
{
	return strcmp(f->locking_mms, "0") && strcmp(f->locking_mms, "1") ?
	       true : f->mapcount > 1;
}

/* 1: in the scope; 0: not; -1: its PFNs were the scope's in one reading only. */
int folio_in_scope(const struct pfnset *before, const struct pfnset *after,
		   const struct folio_line *f)
{
	bool a = pfnset_hits(before, f->pfn, f->nr_pages);
	bool b = pfnset_hits(after, f->pfn, f->nr_pages);

	return a && b ? 1 : a || b ? -1 : 0;
}

int parse_pid(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (end == arg || *end || errno || n < 1 || n > INT_MAX)
		return -1;
	return n;
}

/* ---- the kernel's side ------------------------------------------------ */

/* The pids and cgroup inodes of the last walk (nftw has no cookie). */
static struct {
	int *v;
	size_t n, cap;
} pids;
static struct pfnset inos;

static void pid_add(int pid)
{
	if (pids.n == pids.cap) {
		pids.cap = pids.cap ? pids.cap * 2 : 64;
		pids.v = realloc(pids.v, pids.cap * sizeof(*pids.v));
		if (!pids.v) {
			fprintf(stderr, "mlockcheck: out of memory for the scope's pids\n");
			exit(EXIT_SETUP);
		}
	}
	pids.v[pids.n++] = pid;
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	char procs[PATH_MAX];
	FILE *f;
	int pid;

	if (type != FTW_D)
		return 0;
	pfnset_add(&inos, st->st_ino);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	f = fopen(procs, "r");
	while (f && fscanf(f, "%d", &pid) == 1)
		pid_add(pid);
	if (f)
		fclose(f);
	return 0;
}

/* The processes now in the scope, and for a cgroup its subtree's inodes. */
static void walk(const struct scope *sc)
{
	pids.n = 0;
	inos.n = 0;
	if (sc->kind == SCOPE_PID) {
		pid_add(sc->pid);
		return;
	}
	/* A cgroup created or removed during the walk is simply seen or not. */
	nftw(sc->path, walk_one, 16, FTW_PHYS);
	pfnset_seal(&inos);
}

bool scope_has_pid(const struct scope *sc, int pid)
{
	size_t i;

	if (sc->kind == SCOPE_PID)
		return pid == sc->pid;
	for (i = 0; i < pids.n; i++)
		if (pids.v[i] == pid)
			return true;
	return false;
}

/*
 * Whether the cgroup has a memcg of its own: else its pages are charged
 * to an ancestor, and kpagecgroup's inodes (of a v1 memory hierarchy, on
 * a hybrid system) need not even be this filesystem's.
 */
static bool has_memcg(const char *dir)
{
	char path[PATH_MAX], word[64];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	f = fopen(path, "r");
	while (f && fscanf(f, "%63s", word) == 1)
		yes |= !strcmp(word, "memory");
	if (f)
		fclose(f);
	return yes;
}

int scope_open(struct scope *sc, enum scope_kind kind, const char *arg,
	       char *err, size_t errlen)
{
	struct statfs sfs;
	struct stat st;
	char p[64];

	memset(sc, 0, sizeof(*sc));
	sc->kind = kind;
	if (kind == SCOPE_PID) {
		sc->pid = parse_pid(arg);
		if (sc->pid < 0) {
			snprintf(err, errlen, "bad pid '%s'", arg);
			return -1;
		}
		snprintf(p, sizeof(p), "/proc/%d/pagemap", sc->pid);
		if (access(p, F_OK)) {
			snprintf(err, errlen, "no process %d", sc->pid);
			return -1;
		}
		snprintf(sc->label, sizeof(sc->label), "pid %d", sc->pid);
		return 0;
	}
	if (stat(arg, &st) || !S_ISDIR(st.st_mode) || statfs(arg, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "'%s' is not a cgroup v2 directory", arg);
		return -1;
	}
	snprintf(sc->path, sizeof(sc->path), "%s", arg);
	snprintf(sc->label, sizeof(sc->label), "cgroup %s", arg);
	sc->memcg = has_memcg(arg);
	return 0;
}

/* What one pass over the scope reads, besides the PFN set. */
struct pass {
	struct pfnset locked, all;	/* locked PFNs; locked and charged */
	long long vmlck, locked_vma, charged, charged_mlocked;
	int gone;
};

/*
 * VmLck in pages; -2 without an mm (a kernel thread); -1 gone, a zombie
 * included: it has exited, and its folios with it.
 */
static long long status_vmlck(int pid)
{
	char path[64], line[256], state = '?';
	long long kb = -2;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "State: %c", &state);
		if (sscanf(line, "VmLck: %lld", &kb) == 1)
			break;
	}
	fclose(f);
	if (state == 'Z' || state == 'X')
		return -1;
	return kb < 0 ? kb : kb * 1024 / sysconf(_SC_PAGESIZE);
}

/* The present pages of @pid's VM_LOCKED VMAs; false when it is gone. */
static bool read_pid(int pid, struct pass *ps)
{
	static uint64_t buf[CHUNK];
	const uint64_t psz = sysconf(_SC_PAGESIZE);
	uint64_t start = 0, end = 0;
	char path[64], line[512];
	long long vmlck;
	bool ok = true;
	FILE *smaps;
	int fd;

	vmlck = status_vmlck(pid);
	if (vmlck == -2)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/smaps", pid);
	smaps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY);
	if (!smaps || fd < 0) {
		if (smaps)
			fclose(smaps);
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (ok && fgets(line, sizeof(line), smaps)) {
		uint64_t a, b, vpn;

		if (smaps_vma(line, &a, &b)) {
			start = a;
			end = b;
			continue;
		}
		if (!smaps_locked(line) || end <= start)
			continue;
		ps->locked_vma += (end - start) / psz;
		for (vpn = start / psz; vpn < end / psz;) {
			size_t want = end / psz - vpn, i;
			ssize_t got;

			if (want > CHUNK)
				want = CHUNK;
			got = pread(fd, buf, want * 8, vpn * 8);
			if (got <= 0) {
				ok = false;
				break;
			}
			for (i = 0; i < (size_t)got / 8; i++) {
				uint64_t pfn;

				if (pagemap_pfn(buf[i], &pfn)) {
					pfnset_add(&ps->locked, pfn);
					pfnset_add(&ps->all, pfn);
				}
			}
			vpn += got / 8;
		}
	}
	/* smaps ends early, silently, when the process exits under it. */
	ok = ok && vmlck >= 0 && status_vmlck(pid) >= 0;
	if (ok)
		ps->vmlck += vmlck;
	fclose(smaps);
	close(fd);
	return ok;
}

/* How many of @s's PFNs have PG_mlocked, reading kpageflags by runs. */
static long long count_mlocked(const struct pfnset *s)
{
	static uint64_t buf[CHUNK];
	long long n = 0;
	size_t i = 0;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		return -1;
	while (i < s->n) {
		uint64_t base = s->v[i];
		ssize_t got = pread(fd, buf, sizeof(buf), base * 8);

		if (got <= 0)
			break;
		for (; i < s->n && s->v[i] - base < (uint64_t)got / 8; i++)
			n += buf[s->v[i] - base] >> KPF_MLOCKED & 1;
	}
	close(fd);
	return n;
}

static bool ino_in(uint64_t ino)
{
	return ino && pfnset_hits(&inos, ino, 1);
}

/* Every PFN charged to the cgroup's subtree, and how many are PG_mlocked. */
static void read_charged(struct pass *ps)
{
	static uint64_t cg[CHUNK], fl[CHUNK];
	int fc = open("/proc/kpagecgroup", O_RDONLY);
	int ff = open("/proc/kpageflags", O_RDONLY);
	uint64_t base = 0;

	while (fc >= 0 && ff >= 0) {
		ssize_t got = pread(fc, cg, sizeof(cg), base * 8), i;

		if (got <= 0 || pread(ff, fl, got, base * 8) != got)
			break;
		for (i = 0; i < got / 8; i++)
			if (ino_in(cg[i])) {
				pfnset_add(&ps->all, base + i);
				ps->charged++;
				ps->charged_mlocked += fl[i] >> KPF_MLOCKED & 1;
			}
		base += got / 8;
	}
	if (fc >= 0)
		close(fc);
	if (ff >= 0)
		close(ff);
}

static void pass_read(const struct scope *sc, struct pass *ps)
{
	size_t i;

	walk(sc);
	for (i = 0; i < pids.n; i++)
		if (!read_pid(pids.v[i], ps))
			ps->gone++;
	if (sc->kind == SCOPE_CGROUP && sc->memcg)
		read_charged(ps);
	pfnset_seal(&ps->locked);
	pfnset_seal(&ps->all);
}

static void pass_free(struct pass *ps)
{
	pfnset_free(&ps->locked);
	pfnset_free(&ps->all);
}

/* One of the module's views, read whole: the entries and their lines. */
struct listing {
	struct folio_line *f;
	char (*line)[160];
	size_t n, cap;
};

static bool listing_read(const char *view, struct listing *l)
{
	char path[128], line[512];
	struct folio_line f;
	FILE *fp;

	snprintf(path, sizeof(path), MW_DIR "/%s", view);
	fp = fopen(path, "r");
	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		if (!folio_line_parse(line, &f))
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 256;
			l->f = realloc(l->f, l->cap * sizeof(*l->f));
			l->line = realloc(l->line, l->cap * sizeof(*l->line));
			if (!l->f || !l->line) {
				fprintf(stderr, "mlockcheck: out of memory for mlockwatch's %s\n", view);
				exit(EXIT_SETUP);
			}
		}
		l->f[l->n] = f;
		snprintf(l->line[l->n], sizeof(l->line[0]), "%.*s",
			 (int)strcspn(line, "\n"), line);
		l->n++;
	}
	fclose(fp);
	return true;
}

static void listing_free(struct listing *l)
{
	free(l->f);
	free(l->line);
	*l = (struct listing){ 0 };
}

/* The last reading's scoped mismatches lines and folio PFNs, for the report. */
static char kept[KEEP_LINES][160];
static int nr_kept;
static struct pfnset folio_pfns;

/*
 * The scope read around the module's listing: an entry belongs to it
 * when its PFNs were the scope's both before and after the view was
 * read, so that a folio migrated, freed or reused meanwhile is neither
 * judged nor lost silently. Read again while some moved; what still
 * moves is counted as unstable, and makes the reading incomplete.
 */
void scope_read(const struct scope *sc, const char *view, bool count_folios,
		struct scope_reading *r)
{
	int tries;

	for (tries = 0; tries < SCOPE_TRIES; tries++) {
		struct listing mis = { 0 }, all = { 0 };
		struct pass a = { 0 }, b = { 0 };
		size_t i;

		memset(r, 0, sizeof(*r));
		r->on = true;
		r->folios = -1;
		nr_kept = 0;
		folio_pfns.n = 0;
		pass_read(sc, &a);
		if (module_loaded()) {
			r->listed = listing_read(view, &mis);
			if (r->listed && count_folios)
				r->listed = listing_read("folios", &all);
		}
		pass_read(sc, &b);
		for (i = 0; i < mis.n; i++)
			switch (folio_in_scope(&a.all, &b.all, &mis.f[i])) {
			case 1:
				r->mismatches++;
				r->shared += folio_shared(&mis.f[i]);
				if (nr_kept < KEEP_LINES)
					snprintf(kept[nr_kept++], sizeof(kept[0]), "%s", mis.line[i]);
				break;
			case -1:
				r->unstable++;
				break;
			}
		if (r->listed && count_folios)
			r->folios = 0;
		for (i = 0; i < all.n; i++)
			switch (folio_in_scope(&a.all, &b.all, &all.f[i])) {
			case 1:
				r->folios++;
				pfnset_add(&folio_pfns, all.f[i].pfn);
				break;
			case -1:
				r->unstable++;
				break;
			}
		pfnset_seal(&folio_pfns);
		r->nr_pids = pids.n;
		r->gone = a.gone > b.gone ? a.gone : b.gone;
		r->vmlck = b.vmlck;
		r->locked_vma = b.locked_vma;
		r->locked_present = b.locked.n;
		r->locked_mlocked = count_mlocked(&b.locked);
		r->charged = sc->memcg ? b.charged : -1;
		r->charged_mlocked = sc->memcg ? b.charged_mlocked : -1;
		if (nr_kept)
			snprintf(r->first_mismatch, sizeof(r->first_mismatch), "%s", kept[0]);
		pass_free(&a);
		pass_free(&b);
		listing_free(&mis);
		listing_free(&all);
		if (!r->unstable)
			break;
	}
}

void scope_print_lines(FILE *out, int max)
{
	int i;

	for (i = 0; i < nr_kept && i < max; i++)
		fprintf(out, "    %s\n", kept[i]);
}

/* The scope's folios (head PFNs) of the last reading, as a JSON array. */
void scope_print_pfns(FILE *out)
{
	size_t i;

	fputc('[', out);
	for (i = 0; i < folio_pfns.n; i++)
		fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)folio_pfns.v[i]);
	fputc(']', out);
}
