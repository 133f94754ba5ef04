// SPDX-License-Identifier: GPL-2.0
/*
 * mlockfolios: mlockwatch's shadow table from its binary view, folios.bin
 * (include/mlockwatch/format.h), printed as the folios view prints it or
 * as JSON, filtered by verdict or state, or counted. The module fills
 * folios.bin with no text formatting, which was most of the cost of
 * reading the folios view; a saved copy (cp folios.bin) can be read
 * later, on another machine of the same byte order.
 *
 *   mlockfolios [-e] [-V VERDICTS] [-s STATES] [-c] [--json] [-f FILE]
 *
 * Exit status: 0 printed, 2 usage or setup error.
 */
#include <argp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mlockwatch/format.h>

#include "argp_err.h"
#include "folios_bin.h"
#include "json.h"

#define DEFAULT_FILE	"/sys/kernel/debug/" MLOCKWATCH_DEBUGFS_DIR "/folios.bin"
#define MAX_NAMES	64

static struct env {
	const char *file;
	bool errors, count, json;
	/* -V, -s: the wanted numbers, as bit sets; 0 means every one */
	unsigned long long verdicts, states;
} env = { .file = DEFAULT_FILE };

const char *argp_program_version = "mlockfolios 0.1";
static const char doc[] =
"Print mlockwatch's shadow table from its binary view, folios.bin.\n"
"\n"
"USAGE: mlockfolios [-e] [-V VERDICTS] [-s STATES] [-c] [--json] [-f FILE]\n"
"\n"
"EXAMPLES:\n"
"    mlockfolios                  # as the folios view prints it\n"
"    mlockfolios -e               # only the errors, as mismatches does\n"
"    mlockfolios -V overcount,pending --json\n"
"    mlockfolios -c               # how many folios have each verdict\n"
"    mlockfolios -f saved.bin     # a copy of folios.bin saved earlier\n"
"\n"
"Exit status: 0 printed, 2 usage or setup error.\n";

static const struct argp_option opts[] = {
	{ "file", 'f', "FILE", 0, "Read FILE (- for standard input) instead of " DEFAULT_FILE, 0 },
	{ "errors", 'e', NULL, 0, "Only the folios whose verdict is an error (as the mismatches view)", 0 },
	{ "verdict", 'V', "VERDICTS", 0, "Only these verdicts, comma-separated", 0 },
	{ "state", 's', "STATES", 0, "Only these entry states, comma-separated", 0 },
	{ "count", 'c', NULL, 0, "Print how many folios have each verdict, not the folios", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per folio (with -c, one of the counts)", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help", 0 },
	{},
};

