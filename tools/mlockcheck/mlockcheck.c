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
 * Exit status: 0 consistent, 1 mismatch, 2 usage or setup error, 3 the
 * wrapped command failed while the accounting was consistent, 4
 * incomplete (something could not be judged, and nothing judged
 * differs): 4 is kselftest's KSFT_SKIP and 1 its KSFT_FAIL, so that a
 * kselftest wrapper can pass the status on. Layout after bcc's
 * libbpf-tools: this file has main and the BPF setup; judge.c the
 * invariants and verdicts; sample.c the readings; output.c the text,
 * JSON and CSV.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <bpf/libbpf.h>

#include "argp_err.h"
#include "clock.h"
#include "trace_helpers.h"
#include "judge.h"
#include "mlockcheck.skel.h"
#include "output.h"
#include "report.h"
#include "sample.h"
#include "scope.h"

#define DEBUGFS_MAGIC	0x64626720

static struct env {
	double interval, duration;
	bool once, exact, json, verbose, require_module, writers, bpf_batches;
	int streak;
	const char *csv, *report;
	char **cmd;
} env = { .interval = 1.0, .streak = 5 };

/* Long-only options: the letters -p and -c are the scope, as in page-types. */
enum { OPT_STREAK = 0x100, OPT_CSV, OPT_REPORT, OPT_BPF_BATCHES };

static struct scope scope;

const char *argp_program_version = "mlockcheck 0.1";
static const char doc[] =
"Cross-check NR_MLOCK and unevictable_pgs_* against a BPF witness and\n"
"mlockwatch.ko's shadow table.\n"
"\n"
"USAGE: mlockcheck [-i S] [-d S] [-w] [--bpf-batches] [-p PID | -c CGROUP]\n"
"                  [--json] [--csv FILE]\n"
"       mlockcheck [OPTIONS] -- CMD [ARGS...]\n"
"       mlockcheck --once [--exact] [-p PID | -c CGROUP]\n"
"\n"
"EXAMPLES:\n"
"    mlockcheck -i 1 -d 60          # watch for a minute\n"
"    mlockcheck -- mlockstress      # check during and after the stress\n"
"    mlockcheck --once --exact      # drain, fold, require exact equality\n"
"    mlockcheck --once -p 1234      # only the folios of process 1234\n"
"    mlockcheck -c /sys/fs/cgroup/db -- CMD  # only that cgroup's folios\n"
"    mlockcheck -w -- CMD           # and name every NR_MLOCK writer\n"
"\n"
"By default mlockcheck does not attribute NR_MLOCK writes (-w does) and,\n"
"when mlockwatch.ko is loaded, leaves the batches to it (--bpf-batches\n"
"brackets them from BPF too): the identity still catches every NR_MLOCK\n"
"accounting break; a note names the checks left out.\n"
"\n"
"Exit status: 0 consistent, 1 mismatch, 2 usage or setup error,\n"
"3 the wrapped command failed (accounting consistent), 4 incomplete\n"
"(could not judge: kselftest's KSFT_SKIP).\n";

