// SPDX-License-Identifier: GPL-2.0
/*
 * secretmem_lock [--hold]: how the kernel accounts secretmem
 * (memfd_secret) memory, and whether it is the old way or the new.
 *
 * Before "mm/secretmem: properly account locked pages" (6.12.113,
 * 6.1.191), a secretmem mapping is a VM_LOCKED VMA charged to the mm's
 * locked_vm, and its pages are mlocked (NR_MLOCK). The charge is only
 * the mm's: a forked child's copy of the mapping is neither VM_LOCKED
 * nor charged, so RLIMIT_MEMLOCK does not hold for it. Since the fix, the
 * pages are charged to the user's locked_vm as they are faulted in, the
 * VMA is not VM_LOCKED, and nothing reaches NR_MLOCK.
 *
 * Maps 64 pages of secretmem, touches them, and reports the VMA's flags
 * (smaps "lo"), VmLck, and the Mlocked change, then the same in a forked
 * child that touches the mapping too. Ends with a "locked_vm:" line for
 * the parent (as the other locked_vm reproducers do); with --hold, then
 * waits until its stdin is closed, with the mapping in place.
 *
 * Exits 1 for the old accounting (VM_LOCKED, charged to the mm, the
 * child unlimited), 0 for the new, 2 when secretmem is not available
 * (no memfd_secret, or secretmem.enable=0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "proc_locked.h"

#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#define PAGES 64

int main(int argc, char **argv)
{
	int hold = argc > 1 && !strcmp(argv[1], "--hold");
	long page = sysconf(_SC_PAGESIZE), ml0, ml1;
	unsigned long vmlck;
	int fd, lo, child_lo, st;
	char *p;
	pid_t pid;

	fd = syscall(SYS_memfd_secret, 0);
	if (fd < 0) {
		printf("memfd_secret: %s (secretmem not available)\n", strerror(errno));
		return 2;
	}
	if (ftruncate(fd, PAGES * page)) {
		printf("ftruncate: %s\n", strerror(errno));
		return 2;
	}
	ml0 = proc_kb("/proc/meminfo", "Mlocked");
	p = mmap(NULL, PAGES * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		printf("mmap of secretmem: %s\n", strerror(errno));
		return 2;
	}
	memset(p, 1, PAGES * page);
	vmlck = proc_vmlck_kb();
	proc_locked_vmas_kb((uintptr_t)p, &lo);
	ml1 = proc_kb("/proc/meminfo", "Mlocked");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int l;

		memset(p, 2, PAGES * page);
		proc_locked_vmas_kb((uintptr_t)p, &l);
		_exit(l == 1 ? 10 : 11);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
		printf("fork: %s\n", strerror(errno));
		return 2;
	}
	child_lo = WEXITSTATUS(st) == 10;
	printf("secretmem, %d pages touched: the VMA is %sVM_LOCKED, VmLck %lu kB, Mlocked %+ld kB; in a forked child the VMA is %sVM_LOCKED\n",
	       PAGES, lo == 1 ? "" : "not ", vmlck, ml1 - ml0,
	       child_lo ? "" : "not ");
	proc_locked_report();
	if (hold)
		while (getchar() != EOF)
			;
	return lo == 1 ? 1 : 0;
}
