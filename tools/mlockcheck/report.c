// SPDX-License-Identifier: GPL-2.0
/*
 * The --report file: everything a bug report about the mlock accounting
 * needs, in one plain-text file, with no kernel address in it. Written to
 * a temporary file beside FILE and renamed over it, so that a reader never
 * sees half a report.
 */
#include <argp.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <zlib.h>

#include "clock.h"
#include "report.h"
#include "sample.h"

/* ---- kernel addresses: never in the report ---------------------------- */

static bool is_word(int ch)
{
	return isalnum(ch) || ch == '_';
}

/*
 * Whether a word of @len characters at @s could be a kernel address or a
 * hashed pointer: 12 or more hex digits with a 0x or a letter among them
 * (x86-64 addresses have 16, ffff...), or 19 or more decimal digits (an
 * address printed as a number). PFNs, counts and symbol offsets are shorter.
 */
bool report_looks_like_address(const char *s, size_t len)
{
	bool prefix = len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	bool letter = false;
	size_t i, digits;

	if (prefix) {
		s += 2;
		len -= 2;
	}
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		if (!isdigit((unsigned char)s[i]))
			letter = true;
	}
	digits = len;
	if (digits >= 12 && (prefix || letter))
		return true;
	return digits >= 19;
}

/* Replaces, in place, every word of @line that looks like an address. */
void report_clean_line(char *line)
{
	static const char mark[] = "[address removed]";
	char out[4096];
	size_t o = 0, i = 0, n = strlen(line);

	while (i < n && o + sizeof(mark) < sizeof(out)) {
		size_t j = i;

		if (i && is_word((unsigned char)line[i - 1])) {
			out[o++] = line[i++];
			continue;
		}
		while (j < n && is_word((unsigned char)line[j]))
			j++;
		if (j > i && report_looks_like_address(line + i, j - i)) {
			memcpy(out + o, mark, sizeof(mark) - 1);
			o += sizeof(mark) - 1;
			i = j;
		} else if (j > i) {
			size_t k = j - i < sizeof(out) - o - 1 ? j - i : sizeof(out) - o - 1;

			memcpy(out + o, line + i, k);
			o += k;
			i = j;
		} else {
			out[o++] = line[i++];
		}
	}
	out[o] = '\0';
	strcpy(line, out);
}

/* ---- the report's own state ------------------------------------------- */

static struct {
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd;			/* the temporary file, until it is renamed */
	char *const *cmd;
	bool have_mod;
	double t0;
	time_t started;
} rep = { .fd = -1 };

static const char *first_line(const char *path, char *buf, size_t size);

/* ---- the tracepoint's stacks, from a tracefs instance of our own ------ */

#define MAX_GROUP_PFNS	8
#define MAX_GROUP_VERDICTS 8
#define MAX_GROUP_TASKS	4

/* Hits with the same stack: one group, counted. */
struct group {
	char *frames;		/* " => " lines, joined by '\n' */
	long hits, pfns;	/* pfns: hits with a PFN (not unattributed) */
	unsigned long pfn[MAX_GROUP_PFNS];
	struct {
		char name[32];
		long n;
	} verdict[MAX_GROUP_VERDICTS];
	long other_verdicts;
	char task[MAX_GROUP_TASKS][48];
	long other_tasks;
};

/* A hit whose stack trace has not been read yet (per CPU). */
struct pending {
	bool open;
	char task[48], verdict[32];
	unsigned long pfn;
	bool has_pfn;
};

static struct {
	char dir[256], enable[320];
	int pipe;
	char why[768];		/* why nothing is recorded ("" when it is) */
	char partial[8192];	/* a line not yet ended */
	size_t partial_len;
	struct group *g;
	size_t n, cap;
	struct pending *pend;
	int npend;
	int stack_cpu;		/* reading the frames of this CPU's hit, or -1 */
	char frames[16384];
	size_t frames_len;
	long hits, lost, dropped_frames, unparsed;
} tr = { .pipe = -1, .stack_cpu = -1 };

