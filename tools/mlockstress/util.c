// SPDX-License-Identifier: GPL-2.0
#include "mlockstress.h"

/* ------------------------------------------------------------------ */
/* small helpers */

uint64_t splitmix64(uint64_t *x)
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
uint64_t rng_seed(uint64_t seed, const char *name, unsigned int stream)
{
	uint64_t h = 1469598103934665603ull;
	uint64_t x, s;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 1099511628211ull;
	x = seed ^ h ^ ((uint64_t)stream << 40);
	s = splitmix64(&x);
	return s ? s : 1;
}

size_t rnd(struct ctx *c, size_t n)
{
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return n ? (x * 0x2545f4914f6cdd1dull) % n : 0;
}

void count(struct ctx *c, enum op op)
{
	__atomic_fetch_add(&c->res->count[op], 1, __ATOMIC_RELAXED);
}

void refused(struct ctx *c)
{
	__atomic_fetch_add(&c->res->refusals, 1, __ATOMIC_RELAXED);
}

void info(struct ctx *c, const char *fmt, ...)
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

int skip(struct ctx *c, const char *fmt, ...)
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
int surprise(struct ctx *c, const char *op, int err,
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
int lock_failed(struct ctx *c, const char *op, const void *addr,
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

bool more(struct ctx *c)
{
	if (c->failed || stop_requested)
		return false;
	if (c->o->ops)
		return c->done < c->budget;
	return now() < c->deadline;
}

void step(struct ctx *c)
{
	c->done++;
	__atomic_fetch_add(&c->res->steps, 1, __ATOMIC_RELAXED);
}

int read_text(const char *path, char *buf, size_t size)
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

int write_text(const char *path, const char *text)
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
long proc_field(const char *path, const char *key)
{
	struct field f = { key, -1 };

	for_each_line(path, field_line, &f);
	return f.val;
}

long vmlck_kb(void)
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
int check_vmlck_vs_smaps(struct ctx *c, const char *where)
{
	long kb = vmlck_kb(), lo = smaps_locked_kb();

	if (kb != lo)
		return surprise(c, where, 0,
				"VmLck is %ld kB but the VM_LOCKED VMAs in smaps add up to %ld kB",
				kb, lo);
	return 0;
}

int check_vmlck(struct ctx *c, const char *where)
{
	long kb = vmlck_kb();
	long want = c->vmlck_base + c->locked / 1024;

	if (kb != want)
		return surprise(c, where, 0, "VmLck is %ld kB, expected %ld kB",
				kb, want);
	return 0;
}

int knob_set(struct ctx *c, struct knob *k, const char *path,
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

void knob_restore(struct ctx *c, struct knob *k)
{
	if (!k->saved)
		return;
	count(c, OP_SYSFS);
	if (write_text(k->path, k->old))
		surprise(c, "restore", errno, "writing '%s' to %s", k->old,
			 k->path);
	k->saved = false;
}

size_t pmd_size(void)
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
void pick_range(struct ctx *c, size_t npages, size_t align,
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

int sync_send(int fd)
{
	return write(fd, "x", 1) == 1 ? 0 : -1;
}

int sync_wait(int fd)
{
	char b;

	return read(fd, &b, 1) == 1 ? 0 : -1;
}

/* Waits for a child and turns anything but a clean exit into a surprise. */
int reap(struct ctx *c, pid_t pid, unsigned long errors_before)
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
