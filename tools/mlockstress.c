// SPDX-License-Identifier: GPL-2.0
/*
 * mlockstress: drive the kernel's mlock paths hard enough that a checker
 * watching NR_MLOCK and PG_mlocked meets every kind of transition, and
 * check what user space can know for certain along the way: VmLck, that
 * locked pages stay resident and keep their contents, and which syscalls
 * must succeed or be refused.  tools/mlockstress.md documents the
 * scenarios, the options and the JSON keys.
 *
 * Every scenario leaves nothing locked, mapped or on disk behind it, so
 * NR_MLOCK returns to its starting value once the per-CPU mlock batches
 * are drained: the guest tests rely on that.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mempolicy.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_SCENARIOS	32
#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"

/* Older uapi headers lack these; the values are ABI. */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

enum op {
	OP_MLOCK, OP_MLOCK_ONFAULT, OP_MUNLOCK, OP_MLOCKALL, OP_MUNLOCKALL,
	OP_MMAP, OP_MUNMAP, OP_TOUCH, OP_MPROTECT, OP_MREMAP, OP_FORK,
	OP_COW, OP_PREAD, OP_PUNCH, OP_TRUNCATE, OP_MADV_DONTNEED,
	OP_MADV_DONTNEED_LOCKED, OP_MADV_FREE, OP_MADV_COLD, OP_MADV_PAGEOUT,
	OP_MADV_WILLNEED, OP_MADV_REMOVE, OP_MADV_COLLAPSE, OP_MADV_HUGEPAGE,
	OP_MOVE_PAGES, OP_MBIND, OP_COMPACT, OP_SHM_LOCK, OP_SHM_UNLOCK,
	OP_SHMAT, OP_SHMDT, OP_SYSFS, NR_OPS
};

static const char *const op_names[NR_OPS] = {
	[OP_MLOCK] = "mlock",		[OP_MLOCK_ONFAULT] = "mlock2_onfault",
	[OP_MUNLOCK] = "munlock",	[OP_MLOCKALL] = "mlockall",
	[OP_MUNLOCKALL] = "munlockall",	[OP_MMAP] = "mmap",
	[OP_MUNMAP] = "munmap",		[OP_TOUCH] = "touch",
	[OP_MPROTECT] = "mprotect",	[OP_MREMAP] = "mremap",
	[OP_FORK] = "fork",		[OP_COW] = "cow_write",
	[OP_PREAD] = "pread",		[OP_PUNCH] = "punch_hole",
	[OP_TRUNCATE] = "truncate",	[OP_MADV_DONTNEED] = "madv_dontneed",
	[OP_MADV_DONTNEED_LOCKED] = "madv_dontneed_locked",
	[OP_MADV_FREE] = "madv_free",	[OP_MADV_COLD] = "madv_cold",
	[OP_MADV_PAGEOUT] = "madv_pageout",
	[OP_MADV_WILLNEED] = "madv_willneed",
	[OP_MADV_REMOVE] = "madv_remove",
	[OP_MADV_COLLAPSE] = "madv_collapse",
	[OP_MADV_HUGEPAGE] = "madv_hugepage",
	[OP_MOVE_PAGES] = "move_pages",	[OP_MBIND] = "mbind",
	[OP_COMPACT] = "compact_memory",
	[OP_SHM_LOCK] = "shm_lock",	[OP_SHM_UNLOCK] = "shm_unlock",
	[OP_SHMAT] = "shmat",		[OP_SHMDT] = "shmdt",
	[OP_SYSFS] = "sysfs_write",
};

struct opts {
	unsigned int threads;
	double duration;		/* seconds per scenario */
	unsigned long ops;		/* steps per scenario; 0: duration */
	size_t size;			/* bytes per scenario */
	uint64_t seed;
	const char *path;
	bool json;
	bool progress;
};

enum { RES_NOTRUN, RES_OK, RES_FAIL, RES_SKIP };

/*
 * One scenario's tally.  It lives in a MAP_SHARED page so that forked
 * children and threads add to it directly (atomically) and the progress
 * thread can read it.
 */
struct result {
	unsigned long steps;
	unsigned long errors;
	unsigned long refusals;
	unsigned long count[NR_OPS];
	double secs;
	int status;
	char skip[160];
	char info[240];
};

struct shared {
	int cur;
	struct result res[MAX_SCENARIOS];
};

/* Per process or thread: what one stream of operations needs. */
struct ctx {
	const struct opts *o;
	const char *name;		/* scenario */
	struct result *res;
	uint64_t rng;
	unsigned long budget;		/* steps allowed with --ops */
	unsigned long done;
	double deadline;		/* with --duration */
	long vmlck_base;		/* kB of VmLck when the scenario began */
	long locked;			/* bytes we locked through regions */
	unsigned int nfiles;
	unsigned long einval, silent;	/* madvise refusals, by kind */
	bool failed;
};

