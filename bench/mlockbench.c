// SPDX-License-Identifier: GPL-2.0
/*
 * mlockbench: the microbenchmarks of `make bench`, each printing the
 * seconds it took (CLOCK_MONOTONIC) on its last line.
 *
 *   [OPTIONS] mlock-munlock MIB ITER   mlock() and munlock() a touched
 *                            anonymous region ITER times
 *   [OPTIONS] fault-locked MIB ITER    mmap(MAP_LOCKED) ITER times: the
 *                            fault-in of every page into a locked VMA
 *                            (munmap untimed)
 *   [OPTIONS] munmap-locked MIB ITER   munmap() of a MAP_LOCKED region
 *                            ITER times (its mmap untimed)
 *   hold MIB                 lock MIB of small pages, say "ready", and
 *                            hold them until stdin closes
 *   [-c DIR] exec CMD [ARGS...]   run CMD, wait for it; exit 1 if it failed
 *
 * Options:
 *   -p 4k|thp   the region's page size: 4k disables THP for the process
 *               (PR_SET_THP_DISABLE, which also covers MAP_POPULATE faults
 *               that no madvise can precede); thp asks for huge pages on a
 *               2 MiB-aligned region. Then "huge_pct N" tells how much of
 *               the region was in huge pages. Without -p: mlock-munlock
 *               uses small pages, fault-locked and munmap-locked what the
 *               system's THP setting gives.
 *   -c DIR      mlockwatch's debugfs directory: read its hooks HITS and its
 *               summary counters right before and right after each timed
 *               region only, and print their sums over the timed regions
 *               as "hook NAME N" and "summary KEY N" lines (nonzero only),
 *               then the same for one empty window ("empty-hook",
 *               "empty-summary"): what the reads themselves add.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define HUGE_SIZE	(2UL << 20)
#define MAX_CTRS	160

static void die(const char *what)
{
	fprintf(stderr, "mlockbench: %s: %s\n", what, strerror(errno));
	exit(2);
}

enum pages { PAGES_DEFAULT, PAGES_4K, PAGES_THP };
static enum pages pages;

/* One snapshot of the module's counters: names and values. */
struct ctrs {
	int n;
	char name[MAX_CTRS][48];
	long long val[MAX_CTRS];
};
static const char *ctr_dir;
static struct ctrs acc, before, after;
/* Static, so that a read allocates nothing in this process. */
static char ctr_buf[65536];

static ssize_t slurp(const char *file)
{
	char path[512];
	ssize_t n, got = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ctr_dir, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	while ((n = read(fd, ctr_buf + got, sizeof(ctr_buf) - 1 - got)) > 0)
		got += n;
	if (n < 0)
		die(path);
	close(fd);
	ctr_buf[got] = 0;
	return got;
}

static void ctr_put(struct ctrs *c, const char *kind, const char *name, long long v)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strncmp(c->name[i], kind, 2) && !strcmp(c->name[i] + 2, name)) {
			c->val[i] += v;
			return;
		}
	if (c->n == MAX_CTRS)
		return;
	snprintf(c->name[c->n], sizeof(c->name[0]), "%.2s%s", kind, name);
	c->val[c->n++] = v;
}

/*
 * hooks: HOOK SYMBOL MECHANISM REQUIRED STATE HITS MISSED, a hook on two
 * symbols on two lines; summary: "key: value", non-numeric ones skipped.
 */
