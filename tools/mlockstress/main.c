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

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
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

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: mlockstress [OPTIONS]\n"
		"Stress the kernel's mlock paths and check what user space can see.\n"
		"\n"
		"  -s, --scenario LIST  comma-separated scenarios (default: all)\n"
		"  -t, --threads N      threads for 'threads' and 'reclaim' (default 4)\n"
		"  -d, --duration S     seconds per scenario (default 2)\n"
		"  -n, --ops N          steps per scenario instead of a duration\n"
		"  -z, --size SIZE      memory per scenario, K/M/G suffixes (default 16M)\n"
		"  -S, --seed N         seed of the operation sequence (default: from\n"
		"                       the clock; printed in the summary)\n"
		"  -p, --path DIR       also use the page cache of a file in DIR\n"
		"  -l, --list           list the scenarios\n"
		"  -j, --json           print the summary as one JSON object on stdout\n"
		"  -h, --help           this text\n"
		"\n"
		"Scenarios:\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(f, "  %-10s %s\n", scenarios[i].name, scenarios[i].desc);
	fprintf(f, "\nExit status: 0 ok, 1 a surprise or failure, 2 usage error.\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && !(toupper((unsigned char)*end) == 'B' && !end[1]))
		return -1;
	*out = v;
	return 0;
}

static int select_scenarios(const char *list, bool *sel)
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
			fprintf(stderr, "mlockstress: unknown scenario '%s' (see --list)\n",
				tok);
			return -1;
		}
		sel[i] = true;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ops", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'z' },
		{ "seed", required_argument, NULL, 'S' },
		{ "path", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.threads = 4, .duration = 2, .size = 16 << 20,
	};
	bool sel[ARRAY_SIZE(scenarios)] = { false }, any = false, ok = true;
	bool have_duration = false, have_seed = false;
	struct progress prog = { 0 };
	pthread_t ptid;
	struct sigaction sa;
	struct shared *sh;
	struct stat stt;
	double t0;
	char *end;
	size_t i;
	int opt;

	while ((opt = getopt_long(argc, argv, "s:t:d:n:z:S:p:ljh", longopts,
				  NULL)) != -1) {
		errno = 0;
		switch (opt) {
		case 's':
			if (select_scenarios(optarg, sel))
				return 2;
			any = true;
			break;
		case 't':
			o.threads = strtoul(optarg, &end, 10);
			if (errno || *end || !o.threads || o.threads > 256)
				goto bad;
			break;
		case 'd':
			o.duration = strtod(optarg, &end);
			if (errno || *end || !(o.duration > 0))
				goto bad;
			have_duration = true;
			break;
		case 'n':
			o.ops = strtoul(optarg, &end, 10);
			if (errno || *end || !o.ops)
				goto bad;
			break;
		case 'z':
			if (parse_size(optarg, &o.size) || o.size < (64 << 10))
				goto bad;
			break;
		case 'S':
			o.seed = strtoull(optarg, &end, 0);
			if (errno || *end)
				goto bad;
			have_seed = true;
			break;
		case 'p':
			o.path = optarg;
			if (stat(optarg, &stt) || !S_ISDIR(stt.st_mode)) {
				fprintf(stderr, "mlockstress: --path %s: not a directory\n",
					optarg);
				return 2;
			}
			break;
		case 'l':
			for (i = 0; i < ARRAY_SIZE(scenarios); i++)
				printf("%-10s %s\n", scenarios[i].name,
				       scenarios[i].desc);
			return 0;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "mlockstress: bad value '%s' for -%c\n", optarg,
			opt);
		usage(stderr);
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "mlockstress: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (have_duration && o.ops) {
		fprintf(stderr, "mlockstress: --duration and --ops exclude each other\n");
		return 2;
	}
	if (!any)
		for (i = 0; i < ARRAY_SIZE(scenarios); i++)
			sel[i] = true;
	if (!have_seed) {
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