/* Per-page state the regions keep, to know what the kernel must show. */
enum {
	S_LOCKED	= 0x01,	/* in a VM_LOCKED VMA */
	S_ONFAULT	= 0x02,	/* ... with VM_LOCKONFAULT */
	S_RES		= 0x04,	/* populated since: must be resident if locked */
	S_KNOWN		= 0x08,	/* holds pattern(r, i) */
	S_RO		= 0x10,	/* mprotect()ed read-only */
};

struct sfile {
	int fd;
	size_t len;
	char path[PATH_MAX];		/* empty for a memfd */
};

struct region {
	char *addr;
	size_t npages;
	unsigned char *st;
	unsigned char *gen;		/* bumps on each write of a page */
	unsigned char *vec;		/* mincore() scratch */
	uint64_t tag;
	struct sfile *file;		/* NULL: anonymous */
	int flags;			/* MAP_PRIVATE or MAP_SHARED */
	int prot;
	bool huge;			/* MADV_HUGEPAGE after each (re)map */
	bool verify;			/* track and check contents */
};

/* A sysfs or sysctl setting changed for a scenario and put back after. */
struct knob {
	char path[PATH_MAX];
	char old[128];
	bool saved;
};

struct scenario {
	const char *name;
	int (*run)(struct ctx *c);
	const char *desc;
};

#define SKIP	1

static size_t page_size;
static volatile sig_atomic_t stop_requested;

/* ------------------------------------------------------------------ */
/* small helpers */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Each scenario (and each thread or child in it) gets a stream derived
 * from the seed and its own name, so selecting fewer scenarios does not
 * change the sequence of the ones that remain.
 */
static uint64_t rng_seed(uint64_t seed, const char *name, unsigned int stream)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t x, s;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	x = seed ^ h ^ ((uint64_t)stream << 40);
	s = splitmix64(&x);
	return s ? s : 1;
}

static size_t rnd(struct ctx *c, size_t n)
{
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return n ? (x * 0x2545f4914f6cdd1dull) % n : 0;
}

static void count(struct ctx *c, enum op op)
{
	__atomic_fetch_add(&c->res->count[op], 1, __ATOMIC_RELAXED);
}

static void refused(struct ctx *c)
{
	__atomic_fetch_add(&c->res->refusals, 1, __ATOMIC_RELAXED);
}

static void info(struct ctx *c, const char *fmt, ...)
{
	size_t len = strlen(c->res->info);
	va_list ap;

	if (len && len < sizeof(c->res->info) - 2) {
		strcpy(c->res->info + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->res->info + len, sizeof(c->res->info) - len, fmt, ap);
	va_end(ap);
}

static int skip(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->res->skip, sizeof(c->res->skip), fmt, ap);
	va_end(ap);
	return SKIP;
}

/*
 * A surprise: something the kernel did that it must not, or a syscall
 * that must succeed and did not.  Name it at once, so that a run that
 * goes on to crash still said what went wrong first.
 */
static int surprise(struct ctx *c, const char *op, int err,
		    const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, "mlockstress: %s: %s: %s: %s (%s)\n", c->name,
			op, what, strerrorname_np(err) ?: "?", strerror(err));
	else
		fprintf(stderr, "mlockstress: %s: %s: %s\n", c->name, op, what);
	__atomic_fetch_add(&c->res->errors, 1, __ATOMIC_RELAXED);
	c->failed = true;
	return -1;
}

/*
 * On a test box the memlock limit, not the kernel, is the usual reason
 * for mlock to fail: say so plainly instead of leaving a bare ENOMEM.
 */
static int lock_failed(struct ctx *c, const char *op, const void *addr,
		       size_t len, int err)
{
	struct rlimit rl;

	if ((err == ENOMEM || err == EPERM || err == EAGAIN) &&
	    geteuid() != 0 && !getrlimit(RLIMIT_MEMLOCK, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY)
		fprintf(stderr,
			"mlockstress: %s: %s failed and RLIMIT_MEMLOCK is %llu kB: run as root, raise it (ulimit -l), or lower --size\n",
			c->name, op, (unsigned long long)rl.rlim_cur / 1024);
	return surprise(c, op, err, "%p + %zu kB", addr, len / 1024);
}

static bool more(struct ctx *c)
{
	if (c->failed || stop_requested)
		return false;
	if (c->o->ops)
		return c->done < c->budget;
	return now() < c->deadline;
}

static void step(struct ctx *c)
{
	c->done++;
	__atomic_fetch_add(&c->res->steps, 1, __ATOMIC_RELAXED);
}

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * Calls fn on each line of a /proc file.  It reads into a stack buffer
 * and never mallocs: under mlockall(MCL_FUTURE) a growing heap would
 * change the very VmLck being measured.
 */
static int for_each_line(const char *path, int (*fn)(char *line, void *arg),
			 void *arg)
{
	char buf[4096];
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *p = buf, *nl;
		size_t rest;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			close(fd);
			return -1;
		}
		have += got;
		buf[have] = '\0';
		while ((nl = memchr(p, '\n', buf + have - p))) {
			*nl = '\0';
			if (fn(p, arg))
				goto out;
			p = nl + 1;
		}
		if (got == 0) {
			if (p < buf + have)
				fn(p, arg);
			break;
		}
		rest = buf + have - p;
		if (rest == sizeof(buf) - 1)
			rest = 0;	/* an overlong line: drop it */
		memmove(buf, p, rest);
		have = rest;
	}
