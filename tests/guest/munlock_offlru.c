// SPDX-License-Identifier: GPL-2.0
/*
 * munlock_offlru [--seconds N] [--hold]: drives __munlock_folio()'s path
 * for folios that are not on an LRU list, and judges the NR_MLOCK
 * identity from /proc/vmstat.
 *
 * Before "mm/mlock: use the IRQ-safe accessor for NR_MLOCK in
 * __munlock_folio()" (6.12.112, 6.1.191), that path took NR_MLOCK down
 * with __zone_stat_mod_folio(): a read-modify-write of this CPU's vmstat
 * diff that is safe only with interrupts off. The munlock batch disables
 * them only when it takes an lruvec lock, which it never does for a folio
 * it cannot take off an LRU list (!folio_test_clear_lru()). An interrupt
 * that changes NR_MLOCK on the same CPU inside that window (the free of
 * an mlocked folio from interrupt context does) has its update
 * overwritten: NR_MLOCK drifts from the unevictable_pgs_* events, for
 * good.
 *
 * Each round, of 14 fresh anonymous pages:
 *
 *   1. on CPU 0, mlock2(MLOCK_ONFAULT) them and touch them: each new folio
 *      is queued in CPU 0's mlock batch (mlock_new_folio), not yet on an
 *      LRU list (14 entries: the batch is not flushed);
 *   2. on CPU 1, munlock them: CPU 1's munlock batch finds all 14 off the
 *      LRU and takes NR_MLOCK down 14 times with interrupts on;
 *   3. unmap them (CPU 0's next drain adds them to the LRU and frees them).
 *
 * It cannot make the interrupt-side writer itself: nothing a process can
 * do frees an mlocked folio from interrupt context on demand. The test
 * (tests/guest/74-munlock-irq.sh) arms the test-only injector's
 * irq_nr_mlock, which stands in for it with IPIs to CPU 1.
 *
 * Before and after (after a drain of every CPU and a fold of the vmstat
 * diffs), it reads nr_mlock and the events and reports the identity's
 * drift: d(nr_mlock) - (d(mlocked) - d(munlocked) - d(stranded) -
 * d(cleared)). Both readings must be taken while the interrupt-side
 * writer is stopped: a fold of the vmstat diffs while it runs can catch
 * its +1 on one CPU without the -1 on the other. So with --hold it prints
 * "ready:" after the first reading and waits for a line on stdin (the
 * test starts the writer, then writes it), and after the stress prints
 * "stressed:" and waits for stdin to close (the test stops the writer).
 *
 * A lost update of the interrupt side leaves NR_MLOCK low, and
 * /proc/vmstat clamps a negative NR_MLOCK at 0: with nothing else locked
 * the drift would not show. So it keeps BALLAST pages mlocked across
 * both readings.
 *
 * Exits 1 when the identity drifted (an update was lost), 0 when it
 * holds, 2 when it could not set up (fewer than two CPUs, not root, or no
 * round found its folios off the LRU when munlocked).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "clock.h"
#include "page_state.h"

/*
 * Fewer than a batch holds, 15 on 6.1 (PAGEVEC_SIZE) and 31 since
 * (FOLIO_BATCH_SIZE): step 1 must not flush CPU 0's batch, or the
 * munlock batch's first folio is on an LRU list, its lruvec lock disables
 * interrupts, and the rest of the batch has no window.
 */
#define PAGES		14
/* Holds NR_MLOCK above 0, where /proc/vmstat can show it go down. */
#define BALLAST		1024
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	1
#endif
#ifndef MPOL_F_MEMS_ALLOWED
#define MPOL_F_MEMS_ALLOWED	(1 << 2)
#endif

enum { NR_MLOCK, MLOCKED, MUNLOCKED, STRANDED, CLEARED, NR_KEYS };
static const char *const keys[NR_KEYS] = {
	"nr_mlock", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
	"unevictable_pgs_stranded", "unevictable_pgs_cleared",
};

static long page;

static int on_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Every CPU's batches emptied, nothing moved (migrate_pages() to the
 * same nodes runs lru_cache_disable()), then the vmstat diffs folded.
 */
