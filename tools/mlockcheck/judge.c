// SPDX-License-Identifier: GPL-2.0
/*
 * The invariants mlockcheck judges and the verdicts and exit codes they
 * make (README.md, "The checker: mlockcheck"). Pure: see judge.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "judge.h"

const char *const ev_names[MC_NR_EV] = {
#define MW_EVENT(id, name) [MC_EV_##id] = "unevictable_pgs_" #name,
#include <mlockwatch/events.h>
#undef MW_EVENT
};

/* A difference is judged unless what it relies on is incomplete. */
bool judged(const struct check *c, int i)
{
	return !(c->f[i].needs & c->incomplete);
}

int nr_judged(const struct check *c)
{
	int i, n = 0;

	for (i = 0; i < c->n; i++)
		n += judged(c, i);
	return n;
}

void incomplete(struct check *c, unsigned int src, const char *fmt, ...)
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

static void __attribute__((format(printf, 6, 7)))
found(struct check *c, const char *inv, unsigned int needs,
      long long expected, long long actual, const char *fmt, ...)
{
	va_list ap;

	if (c->n == MAX_FINDINGS)
		return;
	c->f[c->n].invariant = inv;
	c->f[c->n].needs = needs;
	c->f[c->n].expected = expected;
	c->f[c->n].actual = actual;
	va_start(ap, fmt);
	vsnprintf(c->f[c->n].detail, sizeof(c->f[c->n].detail), fmt, ap);
	va_end(ap);
	c->n++;
}

static long long sum_attributed(const struct mc_totals *t)
{
	long long s = 0;
	int c;

	for (c = 0; c < MC_NR_CAUSES; c++)
		if (c != MC_CAUSE_UNKNOWN)
			s += t->nr_mlock_by[c];
	return s;
}

static long long mod_witnessed(const struct sample *s)
{
	return s->mod_w[MOD_W_MLOCKED] - s->mod_w[MOD_W_MUNLOCKED] -
	       s->mod_w[MOD_W_STRANDED] - s->mod_w[MOD_W_CLEARED];
}

static long long bpf_delta(const struct sample *b, const struct sample *s,
			   int cause)
{
	return s->bpf.nr_mlock_by[cause] - b->bpf.nr_mlock_by[cause];
}

void figures(const struct sample *b, const struct sample *s,
	     struct figures *g)
{
	int i;

	g->identity = s->nr_mlock - ((long long)s->ev[MC_EV_MLOCKED] -
		      (long long)s->ev[MC_EV_MUNLOCKED] -
		      (long long)s->ev[MC_EV_STRANDED] -
		      (long long)s->ev[MC_EV_CLEARED]);
	g->d_nr = s->nr_mlock - b->nr_mlock;
	g->bpf_attr = sum_attributed(&s->bpf) - sum_attributed(&b->bpf);
	g->bpf_unattr = bpf_delta(b, s, MC_CAUSE_UNKNOWN);
	g->mod_witnessed = mod_witnessed(s) - mod_witnessed(b);
	for (i = 0; i < MC_NR_EV; i++)
		g->ev_d[i] = (long long)(s->ev[i] - b->ev[i]);
	memset(g->ev_bpf, 0, sizeof(g->ev_bpf));
	g->ev_bpf[MC_EV_MLOCKED] = bpf_delta(b, s, MC_CAUSE_MLOCK) +
				   bpf_delta(b, s, MC_CAUSE_MLOCK_NEW);
	g->ev_bpf[MC_EV_MUNLOCKED] = s->bpf.batch_ev[MC_EV_MUNLOCKED] - b->bpf.batch_ev[MC_EV_MUNLOCKED];
	g->ev_bpf[MC_EV_STRANDED] = s->bpf.batch_ev[MC_EV_STRANDED] - b->bpf.batch_ev[MC_EV_STRANDED];
	g->ev_bpf[MC_EV_CLEARED] = s->bpf.cleared_pages - b->bpf.cleared_pages;
}

/*
 * -p/-c: the module's verdicts on the scope's folios only. A folio whose
 * PFNs moved in or out of the scope while it was read is not judged,
 * and neither is the scope of a process that exited: incomplete, with
 * the reason. The kernel-wide invariants stay as they are (global).
 */