out:
	close(fd);
	return 0;
}

struct field {
	const char *key;
	long val;
};

static int field_line(char *line, void *arg)
{
	struct field *f = arg;
	size_t n = strlen(f->key);

	if (strncmp(line, f->key, n) || line[n] != ':')
		return 0;
	f->val = strtol(line + n + 1, NULL, 10);
	return 1;
}

/* The value of "KEY:" in a /proc file (kB in status and meminfo), or -1. */
static long proc_field(const char *path, const char *key)
{
	struct field f = { key, -1 };

	for_each_line(path, field_line, &f);
	return f.val;
}

static long vmlck_kb(void)
{
	return proc_field("/proc/self/status", "VmLck");
}

struct lo_sum {
	long size;
	long locked;
};

static int smaps_line(char *line, void *arg)
{
	struct lo_sum *s = arg;

	if (!strncmp(line, "Size:", 5))
		s->size = strtol(line + 5, NULL, 10);
	else if (!strncmp(line, "VmFlags:", 8) && strstr(line, " lo"))
		s->locked += s->size;
	return 0;
}

/* kB of every VMA that /proc/self/smaps flags "lo" (VM_LOCKED). */
static long smaps_locked_kb(void)
{
	struct lo_sum s = { 0, 0 };

	if (for_each_line("/proc/self/smaps", smaps_line, &s))
		return -1;
	return s.locked;
}

/*
 * mm->locked_vm must equal the size of the VM_LOCKED VMAs: where our own
 * bookkeeping cannot say what is locked (threads racing, mlockall), this
 * is the invariant left to check.
 */
static int check_vmlck_vs_smaps(struct ctx *c, const char *where)
{
	long kb = vmlck_kb(), lo = smaps_locked_kb();

	if (kb != lo)
		return surprise(c, where, 0,
				"VmLck is %ld kB but the VM_LOCKED VMAs in smaps add up to %ld kB",
				kb, lo);
	return 0;
}

static int check_vmlck(struct ctx *c, const char *where)
{
	long kb = vmlck_kb();
	long want = c->vmlck_base + c->locked / 1024;

	if (kb != want)
		return surprise(c, where, 0, "VmLck is %ld kB, expected %ld kB",
				kb, want);
	return 0;
}

static int knob_set(struct ctx *c, struct knob *k, const char *path,
		    const char *val)
{
	char cur[128], *l, *r;

	if (!k->saved) {
		if (read_text(path, cur, sizeof(cur)))
			return -1;
		/* sysfs choice files show "a [b] c": keep the chosen one */
		l = strchr(cur, '[');
		r = l ? strchr(l, ']') : NULL;
		if (l && r) {
			*r = '\0';
			memmove(cur, l + 1, strlen(l + 1) + 1);
		}
		if (k->path != path)
			snprintf(k->path, sizeof(k->path), "%s", path);
		snprintf(k->old, sizeof(k->old), "%s", cur);
	}
	count(c, OP_SYSFS);
	if (write_text(path, val))
		return -1;
	k->saved = true;
	return 0;
}

static void knob_restore(struct ctx *c, struct knob *k)
{
	if (!k->saved)
		return;
	count(c, OP_SYSFS);
	if (write_text(k->path, k->old))
		surprise(c, "restore", errno, "writing '%s' to %s", k->old,
			 k->path);
	k->saved = false;
}

