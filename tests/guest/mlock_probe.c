// SPDX-License-Identifier: GPL-2.0
/*
 * mlock_probe: a scriptable process for the shadow-table scenario tests.
 * It reads commands, one per line, from stdin and answers each with "ok"
 * (or a line that says what failed) on stdout, so that a shell test can
 * read the module's files between the steps. Regions are named by one
 * letter; sizes and offsets are in KiB.
 *
 *   map R KIND KB [locked]   KIND: anon, thp (MADV_HUGEPAGE, PMD-aligned),
 *                            nothp (MADV_NOHUGEPAGE), shm (MAP_SHARED
 *                            of /dev/shm/mlock_probe.R), file:PATH
 *                            (MAP_SHARED of PATH, created KB long);
 *                            "locked" adds MAP_LOCKED
 *   touch R [OFF LEN]        write every page (of the range)
 *   read R [OFF LEN]         read every page (of the range)
 *   mlock R [OFF LEN]        mlock (the whole region by default)
 *   onfault R [OFF LEN]      mlock2(MLOCK_ONFAULT)
 *   munlock R [OFF LEN]
 *   munmap R [OFF LEN]
 *   mlockall FLAGS           FLAGS: a comma list of current,future,onfault
 *   munlockall
 *   mremap R KB              grow or shrink, MREMAP_MAYMOVE
 *   fork                     a child that holds every mapping until "reap"
 *   cow R                    the child writes every page of R (COW)
 *   reap                     the child exits, and is waited for
 *   move R NODE              move_pages every page of R to NODE
 *   pfns R FILE              write the PFN of every present page of R to
 *                            FILE, one per line (from /proc/self/pagemap)
 *   heads R                  answer "ok N": how many folio heads (large
 *                            or small) R's present pages belong to, from
 *                            /proc/kpageflags: 2 for two 64 KiB mTHPs
 *   inject R OFF VERB [N]    write "VERB ADDR [N]" to the test-only
 *                            injector (tests/inject), ADDR being R's page
 *                            at OFF KiB: the injector acts on our own mm
 *   exit
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

#define PMD_SIZE (2UL << 20)

struct region {
	char *addr;
	size_t len;
	int fd;
};

static struct region regions[26];
static long page_size;
static pid_t child = -1;
static int child_cmd[2] = { -1, -1 }, child_ack[2] = { -1, -1 };

static struct region *region_of(const char *name)
{
	if (!name || name[0] < 'a' || name[0] > 'z' || name[1])
		return NULL;
	return &regions[name[0] - 'a'];
}

/* The range [OFF, OFF+LEN) KiB of @r, the whole region by default. */
static int range(struct region *r, char *off, char *len, char **a, size_t *n)
{
	size_t o = off ? strtoul(off, NULL, 10) << 10 : 0;
	size_t l = len ? strtoul(len, NULL, 10) << 10 : r->len - o;

	if (!r->addr || o + l > r->len)
		return -1;
	*a = r->addr + o;
	*n = l;
	return 0;
}

static const char *do_map(struct region *r, char *kind, char *kb, char *opt)
{
	size_t len = strtoul(kb ? kb : "0", NULL, 10) << 10;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS, fd = -1;
	char path[256], *p;

	if (!len || !kind)
		return "usage: map R KIND KB [locked]";
	if (opt && !strcmp(opt, "locked"))
		flags |= MAP_LOCKED;
	if (!strcmp(kind, "shm") || !strncmp(kind, "file:", 5)) {
		if (!strcmp(kind, "shm"))
			snprintf(path, sizeof(path), "/dev/shm/mlock_probe.%c",
				 'a' + (int)(r - regions));
		else
			snprintf(path, sizeof(path), "%s", kind + 5);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, len))
			return strerror(errno);
		flags = (flags & ~(MAP_PRIVATE | MAP_ANONYMOUS)) | MAP_SHARED;
	}
	if (!strcmp(kind, "thp")) {
		/* PMD-aligned: over-map, then trim */
		p = mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE,
			 flags & ~MAP_LOCKED, -1, 0);
		if (p == MAP_FAILED)
			return strerror(errno);
		char *al = (char *)(((uintptr_t)p + PMD_SIZE - 1) & ~(PMD_SIZE - 1));

		if (al > p)
			munmap(p, al - p);
		munmap(al + len, p + len + PMD_SIZE - (al + len));
		p = al;
		if (madvise(p, len, MADV_HUGEPAGE))
			return strerror(errno);
		if ((flags & MAP_LOCKED) && mlock(p, len))
			return strerror(errno);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (p == MAP_FAILED)
			return strerror(errno);
		if (!strcmp(kind, "nothp"))
			madvise(p, len, MADV_NOHUGEPAGE);
	}
	r->addr = p;
	r->len = len;
	r->fd = fd;
	return NULL;
}