static void snap(struct ctrs *c)
{
	char *line, *save, hook[48], key[48];
	long long v;

	c->n = 0;
	slurp("hooks");
	for (line = strtok_r(ctr_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%47s %*s %*s %*s %*s %lld", hook, &v) == 2 && hook[0] != '#')
			ctr_put(c, "h ", hook, v);
	slurp("summary");
	for (line = strtok_r(ctr_buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *end;

		if (!colon || colon - line >= (long)sizeof(key))
			continue;
		memcpy(key, line, colon - line);
		key[colon - line] = 0;
		v = strtoll(colon + 1, &end, 10);
		if (end == colon + 1 || (*end && *end != ' '))
			continue;
		ctr_put(c, "s ", key, v);
	}
}

/* Around each timed region: the reads stay outside now()'s interval. */
static double start(void)
{
	if (ctr_dir)
		snap(&before);
	return now();
}

static double stop(double t0)
{
	double t = now() - t0;
	int i, j;

	if (ctr_dir) {
		snap(&after);
		for (i = 0; i < after.n; i++)
			for (j = 0; j < before.n; j++)
				if (!strcmp(after.name[i], before.name[j])) {
					ctr_put(&acc, after.name[i], after.name[i] + 2,
						after.val[i] - before.val[j]);
					break;
				}
	}
	return t;
}

static void print_ctrs(const char *prefix)
{
	int i;

	for (i = 0; i < acc.n; i++)
		if (acc.val[i])
			printf("%s%s %s %lld\n", prefix, acc.name[i][0] == 'h' ? "hook" : "summary",
			       acc.name[i] + 2, acc.val[i]);
}

static void report_ctrs(void)
{
	double t;

	if (!ctr_dir)
		return;
	print_ctrs("");
	acc.n = 0;
	t = start();
	stop(t);
	print_ctrs("empty-");
}

static char *map(size_t len, int flags)
{
	size_t extra = pages == PAGES_THP ? HUGE_SIZE : 0;
	char *p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap");
	if (extra) {
		/* A huge page needs a 2 MiB-aligned 2 MiB range in the VMA. */
		a = ((uintptr_t)p + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
		if (a > (uintptr_t)p)
			munmap(p, a - (uintptr_t)p);
		if ((uintptr_t)p + extra > a)
			munmap((char *)a + len, (uintptr_t)p + extra - a);
		p = (char *)a;
	}
	return p;
}

/* The share of this process's anonymous memory in huge pages, of LEN. */
static void huge_pct(size_t len)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kib = 0;

	if (pages == PAGES_DEFAULT && !f)
		return;
	if (!f)
		die("/proc/self/smaps_rollup");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	printf("huge_pct %.0f\n", kib * 1024.0 / len * 100);
}

static char *map_touched(size_t len)
{
	char *p = map(len, 0);
	size_t i;

	if (madvise(p, len, pages == PAGES_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	return p;
}

static int usage(void)
{
	fprintf(stderr, "usage: mlockbench [-p 4k|thp] [-c DIR] mlock-munlock|fault-locked|munmap-locked MIB ITER\n"
		"       mlockbench hold MIB | mlockbench [-c DIR] exec CMD...\n");
	return 2;
}

int main(int argc, char **argv)
{
	size_t len;
	int iter, i, o;
	double t = 0, t0;
	char *p, line[16];

	while ((o = getopt(argc, argv, "+p:c:")) != -1) {
		switch (o) {
		case 'p':
			if (!strcmp(optarg, "4k"))
				pages = PAGES_4K;
			else if (!strcmp(optarg, "thp"))
				pages = PAGES_THP;
			else
				return usage();
			break;
		case 'c':
			ctr_dir = optarg;
			break;
		default:
			return usage();
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 2)
		return usage();
	if (pages == PAGES_4K && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE)");
	len = argc > 2 ? strtoul(argv[2], NULL, 0) << 20 : 0;
	iter = argc > 3 ? atoi(argv[3]) : 1;
	if (!strcmp(argv[1], "exec")) {
		pid_t pid;
		int st;

		if (argc < 3)
			return 2;
		t0 = start();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		t = stop(t0);
		report_ctrs();
		printf("%.6f\n", t);
		return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
	}
	if (!len || iter < 1) {
		fprintf(stderr, "mlockbench: %s needs MIB (and ITER >= 1)\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[1], "mlock-munlock")) {
		p = map_touched(len);
		huge_pct(len);
		t0 = start();
		for (i = 0; i < iter; i++)
			if (mlock(p, len) || munlock(p, len))
				die("mlock/munlock");
		t = stop(t0);
	} else if (!strcmp(argv[1], "fault-locked")) {
		for (i = 0; i < iter; i++) {
			t0 = start();
			p = map(len, MAP_LOCKED | MAP_POPULATE);
			t += stop(t0);
			if (!i)
				huge_pct(len);
			munmap(p, len);
		}
	} else if (!strcmp(argv[1], "munmap-locked")) {
		for (i = 0; i < iter; i++) {
			p = map(len, MAP_LOCKED | MAP_POPULATE);
			if (!i)
				huge_pct(len);
			t0 = start();
			munmap(p, len);
			t += stop(t0);
		}
	} else if (!strcmp(argv[1], "hold")) {
		p = map_touched(len);
		if (mlock(p, len))
			die("mlock");
		printf("ready\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin))
			;
		return 0;
	} else {
		fprintf(stderr, "mlockbench: unknown benchmark '%s'\n", argv[1]);
		return 2;
	}
	report_ctrs();
	printf("%.6f\n", t);
	return 0;
}