static void cleanup(void)
{
	int fd;

	if (tr.pipe >= 0) {
		close(tr.pipe);
		tr.pipe = -1;
	}
	if (tr.dir[0]) {
		fd = open(tr.enable, O_WRONLY);
		if (fd >= 0) {
			if (write(fd, "0", 1) != 1) {
				/* rmdir disables it anyway */
			}
			close(fd);
		}
		rmdir(tr.dir);
		tr.dir[0] = '\0';
	}
	if (rep.fd >= 0) {
		close(rep.fd);
		rep.fd = -1;
		unlink(rep.tmp);
	}
}

/* Only async-signal-safe calls in cleanup(): it also runs from here. */
static void on_fatal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void trace_begin(void)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char p[PATH_MAX + 128];
	const char *root = NULL;
	size_t i;
	int err;

	if (!rep.have_mod) {
		snprintf(tr.why, sizeof(tr.why), "not recorded: mlockwatch.ko is not loaded, so its tracepoint does not exist");
		return;
	}
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]) && !root; i++) {
		snprintf(p, sizeof(p), "%s/instances", roots[i]);
		if (!access(p, W_OK))
			root = roots[i];
	}
	if (!root) {
		snprintf(tr.why, sizeof(tr.why), "not recorded: tracefs is not mounted (no writable /sys/kernel/tracing/instances)");
		return;
	}
	snprintf(p, sizeof(p), "%s/events/mlockwatch/mlockwatch_mismatch", root);
	if (access(p, F_OK)) {
		snprintf(tr.why, sizeof(tr.why), "not recorded: tracefs has no mlockwatch/mlockwatch_mismatch event (%s)", strerror(errno));
		return;
	}
	snprintf(tr.dir, sizeof(tr.dir), "%s/instances/mlockcheck-%d", root, (int)getpid());
	snprintf(tr.enable, sizeof(tr.enable), "%s/events/mlockwatch/mlockwatch_mismatch/enable", tr.dir);
	if (mkdir(tr.dir, 0700)) {
		snprintf(tr.why, sizeof(tr.why), "not recorded: cannot create the tracefs instance %s: %s",
			 tr.dir, strerror(errno));
		tr.dir[0] = '\0';
		return;
	}
	/*
	 * A new instance gets the default buffer on every CPU; it is drained
	 * every 20 ms, a few pages a CPU are plenty. Offsets name the line
	 * in the function, addresses stay out.
	 */
	snprintf(p, sizeof(p), "%s/buffer_size_kb", tr.dir);
	write_file(p, "256");
	snprintf(p, sizeof(p), "%s/options/sym-offset", tr.dir);
	write_file(p, "1");
	snprintf(p, sizeof(p), "%s/options/sym-addr", tr.dir);
	write_file(p, "0");
	snprintf(p, sizeof(p), "%s/options/stacktrace", tr.dir);
	err = write_file(p, "1");
	if (!err)
		err = write_file(tr.enable, "1");
	if (!err) {
		snprintf(p, sizeof(p), "%s/trace_pipe", tr.dir);
		tr.pipe = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (tr.pipe < 0)
			err = -errno;
	}
	if (err) {
		snprintf(tr.why, sizeof(tr.why), "not recorded: cannot set up the tracefs instance %s: %s",
			 tr.dir, strerror(-err));
		cleanup();
		return;
	}
	snprintf(tr.why, sizeof(tr.why), "%s", "");
}

/* The frames' offsets stay; a frame with no symbol (an address) does not. */
static void add_frame(char *line)
{
	char *f = line;
	size_t n;

	while (*f == ' ')
		f++;
	f += 2;		/* "=>" */
	while (*f == ' ')
		f++;
	f[strcspn(f, "\n")] = '\0';
	n = strcspn(f, " +");
	if (!*f || report_looks_like_address(f, n) || !strncmp(f, "0x", 2)) {
		tr.dropped_frames++;
		return;
	}
	report_clean_line(f);
	n = strlen(f);
	if (tr.frames_len + n + 2 < sizeof(tr.frames)) {
		memcpy(tr.frames + tr.frames_len, f, n);
		tr.frames_len += n;
		tr.frames[tr.frames_len++] = '\n';
		tr.frames[tr.frames_len] = '\0';
	} else {
		tr.dropped_frames++;
	}
}

