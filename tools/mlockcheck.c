// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck: cross-checks the kernel's mlock accounting (NR_MLOCK and the
 * unevictable_pgs_* events) against an independent BPF witness and, when
 * it is loaded, against mlockwatch.ko's shadow table.
 *
 *   mlockcheck [-i S] [-d S]                 watch
 *   mlockcheck [OPTIONS] -- CMD [ARGS...]    wrap: check during and after CMD
 *   mlockcheck --once [--exact]              one reading
 *
 * Exit status: 0 consistent, 1 mismatch, 2 usage or setup error, 3
 * incomplete (a difference relies on a witness that cannot be exact, and
 * nothing else differs), 4 the wrapped command failed while the
 * accounting was consistent. Layout after bcc's libbpf-tools.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "mlockcheck.h"
#include "mlockcheck.skel.h"

/* numaif.h without libnuma */
#ifndef MPOL_F_MEMS_ALLOWED
#define MPOL_F_MEMS_ALLOWED	(1 << 2)
#endif
#define DEBUGFS_MAGIC	0x64626720
#define MW_DIR		"/sys/kernel/debug/mlockwatch"

enum { EXIT_OK, EXIT_MISMATCH, EXIT_SETUP, EXIT_INCOMPLETE, EXIT_CMD };

static struct env {
	double interval, duration;
	bool once, exact, json, verbose, require_module;
	int persist;
	const char *csv;
	char **cmd;
} env = { .interval = 1.0, .persist = 5 };

const char *argp_program_version = "mlockcheck 0.1";
static const char doc[] =
"Cross-check NR_MLOCK and unevictable_pgs_* against a BPF witness and\n"
"mlockwatch.ko's shadow table.\n"
"\n"
"USAGE: mlockcheck [-i S] [-d S] [--json] [--csv FILE]\n"
"       mlockcheck [OPTIONS] -- CMD [ARGS...]\n"
"       mlockcheck --once [--exact]\n"
"\n"
"EXAMPLES:\n"
"    mlockcheck -i 1 -d 60          # watch for a minute\n"
"    mlockcheck -- mlockstress      # check during and after the stress\n"
"    mlockcheck --once --exact      # drain, fold, require exact equality\n"
"\n"
"Exit status: 0 consistent, 1 mismatch, 2 usage or setup error,\n"
"3 incomplete, 4 the wrapped command failed (accounting consistent).\n";

static const struct argp_option opts[] = {
	{ "interval", 'i', "S", 0, "Seconds between samples (default 1)" },
	{ "duration", 'd', "S", 0, "Stop watching after S seconds" },
	{ "once", 'o', NULL, 0, "Take one reading and exit" },
	{ "exact", 'x', NULL, 0, "With --once: drain and fold first, require equality" },
	{ "persist", 'p', "N", 0, "Flag a live difference seen in N samples in a row, never shrinking (default 5)" },
	{ "json", 'j', NULL, 0, "One JSON object per sample and a final one" },
	{ "csv", 'c', "FILE", 0, "Write the time series to FILE" },
	{ "require-module", 'm', NULL, 0, "Fail (exit 2) if mlockwatch.ko is not loaded" },
	{ "verbose", 'v', NULL, 0, "libbpf debug output" },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help" },
	{},
};

/*
 * Usage errors are one line on stderr, like every other setup error. argp
 * follows its own "PROG: message" line with a "Try `PROG --help'..." one
 * (and getopt has already printed its one line for an unknown option):
 * argp's error stream keeps only the lines that start with "PROG: ".
 */
struct err_filter {
	const char *prefix;
	bool at_start, keep;
};

static ssize_t err_filter_write(void *cookie, const char *buf, size_t len)
{
	struct err_filter *f = cookie;
	size_t i;

	for (i = 0; i < len; i++) {
		if (f->at_start)
			f->keep = !strncmp(buf + i, f->prefix, strlen(f->prefix));
		if (f->keep)
			fputc(buf[i], stderr);
		f->at_start = buf[i] == '\n';
	}
	return len;
}

