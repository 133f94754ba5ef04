// SPDX-License-Identifier: GPL-2.0
/*
 * mlockstress: drive the kernel's mlock paths hard enough that a checker
 * watching NR_MLOCK and PG_mlocked meets every kind of transition, and
 * check what user space can know for certain along the way: VmLck, that
 * locked pages stay resident and keep their contents, and which syscalls
 * must succeed or be refused.  tools/mlockstress.md documents the
 * scenarios, the options and the JSON keys.
 *
 * Every scenario leaves nothing locked, mapped or on disk behind it, so
 * NR_MLOCK returns to its starting value once the per-CPU mlock batches
 * are drained: the guest tests rely on that.
 */
#include <argp.h>
#include <math.h>

#include "argp_err.h"
#include "mlockstress.h"

struct scenario {
	const char *name;
	int (*run)(struct ctx *c);
	const char *desc;
};

size_t page_size;
volatile sig_atomic_t stop_requested;

static const char *const op_names[NR_OPS] = {
	[OP_MLOCK] = "mlock",		[OP_MLOCK_ONFAULT] = "mlock2_onfault",
	[OP_MUNLOCK] = "munlock",	[OP_MLOCKALL] = "mlockall",
	[OP_MUNLOCKALL] = "munlockall",	[OP_MMAP] = "mmap",
	[OP_MUNMAP] = "munmap",		[OP_TOUCH] = "touch",
	[OP_MPROTECT] = "mprotect",	[OP_MREMAP] = "mremap",
	[OP_FORK] = "fork",		[OP_COW] = "cow_write",
	[OP_PREAD] = "pread",		[OP_PUNCH] = "punch_hole",
	[OP_TRUNCATE] = "truncate",	[OP_MADV_DONTNEED] = "madv_dontneed",
	[OP_MADV_DONTNEED_LOCKED] = "madv_dontneed_locked",
	[OP_MADV_FREE] = "madv_free",	[OP_MADV_COLD] = "madv_cold",
	[OP_MADV_PAGEOUT] = "madv_pageout",
	[OP_MADV_WILLNEED] = "madv_willneed",
	[OP_MADV_REMOVE] = "madv_remove",
	[OP_MADV_COLLAPSE] = "madv_collapse",
	[OP_MADV_HUGEPAGE] = "madv_hugepage",
	[OP_MOVE_PAGES] = "move_pages",	[OP_MBIND] = "mbind",
	[OP_COMPACT] = "compact_memory",
	[OP_SHM_LOCK] = "shm_lock",	[OP_SHM_UNLOCK] = "shm_unlock",
	[OP_SHMAT] = "shmat",		[OP_SHMDT] = "shmdt",
	[OP_SYSFS] = "sysfs_write",
};

/*
 * --list, --scenario and the run order all come from this one table, in
 * the order of scenarios.h.
 */
static const struct scenario scenarios[] = {
#define SCENARIO(fn, name, desc) { name, sc_##fn, desc },
#include "scenarios.h"
#undef SCENARIO
};

/* struct shared keeps a fixed array of results, one per scenario. */
_Static_assert(ARRAY_SIZE(scenarios) <= MAX_SCENARIOS,
	       "more scenarios than MAX_SCENARIOS");

/* ------------------------------------------------------------------ */
/* running and reporting */

struct progress {
	struct shared *sh;
	bool done;
};

static void *progress_main(void *arg)
{
	struct progress *p = arg;
	struct timespec ts = { 1, 0 };

	while (!__atomic_load_n(&p->done, __ATOMIC_ACQUIRE)) {
		int cur = __atomic_load_n(&p->sh->cur, __ATOMIC_RELAXED);
		long vmlck = vmlck_kb();
		long mlocked = proc_field("/proc/meminfo", "Mlocked");
		unsigned long steps;

		nanosleep(&ts, NULL);
		if (cur < 0 || __atomic_load_n(&p->done, __ATOMIC_ACQUIRE))
			continue;
		steps = __atomic_load_n(&p->sh->res[cur].steps,
					__ATOMIC_RELAXED);
		fprintf(stderr, "mlockstress: %-9s %8lu ops  VmLck %6.1f MiB  Mlocked %6.1f MiB\n",
			scenarios[cur].name, steps, vmlck / 1024.0,
			mlocked / 1024.0);
	}
	return NULL;
}