/*
 * "<...>-PID": the instance's comm cache missed the task (it records
 * comms only while the instance traces); /proc still knows a live one.
 */
static void name_task(char *task, size_t size)
{
	char p[64], comm[32];
	int pid;

	if (strncmp(task, "<...>-", 6) || sscanf(task + 6, "%d", &pid) != 1)
		return;
	snprintf(p, sizeof(p), "/proc/%d/comm", pid);
	first_line(p, comm, sizeof(comm));
	if (comm[0] != '(')
		snprintf(task, size, "%s-%d", comm, pid);
}

static struct pending *pending_of(int cpu)
{
	if (cpu < 0 || cpu > 65535)
		return NULL;
	if (cpu >= tr.npend) {
		struct pending *p = realloc(tr.pend, (cpu + 1) * sizeof(*p));

		if (!p)
			return NULL;
		memset(p + tr.npend, 0, (cpu + 1 - tr.npend) * sizeof(*p));
		tr.pend = p;
		tr.npend = cpu + 1;
	}
	return &tr.pend[cpu];
}

static void group_add(const struct pending *h, const char *frames)
{
	struct group *g = NULL;
	size_t i;
	int k;

	for (i = 0; i < tr.n; i++)
		if (!strcmp(tr.g[i].frames, frames)) {
			g = &tr.g[i];
			break;
		}
	if (!g) {
		if (tr.n == tr.cap) {
			size_t cap = tr.cap ? 2 * tr.cap : 16;
			struct group *ng = realloc(tr.g, cap * sizeof(*ng));

			if (!ng) {
				tr.unparsed++;
				return;
			}
			tr.g = ng;
			tr.cap = cap;
		}
		g = &tr.g[tr.n];
		memset(g, 0, sizeof(*g));
		g->frames = strdup(frames);
		if (!g->frames) {
			tr.unparsed++;
			return;
		}
		tr.n++;
	}
	g->hits++;
	if (h->has_pfn) {
		if (g->pfns < MAX_GROUP_PFNS)
			g->pfn[g->pfns] = h->pfn;
		g->pfns++;
	}
	for (k = 0; k < MAX_GROUP_VERDICTS; k++) {
		if (!g->verdict[k].name[0])
			snprintf(g->verdict[k].name, sizeof(g->verdict[k].name), "%s", h->verdict);
		if (!strcmp(g->verdict[k].name, h->verdict)) {
			g->verdict[k].n++;
			break;
		}
	}
	if (k == MAX_GROUP_VERDICTS)
		g->other_verdicts++;
	for (k = 0; k < MAX_GROUP_TASKS; k++) {
		if (!g->task[k][0])
			snprintf(g->task[k], sizeof(g->task[k]), "%s", h->task);
		if (!strcmp(g->task[k], h->task))
			break;
	}
	if (k == MAX_GROUP_TASKS)
		g->other_tasks++;
}

static void stack_end(void)
{
	struct pending *h;

	if (tr.stack_cpu < 0)
		return;
	h = pending_of(tr.stack_cpu);
	if (h && h->open) {
		group_add(h, tr.frames_len ? tr.frames : "(an empty stack trace)\n");
		h->open = false;
	}
	tr.stack_cpu = -1;
	tr.frames_len = 0;
	tr.frames[0] = '\0';
}

/*
 * One line of trace_pipe: "TASK-PID [CPU] FLAGS TS: mlockwatch_mismatch:
 * verdict=V pfn=0xN ...", then "TASK-PID [CPU] FLAGS TS: <stack trace>"
 * and its " => " frames. Per-CPU buffers are merged by time, so another
 * CPU's line may come between a hit and its stack: hits wait per CPU.
 */