static FILE *err_filter(const char *name)
{
	static struct err_filter f;
	static char prefix[64];
	static FILE *stream;

	if (stream)
		return stream;
	snprintf(prefix, sizeof(prefix), "%s: ", name ? name : "mlockcheck");
	f = (struct err_filter){ .prefix = prefix, .at_start = true };
	/* Line buffered, so that nothing waits for exit() to be seen. */
	stream = fopencookie(&f, "w", (cookie_io_functions_t){ .write = err_filter_write });
	if (!stream)
		return stderr;
	setvbuf(stream, NULL, _IOLBF, 0);
	return stream;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	long n;

	switch (key) {
	case 'i':
		env.interval = strtod(arg, &end);
		if (end == arg || *end || !isfinite(env.interval) || env.interval <= 0)
			argp_error(state, "bad interval '%s'", arg);
		break;
	case 'd':
		env.duration = strtod(arg, &end);
		if (end == arg || *end || !isfinite(env.duration) || env.duration <= 0)
			argp_error(state, "bad duration '%s'", arg);
		break;
	case 'p':
		errno = 0;
		n = strtol(arg, &end, 10);
		if (end == arg || *end || errno || n < 1 || n > 1000000)
			argp_error(state, "bad persist count '%s'", arg);
		env.persist = n;
		break;
	case ARGP_KEY_INIT:
		/* argp's own errors: the "mlockcheck: " lines only (err_filter). */
		state->err_stream = err_filter(state->name);
		break;
	case 'o': env.once = true; break;
	case 'x': env.exact = true; break;
	case 'j': env.json = true; break;
	case 'c': env.csv = arg; break;
	case 'm': env.require_module = true; break;
	case 'v': env.verbose = true; break;
	case 'h': argp_state_help(state, stderr, ARGP_HELP_STD_HELP); break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (put the command after --)", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* After a libbpf failure: its own messages are shown with -v only. */
#define VHINT	(env.verbose ? "" : " (-v shows libbpf's messages)")

static void die_setup(const char *fmt, ...)
{
	va_list ap;

	fputs("mlockcheck: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_SETUP);
}

/*
 * libbpf's messages take several lines (a verifier log, a warning and the
 * error it leads to); without -v they stay quiet and a failure is the one
 * "mlockcheck: " line of die_setup(), which points at -v.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* ---- /proc/kallsyms: caller ranges and names ------------------------- */

struct ksym {
	unsigned long long addr;
	char *name;
};

static struct ksym *ksyms;
static size_t nr_ksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void ksyms_load(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char name[256], type;
	unsigned long long addr;
	size_t cap = 0;

	if (!f)
		die_setup("cannot read /proc/kallsyms: %s", strerror(errno));
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T')
			continue;
		if (nr_ksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			ksyms = realloc(ksyms, cap * sizeof(*ksyms));
			if (!ksyms)
				die_setup("out of memory");
		}
		ksyms[nr_ksyms].addr = addr;
		ksyms[nr_ksyms].name = strdup(name);
		nr_ksyms++;
	}
	fclose(f);
	if (!nr_ksyms || !ksyms[0].addr)
		die_setup("/proc/kallsyms shows no addresses (kptr_restrict?)");
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
}

/* NAME, or NAME with a compiler clone suffix such as ".isra.0". */
static bool ksym_is(const char *sym, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(sym, name, n) && (sym[n] == '\0' || sym[n] == '.');
}

static const char *ksym_name(unsigned long long addr)
{
	size_t lo = 0, hi = nr_ksyms;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return nr_ksyms && ksyms[lo].addr <= addr ? ksyms[lo].name : "?";
}

/*
 * Every function that writes NR_MLOCK on the supported kernels
 * (docs/kernel-map.md), newest spelling first; mlockwatch's compat.c
 * has the same list.
 */
static const struct {
	const char *name;
	enum mc_cause cause;
} callers[] = {
	{ "mlock_folio", MC_MLOCK },
	{ "mlock_new_folio", MC_MLOCK_NEW },
	{ "mlock_new_page", MC_MLOCK_NEW },
	{ "mlock_folio_batch", MC_MUNLOCK },
	{ "mlock_pagevec", MC_MUNLOCK },
	{ "__free_pages_ok", MC_FREE },
	{ "free_pcp_prepare", MC_FREE },
	{ "free_unref_page_prepare", MC_FREE },
	{ "free_unref_page", MC_FREE },
	{ "free_unref_folios", MC_FREE },
	{ "free_pages_prepare", MC_FREE },
	{ "__free_pages_prepare", MC_FREE },
};

static unsigned int fill_ranges(struct mc_range *r, unsigned int max)
{
	unsigned int n = 0, j;
	size_t i;

	for (i = 0; i + 1 < nr_ksyms; i++)
		for (j = 0; j < sizeof(callers) / sizeof(callers[0]); j++) {
			if (!ksym_is(ksyms[i].name, callers[j].name))
				continue;
			if (n == max)
				die_setup("more than %u NR_MLOCK caller ranges", max);
			r[n].start = ksyms[i].addr;
			r[n].end = ksyms[i + 1].addr;
			r[n].cause = callers[j].cause;
			n++;
		}
	return n;
}

/* ---- choosing fentry or kprobe, libbpf-tools style ------------------- */

static struct btf *vmlinux_btf;

static bool btf_has_func(const char *name)
{
	return vmlinux_btf &&
	       btf__find_by_name_kind(vmlinux_btf, name, BTF_KIND_FUNC) >= 0;
}

static bool kallsyms_has(const char *name)
{
	size_t i;

	for (i = 0; i < nr_ksyms; i++)
		if (!strcmp(ksyms[i].name, name))
			return true;
	return false;
}

/* The first of @names this kernel has, or NULL. */
static const char *pick(const char *const *names)
{
	for (; *names; names++)
		if (kallsyms_has(*names))
			return *names;
	return NULL;
}

struct hook {
	const char *what;
	const char *const *names;
	struct bpf_program **fentry, **fexit, **kprobe, **kretprobe;
	const char *sym;
	bool use_fentry;
};

/* ---- reading the kernel and the module ------------------------------- */

static const char *const ev_names[MC_NR_EV] = {
	"unevictable_pgs_culled", "unevictable_pgs_scanned",
	"unevictable_pgs_rescued", "unevictable_pgs_mlocked",
	"unevictable_pgs_munlocked", "unevictable_pgs_cleared",
	"unevictable_pgs_stranded",
};

struct sample {
	double t;
	long long nr_mlock;		/* exact when from the module */
	bool nr_exact, ev_from_mod;
	unsigned long long ev[MC_NR_EV];
	long long isolated;		/* nr_isolated_anon + _file */
	long long unevictable_kb, mlocked_kb;
	struct mc_totals bpf;
	bool mod;
	int mod_incomplete;
	char mod_reasons[256];
	long long mod_w[4];		/* witnessed mlocked, munlocked, stranded, cleared */
	long mod_mismatches;
	/* mlockwatch's mms view: mms whose locked_vm is off, and by how much */
	bool mms;
	long mms_excess_n, mms_deficit_n;
	long long mms_excess, mms_deficit;	/* pages, each > 0 */
	char mms_first_excess[160];	/* the first mm of each sign */
	char mms_first_deficit[160];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -errno;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -EIO;
}

static void read_vmstat(struct sample *s)
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
	f = fopen("/proc/meminfo", "r");
	while (f && fscanf(f, "%63s %lld%*[^\n]", key, &v) == 2) {
		if (!strcmp(key, "Unevictable:"))
			s->unevictable_kb = v;
		else if (!strcmp(key, "Mlocked:"))
			s->mlocked_kb = v;
	}
	if (f)
		fclose(f);
}

static bool module_loaded(void)
{
	return access("/sys/module/mlockwatch", F_OK) == 0;
}

static void read_module(struct sample *s)
{
	FILE *f = fopen(MW_DIR "/summary", "r");
	char line[512], *v;
	long n = 0;

	s->mod = f != NULL;
	while (f && fgets(line, sizeof(line), f)) {
		v = strchr(line, ':');
		if (!v)
			continue;
		*v++ = '\0';
		while (*v == ' ')
			v++;
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "nr_mlock")) {
			s->nr_mlock = atoll(v);
			s->nr_exact = true;
		} else if (!strcmp(line, "incomplete")) {
			s->mod_incomplete = atoi(v);
		} else if (!strcmp(line, "incomplete_reasons")) {
			snprintf(s->mod_reasons, sizeof(s->mod_reasons), "%s", v);
		} else if (!strcmp(line, "witnessed_mlocked_pages")) {
			s->mod_w[0] = atoll(v);
		} else if (!strcmp(line, "witnessed_munlocked_pages")) {
			s->mod_w[1] = atoll(v);
		} else if (!strcmp(line, "witnessed_stranded_pages")) {
			s->mod_w[2] = atoll(v);
		} else if (!strcmp(line, "witnessed_cleared_pages")) {
			s->mod_w[3] = atoll(v);
		} else {
			/*
			 * The module reads the events together with NR_MLOCK,
			 * in the kernel: no skew between them.
			 */
			int i;

			for (i = 0; i < MC_NR_EV; i++)
				if (!strcmp(line, ev_names[i])) {
					s->ev[i] = strtoull(v, NULL, 10);
					s->ev_from_mod = true;
				}
		}
	}
	if (f)
		fclose(f);
	f = s->mod ? fopen(MW_DIR "/mismatches", "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "format:", 7) && line[0] != '#')
			n++;
	if (f)
		fclose(f);
	s->mod_mismatches = n;
}

