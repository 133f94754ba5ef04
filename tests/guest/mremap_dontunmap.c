// SPDX-License-Identifier: GPL-2.0
/*
 * mremap_dontunmap: the reproducer for a VmLck (mm->locked_vm) leak that
 * mlockstress's mremap scenario found: mremap(MREMAP_DONTUNMAP) of a
 * locked VMA, then unmapping both ranges, should leave VmLck where it
 * started. Prints the VmLck readings; exits 0 when they are right and 1
 * when VmLck leaked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

static long vmlck_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(void)
{
	size_t len = 1 << 20;
	long before, locked, moved, after;
	char *p, *q;

	before = vmlck_kb();
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mlock(p, len)) {
		perror("mmap/mlock");
		return 2;
	}
	memset(p, 1, len);
	locked = vmlck_kb();
	q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
	if (q == MAP_FAILED) {
		perror("mremap(MREMAP_DONTUNMAP)");
		return 2;
	}
	moved = vmlck_kb();
	munmap(p, len);
	munmap(q, len);
	after = vmlck_kb();
	printf("VmLck kB: before %ld, locked %ld, after DONTUNMAP %ld, after unmapping both %ld\n",
	       before, locked, moved, after);
	return after == before && moved == locked ? 0 : 1;
}