static void trace_line(char *line)
{
	char *cpu_s, *ev, *v;
	struct pending *h;
	unsigned long lost;
	int cpu;

	if (tr.stack_cpu >= 0 && strstr(line, "=> ") && strspn(line, " ") == strcspn(line, "=")) {
		add_frame(line);
		return;
	}
	stack_end();
	if (sscanf(line, "CPU:%d [LOST %lu EVENTS]", &cpu, &lost) == 2) {
		tr.lost += lost;
		return;
	}
	cpu_s = strstr(line, " [");
	if (!cpu_s || sscanf(cpu_s, " [%d]", &cpu) != 1 || !(h = pending_of(cpu))) {
		if (line[strspn(line, " \n")])
			tr.unparsed++;
		return;
	}
	if (strstr(line, ": <stack trace>")) {
		tr.stack_cpu = cpu;
		return;
	}
	ev = strstr(line, ": mlockwatch_mismatch: ");
	if (!ev) {
		tr.unparsed++;
		return;
	}
	if (h->open)	/* the previous hit on this CPU came without a stack */
		group_add(h, "(no stack trace recorded)\n");
	memset(h, 0, sizeof(*h));
	h->open = true;
	tr.hits++;
	*cpu_s = '\0';
	v = line + strspn(line, " ");
	snprintf(h->task, sizeof(h->task), "%s", v);
	h->task[strcspn(h->task, "\n")] = '\0';
	while (*h->task && h->task[strlen(h->task) - 1] == ' ')
		h->task[strlen(h->task) - 1] = '\0';
	name_task(h->task, sizeof(h->task));
	v = strstr(ev, "verdict=");
	if (v)
		sscanf(v, "verdict=%31s", h->verdict);
	else
		snprintf(h->verdict, sizeof(h->verdict), "?");
	v = strstr(ev, " pfn=");
	h->has_pfn = v && sscanf(v, " pfn=%lx", &h->pfn) == 1 && h->pfn;
}

void report_poll(void)
{
	char buf[8192];
	ssize_t n;

	if (tr.pipe < 0)
		return;
	while ((n = read(tr.pipe, buf, sizeof(buf))) > 0) {
		ssize_t i;

		for (i = 0; i < n; i++) {
			if (tr.partial_len < sizeof(tr.partial) - 1)
				tr.partial[tr.partial_len++] = buf[i];
			if (buf[i] != '\n')
				continue;
			tr.partial[tr.partial_len] = '\0';
			trace_line(tr.partial);
			tr.partial_len = 0;
		}
	}
}

/* Events the instance's ring buffer lost: per_cpu/cpuN/stats. */
static long trace_overruns(void)
{
	char p[PATH_MAX + 300], line[256];
	struct dirent *d;
	long sum = 0, v;
	DIR *dir;

	snprintf(p, sizeof(p), "%s/per_cpu", tr.dir);
	dir = opendir(p);
	while (dir && (d = readdir(dir))) {
		FILE *f;

		if (strncmp(d->d_name, "cpu", 3))
			continue;
		snprintf(p, sizeof(p), "%s/per_cpu/%s/stats", tr.dir, d->d_name);
		f = fopen(p, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "overrun: %ld", &v) == 1 ||
			    sscanf(line, "dropped events: %ld", &v) == 1)
				sum += v;
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return sum;
}

/* ---- writing ------------------------------------------------------------ */

static FILE *out;

/* Every line of the report goes through here: no address gets out. */
static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	report_clean_line(line);
	fputs(line, out);
}

/* @path's first line, or why it cannot be read, into @buf. */
static const char *first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(buf, size, "(absent: %s)", strerror(errno));
		return buf;
	}
	if (!fgets(buf, size, f))
		snprintf(buf, size, "(empty)");
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	/* sched/preempt ends in a blank: a paste would keep it. */
	while (*buf && buf[strlen(buf) - 1] == ' ')
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