static void check_scope(const struct sample *s, struct check *c)
{
	const struct scope_reading *r = &s->scope;

	if (s->mod && r->listed && r->mismatches) {
		found(c, "module-verdicts", SRC_MODULE, 0, r->mismatches,
		      "mlockwatch's mismatches lists %ld folio(s) of the scope (%ld locked or mapped by more than one mm, maybe not only the scope's), first %s",
		      r->mismatches, r->shared, r->first_mismatch);
		if (!strcmp(c->f[c->n - 1].invariant, "module-verdicts"))
			c->f[c->n - 1].scoped = true;
	}
	if (r->unstable)
		incomplete(c, SRC_SCOPE,
			   "%ld folio(s) of mlockwatch's table moved into or out of the scope's PFNs while they were read, %d times: not judged",
			   r->unstable, SCOPE_TRIES);
	if (r->gone)
		incomplete(c, SRC_SCOPE,
			   "%d of the scope's %d process(es) exited while read: their folios cannot be named",
			   r->gone, r->nr_pids);
	if (!r->nr_pids && !r->charged)
		incomplete(c, SRC_SCOPE, "the scope holds no process and no charged page");
}

/*
 * How to name the writer of an identity break when no witness of this
 * run attributes writes: the BPF kprobes need -w, the module's hook its
 * attribute_writers=1.
 */
static const char *name_the_writer(const struct sample *s)
{
	if (s->bpf_writers)
		return "";
	if (s->mod && s->mod_writers)
		return "; to name the writer, run mlockcheck with -w (mlockwatch's summary names it too: nr_mlock_unattributed_first_caller)";
	return "; to name the writer, run mlockcheck with -w and load mlockwatch.ko with attribute_writers=1";
}

/*
 * Which events-bpf rows this run's BPF side has a figure for: mlocked
 * comes from the writer kprobes, munlocked and stranded from the batch
 * brackets, cleared from mm_page_free, which is always attached.
 */
static bool bpf_has_event(const struct sample *s, int e)
{
	if (e == MC_EV_MLOCKED)
		return s->bpf_writers;
	if (e == MC_EV_MUNLOCKED || e == MC_EV_STRANDED)
		return s->bpf_batches;
	return true;
}

/*
 * Every invariant, on one pair of readings. @final: taken at quiescence,
 * so that equality must be exact and the drain invariant applies. A
 * check whose witness this run did not attach (-w, --bpf-batches, the
 * module's attribute_writers) is not made at all: a configuration, said
 * by note_unchecked(), not an inexact reading.
 */
void check(const struct sample *b, const struct sample *s, bool final,
	   struct check *c)
{
	/* In the order of mod_w[]: the events NR_MLOCK moves with. */
	static const int evs[MOD_NR_W] = {
		[MOD_W_MLOCKED] = MC_EV_MLOCKED,
		[MOD_W_MUNLOCKED] = MC_EV_MUNLOCKED,
		[MOD_W_STRANDED] = MC_EV_STRANDED,
		[MOD_W_CLEARED] = MC_EV_CLEARED,
	};
	struct figures g;
	unsigned int i;
	/*
	 * The module's counts since the baseline need it read then too: a
	 * summary read now but not then would be compared with zeros.
	 */
	bool mod_since = s->mod && b->mod;
	/* Its witnessed mlocks are "-" (read as 0) unless both readings hooked the writer. */
	bool mod_writers = mod_since && s->mod_writers && b->mod_writers;

