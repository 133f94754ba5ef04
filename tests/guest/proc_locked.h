/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-mm side of mlock as /proc shows it, without mlockwatch: VmLck
 * (mm->locked_vm) from /proc/self/status, and the VM_LOCKED VMAs ("lo" in
 * smaps' VmFlags). They must agree; the reproducers of locked_vm bugs
 * judge the kernel by these two readings.
 */
#ifndef MW_PROC_LOCKED_H
#define MW_PROC_LOCKED_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The "KEY: N kB" figure of a /proc file (status, meminfo), or -1UL.
 * Unsigned: a wrapped locked_vm prints as VmLck near 2^64 (its top two
 * bits lost to the shift into kB, which the difference of two readings
 * does not need).
 */
static inline unsigned long proc_ukb(const char *path, const char *key)
{
	char line[256];
	unsigned long kb = -1UL;
	size_t n = strlen(key);
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static inline long proc_kb(const char *path, const char *key)
{
	return (long)proc_ukb(path, key);
}

/* VmLck (mm->locked_vm) in kB, or -1UL. */
static inline unsigned long proc_vmlck_kb(void)
{
	return proc_ukb("/proc/self/status", "VmLck");
}

/*
 * The kB of all VM_LOCKED VMAs, or -1; and in *@addr_locked (when not
 * NULL) whether the VMA holding @addr is VM_LOCKED (-1: no VMA holds it).
 */
static inline long proc_locked_vmas_kb(uintptr_t addr, int *addr_locked)
{
	char line[512];
	unsigned long start, end;
	long size = 0, total = 0;
	int here = 0, lo;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (addr_locked)
		*addr_locked = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			here = addr >= start && addr < end;
			continue;
		}
		if (sscanf(line, "Size: %ld kB", &size) == 1)
			continue;
		if (strncmp(line, "VmFlags:", 8))
			continue;
		lo = strstr(line, " lo ") || strstr(line, " lo\n");
		if (lo)
			total += size;
		if (here && addr_locked)
			*addr_locked = lo;
	}
	fclose(f);
	return total;
}

/*
 * The closing line of a locked_vm reproducer, which tests/guest reads:
 * VmLck, the VM_LOCKED VMAs, and locked_vm's excess over them in pages.
 */
static inline void proc_locked_report(void)
{
	unsigned long vmlck = proc_vmlck_kb();
	long lo = proc_locked_vmas_kb(0, NULL);

	printf("locked_vm: vmlck_kb=%lu vm_locked_kb=%ld delta_pages=%ld\n",
	       vmlck, lo, (long)(vmlck - lo) / 4);
	fflush(stdout);
}

#endif /* MW_PROC_LOCKED_H */
