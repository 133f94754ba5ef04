// SPDX-License-Identifier: GPL-2.0
/*
 * folio_activate_mlock [--rounds N] [--hold]: mlocked folios left on an
 * evictable LRU list when folio_activate() and the mlock batch race.
 *
 * From 6.11 ("mm/gup: clear the LRU flag of a page before adding to LRU
 * batch") until 6.12.50 and 6.18 (its revert, and "mm: skip
 * folio_activate() for mlocked folios"), folio_activate() cleared PG_lru
 * when it queued a folio in the per-CPU activate batch. An mlock batch
 * processed in that window finds the folio off the LRU, and
 * __mlock_folio() gives up: "there is nothing more we can do while it's
 * off LRU". The activate batch then puts it back on the active list. The
 * folio stays PG_mlocked, charged to NR_MLOCK, with no mlock_count, on
 * an evictable list: Unevictable falls below Mlocked.
 *
 * folio_activate() runs from folio_mark_accessed() only with MGLRU off,
 * so this turns /sys/kernel/mm/lru_gen/enabled off for its run (Debian
 * enables MGLRU) and restores it. On one CPU, a round of 31 pages of a
 * shared tmpfs file:
 *
 *   1. mlock2(MLOCK_ONFAULT) the round's 31 pages: VM_LOCKED, and the
 *      CPU's batches drained (mlock_vma_pages_range() drains);
 *   2. read the first 30 pages until folio_mark_accessed() queues each
 *      for activation (30 entries: the batch stays unflushed);
 *   3. fault all 31 in: each is queued for mlock, and the 31st entry
 *      flushes the mlock batch while the 30 are still queued for
 *      activation.
 *
 * (The first access of step 2 finds PG_referenced already set by the
 * write that made the page, so one read is enough; the pages' flags are
 * read through a second, unlocked mapping that stays mapped, since
 * unmapping a young PTE marks the folio accessed too.)
 *
 * Then it drains (the next mlock2 does, on the same CPU) and judges from
 * /proc alone: the pages that are PG_mlocked without PG_unevictable
 * (pagemap and kpageflags), and Mlocked - Unevictable in /proc/meminfo
 * against its value before. With --hold it then waits until stdin is
 * closed, the mapping kept mlocked.
 *
 * Exits 1 when pages are left stranded (the bug), 0 when none are, 2 when
 * it could not set up (not root, no tmpfs on /dev/shm, or no round found
 * its pages inactive before the reads, so nothing was tested).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "page_state.h"
#include "proc_locked.h"

#define PATH		"/dev/shm/folio_activate_mlock"
#define LRU_GEN		"/sys/kernel/mm/lru_gen/enabled"
/* A folio batch holds 31 (FOLIO_BATCH_SIZE): the 31st entry flushes it. */
#define BATCH		31
#define QUEUED		(BATCH - 1)
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	1
#endif


static long page;
static char lru_gen_old[32];

static void restore_lru_gen(void)
{
	if (lru_gen_old[0])
		write_file(LRU_GEN, lru_gen_old);
}

/* kpageflags of the page mapped at @addr, or 0 when none is mapped. */
static uint64_t flags_at(const char *addr)
{
	uint64_t f;

	return kpageflags_at(addr, &f) ? 0 : f;
}

static int has(uint64_t f, int bit)
{
	return !!(f & (1ULL << bit));
}

/* mlock_vma_pages_range() drains the CPU's LRU and mlock batches. */
static void drain_this_cpu(char *addr)
{
	syscall(SYS_mlock2, addr, page, MLOCK_ONFAULT);
	munlock(addr, page);
}

/* Mlocked - Unevictable in /proc/meminfo, in pages, after a fold. */
static long mlocked_over_unevictable(void)
{
	write_file("/proc/sys/vm/stat_refresh", "1");
	return (proc_kb("/proc/meminfo", "Mlocked") -
		proc_kb("/proc/meminfo", "Unevictable")) / (page / 1024);
}

