// SPDX-License-Identifier: GPL-2.0
/*
 * mremap_dontunmap: reproducers for two mremap(MREMAP_DONTUNMAP) bugs of
 * a locked VMA that mlockstress's mremap scenario found.
 *
 *   mremap_dontunmap whole
 *	Move a whole locked 1 MiB VMA with DONTUNMAP, then unmap both
 *	ranges: VmLck must be back where it started. The host kernel
 *	(6.18.44) leaks 1 MiB of mm->locked_vm here.
 *
 *   mremap_dontunmap partial
 *	Lock a 2 MiB VMA and move only its first 1 MiB with DONTUNMAP. The
 *	second 1 MiB was not asked to move and must stay VM_LOCKED, and
 *	VmLck must equal the size of the VM_LOCKED VMAs. Debian's 6.12
 *	clears VM_LOCKED on the whole source VMA (move_vma() no longer
 *	splits a locked VMA ahead of time, as 6.1's does), so the untouched
 *	half silently loses its lock: VmLck keeps counting it, its pages
 *	stay PG_mlocked in a VMA that no munlock will ever visit.
 *
 * Prints what it measured; exits 0 when the kernel is right, 1 when it
 * shows the bug, 2 when the test itself could not run.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define MIB (1UL << 20)
#define KPF_MLOCKED 33

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

/*
 * From /proc/self/smaps: the kB of all VM_LOCKED VMAs, and whether the
 * VMA holding @addr is VM_LOCKED (-1 if no VMA holds it).
 */
static long smaps_locked_kb(uintptr_t addr, int *addr_locked)
{
	char line[512];
	unsigned long start, end;
	long size = 0, total = 0;
	int here = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	*addr_locked = -1;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			here = addr >= start && addr < end;
			continue;
		}
		if (sscanf(line, "Size: %ld kB", &size) == 1)
			continue;
		if (strncmp(line, "VmFlags:", 8))
			continue;
		if (strstr(line, " lo ") || strstr(line, " lo\n"))
			total += size;
		if (here)
			*addr_locked = strstr(line, " lo ") ||
				       strstr(line, " lo\n");
	}
	if (f)
		fclose(f);
	return total;
}

/* How many pages of [addr, addr + len) have PG_mlocked, or -1. */
static long mlocked_pages(const char *addr, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int kf = open("/proc/kpageflags", O_RDONLY);
	size_t off;

	if (pm < 0 || kf < 0)
		n = -1;
	for (off = 0; n >= 0 && off < len; off += page) {
		uint64_t ent, flags;
		off_t vpn = (uintptr_t)(addr + off) / page;

		if (pread(pm, &ent, 8, vpn * 8) != 8 ||
		    !(ent & (1ULL << 63)) || !(ent & ((1ULL << 55) - 1))) {
			n = -1;		/* not present, or PFNs hidden */
			break;
		}
		if (pread(kf, &flags, 8, (ent & ((1ULL << 55) - 1)) * 8) != 8) {
			n = -1;
			break;
		}
		n += !!(flags & (1ULL << KPF_MLOCKED));
	}
	if (pm >= 0)
		close(pm);
	if (kf >= 0)
		close(kf);
	return n;
}

static char *map_locked(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED || mlock(p, len)) {
		perror("mmap/mlock");
		exit(2);
	}
	memset(p, 1, len);
	return p;
}

static char *dontunmap(char *p, size_t len)
{
	char *q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);

	if (q == MAP_FAILED) {
		perror("mremap(MREMAP_DONTUNMAP)");
		exit(2);
	}
	return q;
}

static int whole(void)
{
	long before, locked, moved, after;
	char *p, *q;

	before = vmlck_kb();
	p = map_locked(MIB);
	locked = vmlck_kb();
	q = dontunmap(p, MIB);
	moved = vmlck_kb();
	munmap(p, MIB);
	munmap(q, MIB);
	after = vmlck_kb();
	printf("VmLck kB: before %ld, locked %ld, after DONTUNMAP %ld, after unmapping both %ld\n",
	       before, locked, moved, after);
	return after == before && moved == locked ? 0 : 1;
}

static int partial(void)
{
	long vmlck, lo_kb, pinned;
	int rest_locked;
	char *p, *q;

	p = map_locked(2 * MIB);
	q = dontunmap(p, MIB);
	vmlck = vmlck_kb();
	lo_kb = smaps_locked_kb((uintptr_t)p + MIB, &rest_locked);
	pinned = mlocked_pages(p + MIB, MIB);
	printf("moved the first 1 MiB of a locked 2 MiB VMA with DONTUNMAP: the unmoved 1 MiB is %s; VmLck %ld kB, VM_LOCKED VMAs %ld kB; %ld of its pages PG_mlocked\n",
	       rest_locked == 1 ? "VM_LOCKED" : "NOT VM_LOCKED", vmlck,
	       lo_kb, pinned);
	munmap(p, 2 * MIB);
	munmap(q, MIB);
	return rest_locked == 1 && vmlck == lo_kb ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "whole";

	if (!strcmp(mode, "whole"))
		return whole();
	if (!strcmp(mode, "partial"))
		return partial();
	fprintf(stderr, "usage: mremap_dontunmap [whole|partial]\n");
	return 2;
}