static void put_file_line(const char *path)
{
	char buf[1024];

	put("%s: %s\n", path, first_line(path, buf, sizeof(buf)));
}

/* Copies @path, every line indented; returns its lines, or -1. */
static long put_file(const char *path, const char *indent)
{
	char line[4096];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		put("%s(cannot read %s: %s)\n", indent, path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		put("%s%s", indent, line);
		n++;
	}
	fclose(f);
	return n;
}

/* The config options mlock accounting and mlockwatch depend on. */
static const char *const options[] = {
	"CONFIG_LRU_GEN", "CONFIG_LRU_GEN_ENABLED", "CONFIG_LRU_GEN_WALKS_MMU",
	"CONFIG_TRANSPARENT_HUGEPAGE", "CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS",
	"CONFIG_TRANSPARENT_HUGEPAGE_MADVISE", "CONFIG_TRANSPARENT_HUGEPAGE_NEVER",
	"CONFIG_READ_ONLY_THP_FOR_FS", "CONFIG_THP_SWAP",
	"CONFIG_PREEMPT_NONE", "CONFIG_PREEMPT_VOLUNTARY", "CONFIG_PREEMPT",
	"CONFIG_PREEMPT_LAZY", "CONFIG_PREEMPT_RT", "CONFIG_PREEMPT_DYNAMIC",
	"CONFIG_SMP", "CONFIG_NR_CPUS", "CONFIG_HOTPLUG_CPU", "CONFIG_NUMA",
	"CONFIG_MIGRATION", "CONFIG_COMPACTION", "CONFIG_NUMA_BALANCING",
	"CONFIG_MEMORY_HOTPLUG", "CONFIG_MEMCG", "CONFIG_SWAP", "CONFIG_SHMEM",
	"CONFIG_KSM", "CONFIG_HUGETLB_PAGE", "CONFIG_SECRETMEM",
	"CONFIG_USERFAULTFD", "CONFIG_DEBUG_VM",
	"CONFIG_KPROBES", "CONFIG_KRETPROBES", "CONFIG_DYNAMIC_FTRACE",
	"CONFIG_FUNCTION_TRACER", "CONFIG_DEBUG_FS", "CONFIG_BPF_SYSCALL",
	"CONFIG_DEBUG_INFO_BTF",
};
#define NR_OPTIONS	(sizeof(options) / sizeof(options[0]))

/* The kernel's config, as gzip or plain text (gzread reads both). */
static void put_config(const char *release)
{
	char paths[3][PATH_MAX], line[1024], found[NR_OPTIONS][160] = { { 0 } };
	const char *src = NULL;
	gzFile gz = NULL;
	size_t i, k;

	snprintf(paths[0], sizeof(paths[0]), "/proc/config.gz");
	snprintf(paths[1], sizeof(paths[1]), "/boot/config-%s", release);
	snprintf(paths[2], sizeof(paths[2]), "/lib/modules/%s/config", release);
	for (i = 0; i < 3 && !gz; i++)
		if (!access(paths[i], R_OK) && (gz = gzopen(paths[i], "r")))
			src = paths[i];
	if (!gz) {
		put("\n## Config: unknown (none of %s, %s, %s)\n", paths[0], paths[1], paths[2]);
		for (k = 0; k < NR_OPTIONS; k++)
			put("%s: unknown\n", options[k]);
		return;
	}
	while (gzgets(gz, line, sizeof(line))) {
		line[strcspn(line, "\n")] = '\0';
		for (k = 0; k < NR_OPTIONS; k++) {
			const char *o = options[k];
			size_t n = strlen(o);

			if ((!strncmp(line, o, n) && line[n] == '=') ||
			    (!strncmp(line, "# ", 2) && !strncmp(line + 2, o, n) &&
			     !strcmp(line + 2 + n, " is not set")))
				snprintf(found[k], sizeof(found[k]), "%.159s", line);
		}
	}
	gzclose(gz);
	put("\n## Config (from %s)\n", src);
	for (k = 0; k < NR_OPTIONS; k++)
		if (found[k][0])
			put("%s\n", found[k]);
		else
			put("# %s is absent (its dependencies are not met)\n", options[k]);
}