static const struct argp_option opts[] = {
	{ "interval", 'i', "S", 0, "Seconds between samples (default 1)" },
	{ "duration", 'd', "S", 0, "Stop watching after S seconds" },
	{ "once", 'o', NULL, 0, "Take one reading and exit" },
	{ "exact", 'x', NULL, 0, "With --once: drain and fold first, require equality" },
	{ "pid", 'p', "PID", 0, "Judge only the folios of process PID's VM_LOCKED VMAs (the identity stays global)" },
	{ "cgroup", 'c', "CGROUP", 0, "Judge only the folios charged to the cgroup v2 directory CGROUP or mapped locked by its processes" },
	{ "streak", OPT_STREAK, "N", 0, "Flag a live difference seen in N samples in a row, never shrinking (default 5)" },
	{ "json", 'j', NULL, 0, "One JSON object per sample and a final one" },
	{ "csv", OPT_CSV, "FILE", 0, "Write the time series to FILE" },
	{ "report", OPT_REPORT, "FILE", 0, "Write a plain-text report for a bug report to FILE" },
	{ "writers", 'w', NULL, 0, "Attribute every NR_MLOCK write to its writer (kprobes on the vmstat writers): witness-bpf, unattributed" },
	{ "bpf-batches", OPT_BPF_BATCHES, NULL, 0, "Bracket the mlock batches from BPF even when mlockwatch.ko hooks them: events-bpf" },
	{ "require-module", 'm', NULL, 0, "Fail (exit 2) if mlockwatch.ko is not loaded" },
	{ "verbose", 'v', NULL, 0, "libbpf debug output" },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help" },
	{},
};

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
	case OPT_STREAK:
		errno = 0;
		n = strtol(arg, &end, 10);
		if (end == arg || *end || errno || n < 1 || n > 1000000)
			argp_error(state, "bad streak count '%s'", arg);
		env.streak = n;
		break;
	case 'p':
	case 'c': {
		char err[400];

		if (scope.kind)
			argp_error(state, "one scope only: -p or -c, once");
		if (scope_open(&scope, key == 'p' ? SCOPE_PID : SCOPE_CGROUP, arg,
			       err, sizeof(err)))
			argp_error(state, "%s", err);
		break;
	}
	case ARGP_KEY_INIT:
		/* Usage errors are one line, as every setup error is. */
		state->err_stream = argp_err_stream("mlockcheck: ");
		break;
	case 'o': env.once = true; break;
	case 'x': env.exact = true; break;
	case 'j': env.json = true; break;
	case OPT_CSV: env.csv = arg; break;
	case OPT_REPORT: env.report = arg; break;
	case 'm': env.require_module = true; break;
	case 'w': env.writers = true; break;
	case OPT_BPF_BATCHES: env.bpf_batches = true; break;
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

/*
 * Lockdown's confidentiality level forbids BPF reading kernel memory and
 * kprobes (integrity allows both): the reason a load or attach failed.
 */
static const char *lockdown_hint(void)
{
	const char *l = lockdown_level();

	return l && !strcmp(l, "confidentiality") ?
	       " (the kernel is locked down to confidentiality, which forbids BPF reading kernel memory and kprobes)" : "";
}

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

static struct ksyms *ksyms;

/* Every NR_MLOCK writer, for the BPF side to attribute writes by. */
static const struct {
	const char *name;
	enum mc_cause cause;
} callers[] = {
#define MW_NR_MLOCK_WRITER(func, cause) { #func, MC_CAUSE_##cause },
#include <mlockwatch/nr_mlock_writers.h>
#undef MW_NR_MLOCK_WRITER
};

static unsigned int fill_ranges(struct mc_range *r, unsigned int max)
{
	unsigned int n = 0, j;
	size_t i;

	for (i = 0; i + 1 < ksyms->nr; i++)
		for (j = 0; j < sizeof(callers) / sizeof(callers[0]); j++) {
			if (!ksym_is(ksyms->syms[i].name, callers[j].name))
				continue;
			if (n == max)
				die_setup("more than %u NR_MLOCK caller ranges", max);
			r[n].start = ksyms->syms[i].addr;
			r[n].end = ksyms->syms[i + 1].addr;
			r[n].cause = callers[j].cause;
			n++;
		}
	return n;
}

/* ---- choosing fentry or kprobe, libbpf-tools style ------------------- */

/* The first of @names this kernel has, or NULL. */
static const char *pick(const char *const *names)
{
	for (; *names; names++)
		if (ksyms__get_symbol(ksyms, *names))
			return *names;
	return NULL;
}

/* A function bracketed by an entry and an exit program, one pair loaded. */
struct hook {
	const char *what;
	const char *const *names;
	struct bpf_program **fentry, **fexit, **kprobe, **kretprobe;
	const char *sym;
	bool use_fentry;
};

