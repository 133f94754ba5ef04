/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockcheck's judging: pure functions of two readings (a baseline and
 * now), with no BPF, no files and no clock, so that host unit tests
 * (tests/host/mlockcheck_judge_test.c) can run every verdict.
 */
#ifndef MLOCKCHECK_JUDGE_H
#define MLOCKCHECK_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "mlockcheck.h"
#include "scope.h"

/*
 * Exit statuses, numbered so that kselftest's runner reads a wrapper
 * that passes them on right: it counts 0 as a pass, KSFT_SKIP 4 as a
 * skip and the rest as failures, so only "could not judge" is 4 and a
 * mismatch is KSFT_FAIL 1. Usage and setup errors keep the 2 of argp and
 * getopt tools, although 7.3's runner reads 2 as KSFT_XFAIL (README).
 */
enum {
	EXIT_OK = 0,
	EXIT_MISMATCH = 1,
	EXIT_SETUP = 2,
	EXIT_CMD = 3,		/* the wrapped command failed, all else consistent */
	EXIT_INCOMPLETE = 4,
};

/* The folio verdicts, numbered as include/mlockwatch/verdicts.h lists them. */
enum mc_verdict {
#define MW_VERDICT(id, ...) MC_V_##id,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
	MC_NR_VERDICTS,
};

/*
 * The folio errors mlockwatch traced since load (summary's traced_*):
 * mod_traced[MOD_T(OVERCOUNT)]. verdicts.h lists the errors last, from
 * UNWITNESSED_SET on, as the module counts them.
 */
#define MOD_T(id)	(MC_V_##id - MC_V_UNWITNESSED_SET)
#define MOD_NR_T	(MC_NR_VERDICTS - MC_V_UNWITNESSED_SET)

/* mlockwatch's witnessed counts, in the order of mod_w[]. */
enum { MOD_W_MLOCKED, MOD_W_MUNLOCKED, MOD_W_STRANDED, MOD_W_CLEARED, MOD_NR_W };

struct sample {
	double t;
	long long nr_mlock;		/* exact when from the module */
	bool nr_exact, ev_from_mod;
	unsigned long long ev[MC_NR_EV];
	long long isolated;		/* nr_isolated_anon + _file */
	long long unevictable, mlocked;	/* /proc/meminfo's, in pages */
	struct mc_totals bpf;
	char first_unattributed[64];	/* bpf.first_unattributed's symbol */
	/*
	 * What the BPF side attached: the writer kprobes (-w) and the
	 * batch brackets (--bpf-batches, or no module at the start). The
	 * figures of what is off are zeros, not readings: never judged.
	 */
	bool bpf_writers, bpf_batches;
	bool mod;
	/* the module's attribute_writers: its witnessed mlocks are "-" without */
	bool mod_writers;
	int mod_incomplete;
	char mod_reasons[256];
	long long mod_w[MOD_NR_W];
	long mod_mismatches;
	/* traced_*: an older module has none (mod_traced_known false) */
	bool mod_traced_known;
	long long mod_traced[MOD_NR_T];
	/* mlockwatch's mms view: mms whose locked_vm is off, and by how much */
	bool mms;
	long mms_excess_n, mms_deficit_n;
	long long mms_excess, mms_deficit;	/* pages, each > 0 */
	char mms_first_excess[160];	/* the first mm of each sign */
	char mms_first_deficit[160];
	/*
	 * What this reading could not look at, and why: a view of the
	 * loaded module that could not be read, the module's scan that
	 * could not run (debugfs under lockdown). Empty when complete.
	 */
	char unchecked[320];
	/* -p/-c: module-verdicts and locked-vm are the scope's (scope.c) */
	struct scope_reading scope;
};

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
	/*
	 * A look that could not be taken at all (sample.unchecked): what it
	 * would have found is missing, so the verdict cannot be "ok"; no
	 * difference relies on it, so what was found stays judged.
	 */
	SRC_UNCHECKED = 8,
	SRC_SCOPE = 16,		/* the scope's PFNs and processes, read stably */
};

struct finding {
	const char *invariant;
	unsigned int needs;	/* enum source */
	long long expected, actual;
	bool scoped;		/* the scope's (-p/-c); else kernel-wide */
	char detail[512];
};

#define MAX_FINDINGS 16

struct check {
	struct finding f[MAX_FINDINGS];
	int n;
	unsigned int incomplete;	/* enum source: what is not exact */
	char why[512];
};

/* The figures each invariant compares, for the rows and the findings. */
struct figures {
	long long identity;		/* NR_MLOCK - events, since boot */
	long long d_nr;			/* NR_MLOCK since the baseline */
	long long bpf_attr, bpf_unattr;
	long long mod_witnessed;	/* module's witnessed delta since baseline */
	long long ev_bpf[MC_NR_EV], ev_d[MC_NR_EV];
};

/* Live flagging: a difference that persists, never shrinking, is real. */
struct streak {
	int n;
	long long last;
};

extern const char *const ev_names[MC_NR_EV];

void figures(const struct sample *b, const struct sample *s, struct figures *g);
void check(const struct sample *b, const struct sample *s, bool final,
	   struct check *c);
bool judged(const struct check *c, int i);
int nr_judged(const struct check *c);
void incomplete(struct check *c, unsigned int src, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool live_judged(const struct finding *f, const struct sample *s);
bool persists(struct streak *st, const struct check *c,
	      const struct sample *s, int persist);
void baseline_was_busy(struct check *c);
bool drop_live(struct check *c, bool exact);
const char *verdict_name(const struct check *c, bool flagged);
int exit_code(const struct check *c, int cmd_status);
const char *exit_name(int code);
void note_clamp(const struct sample *s, char *notes, size_t size);
void note_add(char *notes, size_t size, const char *note);
void note_traced(const struct sample *b, const struct sample *s,
		 char *notes, size_t size);
void note_unchecked(const struct sample *s, char *notes, size_t size);

#endif /* MLOCKCHECK_JUDGE_H */
