// SPDX-License-Identifier: GPL-2.0
/*
 * mlock_region MIB: map MIB MiB of anonymous memory, then obey commands
 * read one per line from stdin, answering "ok" (or an error) on stdout:
 *
 *   touch    write every page
 *   lock     mlock the region
 *   unlock   munlock the region
 *   exit     unmap and exit
 *
 * "mlock_region MIB loop" instead mlocks and munlocks the region, touching
 * it in between, until killed: a steady load for load/unload tests.
 *
 * The guest tests drive it through fifos so that they can read vmstat
 * between the steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	char line[64];
	size_t len;
	char *p;

	if (argc < 2 || argc > 3 || atol(argv[1]) <= 0 ||
	    (argc == 3 && strcmp(argv[2], "loop"))) {
		fprintf(stderr, "usage: mlock_region MIB [loop]\n");
		return 2;
	}
	len = (size_t)atol(argv[1]) << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	if (argc == 3) {
		for (;;) {
			memset(p, 0x5a, len);
			if (mlock(p, len) || munlock(p, len)) {
				perror("mlock_region loop");
				return 1;
			}
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "touch")) {
			memset(p, 0x5a, len);
			puts("ok");
		} else if (!strcmp(line, "lock")) {
			if (mlock(p, len))
				printf("mlock: %s\n", strerror(errno));
			else
				puts("ok");
		} else if (!strcmp(line, "unlock")) {
			if (munlock(p, len))
				printf("munlock: %s\n", strerror(errno));
			else
				puts("ok");
		} else if (!strcmp(line, "exit")) {
			break;
		} else {
			printf("unknown command '%s'\n", line);
		}
	}
	munmap(p, len);
	return 0;
}