	memset(c, 0, sizeof(*c));
	figures(b, s, &g);
	if (g.identity)
		found(c, "identity", 0, s->nr_mlock - g.identity, s->nr_mlock,
		      "NR_MLOCK != unevictable_pgs_mlocked - munlocked - stranded - cleared (NR_MLOCK %s)%s",
		      s->nr_exact ? "exact, from mlockwatch" : "folded by stat_refresh",
		      name_the_writer(s));
	if (s->bpf_writers && g.bpf_attr != g.d_nr)
		found(c, "witness-bpf", SRC_BPF | SRC_BASELINE, g.d_nr, g.bpf_attr,
		      "NR_MLOCK change since start vs the writes BPF attributed to mlock, mlock_new, munlock and free");
	if (s->bpf_writers &&
	    (g.bpf_unattr || s->bpf.writes_by[MC_CAUSE_UNKNOWN] != b->bpf.writes_by[MC_CAUSE_UNKNOWN]))
		found(c, "unattributed", 0, 0, g.bpf_unattr,
		      "%llu NR_MLOCK write(s) outside the mlock paths, first from %s",
		      s->bpf.writes_by[MC_CAUSE_UNKNOWN] - b->bpf.writes_by[MC_CAUSE_UNKNOWN],
		      s->first_unattributed[0] ? s->first_unattributed : "?");
	if (mod_writers && g.mod_witnessed != g.d_nr)
		found(c, "witness-module", SRC_MODULE | SRC_BASELINE, g.d_nr, g.mod_witnessed,
		      "NR_MLOCK change since start vs mlockwatch's witnessed change");
	for (i = 0; i < MOD_NR_W; i++) {
		int e = evs[i];

		if (bpf_has_event(s, e) && g.ev_bpf[e] != g.ev_d[e])
			found(c, "events-bpf", SRC_BPF | SRC_BASELINE, g.ev_d[e], g.ev_bpf[e],
			      "%s change since start vs BPF's count", ev_names[e]);
		if (mod_since && (mod_writers || e != MC_EV_MLOCKED) &&
		    s->mod_w[i] - b->mod_w[i] != g.ev_d[e])
			found(c, "events-module", SRC_MODULE | SRC_BASELINE, g.ev_d[e], s->mod_w[i] - b->mod_w[i],
			      "%s change since start vs mlockwatch's witnessed count",
			      ev_names[e]);
	}
	if (s->scope.on)
		check_scope(s, c);
	else if (s->mod && s->mod_mismatches)
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
	for (i = 0; s->scope.on && i < (unsigned int)c->n; i++)
		if (!strcmp(c->f[i].invariant, "locked-vm"))
			c->f[i].scoped = true;
	if (final && s->unevictable < s->mlocked - s->isolated)
		found(c, "unevictable", 0, s->mlocked - s->isolated,
		      s->unevictable,
		      "after a drain, Unevictable (pages) < Mlocked - nr_isolated: mlocked folios stranded on evictable lists");
	if (s->mod && s->mod_incomplete)
		incomplete(c, SRC_MODULE, "mlockwatch is incomplete: %s",
			   s->mod_reasons);
	if (s->bpf.unreliable_batches != b->bpf.unreliable_batches)
		incomplete(c, SRC_BPF,
			   "%llu batch(es) not counted exactly (ended on another CPU, or a dead CPU's drain could not read the batch state at rest)",
			   s->bpf.unreliable_batches - b->bpf.unreliable_batches);
	if (s->mod && !b->mod)
		incomplete(c, SRC_UNCHECKED,
			   "mlockwatch's summary was not read at the start: its witnessed counts are not compared");
	if (s->unchecked[0])
		incomplete(c, SRC_UNCHECKED, "%s", s->unchecked);
}

/*
 * A wrapped command's end after a busy baseline: only a difference that
 * needs the baseline makes that matter.
 */
void baseline_was_busy(struct check *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->f[i].needs & SRC_BASELINE) {
			incomplete(c, SRC_BASELINE,
				   "the baseline was taken during activity, so the witnesses cannot be compared exactly");
			return;
		}
}

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
bool live_judged(const struct finding *f, const struct sample *s)
{
	if (!strcmp(f->invariant, "identity"))
		return s->nr_exact && s->ev_from_mod;
	return !strcmp(f->invariant, "unattributed") ||
	       !strcmp(f->invariant, "module-verdicts") ||
	       !strcmp(f->invariant, "locked-vm");
}

/* True once the live-judged differences have lasted @persist samples. */
bool persists(struct streak *st, const struct check *c,
	      const struct sample *s, int persist)
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
	return st->n >= persist;
}

/*
 * --once without --exact: a live reading's differences are in flight,
 * not mismatches. True when it dropped some (the caller says so).
 */
bool drop_live(struct check *c, bool exact)
{
	if (exact || !c->n)
		return false;
	c->n = 0;
	return true;
}

/* A row's verdict. @flagged: the differences are final or have persisted. */
const char *verdict_name(const struct check *c, bool flagged)
{
	if (flagged && nr_judged(c))
		return "mismatch";
	if (c->incomplete)
		return "incomplete";
	return c->n ? "drift" : "ok";
}

/* @cmd_status: the wrapped command's, -1 when there was none. */
int exit_code(const struct check *c, int cmd_status)
{
	if (nr_judged(c))
		return EXIT_MISMATCH;
	if (c->incomplete)
		return EXIT_INCOMPLETE;
	return cmd_status > 0 ? EXIT_CMD : EXIT_OK;
}