/* NAMES, comma-separated, into a bit set of their numbers by @of. */
static void parse_names(struct argp_state *state, const char *what,
			int (*of)(const char *), char *names,
			unsigned long long *set)
{
	char *save = NULL, *n;

	for (n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		int v = of(n);

		if (v < 0 || v >= MAX_NAMES)
			argp_error(state, "unknown %s '%s'", what, n);
		*set |= 1ULL << v;
	}
	if (!*set)
		argp_error(state, "no %s given", what);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case ARGP_KEY_INIT:
		state->err_stream = argp_err_stream("mlockfolios: ");
		break;
	case 'f': env.file = arg; break;
	case 'e': env.errors = true; break;
	case 'V': parse_names(state, "verdict", fb_verdict_of, arg, &env.verdicts); break;
	case 's': parse_names(state, "state", fb_state_of, arg, &env.states); break;
	case 'c': env.count = true; break;
	case 'j': env.json = true; break;
	case 'h': argp_state_help(state, stderr, ARGP_HELP_STD_HELP); break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static bool wanted(const struct mw_folio_record *r)
{
	if (env.errors && !fb_verdict_is_error(r->verdict))
		return false;
	if (env.verdicts && (r->verdict >= MAX_NAMES || !(env.verdicts & 1ULL << r->verdict)))
		return false;
	if (env.states && (r->state >= MAX_NAMES || !(env.states & 1ULL << r->state)))
		return false;
	return true;
}

static const char *const mms_names[] = { "0", "1", "2", "3+" };

/* One line, exactly as the folios view prints it. */
static void print_text(const struct mw_folio_record *r)
{
	printf("%llu %u %llu %d ", (unsigned long long)r->pfn, r->order,
	       1ULL << r->order, r->shadow);
	if (r->kernel_count >= 0)
		printf("%d", r->kernel_count);
	else
		putchar('-');
	printf(" %d %d %d %d %d %s %s %s\n",
	       !!(r->flags & MW_FOLIO_REC_MLOCKED),
	       !!(r->flags & MW_FOLIO_REC_UNEVICTABLE),
	       !!(r->flags & MW_FOLIO_REC_LRU), r->mapcount, r->last_pid,
	       mms_names[r->locking_mms < 3 ? r->locking_mms : 3],
	       fb_state_name(r->state), fb_verdict_name(r->verdict));
}

static void print_json(const struct mw_folio_record *r)
{
	printf("{\"pfn\":%llu,\"order\":%u,\"nr_pages\":%llu,\"shadow\":%d,\"kernel_count\":",
	       (unsigned long long)r->pfn, r->order, 1ULL << r->order, r->shadow);
	if (r->kernel_count >= 0)
		printf("%d", r->kernel_count);
	else
		fputs("null", stdout);
	printf(",\"mlocked\":%s,\"unevictable\":%s,\"lru\":%s,\"mapcount\":",
	       r->flags & MW_FOLIO_REC_MLOCKED ? "true" : "false",
	       r->flags & MW_FOLIO_REC_UNEVICTABLE ? "true" : "false",
	       r->flags & MW_FOLIO_REC_LRU ? "true" : "false");
	if (r->mapcount >= 0)
		printf("%d", r->mapcount);
	else
		fputs("null", stdout);
	printf(",\"last_pid\":%d,\"locking_mms\":%u,\"state\":", r->last_pid,
	       r->locking_mms < 3 ? r->locking_mms : 3);
	json_str(stdout, fb_state_name(r->state));
	fputs(",\"verdict\":", stdout);
	json_str(stdout, fb_verdict_name(r->verdict));
	fputs(",\"error\":", stdout);
	fputs(fb_verdict_is_error(r->verdict) ? "true" : "false", stdout);
	fputs("}\n", stdout);
}

static void print_counts(const unsigned long long *n, unsigned long long total)
{
	bool first = true;
	int v;

	if (env.json)
		fputs("{\"counts\":{", stdout);
	for (v = 0; v < MAX_NAMES; v++) {
		if (!n[v])
			continue;
		if (env.json) {
			printf("%s", first ? "" : ",");
			json_str(stdout, fb_verdict_name(v));
			printf(":%llu", n[v]);
		} else {
			printf("%s %llu\n", fb_verdict_name(v), n[v]);
		}
		first = false;
	}
	if (env.json)
		printf("},\"total\":%llu}\n", total);
	else
		printf("total %llu\n", total);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	unsigned long long counts[MAX_NAMES] = { 0 }, total = 0;
	struct mw_folio_record r;
	struct fb_reader rd;
	char err[320];
	FILE *f;
	int got;

	argp_err_exit_status = 2;
	argv[0] = "mlockfolios";
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	f = strcmp(env.file, "-") ? fopen(env.file, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "mlockfolios: cannot read %s: %s%s\n", env.file, strerror(errno),
			errno == ENOENT && !strcmp(env.file, DEFAULT_FILE) ?
			" (is mlockwatch.ko loaded, and debugfs mounted?)" : "");
		return 2;
	}
	if (fb_open(&rd, f, env.file, err, sizeof(err))) {
		fprintf(stderr, "mlockfolios: %s\n", err);
		return 2;
	}
	if (!env.count && !env.json) {
		printf("format: %d\n", MLOCKWATCH_FOLIOS_FORMAT);
		puts("# pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict");
	}
	while ((got = fb_next(&rd, &r, err, sizeof(err))) > 0) {
		if (!wanted(&r))
			continue;
		total++;
		if (env.count)
			counts[r.verdict < MAX_NAMES ? r.verdict : MAX_NAMES - 1]++;
		else if (env.json)
			print_json(&r);
		else
			print_text(&r);
	}
	if (got < 0) {
		fflush(stdout);
		fprintf(stderr, "mlockfolios: %s\n", err);
		return 2;
	}
	if (env.count)
		print_counts(counts, total);
	return 0;
}