static void put_kernel(void)
{
	static const char *const state[] = {
		"/sys/kernel/mm/lru_gen/enabled",
		"/sys/kernel/mm/transparent_hugepage/enabled",
		"/sys/kernel/mm/transparent_hugepage/defrag",
		"/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		"/sys/kernel/debug/sched/preempt",
		"/sys/kernel/realtime",
		"/proc/sys/vm/compact_unevictable_allowed",
		"/sys/devices/system/cpu/online",
		"/sys/devices/system/node/online",
		"/proc/sys/kernel/tainted",
		"/proc/cmdline",
	};
	char buf[1024], p[PATH_MAX];
	struct utsname u;
	size_t i;
	int kb;

	uname(&u);
	put("\n## Kernel\n");
	put("release: %s\n", u.release);
	put("version: %s\n", u.version);
	put("machine: %s\n", u.machine);
	put("/proc/version: %s\n", first_line("/proc/version", buf, sizeof(buf)));
	put_config(u.release);
	put("\n## Runtime state (MGLRU, THP, preemption, CPUs, nodes)\n");
	for (i = 0; i < sizeof(state) / sizeof(state[0]); i++)
		put_file_line(state[i]);
	/* mTHP sizes (6.8+), when the kernel has them. */
	for (kb = 16; kb <= 1 << 20; kb *= 2) {
		snprintf(p, sizeof(p), "/sys/kernel/mm/transparent_hugepage/hugepages-%dkB/enabled", kb);
		if (!access(p, F_OK))
			put_file_line(p);
	}
}

static void put_module(void)
{
	static const char *const params[] = { "max_folios", "rmap_hooks", "attribute_writers" };
	char p[PATH_MAX], line[512], buf[256];
	size_t i;
	FILE *f;

	put("\n## mlockwatch\n");
	if (access("/sys/module/mlockwatch", F_OK)) {
		put("module: not loaded%s\n", rep.have_mod ?
		    " (it was at the start: unloaded during the run)" : "");
		return;
	}
	put("module: loaded%s\n", rep.have_mod ? "" : " (during the run: not used by this one)");
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		snprintf(p, sizeof(p), "/sys/module/mlockwatch/parameters/%s", params[i]);
		put("parameter %s: %s\n", params[i], first_line(p, buf, sizeof(buf)));
	}
	/* The lines that say what this module is and whether it is exact. */
	f = fopen(MW_DIR "/summary", "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "format:", 7) || !strncmp(line, "version:", 8) ||
		    !strncmp(line, "kernel:", 7) || !strncmp(line, "incomplete", 10) ||
		    !strncmp(line, "selftest:", 9) || !strncmp(line, "table_allocator:", 16))
			put("%s", line);
	if (f)
		fclose(f);
	put("(its hooks and whole summary are at the end)\n");
}

/* The views a reader checks the module's work against: last, they are long. */
static void put_module_views(void)
{
	if (access(MW_DIR "/summary", F_OK))
		return;
	put("\n## mlockwatch's hooks (%s/hooks)\n", MW_DIR);
	put_file(MW_DIR "/hooks", "");
	put("\n## mlockwatch's summary (%s/summary)\n", MW_DIR);
	put_file(MW_DIR "/summary", "");
}