static int run_scenario(const struct opts *o, struct shared *sh, int idx)
{
	const struct scenario *sc = &scenarios[idx];
	struct ctx c = {
		.o = o, .name = sc->name, .res = &sh->res[idx],
		.budget = o->ops,
	};
	double t0 = now();
	long end;
	int ret;

	c.rng = rng_seed(o->seed, sc->name, 0);
	c.deadline = t0 + o->duration;
	c.vmlck_base = vmlck_kb();
	__atomic_store_n(&sh->cur, idx, __ATOMIC_RELAXED);
	ret = sc->run(&c);
	end = vmlck_kb();
	if (ret != SKIP && !c.failed && end != c.vmlck_base)
		surprise(&c, "baseline", 0,
			 "VmLck is %ld kB after the scenario, %ld kB before",
			 end, c.vmlck_base);
	c.res->secs = now() - t0;
	if (ret == SKIP)
		c.res->status = RES_SKIP;
	else if (c.failed || ret)
		c.res->status = RES_FAIL;
	else
		c.res->status = RES_OK;
	return c.res->status;
}

static const char *status_name(int st)
{
	switch (st) {
	case RES_OK: return "ok";
	case RES_FAIL: return "fail";
	case RES_SKIP: return "skip";
	}
	return "notrun";
}

static void print_json(const struct opts *o, const struct shared *sh,
		       const bool *sel, double secs, bool ok)
{
	unsigned long ops = 0, errs = 0;
	struct utsname u;
	bool first = true;
	size_t i, k;

	uname(&u);
	printf("{\"tool\":\"mlockstress\",\"version\":1,\"kernel\":");
	json_str(stdout, u.release);
	printf(",\"seed\":%" PRIu64 ",\"ops_limit\":", o->seed);
	if (o->ops)
		printf("%lu,\"duration_s\":null", o->ops);
	else
		printf("null,\"duration_s\":%g", o->duration);
	printf(",\"size\":%zu,\"threads\":%u,\"path\":", o->size, o->threads);
	json_str(stdout, o->path);
	printf(",\"scenarios\":[");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct result *r = &sh->res[i];
		bool fc = true;

		if (!sel[i])
			continue;
		ops += r->steps;
		errs += r->errors;
		printf("%s{\"name\":\"%s\",\"status\":\"%s\",\"ops\":%lu,\"errors\":%lu,\"refusals\":%lu,\"time_s\":%.3f,\"counts\":{",
		       first ? "" : ",", scenarios[i].name,
		       status_name(r->status), r->steps, r->errors,
		       r->refusals, r->secs);
		first = false;
		for (k = 0; k < NR_OPS; k++) {
			if (!r->count[k])
				continue;
			printf("%s\"%s\":%lu", fc ? "" : ",", op_names[k],
			       r->count[k]);
			fc = false;
		}
		printf("},\"skip_reason\":");
		json_str(stdout, r->status == RES_SKIP ? r->skip : NULL);
		printf(",\"info\":");
		json_str(stdout, r->info[0] ? r->info : NULL);
		printf("}");
	}
	printf("],\"ops\":%lu,\"errors\":%lu,\"time_s\":%.3f,\"status\":\"%s\"}\n",
	       ops, errs, secs, ok ? "ok" : "fail");
}

static void print_summary(const struct opts *o, const struct shared *sh,
			  const bool *sel, double secs, bool ok)
{
	size_t i;

	printf("%-10s %-6s %9s %7s %8s %8s\n", "scenario", "result", "ops",
	       "errors", "refused", "time");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++) {
		const struct result *r = &sh->res[i];

		if (!sel[i])
			continue;
		printf("%-10s %-6s %9lu %7lu %8lu %7.2fs\n", scenarios[i].name,
		       status_name(r->status), r->steps, r->errors,
		       r->refusals, r->secs);
		if (r->status == RES_SKIP)
			printf("%10s skipped: %s\n", "", r->skip);
		if (r->info[0])
			printf("%10s %s\n", "", r->info);
	}
	printf("mlockstress: %s in %.1fs (seed %" PRIu64 ")\n",
	       ok ? "ok" : "FAILED", secs, o->seed);
}