static struct mlockcheck_bpf *skel;
/* What setup() attached, for every reading to carry to check(). */
static bool bpf_writers, bpf_batches;
static double t0;
/* The final reading lists the scope's folios, not only its mismatches. */
static bool scope_folios;

static bool scope_keeps(int pid)
{
	return scope_has_pid(&scope, pid);
}

static void take(struct sample *s)
{
	const struct ksym *k;

	memset(s, 0, sizeof(*s));
	s->t = now() - t0;
	/* The module first: its NR_MLOCK is exact, /proc/vmstat's is not. */
	if (module_loaded())
		read_module(s);
	/* Before read_mms(): the scope's processes are read with it. */
	if (scope.kind)
		scope_read(&scope, "mismatches", scope_folios, &s->scope);
	if (module_loaded())
		read_mms(s);
	memcpy(&s->bpf, &skel->bss->totals, sizeof(s->bpf));
	s->bpf_writers = bpf_writers;
	s->bpf_batches = bpf_batches;
	k = s->bpf.first_unattributed ?
	    ksyms__map_addr(ksyms, s->bpf.first_unattributed) : NULL;
	snprintf(s->first_unattributed, sizeof(s->first_unattributed), "%s",
		 k ? k->name : "?");
	read_vmstat(s);
}

/* ---- setup ----------------------------------------------------------- */

/* The module's candidates, newest first; the BPF side says why these. */
static const char *const n_batch[] = {
#define MW_ROLE_BATCH(symbol, ...) #symbol,
#include <mlockwatch/role_symbols.h>
	NULL
};
static const char *const n_drain_remote[] = {
#define MW_ROLE_DRAIN_REMOTE(symbol, ...) #symbol,
#include <mlockwatch/role_symbols.h>
	NULL
};