/* One line of the mms view (include/mlockwatch/format.h). */
struct mms_line {
	int pid;
	char comm[64], verdict[32];
	unsigned long long locked_vm, vm_locked;
	long long delta;
};

/* Parses @line into @m; true when it is an error line (excess, deficit). */
static bool mms_error_line(const char *line, struct mms_line *m)
{
	return sscanf(line, "%d %63s %llu %llu %lld %31s", &m->pid, m->comm,
		      &m->locked_vm, &m->vm_locked, &m->delta, m->verdict) == 6 &&
	       (!strcmp(m->verdict, "excess") || !strcmp(m->verdict, "deficit"));
}

/*
 * The mms view, read now: the module walks every mm under its mmap_lock
 * as the file is read (include/mlockwatch/format.h). A module without
 * the view (an older build) leaves s->mms false.
 */
static void read_mms(struct sample *s)
{
	FILE *f = fopen(MW_DIR "/mms", "r");
	struct mms_line m;
	char line[256];

	s->mms = f != NULL;
	while (f && fgets(line, sizeof(line), f)) {
		long *n;
		char *first;

		if (!mms_error_line(line, &m))
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

static struct mlockcheck_bpf *skel;
static double t0;

static void take(struct sample *s)
{
	memset(s, 0, sizeof(*s));
	s->t = now() - t0;
	/* The module first: its NR_MLOCK is exact, /proc/vmstat's is not. */
	if (module_loaded()) {
		read_module(s);
		read_mms(s);
	}
	memcpy(&s->bpf, &skel->bss->totals, sizeof(s->bpf));
	read_vmstat(s);
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
static int quiesce(void)
{
	return drain_all_cpus() ?: write_file("/proc/sys/vm/stat_refresh", "1");
}

/* ---- the invariants -------------------------------------------------- */

/*
 * What a comparison relies on. When one of these is known to be inexact
 * (the module's table was full, a BPF batch was not counted, the baseline
 * was taken during activity), a difference that relies on it is not
 * judged; a difference that relies only on the kernel's own counters
 * still is.
 */
enum source {
	SRC_MODULE = 1,		/* mlockwatch's witnessed counts and verdicts */
	SRC_BPF = 2,		/* the BPF side's attributed writes and events */
	SRC_BASELINE = 4,	/* a quiet baseline to take deltas from */
};

struct finding {
	const char *invariant;
	unsigned int needs;	/* enum source */
	long long expected, actual;
	char detail[512];
};

#define MAX_FINDINGS 16

struct check {
	struct finding f[MAX_FINDINGS];
	int n;
	unsigned int incomplete;	/* enum source: what is not exact */
	char why[512];
};

/* A difference is judged unless what it relies on is incomplete. */
static bool judged(const struct check *c, int i)
{
	return !(c->f[i].needs & c->incomplete);
}

static int nr_judged(const struct check *c)
{
	int i, n = 0;

	for (i = 0; i < c->n; i++)
		n += judged(c, i);
	return n;
}

static void incomplete(struct check *c, unsigned int src, const char *fmt, ...)
{
	size_t len = strlen(c->why);
	va_list ap;

	c->incomplete |= src;
	if (len && len < sizeof(c->why) - 2) {
		strcpy(c->why + len, "; ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->why + len, sizeof(c->why) - len, fmt, ap);
	va_end(ap);
}

static void found(struct check *c, const char *inv, unsigned int needs,
		  long long expected, long long actual, const char *fmt, ...)
{
	va_list ap;

	if (c->n == MAX_FINDINGS)
		return;
	c->f[c->n].invariant = inv;
	c->f[c->n].needs = needs;
	c->f[c->n].expected = expected;
	c->f[c->n].actual = actual;
	c->f[c->n].detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(c->f[c->n].detail, sizeof(c->f[c->n].detail), fmt, ap);
		va_end(ap);
	}
	c->n++;
}

static long long sum_attributed(const struct mc_totals *t)
{
	long long s = 0;
	int c;

	for (c = 0; c < MC_NR_CAUSES; c++)
		if (c != MC_UNATTRIBUTED)
			s += t->nr_mlock_by[c];
	return s;
}

/* The figures each invariant compares, for the rows and the findings. */
struct figures {
	long long identity;		/* NR_MLOCK - events, since boot */
	long long d_nr;			/* NR_MLOCK since the baseline */
	long long bpf_attr, bpf_unattr;
	long long mod_witnessed;	/* module's witnessed delta since baseline */
	long long ev_bpf[MC_NR_EV], ev_d[MC_NR_EV];
};

static void figures(const struct sample *b, const struct sample *s,
		    struct figures *g)
{
	int i;

	g->identity = s->nr_mlock - ((long long)s->ev[MC_EV_MLOCKED] -
		      (long long)s->ev[MC_EV_MUNLOCKED] -
		      (long long)s->ev[MC_EV_STRANDED] -
		      (long long)s->ev[MC_EV_CLEARED]);
	g->d_nr = s->nr_mlock - b->nr_mlock;
	g->bpf_attr = sum_attributed(&s->bpf) - sum_attributed(&b->bpf);
	g->bpf_unattr = s->bpf.nr_mlock_by[MC_UNATTRIBUTED] -
			b->bpf.nr_mlock_by[MC_UNATTRIBUTED];
	g->mod_witnessed = (s->mod_w[0] - s->mod_w[1] - s->mod_w[2] - s->mod_w[3]) -
			   (b->mod_w[0] - b->mod_w[1] - b->mod_w[2] - b->mod_w[3]);
	for (i = 0; i < MC_NR_EV; i++)
		g->ev_d[i] = (long long)(s->ev[i] - b->ev[i]);
	memset(g->ev_bpf, 0, sizeof(g->ev_bpf));
	g->ev_bpf[MC_EV_MLOCKED] = (s->bpf.nr_mlock_by[MC_MLOCK] + s->bpf.nr_mlock_by[MC_MLOCK_NEW]) -
				   (b->bpf.nr_mlock_by[MC_MLOCK] + b->bpf.nr_mlock_by[MC_MLOCK_NEW]);
	g->ev_bpf[MC_EV_MUNLOCKED] = s->bpf.batch_ev[MC_EV_MUNLOCKED] - b->bpf.batch_ev[MC_EV_MUNLOCKED];
	g->ev_bpf[MC_EV_STRANDED] = s->bpf.batch_ev[MC_EV_STRANDED] - b->bpf.batch_ev[MC_EV_STRANDED];
	g->ev_bpf[MC_EV_CLEARED] = s->bpf.cleared_pages - b->bpf.cleared_pages;
}

/*
 * Every invariant, on one pair of readings. @final: taken at quiescence,
 * so that equality must be exact and the drain invariant applies.
 */
static void check(const struct sample *b, const struct sample *s, bool final,
		  struct check *c)
{
	static const int evs[] = { MC_EV_MLOCKED, MC_EV_MUNLOCKED,
				   MC_EV_STRANDED, MC_EV_CLEARED };
	struct figures g;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	figures(b, s, &g);
	if (g.identity)
		found(c, "identity", 0, s->nr_mlock - g.identity, s->nr_mlock,
		      "NR_MLOCK != unevictable_pgs_mlocked - munlocked - stranded - cleared (NR_MLOCK %s)",
		      s->nr_exact ? "exact, from mlockwatch" : "folded by stat_refresh");
	if (g.bpf_attr != g.d_nr)
		found(c, "witness-bpf", SRC_BPF | SRC_BASELINE, g.d_nr, g.bpf_attr,
		      "NR_MLOCK change since start vs the writes BPF attributed to mlock, mlock_new, munlock and free");
	if (g.bpf_unattr || s->bpf.writes_by[MC_UNATTRIBUTED] != b->bpf.writes_by[MC_UNATTRIBUTED])
		found(c, "unattributed", 0, 0, g.bpf_unattr,
		      "%llu NR_MLOCK write(s) outside the mlock paths, first from %s",
		      s->bpf.writes_by[MC_UNATTRIBUTED] - b->bpf.writes_by[MC_UNATTRIBUTED],
		      ksym_name(s->bpf.first_unattributed));
	if (s->mod && g.mod_witnessed != g.d_nr)
		found(c, "witness-module", SRC_MODULE | SRC_BASELINE, g.d_nr, g.mod_witnessed,
		      "NR_MLOCK change since start vs mlockwatch's witnessed change");
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		int e = evs[i];

		if (g.ev_bpf[e] != g.ev_d[e])
			found(c, "events-bpf", SRC_BPF | SRC_BASELINE, g.ev_d[e], g.ev_bpf[e],
			      "%s change since start vs BPF's count", ev_names[e]);
		if (s->mod && s->mod_w[i] - b->mod_w[i] != g.ev_d[e])
			found(c, "events-module", SRC_MODULE | SRC_BASELINE, g.ev_d[e], s->mod_w[i] - b->mod_w[i],
			      "%s change since start vs mlockwatch's witnessed count",
			      ev_names[e]);
	}
	if (s->mod && s->mod_mismatches)
		found(c, "module-verdicts", SRC_MODULE, 0, s->mod_mismatches,
		      "mlockwatch's mismatches lists %ld folio(s): see below",
		      s->mod_mismatches);
	if (s->mms && s->mms_excess_n)
		found(c, "locked-vm", 0, 0, s->mms_excess,
		      "%ld mm(s) with locked_vm above the pages of their VM_LOCKED VMAs, first %s: see mlockwatch's mms",
		      s->mms_excess_n, s->mms_first_excess);
	if (s->mms && s->mms_deficit_n)
		found(c, "locked-vm", 0, 0, -s->mms_deficit,
		      "%ld mm(s) with locked_vm below the pages of their VM_LOCKED VMAs, first %s: see mlockwatch's mms",
		      s->mms_deficit_n, s->mms_first_deficit);
	if (final && s->unevictable_kb / 4 < s->mlocked_kb / 4 - s->isolated)
		found(c, "unevictable", 0, s->mlocked_kb / 4 - s->isolated,
		      s->unevictable_kb / 4,
		      "after a drain, Unevictable (pages) < Mlocked - nr_isolated: mlocked folios stranded on evictable lists");
	if (s->mod && s->mod_incomplete)
		incomplete(c, SRC_MODULE, "mlockwatch is incomplete: %s",
			   s->mod_reasons);
	if (s->bpf.unreliable_batches != b->bpf.unreliable_batches)
		incomplete(c, SRC_BPF,
			   "%llu batch(es) not counted exactly (ended on another CPU, or a dead CPU's drain could not read the batch state at rest)",
			   s->bpf.unreliable_batches - b->bpf.unreliable_batches);
}

/* ---- output ---------------------------------------------------------- */

static FILE *csv;

/* @flagged: the judged differences are final or have persisted. */
static const char *verdict_name(const struct check *c, bool flagged)
{
	if (flagged && nr_judged(c))
		return "mismatch";
	if (c->incomplete)
		return "incomplete";
	return c->n ? "drift" : "ok";
}

static void print_row(const struct sample *b, const struct sample *s,
		      const struct check *c, const char *verdict)
{
	struct figures g;

	figures(b, s, &g);
	if (env.json) {
		printf("{\"time\":%.2f,\"nr_mlock\":%lld,\"nr_mlock_exact\":%s,\"identity_diff\":%lld,"
		       "\"nr_mlock_delta\":%lld,\"bpf_attributed\":%lld,\"bpf_unattributed\":%lld,",
		       s->t, s->nr_mlock, s->nr_exact ? "true" : "false", g.identity,
		       g.d_nr, g.bpf_attr, g.bpf_unattr);
		if (s->mod)
			printf("\"module_witnessed\":%lld,\"module_mismatches\":%ld,",
			       g.mod_witnessed, s->mod_mismatches);
		else
			printf("\"module_witnessed\":null,\"module_mismatches\":null,");
		if (s->mms)
			printf("\"locked_vm_mismatched_mms\":%ld,",
			       s->mms_excess_n + s->mms_deficit_n);
		else
			printf("\"locked_vm_mismatched_mms\":null,");
		printf("\"differences\":%d,\"verdict\":\"%s\"}\n", c->n, verdict);
	} else {
		char mw[24] = "-", mm[16] = "-";

		if (s->mod) {
			snprintf(mw, sizeof(mw), "%lld", g.mod_witnessed);
			snprintf(mm, sizeof(mm), "%ld", s->mod_mismatches);
		}
		printf("%8.2f %10lld %8lld %10lld %10lld %8lld %10s %6s  %s\n",
		       s->t, s->nr_mlock, g.identity, g.d_nr, g.bpf_attr,
		       g.bpf_unattr, mw, mm, verdict);
	}
	if (csv)
		fprintf(csv, "%.2f,%lld,%lld,%lld,%lld,%lld,%lld,%s\n", s->t,
			s->nr_mlock, g.identity, g.d_nr, g.bpf_attr, g.bpf_unattr,
			s->mod ? g.mod_witnessed : 0, verdict);
	fflush(stdout);
}

static void print_header(void)
{
	if (!env.json)
		printf("%8s %10s %8s %10s %10s %8s %10s %6s  %s\n", "TIME(s)",
		       "NR_MLOCK", "IDENTITY", "dNR_MLOCK", "BPF_ATTR",
		       "UNATTR", "MODULE", "MISM", "VERDICT");
	if (csv)
		fprintf(csv, "time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict\n");
}

/*
 * The error lines of one of mlockwatch's views, for the report: the
 * mismatches view (PFNs and pids) or the mms view (pids), at most @max.
 */
static void print_module_lines(FILE *out, const char *view, int max)
{
	char path[128], line[512];
	bool mms = !strcmp(view, "mms");
	struct mms_line m;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), MW_DIR "/%s", view);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "format:", 7) || line[0] == '#')
			continue;
		if (mms && !mms_error_line(line, &m))
			continue;
		if (n++ >= max)
			break;
		fprintf(out, "    %s", line);
	}
	if (f)
		fclose(f);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static void print_final(const struct check *c, int code, const char *mode,
			bool exact, bool have_mod, int cmd_status,
			const char *notes)
{
	int i;

	if (env.json) {
		printf("{\"final\":true,\"mode\":\"%s\",\"exact\":%s,\"module\":%s,",
		       mode, exact ? "true" : "false", have_mod ? "true" : "false");
		printf("\"verdict\":\"%s\",\"exit\":%d,",
		       code == EXIT_MISMATCH ? "mismatch" :
		       code == EXIT_INCOMPLETE ? "incomplete" :
		       code == EXIT_CMD ? "command-failed" : "ok", code);
		if (cmd_status >= 0)
			printf("\"cmd_status\":%d,", cmd_status);
		printf("\"incomplete_reason\":");
		json_str(c->incomplete ? c->why : "");
		printf(",\"notes\":");
		json_str(notes);
		printf(",\"mismatches\":[");
		for (i = 0; i < c->n; i++) {
			printf("%s{\"invariant\":\"%s\",\"expected\":%lld,\"actual\":%lld,\"delta\":%lld,\"judged\":%s,\"detail\":",
			       i ? "," : "", c->f[i].invariant, c->f[i].expected,
			       c->f[i].actual, c->f[i].actual - c->f[i].expected,
			       judged(c, i) ? "true" : "false");
			json_str(c->f[i].detail);
			putchar('}');
		}
		printf("]}\n");
		return;
	}
	if (*notes)
		printf("note: %s\n", notes);
	/* Not judged: it relies on something that is incomplete (below). */
	for (i = 0; i < c->n; i++)
		printf("%s %s: expected %lld, actual %lld, delta %+lld: %s\n",
		       judged(c, i) ? "MISMATCH" : "NOT JUDGED",
		       c->f[i].invariant, c->f[i].expected, c->f[i].actual,
		       c->f[i].actual - c->f[i].expected, c->f[i].detail);
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].invariant, "module-verdicts")) {
			printf("  mlockwatch mismatches (pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict):\n");
			print_module_lines(stdout, "mismatches", 20);
		}
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].invariant, "locked-vm")) {
			printf("  mlockwatch mms (pid comm locked_vm vm_locked_pages delta verdict):\n");
			print_module_lines(stdout, "mms", 20);
			break;
		}
	if (c->incomplete)
		printf("INCOMPLETE: %s\n", c->why);
	if (cmd_status >= 0)
		printf("command exited %d\n", cmd_status);
	printf("mlockcheck: %s%s%s\n",
	       code == EXIT_MISMATCH ? "MISMATCH" :
	       code == EXIT_INCOMPLETE ? "INCOMPLETE" :
	       code == EXIT_CMD ? "consistent, but the command failed" : "consistent",
	       exact ? " (exact, after a drain)" : "",
	       have_mod ? "" : " (without mlockwatch.ko: BPF and vmstat only)");
}

