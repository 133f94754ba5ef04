/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the reproducers read and write of the kernel's page state from
 * user space: a sysctl or sysfs file, and the kpageflags of the page
 * mapped at an address of our own (pagemap gives its PFN; both need root).
 */
#ifndef MW_PAGE_STATE_H
#define MW_PAGE_STATE_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define KPF_REFERENCED	2
#define KPF_LRU		5
#define KPF_ACTIVE	6
#define KPF_UNEVICTABLE	18
#define KPF_MLOCKED	33

/* Writes @s to @path: 0, or -1 (errno set). */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

static int page_state_pagemap = -1, page_state_kpageflags = -1;

/* Opens pagemap and kpageflags once: 0, or -1 (errno set: needs root). */
static inline int kpageflags_open(void)
{
	if (page_state_pagemap < 0)
		page_state_pagemap = open("/proc/self/pagemap", O_RDONLY);
	if (page_state_kpageflags < 0)
		page_state_kpageflags = open("/proc/kpageflags", O_RDONLY);
	return page_state_pagemap < 0 || page_state_kpageflags < 0 ? -1 : 0;
}

/*
 * The kpageflags of the page mapped at @addr in *@flags: 0, or -1 when
 * nothing is mapped there or the files cannot be read.
 */
static inline int kpageflags_at(const void *addr, uint64_t *flags)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e;

	if (kpageflags_open() ||
	    pread(page_state_pagemap, &e, 8, (uintptr_t)addr / page * 8) != 8 ||
	    !(e >> 63) || !(e & ((1ULL << 55) - 1)) ||
	    pread(page_state_kpageflags, flags, 8,
		  (e & ((1ULL << 55) - 1)) * 8) != 8)
		return -1;
	return 0;
}

#endif /* MW_PAGE_STATE_H */