/* The final verdict, as --json names it. */
const char *exit_name(int code)
{
	switch (code) {
	case EXIT_MISMATCH: return "mismatch";
	case EXIT_INCOMPLETE: return "incomplete";
	case EXIT_CMD: return "command-failed";
	case EXIT_SETUP: return "setup-error";
	}
	return "ok";
}

void note_add(char *notes, size_t size, const char *note)
{
	size_t len = strlen(notes);

	snprintf(notes + len, size - len, "%s%s", len ? "; " : "", note);
}

/*
 * What this run does not check because it did not attach the witness,
 * and how to have it: one note, so that an "ok" is read for what it
 * covers. @s: the first reading (the module's attribute_writers).
 */
void note_unchecked(const struct sample *s, char *notes, size_t size)
{
	const char *off[3];
	char note[512];
	int n = 0, i;
	size_t len;

	if (!s->bpf_writers)
		off[n++] = "witness-bpf, unattributed and events-bpf unevictable_pgs_mlocked (BPF attributes NR_MLOCK writes only with -w)";
	if (!s->bpf_batches)
		off[n++] = "events-bpf unevictable_pgs_munlocked and unevictable_pgs_stranded (mlockwatch.ko hooks the batches: BPF brackets them too only with --bpf-batches)";
	if (s->mod && !s->mod_writers)
		off[n++] = "witness-module and events-module unevictable_pgs_mlocked (mlockwatch.ko was loaded without attribute_writers=1)";
	if (!n)
		return;
	len = snprintf(note, sizeof(note), "not checked:");
	for (i = 0; i < n && len < sizeof(note); i++)
		len += snprintf(note + len, sizeof(note) - len, "%s%s",
				i ? ", " : " ", off[i]);
	note_add(notes, size, note);
}

/**
 * note_traced() - the folio errors mlockwatch saw during the run
 * @b: the baseline reading
 * @s: the last reading
 * @notes: the notes, to append to
 * @size: their size
 *
 * An error verdict on a folio that is freed before the end (the known
 * overcount's folios often are) leaves no line in mismatches for the
 * final check, and the verdict can be consistent; the state was wrong
 * while it lasted, so it is said beside the verdict, with how many
 * folios mismatches still lists. A module reloaded during the run
 * restarts its counts: nothing is said then rather than a wrong number.
 */
void note_traced(const struct sample *b, const struct sample *s,
		 char *notes, size_t size)
{
	static const char *const names[MC_NR_VERDICTS] = {
#define MW_VERDICT(id, name) [MC_V_##id] = #name,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
	};
	const char *sep = "";
	char note[320];
	long long d[MOD_NR_T], sum = 0;
	size_t len;
	int i;

	if (!b->mod_traced_known || !s->mod_traced_known)
		return;
	for (i = 0; i < MOD_NR_T; i++) {
		d[i] = s->mod_traced[i] - b->mod_traced[i];
		if (d[i] < 0)
			return;
		sum += d[i];
	}
	if (!sum)
		return;
	len = snprintf(note, sizeof(note),
		       "mlockwatch judged %lld folio(s) an error during the run (", sum);
	for (i = 0; i < MOD_NR_T && len < sizeof(note); i++) {
		if (!d[i])
			continue;
		len += snprintf(note + len, sizeof(note) - len, "%s%s %lld",
				sep, names[MC_V_UNWITNESSED_SET + i], d[i]);
		sep = ", ";
	}
	if (len < sizeof(note))
		snprintf(note + len, sizeof(note) - len,
			 "); %ld in mismatches at the end: --report keeps each one's stack",
			 s->mod_mismatches);
	note_add(notes, size, note);
}

/*
 * /proc/vmstat clamps a negative NR_MLOCK at 0 (global_zone_page_state()),
 * so that without the module's exact read a 0 may hide a count below the
 * events: say so beside the verdict.
 */
void note_clamp(const struct sample *s, char *notes, size_t size)
{
	if (s->nr_exact || s->nr_mlock)
		return;
	note_add(notes, size, "NR_MLOCK reads 0 in /proc/vmstat, which clamps a negative count at 0: an NR_MLOCK below the events cannot show without mlockwatch.ko");
}
