// SPDX-License-Identifier: GPL-2.0
/*
 * mlockbench: the microbenchmarks of `make bench`, each printing the
 * seconds it took (CLOCK_MONOTONIC) on one line.
 *
 *   mlock-munlock MIB ITER   mlock() and munlock() a touched anonymous
 *                            region ITER times (small pages)
 *   fault-locked MIB ITER    mmap(MAP_LOCKED) ITER times: the fault-in of
 *                            every page into a locked VMA (munmap untimed)
 *   munmap-locked MIB ITER   munmap() of a MAP_LOCKED region ITER times
 *                            (its mmap untimed)
 *   hold MIB                 lock MIB of small pages, say "ready", and
 *                            hold them until stdin closes
 *   exec CMD [ARGS...]       run CMD, wait for it; exit 1 if it failed
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static void die(const char *what)
{
	fprintf(stderr, "mlockbench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *map(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* Small pages, as the folio counts in results.md assume. */
static char *map_touched(size_t len)
{
	char *p = map(len, 0);
	size_t i;

	if (madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)");
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	return p;
}

int main(int argc, char **argv)
{
	size_t len = argc > 2 ? strtoul(argv[2], NULL, 0) << 20 : 0;
	int iter = argc > 3 ? atoi(argv[3]) : 1, i;
	double t = 0, t0;
	char *p, line[16];

	if (argc < 2) {
		fprintf(stderr, "usage: mlockbench mlock-munlock|fault-locked|munmap-locked MIB ITER | hold MIB | exec CMD...\n");
		return 2;
	}
	if (!strcmp(argv[1], "exec")) {
		pid_t pid;
		int st;

		if (argc < 3)
			return 2;
		t0 = now();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		printf("%.6f\n", now() - t0);
		return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : 1;
	}
	if (!len || iter < 1) {
		fprintf(stderr, "mlockbench: %s needs MIB (and ITER >= 1)\n", argv[1]);
		return 2;
	}
	if (!strcmp(argv[1], "mlock-munlock")) {
		p = map_touched(len);
		t0 = now();
		for (i = 0; i < iter; i++)
			if (mlock(p, len) || munlock(p, len))
				die("mlock/munlock");
		t = now() - t0;
	} else if (!strcmp(argv[1], "fault-locked")) {
		for (i = 0; i < iter; i++) {
			t0 = now();
			p = map(len, MAP_LOCKED | MAP_POPULATE);
			t += now() - t0;
			munmap(p, len);
		}
	} else if (!strcmp(argv[1], "munmap-locked")) {
		for (i = 0; i < iter; i++) {
			p = map(len, MAP_LOCKED | MAP_POPULATE);
			t0 = now();
			munmap(p, len);
			t += now() - t0;
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
	printf("%.6f\n", t);
	return 0;
}