static size_t pmd_size(void)
{
	char buf[64];

	if (read_text(THP_SYSFS "/hpage_pmd_size", buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 10);
}

/*
 * Picks a range of pages: now and then the whole thing, otherwise up to
 * a quarter of it, half of the time snapped to 'align' pages so that
 * large folios are locked whole as often as they are cut.
 */
static void pick_range(struct ctx *c, size_t npages, size_t align,
		       size_t *first, size_t *n)
{
	size_t max = npages / 4 ? npages / 4 : 1;

	if (!rnd(c, 16)) {
		*first = 0;
		*n = npages;
		return;
	}
	*n = 1 + rnd(c, max);
	*first = rnd(c, npages - *n + 1);
	if (align > 1 && rnd(c, 2)) {
		*first -= *first % align;
		*n = (*n + align - 1) / align * align;
		if (*first + *n > npages)
			*n = npages - *first;
	}
}

static int sync_send(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -1;
}

static int sync_wait(int fd)
{
	char b;

	return read(fd, &b, 1) == 1 ? 0 : -1;
}

/* Waits for a child and turns anything but a clean exit into a surprise. */
static int reap(struct ctx *c, pid_t pid, unsigned long errors_before)
{
	int status;

	if (waitpid(pid, &status, 0) < 0)
		return surprise(c, "waitpid", errno, "child %d", pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	/* a child that failed has already named its surprise */
	if (__atomic_load_n(&c->res->errors, __ATOMIC_RELAXED) >
	    errors_before) {
		c->failed = true;
		return -1;
	}
	if (WIFSIGNALED(status))
		return surprise(c, "child", 0, "killed by signal %d (%s)",
				WTERMSIG(status), strsignal(WTERMSIG(status)));
	return surprise(c, "child", 0, "exited with status %d",
			WEXITSTATUS(status));
}

/* ------------------------------------------------------------------ */
/* files */

static void sfile_init(struct sfile *f)
{
	f->fd = -1;
	f->len = 0;
	f->path[0] = '\0';
}

static int sfile_open(struct ctx *c, struct sfile *f, const char *dir,
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

static void sfile_close(struct ctx *c, struct sfile *f)
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

static uint64_t pattern(const struct region *r, size_t i)
{
	return r->tag ^ (i * 0x9e3779b97f4a7c15ull) ^
	       ((uint64_t)r->gen[i] << 56) ^ 1;
}

static int r_alloc(struct ctx *c, struct region *r, size_t npages)
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

static void r_release(struct region *r)
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
static int r_map(struct ctx *c, struct region *r, size_t npages, size_t align,
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
static void r_unmap_all(struct ctx *c, struct region *r)
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

static bool r_any(const struct region *r, size_t i, size_t n,
		  unsigned char mask)
{
	for (; n; i++, n--)
		if (r->st[i] & mask)
			return true;
	return false;
}

static int r_lock(struct ctx *c, struct region *r, size_t i, size_t n,
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

static int r_unlock(struct ctx *c, struct region *r, size_t i, size_t n)
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
static void r_touch(struct ctx *c, struct region *r, size_t i, size_t n,
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
static int r_check(struct ctx *c, struct region *r)
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

static int checkpoint(struct ctx *c, struct region *rs, size_t nr,
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
static void file_zapped(struct region *rs, size_t nr, struct sfile *f,
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

enum act {
	A_LOCK, A_LOCK_ONFAULT, A_UNLOCK, A_WRITE, A_READ, A_PROTECT,
	A_REMAP, A_COLLAPSE, A_PAGEOUT, A_COLD, NR_ACTS
};

/* One step of the kind most scenarios are built from. */
static int r_act(struct ctx *c, struct region *r, enum act a, size_t i,
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
static int r_loop(struct ctx *c, struct region *r, const enum act *acts,
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

static size_t size_pages(struct ctx *c, size_t divisor)
{
	size_t n = c->o->size / divisor / page_size;

	return n ? n : 1;
}

/* ------------------------------------------------------------------ */
/* scenarios */

static int sc_anon(struct ctx *c)
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
 * Page cache: a shared writable and a private read-only mapping of each
 * file, so locked file pages have one or two mappings, while holes are
 * punched and files truncated under the locks.
 */
static int sc_file(struct ctx *c)
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

static int sc_shared(struct ctx *c)
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

static int sc_thp(struct ctx *c)
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
static int sc_mthp(struct ctx *c)
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
static int sc_onfault(struct ctx *c)
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

static int sc_mlockall(struct ctx *c)
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

static int sc_fork_cow(struct ctx *c)
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

static int sc_mremap(struct ctx *c)
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

/*
 * Partial munlock, munmap and mprotect at arbitrary page offsets of a
 * THP-backed region, so VMA splits cut through large folios.
 */
static int sc_vma_split(struct ctx *c)
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
static int sc_migrate(struct ctx *c)
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
static int sc_compact(struct ctx *c)
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

static int sc_reclaim(struct ctx *c)
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

static int sc_madvise(struct ctx *c)
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

static int sc_shm(struct ctx *c)
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

/*
 * Threads lock, unlock, fault and split the same ranges at once.  Our
 * per-page bookkeeping cannot follow them, so at each round's barrier
 * VmLck is held against the VM_LOCKED VMAs in smaps instead.
 */
#define THREAD_ROUND	32

struct tshared {
	char *anon, *file;
	size_t anon_pages, file_pages;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_barrier_t bar;
	unsigned int rounds;		/* with --ops */
	bool go, finish, failed;
	bool exec_ok;
};

struct tctx {
	struct ctx c;
	struct tshared *ts;
	unsigned int id;
};

static int thread_op(struct ctx *c, struct tshared *ts)
{
	bool file = rnd(c, 3) == 0;
	size_t np = file ? ts->file_pages : ts->anon_pages, i, n, k;
	char *a, *base = file ? ts->file : ts->anon;
	int prot;

	pick_range(c, np, 1, &i, &n);
	a = base + i * page_size;
	switch (rnd(c, 8)) {
	case 0: case 1:
		count(c, OP_MLOCK);
		if (mlock(a, n * page_size))
			return lock_failed(c, "mlock", a, n * page_size, errno);
		break;
	case 2:
		count(c, OP_MLOCK_ONFAULT);
		if (mlock2(a, n * page_size, MLOCK_ONFAULT))
			return lock_failed(c, "mlock2(MLOCK_ONFAULT)", a,
					   n * page_size, errno);
		break;
	case 3: case 4:
		count(c, OP_MUNLOCK);
		if (munlock(a, n * page_size))
			return surprise(c, "munlock", errno, "%p", a);
		break;
	case 5:
		count(c, OP_TOUCH);
		for (k = 0; k < n; k++)
			((volatile char *)a)[k * page_size]++;
		break;
	case 6:
		/*
		 * Flip VM_EXEC rather than write permission: it splits and
		 * merges VMAs without making a racing write fault.
		 */
		count(c, OP_MPROTECT);
		if (!__atomic_load_n(&ts->exec_ok, __ATOMIC_RELAXED))
			break;
		prot = PROT_READ | PROT_WRITE | (rnd(c, 2) ? PROT_EXEC : 0);
		if (mprotect(a, n * page_size, prot)) {
			if (errno != EACCES)
				return surprise(c, "mprotect", errno, "%p", a);
			__atomic_store_n(&ts->exec_ok, false,
					 __ATOMIC_RELAXED);
			refused(c);
		}
		break;
	case 7:
		/* may meet a VMA another thread just locked */
		count(c, OP_MADV_DONTNEED);
		if (madvise(a, n * page_size, MADV_DONTNEED)) {
			if (errno != EINVAL)
				return surprise(c, "madvise(MADV_DONTNEED)",
						errno, "%p", a);
			refused(c);
		}
		break;
	}
	return 0;
}

static void *thread_main(void *arg)
{
	struct tctx *t = arg;
	struct tshared *ts = t->ts;
	struct ctx *c = &t->c;
	unsigned int round = 0;

	/* no thread starts before all exist and the barrier is sized */
	pthread_mutex_lock(&ts->mu);
	while (!ts->go)
		pthread_cond_wait(&ts->cv, &ts->mu);
	pthread_mutex_unlock(&ts->mu);
	while (!ts->finish) {
		unsigned long k;

		for (k = 0; k < THREAD_ROUND && c->done < c->budget &&
		     !c->failed && !stop_requested &&
		     (c->o->ops || now() < c->deadline); k++) {
			step(c);
			if (thread_op(c, ts))
				break;
		}
		if (c->failed)
			__atomic_store_n(&ts->failed, true, __ATOMIC_RELAXED);
		pthread_barrier_wait(&ts->bar);
		/* the first thread checks and decides while the rest wait */
		if (t->id == 0) {
			if (!ts->failed && check_vmlck_vs_smaps(c, "barrier"))
				ts->failed = true;
			ts->finish = ts->failed || stop_requested ||
				     (c->o->ops ? ++round >= ts->rounds :
				      now() >= c->deadline);
		}
		pthread_barrier_wait(&ts->bar);
	}
	return NULL;
}

/*
 * Starts the threads; with --ops each gets its share of the steps, in
 * rounds of THREAD_ROUND, else they go round until the deadline.
 */
static int threads_run(struct ctx *c, struct tshared *ts, struct tctx *t,
		       pthread_t *tid, unsigned int nt)
{
	unsigned long left = c->budget, most = 0;
	unsigned int j, started = 0;

	for (j = 0; j < nt; j++) {
		int err;

		t[j].c = *c;
		t[j].c.rng = rng_seed(c->o->seed, c->name, j + 1);
		t[j].c.done = 0;
		t[j].c.budget = c->o->ops ? left / nt + (j < left % nt) :
				ULONG_MAX;
		if (t[j].c.budget > most)
			most = t[j].c.budget;
		t[j].ts = ts;
		t[j].id = j;
		err = pthread_create(&tid[j], NULL, thread_main, &t[j]);
		if (err) {
			surprise(c, "pthread_create", err, "thread %u", j);
			break;
		}
		started++;
	}
	ts->rounds = (most + THREAD_ROUND - 1) / THREAD_ROUND;
	/* a thread that could not start would leave the barrier shut */
	ts->finish = c->failed;
	if (started)
		pthread_barrier_init(&ts->bar, NULL, started);
	pthread_mutex_lock(&ts->mu);
	ts->go = true;
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->mu);
	for (j = 0; j < started; j++) {
		pthread_join(tid[j], NULL);
		c->done += t[j].c.done;
		c->failed |= t[j].c.failed;
	}
	if (started)
		pthread_barrier_destroy(&ts->bar);
	if (ts->failed)
		c->failed = true;
	return c->failed ? -1 : 0;
}

static int sc_threads(struct ctx *c)
{
	unsigned int nt = c->o->threads;
	struct tshared ts = {
		.mu = PTHREAD_MUTEX_INITIALIZER,
		.cv = PTHREAD_COND_INITIALIZER,
		.exec_ok = true,
	};
	struct tctx *t = calloc(nt, sizeof(*t));
	pthread_t *tid = calloc(nt, sizeof(*tid));
	struct sfile f;
	int ret = -1;

	sfile_init(&f);
	ts.anon = ts.file = MAP_FAILED;
	if (!t || !tid) {
		surprise(c, "calloc", ENOMEM, "");
		goto out;
	}
	ts.anon_pages = size_pages(c, 2);
	ts.file_pages = size_pages(c, 2);
	count(c, OP_MMAP);
	ts.anon = mmap(NULL, ts.anon_pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ts.anon == MAP_FAILED) {
		surprise(c, "mmap", errno, "");
		goto out;
	}
	if (sfile_open(c, &f, NULL, ts.file_pages * page_size))
		goto out;
	count(c, OP_MMAP);
	ts.file = mmap(NULL, ts.file_pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, f.fd, 0);
	if (ts.file == MAP_FAILED) {
		surprise(c, "mmap", errno, "");
		goto out;
	}
	threads_run(c, &ts, t, tid, nt);
	if (!c->failed) {
		count(c, OP_MUNLOCK);
		count(c, OP_MUNLOCK);
		if (munlock(ts.anon, ts.anon_pages * page_size) ||
		    munlock(ts.file, ts.file_pages * page_size))
			surprise(c, "munlock", errno, "all");
		else
			check_vmlck(c, "munlock");
	}
	ret = c->failed ? -1 : 0;
out:
	if (ts.anon != MAP_FAILED)
		munmap(ts.anon, ts.anon_pages * page_size);
	if (ts.file != MAP_FAILED)
		munmap(ts.file, ts.file_pages * page_size);
	sfile_close(c, &f);
	free(t);
	free(tid);
	return c->failed ? -1 : ret;
}

/* The one table: --list, --scenario and the run order all come from it. */
static const struct scenario scenarios[] = {
	{ "anon", sc_anon,
	  "mlock/munlock of anonymous memory" },
	{ "file", sc_file,
	  "tmpfs (and --path) page cache: lock, punch, truncate" },
	{ "shared", sc_shared,
	  "one tmpfs file locked by two processes" },
	{ "thp", sc_thp,
	  "PMD-sized THP locked whole and in part, collapsed" },
	{ "mthp", sc_mthp,
	  "multi-size THP, one size at a time via sysfs" },
	{ "onfault", sc_onfault,
	  "MLOCK_ONFAULT, faults and file fault-around" },
	{ "mlockall", sc_mlockall,
	  "MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT in a child" },
	{ "fork-cow", sc_fork_cow,
	  "fork with locked VMAs, COW on both sides" },
	{ "mremap", sc_mremap,
	  "move, grow, shrink and DONTUNMAP locked VMAs" },
	{ "vma-split", sc_vma_split,
	  "partial munlock/munmap/mprotect through THPs" },
	{ "migrate", sc_migrate,
	  "move_pages and mbind of locked pages across nodes" },
	{ "compact", sc_compact,
	  "compact_memory while pages are locked" },
	{ "reclaim", sc_reclaim,
	  "MADV_PAGEOUT/COLD on unlocked neighbours, racing locks" },
	{ "madvise", sc_madvise,
	  "DONTNEED/FREE/COLD/PAGEOUT/REMOVE refused when locked" },
	{ "shm", sc_shm,
	  "SysV SHM_LOCK/SHM_UNLOCK with mlocked attachments" },
	{ "threads", sc_threads,
	  "concurrent mlock/munlock/mprotect on shared ranges" },
};

/* ------------------------------------------------------------------ */
/* running and reporting */

struct progress {
	struct shared *sh;
	bool done;
};

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	struct timespec ts = { 1, 0 };

	while (!__atomic_load_n(&p->done, __ATOMIC_ACQUIRE)) {
		int cur = __atomic_load_n(&p->sh->cur, __ATOMIC_RELAXED);
		long vmlck = vmlck_kb();
		long mlocked = proc_field("/proc/meminfo", "Mlocked");
		unsigned long steps;

		nanosleep(&ts, NULL);
		if (cur < 0 || __atomic_load_n(&p->done, __ATOMIC_ACQUIRE))
			continue;
		steps = __atomic_load_n(&p->sh->res[cur].steps,
					__ATOMIC_RELAXED);
		fprintf(stderr, "mlockstress: %-9s %8lu ops  VmLck %6.1f MiB  Mlocked %6.1f MiB\n",
			scenarios[cur].name, steps, vmlck / 1024.0,
			mlocked / 1024.0);
	}
	return NULL;
}

static int run_scenario(const struct opts *o, struct shared *sh, int idx)
{
	const struct scenario *sc = &scenarios[idx];
	struct ctx c = {
		.o = o, .name = sc->name, .res = &sh->res[idx],
		.budget = o->ops,
	};
	double t0 = now();
	long end;
	int ret;

	c.rng = rng_seed(o->seed, sc->name, 0);
	c.deadline = t0 + o->duration;
	c.vmlck_base = vmlck_kb();
	__atomic_store_n(&sh->cur, idx, __ATOMIC_RELAXED);
	ret = sc->run(&c);
	end = vmlck_kb();
	if (ret != SKIP && !c.failed && end != c.vmlck_base)
		surprise(&c, "baseline", 0,
			 "VmLck is %ld kB after the scenario, %ld kB before",
			 end, c.vmlck_base);
	c.res->secs = now() - t0;
	if (ret == SKIP)
		c.res->status = RES_SKIP;
	else if (c.failed || ret)
		c.res->status = RES_FAIL;
	else
		c.res->status = RES_OK;
	return c.res->status;
}

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *status_name(int st)
{
	switch (st) {
	case RES_OK: return "ok";
	case RES_FAIL: return "fail";
	case RES_SKIP: return "skip";
	}
	return "notrun";
}

static void print_json(const struct opts *o, const struct shared *sh,
		       const bool *sel, double secs, bool ok)
{
	unsigned long ops = 0, errs = 0;
	struct utsname u;
	bool first = true;
	size_t i, k;

	uname(&u);
	printf("{\"tool\":\"mlockstress\",\"version\":1,\"kernel\":");
	json_str(stdout, u.release);
	printf(",\"seed\":%" PRIu64 ",\"ops_limit\":", o->seed);
	if (o->ops)
		printf("%lu,\"duration_s\":null", o->ops);
	else
		printf("null,\"duration_s\":%g", o->duration);
	printf(",\"size\":%zu,\"threads\":%u,\"path\":", o->size, o->threads);
	json_str(stdout, o->path);
	printf(",\"scenarios\":[");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct result *r = &sh->res[i];
		bool fc = true;

		if (!sel[i])
			continue;
		ops += r->steps;
		errs += r->errors;
		printf("%s{\"name\":\"%s\",\"status\":\"%s\",\"ops\":%lu,\"errors\":%lu,\"refusals\":%lu,\"time_s\":%.3f,\"counts\":{",
		       first ? "" : ",", scenarios[i].name,
		       status_name(r->status), r->steps, r->errors,
		       r->refusals, r->secs);
		first = false;
		for (k = 0; k < NR_OPS; k++) {
			if (!r->count[k])
				continue;
			printf("%s\"%s\":%lu", fc ? "" : ",", op_names[k],
			       r->count[k]);
			fc = false;
		}
		printf("},\"skip_reason\":");
		json_str(stdout, r->status == RES_SKIP ? r->skip : NULL);
		printf(",\"info\":");
		json_str(stdout, r->info[0] ? r->info : NULL);
		printf("}");
	}
	printf("],\"ops\":%lu,\"errors\":%lu,\"time_s\":%.3f,\"status\":\"%s\"}\n",
	       ops, errs, secs, ok ? "ok" : "fail");
}

static void print_summary(const struct opts *o, const struct shared *sh,
			  const bool *sel, double secs, bool ok)
{
	size_t i;

	printf("%-10s %-6s %9s %7s %8s %8s\n", "scenario", "result", "ops",
	       "errors", "refused", "time");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct result *r = &sh->res[i];

		if (!sel[i])
			continue;
		printf("%-10s %-6s %9lu %7lu %8lu %7.2fs\n", scenarios[i].name,
		       status_name(r->status), r->steps, r->errors,
		       r->refusals, r->secs);
		if (r->status == RES_SKIP)
			printf("%10s skipped: %s\n", "", r->skip);
		if (r->info[0])
			printf("%10s %s\n", "", r->info);
	}
	printf("mlockstress: %s in %.1fs (seed %" PRIu64 ")\n",
	       ok ? "ok" : "FAILED", secs, o->seed);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: mlockstress [OPTIONS]\n"
		"Stress the kernel's mlock paths and check what user space can see.\n"
		"\n"
		"  -s, --scenario LIST  comma-separated scenarios (default: all)\n"
		"  -t, --threads N      threads for 'threads' and 'reclaim' (default 4)\n"
		"  -d, --duration S     seconds per scenario (default 2)\n"
		"  -n, --ops N          steps per scenario instead of a duration\n"
		"  -z, --size SIZE      memory per scenario, K/M/G suffixes (default 16M)\n"
		"  -S, --seed N         seed of the operation sequence (default: from\n"
		"                       the clock; printed in the summary)\n"
		"  -p, --path DIR       also use the page cache of a file in DIR\n"
		"  -l, --list           list the scenarios\n"
		"  -j, --json           print the summary as one JSON object on stdout\n"
		"  -h, --help           this text\n"
		"\n"
		"Scenarios:\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(f, "  %-10s %s\n", scenarios[i].name, scenarios[i].desc);
	fprintf(f, "\nExit status: 0 ok, 1 a surprise or failure, 2 usage error.\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && !(toupper((unsigned char)*end) == 'B' && !end[1]))
		return -1;
	*out = v;
	return 0;
}

static int select_scenarios(const char *list, bool *sel)
{
	char buf[512], *tok, *save;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			if (!strcmp(tok, scenarios[i].name))
				break;
		if (i == ARRAY_SIZE(scenarios)) {
			fprintf(stderr, "mlockstress: unknown scenario '%s' (see --list)\n",
				tok);
			return -1;
		}
		sel[i] = true;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "path", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.threads = 4, .duration = 2, .size = 16 << 20,
	};
	bool sel[ARRAY_SIZE(scenarios)] = { false }, any = false, ok = true;
	bool have_duration = false, have_seed = false;
	struct progress prog = { 0 };
	pthread_t ptid;
	struct sigaction sa;
	struct shared *sh;
	struct stat stt;
	double t0;
	char *end;
	size_t i;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:t:d:n:z:S:p:ljh", longopts,
				  NULL)) != -1) {
		errno = 0;
		switch (opt) {
		case 's':
			if (select_scenarios(optarg, sel))
				return 2;
			any = true;
			break;
		case 't':
			o.threads = strtoul(optarg, &end, 10);
			if (errno || *end || !o.threads || o.threads > 256)
				goto bad;
			break;
		case 'd':
			o.duration = strtod(optarg, &end);
			if (errno || *end || !(o.duration > 0))
				goto bad;
			have_duration = true;
			break;
		case 'n':
			o.ops = strtoul(optarg, &end, 10);
			if (errno || *end || !o.ops)
				goto bad;
			break;
		case 'z':
			if (parse_size(optarg, &o.size) || o.size < (64 << 10))
				goto bad;
			break;
		case 'S':
			o.seed = strtoull(optarg, &end, 0);
			if (errno || *end)
				goto bad;
			have_seed = true;
			break;
		case 'p':
			o.path = optarg;
			if (stat(optarg, &stt) || !S_ISDIR(stt.st_mode)) {
				fprintf(stderr, "mlockstress: --path %s: not a directory\n",
					optarg);
				return 2;
			}
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(scenarios); i++)
				printf("%-10s %s\n", scenarios[i].name,
				       scenarios[i].desc);
			return 0;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "mlockstress: bad value '%s' for -%c\n", optarg,
			opt);
		usage(stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "mlockstress: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (have_duration && o.ops) {
		fprintf(stderr, "mlockstress: --duration and --ops exclude each other\n");
		return 2;
	}
	if (!any)
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			sel[i] = true;
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000) ^
			 (uint64_t)getpid() << 32;
		o.seed %= 1000000000;
	}
	page_size = sysconf(_SC_PAGESIZE);
	o.size = (o.size + page_size - 1) / page_size * page_size;
	o.progress = isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mlockstress: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	sh->cur = -1;
	if (!o.json || o.progress)
		fprintf(stderr, "mlockstress: seed %" PRIu64 ", size %zu kB, %s\n",
			o.seed, o.size / 1024, o.ops ? "ops per scenario" :
			"duration per scenario");
	if (o.progress) {
		prog.sh = sh;
		if (pthread_create(&ptid, NULL, progress_main, &prog))
			o.progress = false;
	}
	t0 = now();
	for (i = 0; i < ARRAY_SIZE(scenarios) && !stop_requested; i++) {
		if (!sel[i])
			continue;
		if (run_scenario(&o, sh, i) == RES_FAIL)
			ok = false;
	}
	if (stop_requested) {
		fprintf(stderr, "mlockstress: interrupted\n");
		ok = false;
	}
	if (o.progress) {
		__atomic_store_n(&prog.done, true, __ATOMIC_RELEASE);
		pthread_join(ptid, NULL);
	}
	if (o.json)
		print_json(&o, sh, sel, now() - t0, ok);
	else
		print_summary(&o, sh, sel, now() - t0, ok);
	return ok ? 0 : 1;
}