static void put_mismatches(void)
{
	char line[512];
	long data = 0;
	FILE *f;

	put("\n## Mismatching folios (%s/mismatches)\n", MW_DIR);
	if (access("/sys/module/mlockwatch", F_OK)) {
		put("none known: mlockwatch.ko is not loaded\n");
		return;
	}
	f = fopen(MW_DIR "/mismatches", "r");
	if (!f) {
		put("(cannot read: %s)\n", strerror(errno));
	} else {
		while (fgets(line, sizeof(line), f)) {
			put("%s", line);
			if (strncmp(line, "format:", 7) && line[0] != '#')
				data++;
		}
		fclose(f);
		put("mismatching folios: %ld\n", data);
	}

	put("\n## Mismatching mms (%s/mms, error lines only)\n", MW_DIR);
	f = fopen(MW_DIR "/mms", "r");
	data = 0;
	if (!f) {
		put("(cannot read: %s)\n", strerror(errno));
	} else {
		struct mms_line m;

		while (fgets(line, sizeof(line), f))
			if (line[0] == '#' || !strncmp(line, "format:", 7)) {
				put("%s", line);
			} else if (mms_error_line(line, &m)) {
				put("%s", line);
				data++;
			}
		fclose(f);
		put("mismatching mms: %ld\n", data);
	}
}

static int cmp_hits(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return (y->hits > x->hits) - (y->hits < x->hits);
}

static void put_stacks(void)
{
	long over;
	size_t i;
	int k;

	put("\n## Stacks of mlockwatch:mlockwatch_mismatch hits during the run\n");
	if (tr.why[0]) {
		put("%s\n", tr.why);
		return;
	}
	over = trace_overruns();
	for (k = 0; k < tr.npend; k++)
		if (tr.pend[k].open) {
			group_add(&tr.pend[k], "(no stack trace recorded)\n");
			tr.pend[k].open = false;
		}
	put("recorded by the tracefs instance %s (removed at exit), options/stacktrace\n",
	    strrchr(tr.dir, '/') + 1);
	put("hits: %ld, distinct stacks: %zu; events the ring buffer lost: %ld%s\n",
	    tr.hits, tr.n, tr.lost + over,
	    tr.lost + over ? " (their stacks are missing below)" : "");
	if (tr.dropped_frames)
		put("frames left out: %ld (no symbol: an address)\n", tr.dropped_frames);
	if (tr.unparsed)
		put("trace lines not understood: %ld\n", tr.unparsed);
	qsort(tr.g, tr.n, sizeof(*tr.g), cmp_hits);
	for (i = 0; i < tr.n; i++) {
		struct group *g = &tr.g[i];
		char *f, *nl;

		put("\n### stack %zu: %ld hit%s:", i + 1, g->hits, g->hits == 1 ? "" : "s");
		for (k = 0; k < MAX_GROUP_VERDICTS && g->verdict[k].name[0]; k++)
			put(" %s x%ld", g->verdict[k].name, g->verdict[k].n);
		if (g->other_verdicts)
			put(" (and %ld hits of other verdicts)", g->other_verdicts);
		put("\n");
		put("by:");
		for (k = 0; k < MAX_GROUP_TASKS && g->task[k][0]; k++)
			put(" %s", g->task[k]);
		if (g->other_tasks)
			put(" (and %ld hits by other tasks)", g->other_tasks);
		put("\n");
		if (g->pfns) {
			put("pfns (decimal):");
			for (k = 0; k < g->pfns && k < MAX_GROUP_PFNS; k++)
				put(" %lu", g->pfn[k]);
			if (g->pfns > MAX_GROUP_PFNS)
				put(" (and %ld more, in the mismatches above)", g->pfns - MAX_GROUP_PFNS);
			put("\n");
		}
		for (f = g->frames; *f; f = nl + 1) {
			nl = strchr(f, '\n');
			if (!nl)
				break;
			put(" => %.*s\n", (int)(nl - f), f);
		}
	}
}

/* A word the shell would read back as it is, else single-quoted. */
static void put_word(const char *w)
{
	const char *c;

	if (*w && !w[strcspn(w, " \t\n'\"\\$`!*?[]{}()<>|&;#~=%")]) {
		put("%s", w);
		return;
	}
	put("'");
	for (c = w; *c; c++)
		if (*c == '\'')
			put("'\\''");
		else
			put("%c", *c);
	put("'");
}

