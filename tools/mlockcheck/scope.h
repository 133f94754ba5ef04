/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockcheck -p PID / -c CGROUP: the folios of one process or cgroup.
 * The scope is a set of PFNs, read from the kernel's own page tables and
 * charges (/proc/PID/smaps and pagemap, /proc/kpagecgroup); the module's
 * listing is filtered by it, and /proc/kpageflags gives the scope's
 * PG_mlocked pages with or without the module.
 */
#ifndef MLOCKCHECK_SCOPE_H
#define MLOCKCHECK_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Readings of the scope tried before PFNs still moving make it incomplete. */
#define SCOPE_TRIES	3

enum scope_kind { SCOPE_NONE, SCOPE_PID, SCOPE_CGROUP };

/* A sorted set of PFNs without duplicates (after pfnset_seal()). */
struct pfnset {
	uint64_t *v;
	size_t n, cap;
};

/* One line of the module's folios or mismatches view (format.h). */
struct folio_line {
	uint64_t pfn;
	unsigned int order;
	uint64_t nr_pages;
	int mapcount;
	char locking_mms[8], verdict[32];
};

/* What one reading of the scope found; figures are in pages. */
struct scope_reading {
	bool on;
	int nr_pids, gone;		/* processes read, and those that exited */
	/* From the kernel alone (smaps, pagemap, kpageflags, kpagecgroup). */
	long long vmlck;		/* the processes' VmLck */
	long long locked_vma;		/* pages of their VM_LOCKED VMAs */
	long long locked_present;	/* of those, present (pagemap) */
	long long locked_mlocked;	/* of those, PG_mlocked (kpageflags) */
	long long charged, charged_mlocked;	/* cgroup: charged to it, PG_mlocked */
	/* From the module's listing, filtered by the scope's PFNs. */
	bool listed;			/* the module's view was read */
	long folios;			/* folios entries in the scope (-1: not read) */
	long mismatches;		/* mismatches entries in the scope */
	long shared;			/* of those, on folios others lock or map too */
	long unstable;			/* entries whose PFNs moved under every read */
	char first_mismatch[160];	/* the first scoped mismatches line */
};

struct scope {
	enum scope_kind kind;
	int pid;
	char path[256];			/* the cgroup's directory */
	char label[300];		/* "pid N" or "cgroup PATH" */
	bool memcg;			/* a cgroup with a memcg of its own */
};

/* Pure, for tests/host/scope_test.c. */
bool pagemap_pfn(uint64_t entry, uint64_t *pfn);
bool smaps_vma(const char *line, uint64_t *start, uint64_t *end);
bool smaps_locked(const char *line);
void pfnset_add(struct pfnset *s, uint64_t pfn);
void pfnset_seal(struct pfnset *s);
bool pfnset_hits(const struct pfnset *s, uint64_t pfn, uint64_t nr);
void pfnset_free(struct pfnset *s);
bool folio_line_parse(const char *line, struct folio_line *f);
bool folio_shared(const struct folio_line *f);
/* In the scope: its PFNs were the scope's before and after the listing. */
int folio_in_scope(const struct pfnset *before, const struct pfnset *after,
		   const struct folio_line *f);
int parse_pid(const char *arg);

/* Reading the kernel. Errors are one "mlockcheck: " line (usage: exit 2). */
int scope_open(struct scope *sc, enum scope_kind kind, const char *arg,
	       char *err, size_t errlen);
bool scope_has_pid(const struct scope *sc, int pid);
void scope_read(const struct scope *sc, const char *view, bool count_folios,
		struct scope_reading *r);
void scope_print_lines(FILE *out, int max);
void scope_print_pfns(FILE *out);

#endif /* MLOCKCHECK_SCOPE_H */