/* ---- setup ----------------------------------------------------------- */

static const char *const n_batch[] = { "mlock_folio_batch", "mlock_pagevec", NULL };
static const char *const n_mlock[] = { "mlock_folio", NULL };
static const char *const n_mlock_new[] = { "mlock_new_folio", "mlock_new_page", NULL };
static const char *const n_munlock[] = { "munlock_folio", "munlock_page", NULL };
/* The whole CPU-dead callback: it also folds the dead CPU's events (see the BPF side). */
static const char *const n_drain_remote[] = { "page_alloc_cpu_dead", "mlock_drain_remote", "mlock_page_drain_remote", NULL };

static void setup(bool *have_mod)
{
	struct hook hooks[5];
	struct statfs sfs;
	unsigned int i;
	int err;

	if (geteuid() != 0)
		die_setup("must run as root (BPF, /proc/kallsyms addresses, debugfs)");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		die_setup("no BTF: /sys/kernel/btf/vmlinux is missing (a kernel without CONFIG_DEBUG_INFO_BTF)");
	*have_mod = module_loaded();
	if (*have_mod && (statfs("/sys/kernel/debug", &sfs) || sfs.f_type != DEBUGFS_MAGIC))
		die_setup("debugfs is not mounted: mount -t debugfs none /sys/kernel/debug");
	if (*have_mod && access(MW_DIR "/summary", R_OK))
		die_setup("mlockwatch is loaded but %s/summary is not readable", MW_DIR);
	if (env.require_module && !*have_mod)
		die_setup("mlockwatch.ko is not loaded (--require-module)");

	ksyms_load();
	vmlinux_btf = btf__load_vmlinux_btf();
	skel = mlockcheck_bpf__open();
	if (!skel)
		die_setup("cannot open the BPF object: %s%s", strerror(errno), VHINT);
	hooks[0] = (struct hook){ "batch processor", n_batch,
		&skel->progs.batch_fentry, &skel->progs.batch_fexit,
		&skel->progs.batch_kprobe, &skel->progs.batch_kretprobe };
	hooks[1] = (struct hook){ "mlock", n_mlock, &skel->progs.mlock_fentry,
		NULL, &skel->progs.mlock_kprobe, NULL };
	hooks[2] = (struct hook){ "mlock_new", n_mlock_new,
		&skel->progs.mlock_new_fentry, NULL,
		&skel->progs.mlock_new_kprobe, NULL };
	hooks[3] = (struct hook){ "munlock", n_munlock,
		&skel->progs.munlock_fentry, NULL,
		&skel->progs.munlock_kprobe, NULL };
	hooks[4] = (struct hook){ "dead-CPU batch drain", n_drain_remote,
		&skel->progs.drain_remote_fentry, &skel->progs.drain_remote_fexit,
		&skel->progs.drain_remote_kprobe, &skel->progs.drain_remote_kretprobe };
	skel->rodata->nr_cpus = libbpf_num_possible_cpus();
	skel->rodata->nr_ranges = fill_ranges((struct mc_range *)skel->rodata->ranges,
					      MC_MAX_RANGES);
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		struct hook *h = &hooks[i];

		h->sym = pick(h->names);
		if (!h->sym)
			die_setup("unsupported kernel: no %s function (%s...) in /proc/kallsyms",
				  h->what, h->names[0]);
		h->use_fentry = btf_has_func(h->sym);
		bpf_program__set_autoload(*h->fentry, h->use_fentry);
		if (h->fexit)
			bpf_program__set_autoload(*h->fexit, h->use_fentry);
		bpf_program__set_autoload(*h->kprobe, !h->use_fentry);
		if (h->kretprobe)
			bpf_program__set_autoload(*h->kretprobe, !h->use_fentry);
		if (h->use_fentry) {
			bpf_program__set_attach_target(*h->fentry, 0, h->sym);
			if (h->fexit)
				bpf_program__set_attach_target(*h->fexit, 0, h->sym);
		}
	}
	err = mlockcheck_bpf__load(skel);
	if (err)
		die_setup("cannot load the BPF programs: %s%s", strerror(-err), VHINT);

	skel->links.mod_zone_page_state = bpf_program__attach_kprobe(
		skel->progs.mod_zone_page_state, false, "mod_zone_page_state");
	skel->links.__mod_zone_page_state = bpf_program__attach_kprobe(
		skel->progs.__mod_zone_page_state, false, "__mod_zone_page_state");
	if (!skel->links.mod_zone_page_state || !skel->links.__mod_zone_page_state)
		die_setup("cannot attach kprobes to the NR_MLOCK writers: %s%s", strerror(errno), VHINT);
	skel->links.page_free = bpf_program__attach(skel->progs.page_free);
	if (!skel->links.page_free)
		die_setup("cannot attach to the mm_page_free tracepoint: %s%s", strerror(errno), VHINT);
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		struct hook *h = &hooks[i];
		struct bpf_link *l1, *l2 = NULL;

		if (h->use_fentry) {
			l1 = bpf_program__attach(*h->fentry);
			if (l1 && h->fexit)
				l2 = bpf_program__attach(*h->fexit);
		} else {
			l1 = bpf_program__attach_kprobe(*h->kprobe, false, h->sym);
			if (l1 && h->kretprobe)
				l2 = bpf_program__attach_kprobe(*h->kretprobe, true, h->sym);
		}
		if (!l1 || (!l2 && (h->fexit || h->kretprobe)))
			die_setup("cannot attach to %s (%s, %s): %s%s", h->what, h->sym,
				  h->use_fentry ? "fentry" : "kprobe", strerror(errno), VHINT);
		if (env.verbose)
			fprintf(stderr, "mlockcheck: %s: %s via %s\n", h->what, h->sym,
				h->use_fentry ? "fentry/fexit" : "kprobe");
	}
}