static void put_run(const struct check *c, const struct final *fin, double secs)
{
	char when[64], *text = NULL, *line, *save;
	char *const *a;
	size_t len = 0;
	FILE *mem;

	put("\n## mlockcheck\n");
	put("version: %s\n", argp_program_version);
	put("mode: %s%s\n", fin->mode, fin->exact ? " (exact, after a drain)" : "");
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&rep.started));
	put("started: %s\n", when);
	put("duration: %.2f s\n", secs);
	if (rep.cmd) {
		put("command:");
		for (a = rep.cmd; *a; a++) {
			put(" ");
			put_word(*a);
		}
		put("\n");
		if (fin->cmd_status < 0)
			put("command exit status: none (mlockcheck was stopped first)\n");
		else if (fin->cmd_status > 128)
			put("command exit status: %d (killed by signal %d)\n",
			    fin->cmd_status, fin->cmd_status - 128);
		else
			put("command exit status: %d\n", fin->cmd_status);
	} else {
		put("command: none\n");
	}
	put("mlockcheck exit status: %d (%s)\n", fin->code, exit_name(fin->code));
	put("\n## Verdict (mlockcheck's final lines)\n");
	/* Through put(), as everything else: no address gets out. */
	mem = open_memstream(&text, &len);
	if (!mem) {
		put("(cannot format: %s)\n", strerror(errno));
		return;
	}
	print_final_text(mem, c, fin);
	fclose(mem);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		put("%s\n", line);
	free(text);
}

int report_begin(const char *path, bool have_mod, char *const *cmd)
{
	static const int fatal[] = { SIGHUP, SIGQUIT, SIGPIPE, SIGSEGV, SIGBUS,
				     SIGABRT, SIGFPE, SIGILL };
	sigset_t async, old;
	struct stat st;
	mode_t mask;
	size_t i;

	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return -EISDIR;
	if (snprintf(rep.tmp, sizeof(rep.tmp), "%s.XXXXXX", path) >= (int)sizeof(rep.tmp))
		return -ENAMETOOLONG;
	snprintf(rep.path, sizeof(rep.path), "%s", path);
	/*
	 * A signal sent from outside (SIGHUP, SIGQUIT, SIGPIPE) waits until
	 * the file and the instance are set up: arriving between an open()
	 * or mkdir() and the store of what it made, it would find cleanup()
	 * unable to undo it (an instance whose trace_pipe is still open
	 * cannot be removed).
	 */
	sigemptyset(&async);
	sigaddset(&async, SIGHUP);
	sigaddset(&async, SIGQUIT);
	sigaddset(&async, SIGPIPE);
	sigprocmask(SIG_BLOCK, &async, &old);
	rep.fd = mkostemp(rep.tmp, O_CLOEXEC);
	if (rep.fd < 0) {
		int err = -errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		return err;
	}
	/* As fopen() would create it: mkstemp's is 0600. */
	mask = umask(0);
	umask(mask);
	fchmod(rep.fd, 0666 & ~mask);
	atexit(cleanup);
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		signal(fatal[i], on_fatal);
	rep.have_mod = have_mod;
	rep.cmd = cmd;
	rep.t0 = now();
	rep.started = time(NULL);
	trace_begin();
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

int report_end(const struct check *c, const struct final *fin)
{
	double secs = now() - rep.t0;
	int fd, err = 0;

	if (rep.fd < 0)
		return -EBADF;
	fd = dup(rep.fd);
	out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!out)
		return -errno;
	put("mlockcheck report (plain text, for a bug report; no kernel addresses)\n");
	put_kernel();
	put_module();
	put_run(c, fin, secs);
	put_mismatches();
	/* Reading the views above judges folios too, and may fire it. */
	report_poll();
	stack_end();
	put_stacks();
	put_module_views();
	if (fflush(out) || ferror(out) || fsync(fd))
		err = -(errno ? errno : EIO);
	if (fclose(out) && !err)
		err = -errno;
	out = NULL;
	if (!err && rename(rep.tmp, rep.path))
		err = -errno;
	if (!err) {
		close(rep.fd);
		rep.fd = -1;
	}
	cleanup();
	return err;
}
