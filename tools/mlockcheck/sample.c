// SPDX-License-Identifier: GPL-2.0
/*
 * Readings: /proc/vmstat and /proc/meminfo, mlockwatch's summary,
 * mismatches and mms views, and the drain that makes them exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "sample.h"

/* numaif.h without libnuma */
#ifndef MPOL_F_MEMS_ALLOWED
#define MPOL_F_MEMS_ALLOWED	(1 << 2)
#endif

static const char *const summary_keys[MW_NR_SUMMARY_KEYS] = {
#define MW_SUMMARY_KEY(id, key) [MW_KEY_##id] = #key,
#include <mlockwatch/summary_keys.h>
#undef MW_SUMMARY_KEY
};

int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

void read_vmstat(struct sample *s)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char key[64];
	long long v;
	int i;

	s->isolated = 0;
	while (f && fscanf(f, "%63s %lld", key, &v) == 2) {
		if (!strcmp(key, "nr_mlock") && !s->nr_exact)
			s->nr_mlock = v;
		else if (!strcmp(key, "nr_isolated_anon") || !strcmp(key, "nr_isolated_file"))
			s->isolated += v;
		for (i = 0; i < MC_NR_EV; i++)
			if (!strcmp(key, ev_names[i]) && !s->ev_from_mod)
				s->ev[i] = v;
	}
	if (f)
		fclose(f);
	/* meminfo says kB; everything mlockcheck compares is in pages. */
	f = fopen("/proc/meminfo", "r");
	while (f && fscanf(f, "%63s %lld%*[^\n]", key, &v) == 2) {
		if (!strcmp(key, "Unevictable:"))
			s->unevictable = v * 1024 / sysconf(_SC_PAGESIZE);
		else if (!strcmp(key, "Mlocked:"))
			s->mlocked = v * 1024 / sysconf(_SC_PAGESIZE);
	}
	if (f)
		fclose(f);
}

/*
 * The bracketed level of a /sys/kernel/security/lockdown line ("none
 * [integrity] confidentiality") into @level; false when there is none.
 */
bool lockdown_parse(const char *line, char *level, size_t size)
{
	const char *a = strchr(line, '['), *z = a ? strchr(a, ']') : NULL;

	if (!z || z - a - 1 <= 0 || (size_t)(z - a - 1) >= size)
		return false;
	memcpy(level, a + 1, z - a - 1);
	level[z - a - 1] = '\0';
	return true;
}

/*
 * The kernel's lockdown level, or NULL when it cannot be told: no lockdown
 * LSM, or securityfs not mounted (mlockcheck does not mount it).
 */
const char *lockdown_level(void)
{
	static char level[32];
	char line[128];
	FILE *f = fopen("/sys/kernel/security/lockdown", "r");
	bool ok;

	if (!f)
		return NULL;
	ok = fgets(line, sizeof(line), f) && lockdown_parse(line, level, sizeof(level));
	fclose(f);
	return ok ? level : NULL;
}

/*
 * "lockdown (LEVEL): " when the kernel is locked down, to begin a message
 * about something debugfs or BPF refused; else "".
 */
const char *lockdown_prefix(void)
{
	static char prefix[64];
	const char *l = lockdown_level();

	if (!l || !strcmp(l, "none"))
		return "";
	snprintf(prefix, sizeof(prefix), "lockdown (%s): ", l);
	return prefix;
}

/*
 * A view of the loaded module that cannot be read (debugfs refuses it
 * under lockdown when the view is not read-only, or the module went
 * away): said in the reading, never taken for an empty view.
 */
static void unreadable(struct sample *s, const char *view)
{
	char why[160];
	int err = errno;

	snprintf(why, sizeof(why), "%scannot read %s/%s (%s)",
		 lockdown_prefix(), MW_DIR, view, strerror(err));
	note_add(s->unchecked, sizeof(s->unchecked), why);
}

bool module_loaded(void)
{
	return access("/sys/module/mlockwatch", F_OK) == 0;
}

static int summary_key(const char *key)
{
	int k;

	for (k = 0; k < MW_NR_SUMMARY_KEYS; k++)
		if (!strcmp(key, summary_keys[k]))
			return k;
	return -1;
}

/*
 * A count of the summary. Format 2 prints "-" for the writer hook's
 * figures when attribute_writers=0: not a count, and never judged
 * (mod_writers), so it reads as 0 rather than failing the reading.
 */