/*
 * A baseline whose readings do not straddle a change: the events and the
 * BPF counters read the same before and after. On a busy system none may
 * be found; then live comparisons still work, but exact ones cannot.
 */
static bool take_baseline(struct sample *b)
{
	struct sample again;
	int tries;

	for (tries = 0; tries < 20; tries++) {
		take(b);
		take(&again);
		if (!memcmp(b->ev, again.ev, sizeof(b->ev)) &&
		    !memcmp(&b->bpf, &again.bpf, sizeof(b->bpf)) &&
		    b->nr_mlock == again.nr_mlock)
			return true;
		usleep(50000);
	}
	return false;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Live flagging: a difference that persists, never shrinking, is real. */
struct streak {
	int n;
	long long last;
};

/*
 * Which differences can be judged live. The module reads NR_MLOCK and the
 * events together in the kernel, so its identity has no skew; an
 * unattributed write and a folio verdict are facts, not readings. The
 * locked-vm compares two figures the module read together under the
 * mm's mmap_lock. The witnesses (BPF, the module's counters,
 * /proc/vmstat) are read at different instants: under stress they differ
 * in flight, so they are judged only at quiescence (the end of a wrapped
 * command, --once --exact).
 */
static bool live_judged(const struct finding *f, const struct sample *s)
{
	if (!strcmp(f->invariant, "identity"))
		return s->nr_exact && s->ev_from_mod;
	return !strcmp(f->invariant, "unattributed") ||
	       !strcmp(f->invariant, "module-verdicts") ||
	       !strcmp(f->invariant, "locked-vm");
}

static bool persists(struct streak *st, const struct check *c,
		     const struct sample *s)
{
	long long mag = 0;
	int i;

	for (i = 0; i < c->n; i++) {
		long long d = c->f[i].actual - c->f[i].expected;

		if (judged(c, i) && live_judged(&c->f[i], s))
			mag += d < 0 ? -d : d;
	}
	if (!mag) {
		st->n = 0;
		return false;
	}
	st->n = mag >= st->last ? st->n + 1 : 1;
	st->last = mag;
	return st->n >= env.persist;
}

/*
 * /proc/vmstat clamps a negative NR_MLOCK at 0 (global_zone_page_state()),
 * so that without the module's exact read a 0 may hide a count below the
 * events: say so beside the verdict.
 */
static void note_clamp(const struct sample *s, char *notes, size_t size)
{
	if (s->nr_exact || s->nr_mlock)
		return;
	snprintf(notes + strlen(notes), size - strlen(notes),
		 "%sNR_MLOCK reads 0 in /proc/vmstat, which clamps a negative count at 0: an NR_MLOCK below the events cannot show without mlockwatch.ko",
		 *notes ? "; " : "");
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct sample base, s;
	struct check c = { 0 }, flagged_c = { 0 };
	struct streak streak = { 0 };
	bool have_mod, stable, flagged = false, exact = false;
	int code, cmd_status = -1, i, ac = argc;
	char notes[512] = "";
	pid_t child = -1;
	double next;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			ac = i;
			env.cmd = argv + i + 1;
			if (!*env.cmd) {
				fprintf(stderr, "mlockcheck: no command after --\n");
				return EXIT_SETUP;
			}
			break;
		}
	/* getopt names the program by argv[0] in its messages. */
	argv[0] = "mlockcheck";
	argp_err_exit_status = EXIT_SETUP;
	if (argp_parse(&argp, ac, argv, 0, NULL, NULL))
		return EXIT_SETUP;
	if (env.exact && !env.once && !env.cmd) {
		fprintf(stderr, "mlockcheck: --exact goes with --once (a wrapped command always ends exact)\n");
		return EXIT_SETUP;
	}
	if (env.once && env.cmd) {
		fprintf(stderr, "mlockcheck: --once does not wrap a command\n");
		return EXIT_SETUP;
	}
	libbpf_set_print(libbpf_print);
	setup(&have_mod);
	if (!have_mod)
		snprintf(notes, sizeof(notes),
			 "mlockwatch.ko is not loaded: checking the identity, BPF against vmstat and the events only");
	if (env.csv) {
		csv = fopen(env.csv, "w");
		if (!csv)
			die_setup("cannot write %s: %s", env.csv, strerror(errno));
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	t0 = now();

	if (env.once) {
		/*
		 * Without a baseline before it, a single reading can only
		 * check what holds since boot, and the module's verdicts.
		 */
		if (env.exact && quiesce())
			die_setup("cannot drain and fold (writing /proc/sys/vm): %s", strerror(errno));
		if (env.exact && have_mod && write_file(MW_DIR "/control", "scan"))
			die_setup("cannot write scan to %s/control: %s", MW_DIR, strerror(errno));
		take(&s);
		base = s;
		check(&base, &s, env.exact, &c);
		exact = env.exact;
		print_header();
		code = nr_judged(&c) ? EXIT_MISMATCH :
		       c.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
		print_row(&base, &s, &c, verdict_name(&c, env.exact));
		if (c.n && !env.exact) {
			/* Live readings differ in flight: say so, do not fail. */
			code = c.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "%sa live reading: differences in flight are not mismatches without --exact",
				 *notes ? "; " : "");
			c.n = 0;
		}
		note_clamp(&s, notes, sizeof(notes));
		print_final(&c, code, "once", exact, have_mod, -1, notes);
		goto out;
	}

	stable = take_baseline(&base);
	s = base;
	if (!stable)
		snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
			 "%sthe baseline was taken during activity", *notes ? "; " : "");
	print_header();
	if (env.cmd) {
		child = fork();
		if (child < 0)
			die_setup("fork: %s", strerror(errno));
		if (!child) {
			execvp(env.cmd[0], env.cmd);
			fprintf(stderr, "mlockcheck: cannot run %s: %s\n", env.cmd[0], strerror(errno));
			_exit(127);
		}
	}
	next = now() + env.interval;
	while (!stop) {
		int st;

		if (child > 0 && waitpid(child, &st, WNOHANG) == child) {
			cmd_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		if (env.duration && now() - t0 >= env.duration)
			break;
		if (now() < next) {
			usleep(20000);
			continue;
		}
		next += env.interval;
		take(&s);
		check(&base, &s, false, &c);
		if (persists(&streak, &c, &s) && !flagged) {
			flagged = true;
			flagged_c = c;
		}
		print_row(&base, &s, &c, verdict_name(&c, streak.n >= env.persist));
	}
	if (child > 0 && cmd_status < 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		cmd_status = 128 + SIGTERM;
	}

	/* A wrapped command has ended: the system is quiet, be exact. */
	if (env.cmd && !stop) {
		if (quiesce())
			die_setup("cannot drain and fold (writing /proc/sys/vm): %s", strerror(errno));
		/* The module's scan finds what no hook saw (a stray PG_mlocked). */
		if (have_mod && write_file(MW_DIR "/control", "scan"))
			die_setup("cannot write scan to %s/control: %s", MW_DIR, strerror(errno));
		take(&s);
		check(&base, &s, true, &c);
		exact = true;
		/* Only a difference that needs the baseline makes it matter. */
		for (i = 0; !stable && i < c.n; i++)
			if (c.f[i].needs & SRC_BASELINE) {
				incomplete(&c, SRC_BASELINE,
					   "the baseline was taken during activity, so the witnesses cannot be compared exactly");
				break;
			}
		print_row(&base, &s, &c, verdict_name(&c, true));
	} else {
		c = flagged ? flagged_c : c;
		if (!flagged)
			c.n = 0;
	}
	code = nr_judged(&c) ? EXIT_MISMATCH :
	       c.incomplete ? EXIT_INCOMPLETE :
	       cmd_status > 0 ? EXIT_CMD : EXIT_OK;
	note_clamp(&s, notes, sizeof(notes));
	print_final(&c, code, env.cmd ? "wrap" : "watch", exact, have_mod,
		    cmd_status, notes);
out:
	if (csv)
		fclose(csv);
	mlockcheck_bpf__destroy(skel);
	btf__free(vmlinux_btf);
	return code;
}
