/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of mlockstress share: main.c runs the scenarios that
 * scenarios.h lists, util.c and region.c hold the helpers they are built
 * from, and each sc-*.c holds one family of scenarios.
 */
#ifndef MLOCKSTRESS_H
#define MLOCKSTRESS_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/mempolicy.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "clock.h"
#include "json.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_SCENARIOS	32
#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"

/* Older uapi headers lack these; the values are ABI. */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

enum op {
	OP_MLOCK, OP_MLOCK_ONFAULT, OP_MUNLOCK, OP_MLOCKALL, OP_MUNLOCKALL,
	OP_MMAP, OP_MUNMAP, OP_TOUCH, OP_MPROTECT, OP_MREMAP, OP_FORK,
	OP_COW, OP_PREAD, OP_PUNCH, OP_TRUNCATE, OP_MADV_DONTNEED,
	OP_MADV_DONTNEED_LOCKED, OP_MADV_FREE, OP_MADV_COLD, OP_MADV_PAGEOUT,
	OP_MADV_WILLNEED, OP_MADV_REMOVE, OP_MADV_COLLAPSE, OP_MADV_HUGEPAGE,
	OP_MOVE_PAGES, OP_MBIND, OP_COMPACT, OP_SHM_LOCK, OP_SHM_UNLOCK,
	OP_SHMAT, OP_SHMDT, OP_SYSFS, NR_OPS
};

struct opts {
	unsigned int threads;
	double duration;		/* seconds per scenario */
	unsigned long ops;		/* steps per scenario; 0: duration */
	size_t size;			/* bytes per scenario */
	uint64_t seed;
	const char *path;
	bool json;
	bool progress;
};

enum { RES_NOTRUN, RES_OK, RES_FAIL, RES_SKIP };

/*
 * One scenario's tally.  It lives in a MAP_SHARED page so that forked
 * children and threads add to it directly (atomically) and the progress
 * thread can read it.
 */
struct result {
	unsigned long steps;
	unsigned long errors;
	unsigned long refusals;
	unsigned long count[NR_OPS];
	double secs;
	int status;
	char skip[160];
	char info[240];
};

struct shared {
	int cur;
	struct result res[MAX_SCENARIOS];
};

/* Per process or thread: what one stream of operations needs. */
struct ctx {
	const struct opts *o;
	const char *name;		/* scenario */
	struct result *res;
	uint64_t rng;
	unsigned long budget;		/* steps allowed with --ops */
	unsigned long done;
	double deadline;		/* with --duration */
	long vmlck_base;		/* kB of VmLck when the scenario began */
	long locked;			/* bytes we locked through regions */
	unsigned int nfiles;
	unsigned long einval, silent;	/* madvise refusals, by kind */
	bool failed;
};

/* Per-page state the regions keep, to know what the kernel must show. */
enum {
	S_LOCKED	= 0x01,	/* in a VM_LOCKED VMA */
	S_ONFAULT	= 0x02,	/* ... with VM_LOCKONFAULT */
	S_RES		= 0x04,	/* populated since: must be resident if locked */
	S_KNOWN		= 0x08,	/* holds pattern(r, i) */
	S_RO		= 0x10,	/* mprotect()ed read-only */
};

struct sfile {
	int fd;
	size_t len;
	char path[PATH_MAX];		/* empty for a memfd */
};

struct region {
	char *addr;
	size_t npages;
	unsigned char *st;
	unsigned char *gen;		/* bumps on each write of a page */
	unsigned char *vec;		/* mincore() scratch */
	uint64_t tag;
	struct sfile *file;		/* NULL: anonymous */
	int flags;			/* MAP_PRIVATE or MAP_SHARED */
	int prot;
	bool huge;			/* MADV_HUGEPAGE after each (re)map */
	bool verify;			/* track and check contents */
};

/* A sysfs or sysctl setting changed for a scenario and put back after. */
struct knob {
	char path[PATH_MAX];
	char old[128];
	bool saved;
};

enum act {
	A_LOCK, A_LOCK_ONFAULT, A_UNLOCK, A_WRITE, A_READ, A_PROTECT,
	A_REMAP, A_COLLAPSE, A_PAGEOUT, A_COLD, NR_ACTS
};

#define SKIP	1

extern size_t page_size;
extern volatile sig_atomic_t stop_requested;

/* util.c */
uint64_t splitmix64(uint64_t *x);
uint64_t rng_seed(uint64_t seed, const char *name, unsigned int stream);
size_t rnd(struct ctx *c, size_t n);
void count(struct ctx *c, enum op op);
void refused(struct ctx *c);
void info(struct ctx *c, const char *fmt, ...);
int skip(struct ctx *c, const char *fmt, ...);
int surprise(struct ctx *c, const char *op, int err, const char *fmt, ...);
int lock_failed(struct ctx *c, const char *op, const void *addr, size_t len,
		int err);
bool more(struct ctx *c);
void step(struct ctx *c);
int read_text(const char *path, char *buf, size_t size);
int write_text(const char *path, const char *text);
long proc_field(const char *path, const char *key);
long vmlck_kb(void);
int check_vmlck_vs_smaps(struct ctx *c, const char *where);
int check_vmlck(struct ctx *c, const char *where);
int knob_set(struct ctx *c, struct knob *k, const char *path,
	     const char *val);
void knob_restore(struct ctx *c, struct knob *k);
size_t pmd_size(void);
void pick_range(struct ctx *c, size_t npages, size_t align, size_t *first,
		size_t *n);
int sync_send(int fd);
int sync_wait(int fd);
int reap(struct ctx *c, pid_t pid, unsigned long errors_before);

/* region.c */
void sfile_init(struct sfile *f);
int sfile_open(struct ctx *c, struct sfile *f, const char *dir, size_t len);
void sfile_close(struct ctx *c, struct sfile *f);
uint64_t pattern(const struct region *r, size_t i);
int r_alloc(struct ctx *c, struct region *r, size_t npages);
void r_release(struct region *r);
int r_map(struct ctx *c, struct region *r, size_t npages, size_t align,
	  int prot, int flags, struct sfile *f, bool huge);
void r_unmap_all(struct ctx *c, struct region *r);
bool r_any(const struct region *r, size_t i, size_t n, unsigned char mask);
int r_lock(struct ctx *c, struct region *r, size_t i, size_t n, bool onfault);
int r_unlock(struct ctx *c, struct region *r, size_t i, size_t n);
void r_touch(struct ctx *c, struct region *r, size_t i, size_t n, bool write);
int r_check(struct ctx *c, struct region *r);
int checkpoint(struct ctx *c, struct region *rs, size_t nr,
	       const char *where);
void file_zapped(struct region *rs, size_t nr, struct sfile *f, size_t i,
		 size_t n);
int r_act(struct ctx *c, struct region *r, enum act a, size_t i, size_t n);
int r_loop(struct ctx *c, struct region *r, const enum act *acts,
	   size_t nacts, size_t align, unsigned long max_steps);
size_t size_pages(struct ctx *c, size_t divisor);

/* sc-*.c: each returns 0, -1 after a surprise, or SKIP */
#define SCENARIO(fn, name, desc) int sc_##fn(struct ctx *c);
#include "scenarios.h"
#undef SCENARIO

#endif