static void setup(bool *have_mod)
{
	struct hook hooks[2];
	struct statfs sfs;
	char msg[256];
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
	if (*have_mod && module_format_check(MW_DIR, msg, sizeof(msg)))
		die_setup("%s", msg);
	if (env.require_module && !*have_mod)
		die_setup("mlockwatch.ko is not loaded (--require-module)");

	ksyms = ksyms__load();
	if (!ksyms && errno == EPERM)
		die_setup("/proc/kallsyms shows no addresses (kptr_restrict?)");
	if (!ksyms)
		die_setup("cannot read /proc/kallsyms: %s", strerror(errno));
	skel = mlockcheck_bpf__open();
	if (!skel)
		die_setup("cannot open the BPF object: %s%s", strerror(errno), VHINT);
	hooks[0] = (struct hook){ "batch processor", n_batch,
		&skel->progs.batch_fentry, &skel->progs.batch_fexit,
		&skel->progs.batch_kprobe, &skel->progs.batch_kretprobe };
	hooks[1] = (struct hook){ "dead-CPU batch drain", n_drain_remote,
		&skel->progs.drain_remote_fentry, &skel->progs.drain_remote_fexit,
		&skel->progs.drain_remote_kprobe, &skel->progs.drain_remote_kretprobe };
	skel->rodata->nr_cpus = libbpf_num_possible_cpus();
	skel->rodata->nr_ranges = fill_ranges((struct mc_range *)skel->rodata->ranges,
					      MC_MAX_RANGES);
	/*
	 * The writer kprobes fire several times per mlocked page, mostly
	 * with interrupts off, and only name the writer: the identity
	 * catches the break without them. Loaded only for -w.
	 */
	bpf_writers = env.writers;
	bpf_program__set_autoload(skel->progs.mod_zone_page_state, bpf_writers);
	bpf_program__set_autoload(skel->progs.__mod_zone_page_state, bpf_writers);
	/*
	 * mlockwatch.ko hooks the same batch functions, and a second ftrace
	 * user puts a function on ftrace's slow list function: with the
	 * module there, its batch counts stand in unless --bpf-batches.
	 */
	bpf_batches = env.bpf_batches || !*have_mod;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		struct hook *h = &hooks[i];

		if (!bpf_batches) {
			bpf_program__set_autoload(*h->fentry, false);
			bpf_program__set_autoload(*h->fexit, false);
			bpf_program__set_autoload(*h->kprobe, false);
			bpf_program__set_autoload(*h->kretprobe, false);
			continue;
		}
		h->sym = pick(h->names);
		if (!h->sym)
			die_setup("unsupported kernel: no %s function (%s...) in /proc/kallsyms",
				  h->what, h->names[0]);
		h->use_fentry = fentry_can_attach(h->sym);
		bpf_program__set_autoload(*h->fentry, h->use_fentry);
		bpf_program__set_autoload(*h->fexit, h->use_fentry);
		bpf_program__set_autoload(*h->kprobe, !h->use_fentry);
		bpf_program__set_autoload(*h->kretprobe, !h->use_fentry);
		if (h->use_fentry) {
			bpf_program__set_attach_target(*h->fentry, 0, h->sym);
			bpf_program__set_attach_target(*h->fexit, 0, h->sym);
		}
	}
	err = mlockcheck_bpf__load(skel);
	if (err)
		die_setup("cannot load the BPF programs: %s%s%s", strerror(-err),
			  lockdown_hint(), VHINT);

	if (bpf_writers) {
		skel->links.mod_zone_page_state = bpf_program__attach_kprobe(
			skel->progs.mod_zone_page_state, false, "mod_zone_page_state");
		skel->links.__mod_zone_page_state = bpf_program__attach_kprobe(
			skel->progs.__mod_zone_page_state, false, "__mod_zone_page_state");
		if (!skel->links.mod_zone_page_state || !skel->links.__mod_zone_page_state)
			die_setup("cannot attach kprobes to the NR_MLOCK writers: %s%s%s", strerror(errno),
				  lockdown_hint(), VHINT);
	}
	skel->links.page_free = bpf_program__attach(skel->progs.page_free);
	if (!skel->links.page_free)
		die_setup("cannot attach to the mm_page_free tracepoint: %s%s", strerror(errno), VHINT);
	if (env.verbose && !bpf_batches)
		fprintf(stderr, "mlockcheck: batch processor, dead-CPU batch drain: left to mlockwatch (--bpf-batches brackets them too)\n");
	if (env.verbose)
		fprintf(stderr, "mlockcheck: NR_MLOCK writers: %s\n",
			bpf_writers ? "kprobes on mod_zone_page_state, __mod_zone_page_state" :
				      "not attributed (-w attributes them)");
	for (i = 0; bpf_batches && i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		struct hook *h = &hooks[i];
		struct bpf_link *l1, *l2 = NULL;

		if (h->use_fentry) {
			l1 = bpf_program__attach(*h->fentry);
			if (l1)
				l2 = bpf_program__attach(*h->fexit);
		} else {
			l1 = bpf_program__attach_kprobe(*h->kprobe, false, h->sym);
			if (l1)
				l2 = bpf_program__attach_kprobe(*h->kretprobe, true, h->sym);
		}
		if (!l1 || !l2)
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
/* About a second of looking for a quiet moment, then it gives up. */
#define BASELINE_TRIES	20
#define BASELINE_GAP_US	50000

static bool take_baseline(struct sample *b)
{
	struct sample again;
	int tries;

	for (tries = 0; tries < BASELINE_TRIES; tries++) {
		take(b);
		take(&again);
		if (!memcmp(b->ev, again.ev, sizeof(b->ev)) &&
		    !memcmp(&b->bpf, &again.bpf, sizeof(b->bpf)) &&
		    b->nr_mlock == again.nr_mlock)
			return true;
		usleep(BASELINE_GAP_US);
	}
	return false;
}

/*
 * The module's scan before a final reading: it finds what no hook saw (a
 * stray PG_mlocked). debugfs under lockdown refuses to open the writable
 * control file while the read-only views stay readable: then the reading
 * goes on without the scan and says why in @why, which take_final() puts
 * into the reading, so that the verdict is incomplete unless something
 * judged differs.
 */
static void final_scan(char *why, size_t size)
{
	int err = write_file(MW_DIR "/control", "scan");

	why[0] = '\0';
	if (err)
		snprintf(why, size, "%scannot write %s/control (%s): no final scan",
			 lockdown_prefix(), MW_DIR, strerror(-err));
}

/* The final reading: after the module's scan when it is loaded. */
static void take_final(struct sample *s, bool have_mod)
{
	char why[192] = "";

	if (have_mod)
		final_scan(why, sizeof(why));
	take(s);
	if (why[0])
		note_add(s->unchecked, sizeof(s->unchecked), why);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct sample base, s;
	struct check c = { 0 }, flagged_c = { 0 };
	struct streak streak = { 0 };
	struct final fin = { .cmd_status = -1 };
	bool have_mod, stable, flagged = false;
	int i, ac = argc;
	FILE *csv = NULL;
	char notes[1024] = "";
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
	if (scope.kind)
		mms_keep = scope_keeps;
	libbpf_set_print(libbpf_print);
	setup(&have_mod);
	if (!have_mod)
		note_add(notes, sizeof(notes),
			 "mlockwatch.ko is not loaded: checking the kernel's own counters and the BPF witness only");
	if (env.csv) {
		csv = fopen(env.csv, "w");
		if (!csv)
			die_setup("cannot write %s: %s", env.csv, strerror(errno));
	}
	if (env.report && (i = report_begin(env.report, have_mod, env.cmd)))
		die_setup("cannot create the report %s: %s", env.report, strerror(-i));
	output_init(env.json, csv, scope.kind ? scope.label : NULL);
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
		scope_folios = true;
		if (env.exact)
			take_final(&s, have_mod);
		else
			take(&s);
		base = s;
		note_unchecked(&s, notes, sizeof(notes));
		check(&base, &s, env.exact, &c);
		fin.exact = env.exact;
		print_header();
		print_row(&base, &s, &c, verdict_name(&c, env.exact));
		if (drop_live(&c, env.exact))
			note_add(notes, sizeof(notes),
				 "a live reading: differences in flight are not mismatches without --exact");
		fin.mode = "once";
		goto report;
	}

	stable = take_baseline(&base);
	s = base;
	note_unchecked(&base, notes, sizeof(notes));
	if (!stable)
		note_add(notes, sizeof(notes), "the baseline was taken during activity");
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

		report_poll();
		if (child > 0 && waitpid(child, &st, WNOHANG) == child) {
			fin.cmd_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
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
		if (persists(&streak, &c, &s, env.streak) && !flagged) {
			flagged = true;
			flagged_c = c;
		}
		print_row(&base, &s, &c, verdict_name(&c, streak.n >= env.streak));
	}
	if (child > 0 && fin.cmd_status < 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		fin.cmd_status = 128 + SIGTERM;
	}

	/* A wrapped command has ended: the system is quiet, be exact. */
	if (env.cmd && !stop) {
		if (quiesce())
			die_setup("cannot drain and fold (writing /proc/sys/vm): %s", strerror(errno));
		scope_folios = true;
		take_final(&s, have_mod);
		check(&base, &s, true, &c);
		fin.exact = true;
		if (!stable)
			baseline_was_busy(&c);
		print_row(&base, &s, &c, verdict_name(&c, true));
	} else {
		c = flagged ? flagged_c : c;
		if (!flagged)
			c.n = 0;
	}
	fin.mode = env.cmd ? "wrap" : "watch";
report:
	note_clamp(&s, notes, sizeof(notes));
	note_traced(&base, &s, notes, sizeof(notes));
	fin.code = exit_code(&c, fin.cmd_status);
	fin.have_mod = have_mod;
	fin.notes = notes;
	fin.last = &s;
	print_final(&c, &fin);
	if (env.report && (i = report_end(&c, &fin)))
		die_setup("cannot write the report %s: %s", env.report, strerror(-i));
	if (csv)
		fclose(csv);
	mlockcheck_bpf__destroy(skel);
	ksyms__free(ksyms);
	return fin.code;
}