int main(int argc, char **argv)
{
	int rounds = 64, hold = 0, armed = 0, cleared = 0, stranded = 0;
	long base, after, r, i;
	char *map, *probe, *drainer, buf[64];
	volatile char c;
	cpu_set_t cpu0;
	int fd, lg;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: folio_activate_mlock [--rounds N] [--hold]\n");
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (kpageflags_open() || rounds < 1) {
		printf("cannot read pagemap and kpageflags: %s (needs root)\n", strerror(errno));
		return 2;
	}
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		printf("sched_setaffinity(CPU 0): %s\n", strerror(errno));
		return 2;
	}
	lg = open(LRU_GEN, O_RDONLY);
	if (lg >= 0) {
		ssize_t n = read(lg, lru_gen_old, sizeof(lru_gen_old) - 1);

		close(lg);
		lru_gen_old[n > 0 ? n : 0] = '\0';
		lru_gen_old[strcspn(lru_gen_old, "\n")] = '\0';
		atexit(restore_lru_gen);
		if (write_file(LRU_GEN, "n")) {
			printf("cannot turn MGLRU off (%s): %s\n", LRU_GEN, strerror(errno));
			return 2;
		}
	}

	fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)rounds * BATCH * page)) {
		printf("%s: %s (needs tmpfs on /dev/shm)\n", PATH, strerror(errno));
		return 2;
	}
	unlink(PATH);
	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < (long)rounds * BATCH; i++)
		if (pwrite(fd, buf, 1, i * page) != 1) {
			printf("write %s: %s\n", PATH, strerror(errno));
			return 2;
		}
	/*
	 * A second, unlocked mapping to read the pages' flags through. Kept
	 * until the end: unmapping a young PTE marks the folio accessed.
	 */
	probe = mmap(NULL, (size_t)rounds * BATCH * page, PROT_READ, MAP_SHARED, fd, 0);
	map = mmap(NULL, (size_t)rounds * BATCH * page, PROT_READ, MAP_SHARED, fd, 0);
	drainer = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED || map == MAP_FAILED || drainer == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 2;
	}
	drain_this_cpu(drainer);
	for (i = 0; i < (long)rounds * BATCH; i++)
		c = probe[i * page];
	base = mlocked_over_unevictable();

	for (r = 0; r < rounds; r++) {
		char *m = map + r * BATCH * page, *p = probe + r * BATCH * page;
		off_t off = (off_t)r * BATCH * page;
		int inactive = 1;

		/* VM_LOCKED, not faulted; and this CPU's batches drained */
		if (syscall(SYS_mlock2, m, BATCH * page, MLOCK_ONFAULT)) {
			printf("mlock2(MLOCK_ONFAULT): %s\n", strerror(errno));
			return 2;
		}
		for (i = 0; i < QUEUED; i++) {
			uint64_t f = flags_at(p + i * page);
			/* the access that finds PG_referenced queues activation */
			int reads = has(f, KPF_REFERENCED) ? 1 : 2;

			if (!has(f, KPF_LRU) || has(f, KPF_ACTIVE) ||
			    has(f, KPF_UNEVICTABLE))
				inactive = 0;
			while (reads--)
				if (pread(fd, buf, 1, off + i * page) != 1) {
					printf("read %s: %s\n", PATH, strerror(errno));
					return 2;
				}
		}
		for (i = 0; i < QUEUED; i++)
			cleared += !has(flags_at(p + i * page), KPF_LRU);
		armed += inactive;
		for (i = 0; i < BATCH; i++)
			c = m[i * page];
	}
	(void)c;
	/* the drain that ends the last round's window */
	drain_this_cpu(drainer);

	for (i = 0; i < (long)rounds * BATCH; i++) {
		uint64_t f = flags_at(map + i * page);

		stranded += has(f, KPF_MLOCKED) && !has(f, KPF_UNEVICTABLE);
	}
	after = mlocked_over_unevictable();
	printf("folio_activate: %d rounds, %d armed (pages inactive before the reads), %d of %d queued pages off the LRU while queued\n",
	       rounds, armed, cleared, rounds * QUEUED);
	printf("stranded: pages=%d of %d mlocked, mlocked_over_unevictable_pages=%+ld\n",
	       stranded, rounds * BATCH, after - base);
	if (!stranded && !armed) {
		printf("no round found its pages inactive before the reads: nothing was tested\n");
		return 2;
	}
	if (hold)
		while (getchar() != EOF)
			;
	return stranded ? 1 : 0;
}