static int quiesce(void)
{
	unsigned long nodes[16] = { 0 };

	if (syscall(SYS_get_mempolicy, NULL, nodes, sizeof(nodes) * 8, NULL,
		    MPOL_F_MEMS_ALLOWED) ||
	    syscall(SYS_migrate_pages, 0, sizeof(nodes) * 8, nodes, nodes) < 0)
		return -1;
	return write_file("/proc/sys/vm/stat_refresh", "1");
}

static int read_vmstat(long long *v)
{
	char key[64];
	long long x;
	int i, found = 0;
	FILE *f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %lld", key, &x) == 2)
		for (i = 0; i < NR_KEYS; i++)
			if (!strcmp(key, keys[i])) {
				v[i] = x;
				found++;
			}
	if (f)
		fclose(f);
	return found == NR_KEYS ? 0 : -1;
}

/* PG_lru of the page mapped at @addr, or -1 when it cannot be read. */
static int on_lru(const char *addr)
{
	uint64_t f;

	return kpageflags_at(addr, &f) ? -1 : !!(f & (1ULL << KPF_LRU));
}

int main(int argc, char **argv)
{
	long long before[NR_KEYS], after[NR_KEYS], drift;
	double seconds = 10, t0;
	long rounds = 0, armed = 0, i;
	int hold = 0;
	char *ballast;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else {
			fprintf(stderr, "usage: munlock_offlru [--seconds N] [--hold]\n");
			return 2;
		}
	}
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || on_cpu(1) || on_cpu(0)) {
		printf("needs CPUs 0 and 1\n");
		return 2;
	}
	ballast = mmap(NULL, BALLAST * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ballast == MAP_FAILED || mlock(ballast, BALLAST * page)) {
		printf("mlock of %d pages: %s (needs root, or RLIMIT_MEMLOCK)\n",
		       BALLAST, strerror(errno));
		return 2;
	}
	if (quiesce() || read_vmstat(before)) {
		printf("cannot drain and read /proc/vmstat: %s (needs root)\n", strerror(errno));
		return 2;
	}
	if (hold) {
		char go[16];

		printf("ready: the first reading is taken\n");
		if (!fgets(go, sizeof(go), stdin)) {
			printf("stdin closed before the stress\n");
			return 2;
		}
	}
	t0 = now();
	while (now() - t0 < seconds) {
		char *m = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int off_lru;

		if (m == MAP_FAILED ||
		    syscall(SYS_mlock2, m, PAGES * page, MLOCK_ONFAULT)) {
			printf("mmap/mlock2(MLOCK_ONFAULT): %s\n", strerror(errno));
			return 2;
		}
		for (i = 0; i < PAGES; i++)
			m[i * page] = 1;
		/* one page a round, to know the path was the one meant */
		off_lru = on_lru(m) == 0;
		if (on_cpu(1) || munlock(m, PAGES * page) || on_cpu(0)) {
			printf("munlock on CPU 1: %s\n", strerror(errno));
			return 2;
		}
		munmap(m, PAGES * page);
		armed += off_lru;
		rounds++;
	}
	printf("stressed: %ld rounds in %.1f s, %ld with the folios off the LRU at munlock (%ld munlocks of off-LRU folios)\n",
	       rounds, now() - t0, armed, armed * PAGES);
	if (hold)
		while (getchar() != EOF)
			;
	if (quiesce() || read_vmstat(after)) {
		printf("cannot drain and read /proc/vmstat: %s\n", strerror(errno));
		return 2;
	}
	munlock(ballast, BALLAST * page);
	drift = (after[NR_MLOCK] - before[NR_MLOCK]) -
		((after[MLOCKED] - before[MLOCKED]) -
		 (after[MUNLOCKED] - before[MUNLOCKED]) -
		 (after[STRANDED] - before[STRANDED]) -
		 (after[CLEARED] - before[CLEARED]));
	printf("identity: nr_mlock %lld -> %lld (%+lld), mlocked %+lld, munlocked %+lld, stranded %+lld, cleared %+lld: drift_pages=%+lld\n",
	       before[NR_MLOCK], after[NR_MLOCK],
	       after[NR_MLOCK] - before[NR_MLOCK], after[MLOCKED] - before[MLOCKED],
	       after[MUNLOCKED] - before[MUNLOCKED],
	       after[STRANDED] - before[STRANDED],
	       after[CLEARED] - before[CLEARED], drift);
	if (!armed) {
		printf("no round found its folios off the LRU at munlock: nothing was tested\n");
		return 2;
	}
	return drift ? 1 : 0;
}
