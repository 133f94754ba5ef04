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
 *	VmLck must equal the size of the VM_LOCKED VMAs. Before the 2026
 *	fix that splits a locked VMA ahead of the move (6.1.191, 6.12.114,
 *	7.2.11), move_vma() clears VM_LOCKED on the whole source VMA, so
 *	the untouched half silently loses its lock: VmLck keeps counting
 *	it, its pages stay PG_mlocked in a VMA that no munlock will ever
 *	visit.
 *
 *   mremap_dontunmap self-merge
 *	Lock 1 MiB of anonymous memory with MLOCK_ONFAULT, untouched (so
 *	it has no anon_vma), and move it with DONTUNMAP to the free 1 MiB
 *	right above it. copy_vma() merges the new VMA with the source, and
 *	clearing VM_LOCKED on the source then unlocks the merged VMA: VmLck
 *	stays 1 MiB with no VM_LOCKED VMA left.
 *
 * Each mode ends with one line "locked_vm: vmlck_kb=N vm_locked_kb=M
 * delta_pages=D": the mm's VmLck, the size of its VM_LOCKED VMAs (smaps
 * "lo") after the bug had its chance, and locked_vm's excess in pages.
 * With --hold, it then waits, the mappings as they are, until its stdin
 * is closed, so that mlockwatch can be asked about the mm; then it exits
 * with its verdict.
 *
 * Judges the kernel from /proc alone; exits 0 when the kernel is right,
 * 1 when it shows the bug, 2 when the test itself could not run.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_locked.h"
#include <sys/mman.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define MIB (1UL << 20)
#define KPF_MLOCKED 33

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

static int hold;

/* The closing line; with --hold, wait here for the end of stdin. */
static int report(int verdict)
{
	proc_locked_report();
	if (hold)
		while (getchar() != EOF)
			;
	return verdict;
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

	before = (long)proc_vmlck_kb();
	p = map_locked(MIB);
	locked = (long)proc_vmlck_kb();
	q = dontunmap(p, MIB);
	moved = (long)proc_vmlck_kb();
	munmap(p, MIB);
	munmap(q, MIB);
	after = (long)proc_vmlck_kb();
	printf("VmLck kB: before %ld, locked %ld, after DONTUNMAP %ld, after unmapping both %ld\n",
	       before, locked, moved, after);
	return report(after == before && moved == locked ? 0 : 1);
}

static int partial(void)
{
	long vmlck, lo_kb, pinned;
	int rest_locked;
	char *p;

	p = map_locked(2 * MIB);
	dontunmap(p, MIB);
	vmlck = (long)proc_vmlck_kb();
	lo_kb = proc_locked_vmas_kb((uintptr_t)p + MIB, &rest_locked);
	pinned = mlocked_pages(p + MIB, MIB);
	printf("moved the first 1 MiB of a locked 2 MiB VMA with DONTUNMAP: the unmoved 1 MiB is %s; VmLck %ld kB, VM_LOCKED VMAs %ld kB; %ld of its pages PG_mlocked\n",
	       rest_locked == 1 ? "VM_LOCKED" : "NOT VM_LOCKED", vmlck,
	       lo_kb, pinned);
	return report(rest_locked == 1 && vmlck == lo_kb ? 0 : 1);
}

static int self_merge(void)
{
	long vmlck, lo_kb;
	int dst_locked;
	char *p, *q;

	p = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || munmap(p + MIB, MIB) ||
	    mlock2(p, MIB, MLOCK_ONFAULT)) {
		perror("mmap/munmap/mlock2");
		return 2;
	}
	q = mremap(p, MIB, MIB, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
		   p + MIB);
	if (q == MAP_FAILED) {
		perror("mremap(MREMAP_DONTUNMAP|MREMAP_FIXED)");
		return 2;
	}
	vmlck = (long)proc_vmlck_kb();
	lo_kb = proc_locked_vmas_kb((uintptr_t)q, &dst_locked);
	printf("moved an untouched MLOCK_ONFAULT 1 MiB with DONTUNMAP to the 1 MiB above it: the destination is %s; VmLck %ld kB, VM_LOCKED VMAs %ld kB\n",
	       dst_locked == 1 ? "VM_LOCKED" : "NOT VM_LOCKED", vmlck, lo_kb);
	return report(dst_locked == 1 && vmlck == lo_kb ? 0 : 1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "whole";

	hold = argc > 2 && !strcmp(argv[2], "--hold");
	if (!strcmp(mode, "whole"))
		return whole();
	if (!strcmp(mode, "partial"))
		return partial();
	if (!strcmp(mode, "self-merge"))
		return self_merge();
	fprintf(stderr, "usage: mremap_dontunmap whole|partial|self-merge [--hold]\n");
	return 2;
}
