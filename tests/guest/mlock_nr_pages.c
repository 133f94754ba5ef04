// SPDX-License-Identifier: GPL-2.0
/*
 * mlock_nr_pages [--hold]: mlock_fixup() once kept the page count of the
 * range it changes in an int ("mm/mlock: use a long for the page count in
 * mlock_fixup()", 6.12.117). A range of 2^31 pages or more (8 TiB) then
 * wraps, and mm->locked_vm takes the wrapped count: VmLck no longer
 * matches the VM_LOCKED VMAs, and munlock does not put it back.
 *
 * Maps 8 TiB PROT_NONE with MAP_NORESERVE (no memory behind it), locks it
 * with MLOCK_ONFAULT (nothing is faulted in), and compares VmLck with the
 * VM_LOCKED VMAs in smaps, then munlocks and compares again. Needs
 * CAP_IPC_LOCK (RLIMIT_MEMLOCK is not checked then) and a 47-bit address
 * space.
 *
 * First prints "locked_vm: vmlck_kb=N vm_locked_kb=M delta_pages=D" read
 * while the range is locked (D: locked_vm's excess in pages); with
 * --hold, it then waits there until its stdin is closed.
 * Judges the kernel from /proc alone; exits 0 when the kernel is right,
 * 1 when it shows the bug, 2 when the test could not run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "proc_locked.h"

#define RANGE (8UL << 40)

int main(int argc, char **argv)
{
	int hold = argc > 1 && !strcmp(argv[1], "--hold");
	unsigned long before, locked, after;
	long locked_lo;
	char *p;

	before = proc_vmlck_kb();
	p = mmap(NULL, RANGE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		printf("cannot map 8 TiB PROT_NONE: %s\n", strerror(errno));
		return 2;
	}
	if (mlock2(p, RANGE, MLOCK_ONFAULT)) {
		printf("mlock2(8 TiB, MLOCK_ONFAULT): %s (needs CAP_IPC_LOCK)\n",
		       strerror(errno));
		return 2;
	}
	locked = proc_vmlck_kb();
	locked_lo = proc_locked_vmas_kb(0, NULL);
	if (before == -1UL || locked_lo < 0)
		return 2;
	proc_locked_report();
	/* With --hold, the locked state is what mlockwatch is asked about. */
	if (hold)
		while (getchar() != EOF)
			;
	munlock(p, RANGE);
	after = proc_vmlck_kb();
	printf("8 TiB locked with MLOCK_ONFAULT: VmLck %lu kB against %ld kB of VM_LOCKED VMAs; after munlock VmLck %lu kB (before %lu kB)\n",
	       locked, locked_lo, after, before);
	return locked == before + locked_lo && after == before ? 0 : 1;
}