static int mlockall_flags(const char *s)
{
	int f = 0;

	if (strstr(s, "current"))
		f |= MCL_CURRENT;
	if (strstr(s, "future"))
		f |= MCL_FUTURE;
	if (strstr(s, "onfault"))
		f |= MCL_ONFAULT;
	return f;
}

static const char *do_pfns(struct region *r, const char *file)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	FILE *out = fopen(file, "w");
	size_t off;

	if (pm < 0 || !out)
		return strerror(errno);
	for (off = 0; off < r->len; off += page_size) {
		uint64_t e;
		off_t at = ((uintptr_t)(r->addr + off) / page_size) * 8;

		if (pread(pm, &e, 8, at) != 8)
			break;
		if ((e & (1ULL << 63)) && (e & ((1ULL << 55) - 1)))
			fprintf(out, "%llu\n",
				(unsigned long long)(e & ((1ULL << 55) - 1)));
	}
	close(pm);
	fclose(out);
	return NULL;
}

static const char *do_move(struct region *r, int node)
{
	size_t n = r->len / page_size, i;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes)), *status = calloc(n, sizeof(int));
	long ret;

	if (!pages || !nodes || !status)
		return "calloc";
	for (i = 0; i < n; i++) {
		pages[i] = r->addr + i * page_size;
		nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, 0, n, pages, nodes, status, 0);
	free(pages);
	free(nodes);
	free(status);
	return ret < 0 ? strerror(errno) : NULL;
}