static long long summary_count(const char *v)
{
	return strcmp(v, "-") ? atoll(v) : 0;
}

/* One "key: value" line of the summary; keys not known are skipped. */
void parse_summary_line(struct sample *s, char *line)
{
	char *v = strchr(line, ':');
	int i;

	if (!v)
		return;
	*v++ = '\0';
	while (*v == ' ')
		v++;
	v[strcspn(v, "\n")] = '\0';
	switch (summary_key(line)) {
	case MW_KEY_NR_MLOCK:
		s->nr_mlock = atoll(v);
		s->nr_exact = true;
		return;
	case MW_KEY_ATTRIBUTE_WRITERS:
		s->mod_writers = atoi(v) != 0;
		return;
	case MW_KEY_INCOMPLETE:
		s->mod_incomplete = atoi(v);
		return;
	case MW_KEY_INCOMPLETE_REASONS:
		snprintf(s->mod_reasons, sizeof(s->mod_reasons), "%s", v);
		return;
	case MW_KEY_WITNESSED_MLOCKED:
		s->mod_w[MOD_W_MLOCKED] = summary_count(v);
		return;
	case MW_KEY_WITNESSED_MUNLOCKED:
		s->mod_w[MOD_W_MUNLOCKED] = summary_count(v);
		return;
	case MW_KEY_WITNESSED_STRANDED:
		s->mod_w[MOD_W_STRANDED] = summary_count(v);
		return;
	case MW_KEY_WITNESSED_CLEARED:
		s->mod_w[MOD_W_CLEARED] = summary_count(v);
		return;
	case MW_KEY_TRACED_UNWITNESSED_SET:
		s->mod_traced[MOD_T(UNWITNESSED_SET)] = atoll(v);
		s->mod_traced_known = true;
		return;
	case MW_KEY_TRACED_UNWITNESSED_CLEAR:
		s->mod_traced[MOD_T(UNWITNESSED_CLEAR)] = atoll(v);
		s->mod_traced_known = true;
		return;
	case MW_KEY_TRACED_OVERCOUNT:
		s->mod_traced[MOD_T(OVERCOUNT)] = atoll(v);
		s->mod_traced_known = true;
		return;
	}
	/*
	 * The module reads the events together with NR_MLOCK, in the
	 * kernel: no skew between them.
	 */
	for (i = 0; i < MC_NR_EV; i++)
		if (!strcmp(line, ev_names[i])) {
			s->ev[i] = strtoull(v, NULL, 10);
			s->ev_from_mod = true;
		}
}

void read_module(struct sample *s)
{
	FILE *f = fopen(MW_DIR "/summary", "r");
	char line[512];
	long n = 0;

	s->mod = f != NULL;
	if (!f) {
		unreadable(s, "summary");
		return;
	}
	while (fgets(line, sizeof(line), f))
		parse_summary_line(s, line);
	fclose(f);
	f = fopen(MW_DIR "/mismatches", "r");
	if (!f)
		unreadable(s, "mismatches");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "format:", 7) && line[0] != '#')
			n++;
	if (f)
		fclose(f);
	s->mod_mismatches = n;
}

/*
 * The views mlockcheck parses and the format of each it was written for
 * (include/mlockwatch/format.h): a module whose views say another format
 * may have renamed or re-meant a field, and a reading of it could pass
 * for consistent. mms may be absent (an older module): read_mms copes.
 */
static const struct {
	const char *view;
	int format;
	bool optional;
} known_formats[] = {
	{ "summary", MLOCKWATCH_SUMMARY_FORMAT, false },
	{ "mismatches", MLOCKWATCH_FOLIOS_FORMAT, false },
	{ "mms", MLOCKWATCH_MMS_FORMAT, true },
};

/* 0 when @first_line is "format: @known"; else a message in @msg. */
int format_refusal(const char *view, int known, const char *first_line,
		   char *msg, size_t len)
{
	bool parsed;
	char rest;
	int n;

	parsed = first_line && sscanf(first_line, "format: %d%c", &n, &rest) == 2 &&
		 rest == '\n';
	if (parsed && n == known)
		return 0;
	if (parsed)
		snprintf(msg, len, "mlockwatch's %s view is format %d, but this mlockcheck reads format %d only: use the mlockcheck built with that mlockwatch",
			 view, n, known);
	else
		snprintf(msg, len, "mlockwatch's %s view does not start with a 'format: N' line (this mlockcheck reads format %d)",
			 view, known);
	return -1;
}