const char *argp_program_version = "mlockstress 0.1";
static const char doc[] =
"Stress the kernel's mlock paths and check what user space can see.\n"
"\n"
"USAGE: mlockstress [-s LIST] [-t N] [-d S | -n N] [-z SIZE] [-S N]\n"
"                   [-p DIR] [-j]\n"
"       mlockstress --list\n"
"\n"
"EXAMPLES:\n"
"    mlockstress -d 1                          # every scenario, a second each\n"
"    mlockstress -s anon,threads -n 5000 -S 1  # the same steps on every run\n"
"\v"
"Exit status: 0 ok, 1 a surprise or failure, 2 usage error.\n";

static const struct argp_option opts[] = {
	{ "scenario", 's', "LIST", 0, "Comma-separated scenarios (default: all)", 0 },
	{ "threads", 't', "N", 0, "Threads for 'threads' and 'reclaim' (default 4)", 0 },
	{ "duration", 'd', "S", 0, "Seconds per scenario (default 2)", 0 },
	{ "ops", 'n', "N", 0, "Steps per scenario instead of a duration", 0 },
	{ "size", 'z', "SIZE", 0, "Memory per scenario, K/M/G suffixes (default 16M)", 0 },
	{ "seed", 'S', "N", 0, "Seed of the operation sequence (default: from the clock; printed in the summary)", 0 },
	{ "path", 'p', "DIR", 0, "Also use the page cache of a file in DIR", 0 },
	{ "list", 'l', NULL, 0, "List the scenarios", 0 },
	{ "json", 'j', NULL, 0, "Print the summary as one JSON object on stdout", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

/* What parse_arg() fills in; main() needs more than struct opts holds. */
struct args {
	struct opts o;
	bool sel[ARRAY_SIZE(scenarios)];
	bool any, have_duration, have_seed;
};

/*
 * --help lists the scenarios from the table itself, so that it cannot
 * fall behind scenarios.h.
 */
static char *help_filter(int key, const char *text, void *input)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	f = open_memstream(&buf, &len);
	if (!f)
		return (char *)text;
	fputs("Scenarios:\n", f);
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(f, "  %-10s %s\n", scenarios[i].name, scenarios[i].desc);
	fprintf(f, "\n%s", text ? text : "");
	if (fclose(f)) {
		free(buf);
		return (char *)text;
	}
	return buf;
}

/*
 * Usage errors are one line on stderr, as in mlockcheck: the callers
 * (and a person) read the first line of stderr and the exit status 2
 * (argp_err.h).
 */
/*
 * A count or a seed: strtoull() takes "-5" as ULLONG_MAX - 4 and "" as 0,
 * and neither is a number the user meant. *end is where parsing stopped.
 */
static int parse_u64(const char *s, int base, char **end, uint64_t max,
		     uint64_t *out)
{
	const char *p = s;
	unsigned long long v;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return -1;
	errno = 0;
	v = strtoull(s, end, base);
	if (errno || *end == s || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	uint64_t v;
	int shift = 0;

	if (parse_u64(s, 10, &end, SIZE_MAX, &v))
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'G':
		shift += 10;
		/* fall through */
	case 'M':
		shift += 10;
		/* fall through */
	case 'K':
		shift += 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && !(toupper((unsigned char)*end) == 'B' && !end[1]))
		return -1;
	if (v > SIZE_MAX >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

static void select_scenarios(struct argp_state *state, const char *list,
			     bool *sel)
{
	char buf[512], *tok, *save;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			if (!strcmp(tok, scenarios[i].name))
				break;
		if (i == ARRAY_SIZE(scenarios)) {
			argp_error(state, "unknown scenario '%s' (see --list)", tok);
			return;
		}
		sel[i] = true;
	}
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct args *a = state->input;
	struct opts *o = &a->o;
	struct stat st;
	uint64_t v;
	char *end;
	size_t i;

	errno = 0;
	switch (key) {
	case 's':
		select_scenarios(state, arg, a->sel);
		a->any = true;
		break;
	case 't':
		if (parse_u64(arg, 10, &end, 256, &v) || *end || !v)
			goto bad;
		o->threads = v;
		break;
	case 'd':
		/* inf would run the first scenario until an interrupt. */
		o->duration = strtod(arg, &end);
		if (errno || end == arg || *end || !isfinite(o->duration) ||
		    !(o->duration > 0))
			goto bad;
		a->have_duration = true;
		break;
	case 'n':
		if (parse_u64(arg, 10, &end, ULONG_MAX, &v) || *end || !v)
			goto bad;
		o->ops = v;
		break;
	case 'z':
		if (parse_size(arg, &o->size) || o->size < (64 << 10))
			goto bad;
		break;
	case 'S':
		if (parse_u64(arg, 0, &end, UINT64_MAX, &o->seed) || *end)
			goto bad;
		a->have_seed = true;
		break;
	case 'p':
		o->path = arg;
		if (stat(arg, &st) || !S_ISDIR(st.st_mode))
			argp_error(state, "--path %s: not a directory", arg);
		break;
	case 'l':
		/* At once: whatever follows --list is not looked at. */
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			printf("%-10s %s\n", scenarios[i].name, scenarios[i].desc);
		exit(0);
	case 'j':
		o->json = true;
		break;
	case 'h':
		/*
		 * On stdout like --help (bcc's tools and mlockcheck use stderr),
		 * so that "mlockstress -h | less" shows it.
		 */
		argp_state_help(state, state->out_stream, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_INIT:
		state->err_stream = argp_err_stream("mlockstress: ");
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (a->have_duration && o->ops)
			argp_error(state, "--duration and --ops exclude each other");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
bad:
	argp_error(state, "bad value '%s' for -%c", arg, key);
	return EINVAL;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .doc = doc,
		.help_filter = help_filter,
	};
	struct args a = {
		.o = { .threads = 4, .duration = 2, .size = 16 << 20 },
	};
	struct opts o;
	bool *sel = a.sel, ok = true;
	struct progress prog = { 0 };
	pthread_t ptid;
	struct sigaction sa;
	struct shared *sh;
	double t0;
	size_t i;

	/*
	 * getopt names the program by argv[0] in its messages: the same
	 * "mlockstress: " as every other one, wherever the binary lives.
	 */
	argv[0] = "mlockstress";
	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	o = a.o;
	if (!a.any)
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			sel[i] = true;
	if (!a.have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o.seed = ((uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000) ^
			 (uint64_t)getpid() << 32;
		o.seed %= 1000000000;
	}
	page_size = sysconf(_SC_PAGESIZE);
	o.size = (o.size + page_size - 1) / page_size * page_size;
	o.progress = isatty(STDERR_FILENO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mlockstress: mmap");
		return 1;
	}
	memset(sh, 0, sizeof(*sh));
	sh->cur = -1;
	if (!o.json || o.progress)
		fprintf(stderr, "mlockstress: seed %" PRIu64 ", size %zu kB, %s\n",
			o.seed, o.size / 1024, o.ops ? "ops per scenario" :
			"duration per scenario");
	if (o.progress) {
		prog.sh = sh;
		if (pthread_create(&ptid, NULL, progress_main, &prog))
			o.progress = false;
	}
	t0 = now();
	for (i = 0; i < ARRAY_SIZE(scenarios) && !stop_requested; i++) {
		if (!sel[i])
			continue;
		if (run_scenario(&o, sh, i) == RES_FAIL)
			ok = false;
	}
	if (stop_requested) {
		fprintf(stderr, "mlockstress: interrupted\n");
		ok = false;
	}
	if (o.progress) {
		__atomic_store_n(&prog.done, true, __ATOMIC_RELEASE);
		pthread_join(ptid, NULL);
	}
	if (o.json)
		print_json(&o, sh, sel, now() - t0, ok);
	else
		print_summary(&o, sh, sel, now() - t0, ok);
	return ok ? 0 : 1;
}