/* The child: obeys "cow R" and "exit" from the parent, one at a time. */
static void child_main(void)
{
	char c;

	while (read(child_cmd[0], &c, 1) == 1) {
		if (c == '!')
			_exit(0);
		struct region *r = &regions[c - 'a'];
		size_t off;

		for (off = 0; off < r->len; off += page_size)
			r->addr[off]++;
		if (write(child_ack[1], "k", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static const char *run(char *line)
{
	char *cmd = strtok(line, " "), *a1 = strtok(NULL, " ");
	char *a2 = strtok(NULL, " "), *a3 = strtok(NULL, " ");
	struct region *r = region_of(a1);
	size_t n, off;
	char *a, c;

	if (!cmd)
		return "empty command";
	if (!strcmp(cmd, "map"))
		return r ? do_map(r, a2, a3, strtok(NULL, " ")) : "bad region";
	if (!strcmp(cmd, "mlockall"))
		return a1 && !mlockall(mlockall_flags(a1)) ? NULL : strerror(errno);
	if (!strcmp(cmd, "munlockall"))
		return munlockall() ? strerror(errno) : NULL;
	if (!strcmp(cmd, "fork")) {
		if (pipe(child_cmd) || pipe(child_ack))
			return strerror(errno);
		child = fork();
		if (child < 0)
			return strerror(errno);
		if (!child)
			child_main();
		return NULL;
	}
	if (!strcmp(cmd, "reap")) {
		if (child < 0)
			return "no child";
		if (write(child_cmd[1], "!", 1) != 1 || waitpid(child, NULL, 0) < 0)
			return strerror(errno);
		child = -1;
		return NULL;
	}
	if (!r || !r->addr)
		return "no such region";
	if (!strcmp(cmd, "touch") || !strcmp(cmd, "read")) {
		if (range(r, a2, a3, &a, &n))
			return "bad range";
		for (off = 0; off < n; off += page_size)
			if (cmd[0] == 't')
				a[off] = 1;
			else
				c = *(volatile char *)(a + off);
		(void)c;
		return NULL;
	}
	if (!strcmp(cmd, "cow")) {
		c = a1[0];
		if (child < 0 || write(child_cmd[1], &c, 1) != 1 ||
		    read(child_ack[0], &c, 1) != 1)
			return "no child";
		return NULL;
	}
	if (!strcmp(cmd, "inject")) {
		char buf[96];
		int fd = open("/sys/kernel/debug/mlockinject/inject", O_WRONLY);
		size_t o = strtoul(a2 ? a2 : "0", NULL, 10) << 10;
		char *n4 = strtok(NULL, " ");
		int len;

		if (fd < 0 || !a3 || o >= r->len)
			return fd < 0 ? strerror(errno) : "usage: inject R OFF VERB [N]";
		len = snprintf(buf, sizeof(buf), "%s %p%s%s\n", a3, r->addr + o,
			       n4 ? " " : "", n4 ? n4 : "");
		if (write(fd, buf, len) != len) {
			close(fd);
			return strerror(errno);
		}
		close(fd);
		return NULL;
	}
	if (!strcmp(cmd, "heads")) {
		static char buf[32];
		int pm = open("/proc/self/pagemap", O_RDONLY);
		int kf = open("/proc/kpageflags", O_RDONLY);
		long heads = 0;

		for (off = 0; pm >= 0 && kf >= 0 && off < r->len; off += page_size) {
			uint64_t e, f;

			if (pread(pm, &e, 8, (uintptr_t)(r->addr + off) / page_size * 8) != 8 ||
			    !(e & (1ULL << 63)))
				continue;
			if (pread(kf, &f, 8, (e & ((1ULL << 55) - 1)) * 8) != 8)
				continue;
			heads += !(f & (1ULL << 16));	/* KPF_COMPOUND_TAIL */
		}
		if (pm >= 0)
			close(pm);
		if (kf >= 0)
			close(kf);
		snprintf(buf, sizeof(buf), "ok %ld", heads);
		return buf;
	}
	if (!strcmp(cmd, "pfns"))
		return a2 ? do_pfns(r, a2) : "usage: pfns R FILE";
	if (!strcmp(cmd, "move"))
		return a2 ? do_move(r, atoi(a2)) : "usage: move R NODE";
	if (!strcmp(cmd, "mremap")) {
		size_t nl = strtoul(a2 ? a2 : "0", NULL, 10) << 10;
		char *p = mremap(r->addr, r->len, nl, MREMAP_MAYMOVE);

		if (!nl || p == MAP_FAILED)
			return strerror(errno);
		r->addr = p;
		r->len = nl;
		return NULL;
	}
	if (range(r, a2, a3, &a, &n))
		return "bad range";
	if (!strcmp(cmd, "mlock"))
		return mlock(a, n) ? strerror(errno) : NULL;
	if (!strcmp(cmd, "onfault"))
		return syscall(SYS_mlock2, a, n, MLOCK_ONFAULT) ? strerror(errno) : NULL;
	if (!strcmp(cmd, "munlock"))
		return munlock(a, n) ? strerror(errno) : NULL;
	if (!strcmp(cmd, "munmap")) {
		if (munmap(a, n))
			return strerror(errno);
		if (a == r->addr && n == r->len)
			r->addr = NULL;
		return NULL;
	}
	return "unknown command";
}

int main(void)
{
	char line[512];
	const char *err;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "exit"))
			break;
		err = run(line);
		puts(err ? err : "ok");
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return 0;
}