int module_format_check(const char *dir, char *msg, size_t len)
{
	char path[256], line[128];
	size_t i;

	for (i = 0; i < sizeof(known_formats) / sizeof(known_formats[0]); i++) {
		FILE *f;
		bool got;

		snprintf(path, sizeof(path), "%s/%s", dir, known_formats[i].view);
		f = fopen(path, "r");
		if (!f && known_formats[i].optional && errno == ENOENT)
			continue;
		if (!f) {
			snprintf(msg, len, "cannot read %s: %s", path, strerror(errno));
			return -1;
		}
		got = fgets(line, sizeof(line), f) != NULL;
		fclose(f);
		if (format_refusal(known_formats[i].view, known_formats[i].format,
				   got ? line : NULL, msg, len))
			return -1;
	}
	return 0;
}

/* Parses @line into @m; true when it is an error line (excess, deficit). */
bool mms_error_line(const char *line, struct mms_line *m)
{
	return sscanf(line, "%d %63s %llu %llu %lld %31s", &m->pid, m->comm,
		      &m->locked_vm, &m->vm_locked, &m->delta, m->verdict) == 6 &&
	       (!strcmp(m->verdict, "excess") || !strcmp(m->verdict, "deficit"));
}

bool (*mms_keep)(int pid);

/*
 * The mms view, read now: the module walks every mm under its mmap_lock
 * as the file is read (include/mlockwatch/format.h). A module without
 * the view (an older build) leaves s->mms false; one that cannot be read
 * is said as unchecked.
 */
void read_mms(struct sample *s)
{
	FILE *f = fopen(MW_DIR "/mms", "r");
	struct mms_line m;
	char line[256];

	s->mms = f != NULL;
	if (!f && errno != ENOENT)
		unreadable(s, "mms");
	while (f && fgets(line, sizeof(line), f)) {
		long *n;
		char *first;

		if (!mms_error_line(line, &m) || (mms_keep && !mms_keep(m.pid)))
			continue;
		if (m.delta > 0) {
			n = &s->mms_excess_n;
			first = s->mms_first_excess;
			s->mms_excess += m.delta;
		} else {
			n = &s->mms_deficit_n;
			first = s->mms_first_deficit;
			s->mms_deficit -= m.delta;
		}
		if (!(*n)++)
			snprintf(first, sizeof(s->mms_first_excess),
				 "pid %d (%s) locked_vm %llu, VM_LOCKED %llu pages",
				 m.pid, m.comm, m.locked_vm, m.vm_locked);
	}
	if (f)
		fclose(f);
}

/*
 * Empty every CPU's LRU and mlock batches without moving a page:
 * migrate_pages() of this process from its allowed nodes to the same
 * nodes disables the LRU caches (lru_cache_disable(): a drain of every
 * CPU) and migrates nothing. Compaction drains too, but it migrates
 * evictable folios, and a migrated folio is mlocked afresh by its
 * VM_LOCKED mapping: it would heal a folio stranded off the unevictable
 * list before the unevictable invariant saw it. Compaction is the
 * fallback for a kernel without NUMA.
 */
static int drain_all_cpus(void)
{
	unsigned long nodes[16] = { 0 };
	const unsigned long maxnode = sizeof(nodes) * 8;
	char old[16] = "1";
	FILE *f;
	int err;

	if (!syscall(SYS_get_mempolicy, NULL, nodes, maxnode, NULL,
		     MPOL_F_MEMS_ALLOWED) &&
	    syscall(SYS_migrate_pages, 0, maxnode, nodes, nodes) >= 0)
		return 0;
	f = fopen("/proc/sys/vm/compact_unevictable_allowed", "r");
	if (f) {
		if (!fgets(old, sizeof(old), f))
			snprintf(old, sizeof(old), "1");
		fclose(f);
	}
	old[strcspn(old, "\n")] = '\0';
	err = write_file("/proc/sys/vm/compact_unevictable_allowed", "0");
	err = err ?: write_file("/proc/sys/vm/compact_memory", "1");
	write_file("/proc/sys/vm/compact_unevictable_allowed", old);
	return err;
}

/* Empty every CPU's mlock batch and fold the vmstat diffs (user space). */
int quiesce(void)
{
	return drain_all_cpus() ?: write_file("/proc/sys/vm/stat_refresh", "1");
}
