// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck's judging on the host: every invariant, verdict and exit
 * code of tools/mlockcheck/judge.c (README.md, "The checker:
 * mlockcheck"), from readings built by hand, and the summary and mms
 * parsers of sample.c. The readings start from one consistent pair and
 * each case breaks one thing, as a kernel bug or a lost witness would.
 */
#include "kselftest_harness.h"

#include "tools/mlockcheck/judge.c"
#include "tools/mlockcheck/sample.c"

/* The breakers share one signature; most change only the later reading. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/*
 * Since load: 30 pages mlocked, 15 munlocked, 3 stranded, 2 cleared, so
 * NR_MLOCK 10; BPF and the module witnessed the same, every witness on
 * (-w, --bpf-batches, attribute_writers=1).
 */
static void consistent(struct sample *b, struct sample *s)
{
	memset(b, 0, sizeof(*b));
	b->nr_exact = b->ev_from_mod = b->mod = b->mms = true;
	b->bpf_writers = b->bpf_batches = b->mod_writers = true;
	*s = *b;
	s->nr_mlock = 10;
	s->ev[MC_EV_MLOCKED] = 30;
	s->ev[MC_EV_MUNLOCKED] = 15;
	s->ev[MC_EV_STRANDED] = 3;
	s->ev[MC_EV_CLEARED] = 2;
	s->ev[MC_EV_CULLED] = 7;	/* judged by nothing: moves freely */
	s->bpf.nr_mlock_by[MC_CAUSE_MLOCK] = 20;
	s->bpf.nr_mlock_by[MC_CAUSE_MLOCK_NEW] = 10;
	s->bpf.nr_mlock_by[MC_CAUSE_MUNLOCK] = -18;
	s->bpf.nr_mlock_by[MC_CAUSE_FREE] = -2;
	s->bpf.batch_ev[MC_EV_MUNLOCKED] = 15;
	s->bpf.batch_ev[MC_EV_STRANDED] = 3;
	s->bpf.cleared_pages = 2;
	s->mod_w[MOD_W_MLOCKED] = 30;
	s->mod_w[MOD_W_MUNLOCKED] = 15;
	s->mod_w[MOD_W_STRANDED] = 3;
	s->mod_w[MOD_W_CLEARED] = 2;
	s->mlocked = s->unevictable = 10;
}

/* A stray writer added 3 pages to NR_MLOCK, with no event. */
static void stray_writer(struct sample *b, struct sample *s)
{
	s->nr_mlock += 3;
	s->bpf.nr_mlock_by[MC_CAUSE_UNKNOWN] = 3;
	s->bpf.writes_by[MC_CAUSE_UNKNOWN] = 1;
	snprintf(s->first_unattributed, sizeof(s->first_unattributed), "inject_write");
}

/* Off by 5 since before the baseline: only the since-boot identity sees it. */
static void identity_only(struct sample *b, struct sample *s)
{
	b->nr_mlock += 5;
	s->nr_mlock += 5;
}

/* A write that came and went: pages net 0, but a write all the same. */
static void unattributed_writes(struct sample *b, struct sample *s)
{
	s->bpf.writes_by[MC_CAUSE_UNKNOWN] = 2;
}

static void bpf_lost_free(struct sample *b, struct sample *s)
{
	s->bpf.nr_mlock_by[MC_CAUSE_FREE] += 1;
}

static void bpf_extra_stranded(struct sample *b, struct sample *s)
{
	s->bpf.batch_ev[MC_EV_STRANDED] += 1;
}

static void bpf_lost_mlock(struct sample *b, struct sample *s)
{
	s->bpf.nr_mlock_by[MC_CAUSE_MLOCK] -= 1;
}

/* The module counted a clear that never happened. */
static void module_extra_clear(struct sample *b, struct sample *s)
{
	s->mod_w[MOD_W_CLEARED] += 1;
}

/* One more mlock and munlock: the witnessed delta holds, the events do not. */
static void module_events_only(struct sample *b, struct sample *s)
{
	s->mod_w[MOD_W_MLOCKED] += 1;
	s->mod_w[MOD_W_MUNLOCKED] += 1;
}

static void folio_verdicts(struct sample *b, struct sample *s)
{
	s->mod_mismatches = 2;
}

static void locked_vm_excess(struct sample *b, struct sample *s)
{
	s->mms_excess_n = 1;
	s->mms_excess = 4;
}

static void locked_vm_both(struct sample *b, struct sample *s)
{
	locked_vm_excess(b, s);
	s->mms_deficit_n = 2;
	s->mms_deficit = 3;
}

/* Mlocked 10 pages, Unevictable 5, 2 isolated: 3 stranded on evictable lists. */
static void stranded_evictable(struct sample *b, struct sample *s)
{
	s->unevictable = 5;
	s->isolated = 2;
}

/* Unevictable 8 pages of 10 Mlocked, the other 2 isolated: fine. */
static void isolated_covers(struct sample *b, struct sample *s)
{
	s->unevictable = 8;
	s->isolated = 2;
}

static void module_incomplete(struct sample *b, struct sample *s)
{
	s->mod_incomplete = 1;
	snprintf(s->mod_reasons, sizeof(s->mod_reasons), "table_full");
}

static void incomplete_extra_clear(struct sample *b, struct sample *s)
{
	module_incomplete(b, s);
	module_extra_clear(b, s);
}

static void incomplete_identity(struct sample *b, struct sample *s)
{
	module_incomplete(b, s);
	identity_only(b, s);
}

static void incomplete_verdicts(struct sample *b, struct sample *s)
{
	module_incomplete(b, s);
	folio_verdicts(b, s);
}

static void incomplete_locked_vm(struct sample *b, struct sample *s)
{
	module_incomplete(b, s);
	locked_vm_excess(b, s);
}

static void incomplete_locked_vm_deficit(struct sample *b, struct sample *s)
{
	module_incomplete(b, s);
	s->mms_deficit_n = 1;
	s->mms_deficit = 3;
}

static void unreliable_batch(struct sample *b, struct sample *s)
{
	s->bpf.unreliable_batches = 1;
	bpf_extra_stranded(b, s);
}

static void unreliable_unattributed(struct sample *b, struct sample *s)
{
	s->bpf.unreliable_batches = 1;
	unattributed_writes(b, s);
}

/* Under lockdown: control cannot be written, so no final scan. */
static void no_scan(struct sample *b, struct sample *s)
{
	snprintf(s->unchecked, sizeof(s->unchecked),
		 "lockdown (integrity): cannot write /sys/kernel/debug/mlockwatch/control (Operation not permitted): no final scan");
}

static void no_scan_identity(struct sample *b, struct sample *s)
{
	no_scan(b, s);
	identity_only(b, s);
}

static void no_scan_verdicts(struct sample *b, struct sample *s)
{
	no_scan(b, s);
	folio_verdicts(b, s);
}

/* A view that cannot be read: not an empty view. */
static void mismatches_unreadable(struct sample *b, struct sample *s)
{
	snprintf(s->unchecked, sizeof(s->unchecked),
		 "cannot read /sys/kernel/debug/mlockwatch/mismatches (Operation not permitted)");
}

/* The summary read now but not at the baseline: no delta against zeros. */
static void summary_unread_at_start(struct sample *b, struct sample *s)
{
	b->mod = false;
	memset(b->mod_w, 0, sizeof(b->mod_w));
	s->mod_w[MOD_W_MLOCKED] += 100;
	s->mod_w[MOD_W_MUNLOCKED] += 100;
}

/* Without the module, its counts are not read and not compared. */
static void no_module(struct sample *b, struct sample *s)
{
	b->mod = s->mod = false;
	b->mms = s->mms = false;
	s->mod_w[MOD_W_CLEARED] = 99;
	s->mod_mismatches = 3;
	s->mms_excess_n = 1;
}

/*
 * The witnesses a run leaves off: without -w, without --bpf-batches
 * (the module loaded), the module without attribute_writers=1 (its
 * witnessed mlocks then read "-", parsed as 0).
 */
static void no_w(struct sample *b, struct sample *s)
{
	b->bpf_writers = s->bpf_writers = false;
	memset(b->bpf.nr_mlock_by, 0, sizeof(b->bpf.nr_mlock_by));
	memset(s->bpf.nr_mlock_by, 0, sizeof(s->bpf.nr_mlock_by));
	memset(b->bpf.writes_by, 0, sizeof(b->bpf.writes_by));
	memset(s->bpf.writes_by, 0, sizeof(s->bpf.writes_by));
}

static void no_batches(struct sample *b, struct sample *s)
{
	b->bpf_batches = s->bpf_batches = false;
	memset(b->bpf.batch_ev, 0, sizeof(b->bpf.batch_ev));
	memset(s->bpf.batch_ev, 0, sizeof(s->bpf.batch_ev));
}

static void no_mod_writers(struct sample *b, struct sample *s)
{
	b->mod_writers = s->mod_writers = false;
	b->mod_w[MOD_W_MLOCKED] = s->mod_w[MOD_W_MLOCKED] = 0;
}

/* mlockcheck's default with the module loaded by default: all three off. */
static void lean(struct sample *b, struct sample *s)
{
	no_w(b, s);
	no_batches(b, s);
	no_mod_writers(b, s);
}

/*
 * The stray writer as each configuration sees it: the kernel's counters
 * move the same, only the witnesses that are on see (or miss) it.
 */
static void stray_writer_no_w(struct sample *b, struct sample *s)
{
	stray_writer(b, s);
	no_w(b, s);
}

static void stray_writer_no_mod_writers(struct sample *b, struct sample *s)
{
	stray_writer(b, s);
	no_mod_writers(b, s);
}

static void stray_writer_lean(struct sample *b, struct sample *s)
{
	stray_writer(b, s);
	lean(b, s);
}

/*
 * An unattributed write, a lost free, a lost mlock: BPF's alone. The
 * counters keep what they say, so that only the flag stops the check.
 */
static void unattributed_writes_no_w(struct sample *b, struct sample *s)
{
	unattributed_writes(b, s);
	s->bpf_writers = b->bpf_writers = false;
}

static void bpf_lost_free_no_w(struct sample *b, struct sample *s)
{
	bpf_lost_free(b, s);
	s->bpf_writers = b->bpf_writers = false;
}

static void bpf_lost_mlock_no_w(struct sample *b, struct sample *s)
{
	bpf_lost_mlock(b, s);
	s->bpf_writers = b->bpf_writers = false;
}

/* Without -w the batches' rows of events-bpf are still judged. */
static void bpf_extra_stranded_no_w(struct sample *b, struct sample *s)
{
	bpf_extra_stranded(b, s);
	s->bpf_writers = b->bpf_writers = false;
}

static void bpf_extra_stranded_no_batches(struct sample *b, struct sample *s)
{
	bpf_extra_stranded(b, s);
	s->bpf_batches = b->bpf_batches = false;
}

static void bpf_extra_cleared(struct sample *b, struct sample *s)
{
	s->bpf.cleared_pages += 1;
}

/* mm_page_free stays attached: the cleared row does not need the batches. */
static void bpf_extra_cleared_lean(struct sample *b, struct sample *s)
{
	bpf_extra_cleared(b, s);
	lean(b, s);
}

static void module_extra_clear_no_mod_writers(struct sample *b, struct sample *s)
{
	module_extra_clear(b, s);
	no_mod_writers(b, s);
}

static void module_extra_mlock(struct sample *b, struct sample *s)
{
	s->mod_w[MOD_W_MLOCKED] += 1;
}

static void module_extra_mlock_no_mod_writers(struct sample *b, struct sample *s)
{
	module_extra_mlock(b, s);
	s->mod_writers = b->mod_writers = false;
}

static void module_events_only_no_mod_writers(struct sample *b, struct sample *s)
{
	module_events_only(b, s);
	s->mod_writers = b->mod_writers = false;
}

struct judge_case {
	const char *name;
	void (*breaks)(struct sample *b, struct sample *s);
	bool final;
	/* The findings in order, "(nj)" after one NOT JUDGED. */
	const char *findings;
	long long expected, actual;	/* of the first finding */
	unsigned int incomplete;	/* enum source */
	const char *verdict;		/* verdict_name(, flagged) */
	int exit;			/* exit_code(, no command) */
};

static const struct judge_case cases[] = {
	{ "consistent", NULL, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "identity", identity_only, true, "identity", 10, 15, 0, "mismatch", EXIT_MISMATCH },
	{ "stray writer", stray_writer, true,
	  "identity witness-bpf unattributed witness-module", 10, 13, 0, "mismatch", EXIT_MISMATCH },
	{ "unattributed writes, 0 pages", unattributed_writes, true, "unattributed", 0, 0, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "witness-bpf", bpf_lost_free, true, "witness-bpf", 10, 11, 0, "mismatch", EXIT_MISMATCH },
	{ "events-bpf", bpf_extra_stranded, true, "events-bpf", 3, 4, 0, "mismatch", EXIT_MISMATCH },
	{ "witness-bpf and events-bpf", bpf_lost_mlock, true, "witness-bpf events-bpf", 10, 9, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "witness-module", module_extra_clear, true, "witness-module events-module", 10, 9, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "events-module", module_events_only, true, "events-module events-module", 30, 31, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "module-verdicts", folio_verdicts, false, "module-verdicts", 0, 2, 0, "mismatch", EXIT_MISMATCH },
	{ "locked-vm excess", locked_vm_excess, false, "locked-vm", 0, 4, 0, "mismatch", EXIT_MISMATCH },
	{ "locked-vm excess and deficit", locked_vm_both, false, "locked-vm locked-vm", 0, 4, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "unevictable after a drain", stranded_evictable, true, "unevictable", 8, 5, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "unevictable live: not checked", stranded_evictable, false, "", 0, 0, 0, "ok", EXIT_OK },
	{ "unevictable, isolated pages", isolated_covers, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "incomplete, nothing differs", module_incomplete, true, "", 0, 0, SRC_MODULE,
	  "incomplete", EXIT_INCOMPLETE },
	{ "incomplete module: its witness not judged", incomplete_extra_clear, true,
	  "witness-module(nj) events-module(nj)", 10, 9, SRC_MODULE, "incomplete", EXIT_INCOMPLETE },
	{ "incomplete module: identity still judged", incomplete_identity, true, "identity", 10, 15,
	  SRC_MODULE, "mismatch", EXIT_MISMATCH },
	{ "incomplete module: verdicts not judged", incomplete_verdicts, true, "module-verdicts(nj)",
	  0, 2, SRC_MODULE, "incomplete", EXIT_INCOMPLETE },
	{ "incomplete module: locked-vm still judged", incomplete_locked_vm, true, "locked-vm", 0, 4,
	  SRC_MODULE, "mismatch", EXIT_MISMATCH },
	{ "incomplete module: a locked-vm deficit still judged", incomplete_locked_vm_deficit, true,
	  "locked-vm", 0, -3, SRC_MODULE, "mismatch", EXIT_MISMATCH },
	{ "unreliable BPF batch: events-bpf not judged", unreliable_batch, true, "events-bpf(nj)", 3, 4,
	  SRC_BPF, "incomplete", EXIT_INCOMPLETE },
	{ "unreliable BPF batch: unattributed still judged", unreliable_unattributed, true,
	  "unattributed", 0, 0, SRC_BPF, "mismatch", EXIT_MISMATCH },
	{ "without the module", no_module, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "no final scan (lockdown): incomplete, not an error", no_scan, true, "", 0, 0,
	  SRC_UNCHECKED, "incomplete", EXIT_INCOMPLETE },
	{ "no final scan: the identity still judged", no_scan_identity, true, "identity", 10, 15,
	  SRC_UNCHECKED, "mismatch", EXIT_MISMATCH },
	{ "no final scan: the verdicts seen still judged", no_scan_verdicts, true, "module-verdicts",
	  0, 2, SRC_UNCHECKED, "mismatch", EXIT_MISMATCH },
	{ "a view that cannot be read: incomplete", mismatches_unreadable, false, "", 0, 0,
	  SRC_UNCHECKED, "incomplete", EXIT_INCOMPLETE },
	{ "the summary not read at the start: its witness not compared", summary_unread_at_start,
	  true, "", 0, 0, SRC_UNCHECKED, "incomplete", EXIT_INCOMPLETE },
	/* What a run leaves off is not checked, and is no inexactness: ok is ok. */
	{ "lean default, consistent: ok, not incomplete", lean, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "stray writer without -w: no BPF witness", stray_writer_no_w, true,
	  "identity witness-module", 10, 13, 0, "mismatch", EXIT_MISMATCH },
	{ "stray writer, the module without attribute_writers: no module witness",
	  stray_writer_no_mod_writers, true, "identity witness-bpf unattributed", 10, 13, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "stray writer, lean default: the identity alone catches it", stray_writer_lean, true,
	  "identity", 10, 13, 0, "mismatch", EXIT_MISMATCH },
	{ "unattributed writes without -w: not checked", unattributed_writes_no_w, true, "", 0, 0, 0,
	  "ok", EXIT_OK },
	{ "witness-bpf without -w: not checked", bpf_lost_free_no_w, true, "", 0, 0, 0,
	  "ok", EXIT_OK },
	{ "BPF's mlocks without -w: neither witness-bpf nor its events-bpf row",
	  bpf_lost_mlock_no_w, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "events-bpf stranded without -w: still checked", bpf_extra_stranded_no_w, true,
	  "events-bpf", 3, 4, 0, "mismatch", EXIT_MISMATCH },
	{ "events-bpf stranded without --bpf-batches: not checked", bpf_extra_stranded_no_batches,
	  true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "events-bpf cleared: checked", bpf_extra_cleared, true, "events-bpf", 2, 3, 0,
	  "mismatch", EXIT_MISMATCH },
	{ "events-bpf cleared, lean default: still checked (mm_page_free)", bpf_extra_cleared_lean,
	  true, "events-bpf", 2, 3, 0, "mismatch", EXIT_MISMATCH },
	{ "the module's extra clear without attribute_writers: events-module's row only",
	  module_extra_clear_no_mod_writers, true, "events-module", 2, 3, 0, "mismatch",
	  EXIT_MISMATCH },
	{ "the module's extra mlock", module_extra_mlock, true, "witness-module events-module",
	  10, 11, 0, "mismatch", EXIT_MISMATCH },
	{ "the module's extra mlock without attribute_writers: not checked",
	  module_extra_mlock_no_mod_writers, true, "", 0, 0, 0, "ok", EXIT_OK },
	{ "the module's events without attribute_writers: the munlocked row still checked",
	  module_events_only_no_mod_writers, true, "events-module", 15, 16, 0, "mismatch",
	  EXIT_MISMATCH },
};

static void describe(const struct check *c, char *buf, size_t size)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s",
			 i ? " " : "", c->f[i].invariant, judged(c, i) ? "" : "(nj)");
}

TEST(every_invariant)
{
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct judge_case *t = &cases[i];
		struct sample b, s;
		struct check c;
		char got[512];

		consistent(&b, &s);
		if (t->breaks)
			t->breaks(&b, &s);
		check(&b, &s, t->final, &c);
		describe(&c, got, sizeof(got));
		EXPECT_STREQ(t->findings, got) TH_LOG("%s", t->name);
		if (c.n) {
			EXPECT_EQ(t->expected, c.f[0].expected) TH_LOG("%s", t->name);
			EXPECT_EQ(t->actual, c.f[0].actual) TH_LOG("%s", t->name);
		}
		EXPECT_EQ(t->incomplete, c.incomplete) TH_LOG("%s", t->name);
		EXPECT_STREQ(t->verdict, verdict_name(&c, true)) TH_LOG("%s", t->name);
		EXPECT_EQ(t->exit, exit_code(&c, -1)) TH_LOG("%s", t->name);
	}
}

TEST(details_name_the_cause)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	stray_writer(&b, &s);
	check(&b, &s, true, &c);
	ASSERT_EQ(4, c.n);
	EXPECT_STREQ("1 NR_MLOCK write(s) outside the mlock paths, first from inject_write",
		     c.f[2].detail);
	EXPECT_TRUE(strstr(c.f[0].detail, "exact, from mlockwatch") != NULL);
	s.nr_exact = false;
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.f[0].detail, "folded by stat_refresh") != NULL);

	consistent(&b, &s);
	module_events_only(&b, &s);
	check(&b, &s, true, &c);
	ASSERT_EQ(2, c.n);
	EXPECT_TRUE(strstr(c.f[0].detail, "unevictable_pgs_mlocked") != NULL);
	EXPECT_TRUE(strstr(c.f[1].detail, "unevictable_pgs_munlocked") != NULL);

	consistent(&b, &s);
	unreliable_batch(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.why, "1 batch(es) not counted exactly") != NULL);
	module_incomplete(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_EQ((unsigned int)(SRC_MODULE | SRC_BPF), c.incomplete);
	EXPECT_TRUE(strstr(c.why, "mlockwatch is incomplete: table_full; 1 batch(es)") == c.why);
}

/* An identity break with no writer named says how to name it. */
TEST(identity_says_how_to_name_the_writer)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	stray_writer(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.f[0].detail, "to name the writer") == NULL);
	stray_writer_lean(&b, &s);
	check(&b, &s, true, &c);
	ASSERT_EQ(1, c.n);
	EXPECT_TRUE(strstr(c.f[0].detail, "; to name the writer, run mlockcheck with -w and load mlockwatch.ko with attribute_writers=1") != NULL);
	/* Without the module too: -w is the way, and the module's hook. */
	s.mod = b.mod = false;
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.f[0].detail, "with -w and load mlockwatch.ko with attribute_writers=1") != NULL);
	/* The module's hook on: its summary names the writer already. */
	consistent(&b, &s);
	stray_writer_no_w(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.f[0].detail, "run mlockcheck with -w (mlockwatch's summary names it too: nr_mlock_unattributed_first_caller)") != NULL);
	/* -w without the module's hook: unattributed names it. */
	consistent(&b, &s);
	stray_writer_no_mod_writers(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.f[0].detail, "to name the writer") == NULL);
}

/* What a run leaves off is said in one note, and only what is off. */
TEST(not_checked_note)
{
	struct sample b, s;
	char notes[1024] = "";

	consistent(&b, &s);
	note_unchecked(&s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);

	lean(&b, &s);
	note_unchecked(&s, notes, sizeof(notes));
	EXPECT_STREQ("not checked: witness-bpf, unattributed and events-bpf unevictable_pgs_mlocked (BPF attributes NR_MLOCK writes only with -w), events-bpf unevictable_pgs_munlocked and unevictable_pgs_stranded (mlockwatch.ko hooks the batches: BPF brackets them too only with --bpf-batches), witness-module and events-module unevictable_pgs_mlocked (mlockwatch.ko was loaded without attribute_writers=1)",
		     notes);

	/* Without the module: the batches are BPF's, no module hook to miss. */
	consistent(&b, &s);
	no_w(&b, &s);
	s.mod = false;
	s.mod_writers = false;
	notes[0] = '\0';
	note_unchecked(&s, notes, sizeof(notes));
	EXPECT_STREQ("not checked: witness-bpf, unattributed and events-bpf unevictable_pgs_mlocked (BPF attributes NR_MLOCK writes only with -w)",
		     notes);

	consistent(&b, &s);
	no_batches(&b, &s);
	notes[0] = '\0';
	note_unchecked(&s, notes, sizeof(notes));
	EXPECT_TRUE(strstr(notes, "not checked: events-bpf unevictable_pgs_munlocked") == notes);
	EXPECT_TRUE(strstr(notes, "-w") == NULL);
	EXPECT_TRUE(strstr(notes, "attribute_writers") == NULL);

	consistent(&b, &s);
	no_mod_writers(&b, &s);
	snprintf(notes, sizeof(notes), "an earlier note");
	note_unchecked(&s, notes, sizeof(notes));
	EXPECT_STREQ("an earlier note; not checked: witness-module and events-module unevictable_pgs_mlocked (mlockwatch.ko was loaded without attribute_writers=1)",
		     notes);
}

/* What could not be looked at is named, in the order it was found. */
TEST(unchecked_reasons)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	no_scan(&b, &s);
	module_incomplete(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_EQ((unsigned int)(SRC_MODULE | SRC_UNCHECKED), c.incomplete);
	EXPECT_STREQ("mlockwatch is incomplete: table_full; lockdown (integrity): cannot write /sys/kernel/debug/mlockwatch/control (Operation not permitted): no final scan",
		     c.why);
	consistent(&b, &s);
	summary_unread_at_start(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_TRUE(strstr(c.why, "summary was not read at the start") != NULL);
}

TEST(lockdown_levels)
{
	char l[32];

	ASSERT_TRUE(lockdown_parse("none [integrity] confidentiality\n", l, sizeof(l)));
	EXPECT_STREQ("integrity", l);
	ASSERT_TRUE(lockdown_parse("[none] integrity confidentiality\n", l, sizeof(l)));
	EXPECT_STREQ("none", l);
	ASSERT_TRUE(lockdown_parse("none integrity [confidentiality]\n", l, sizeof(l)));
	EXPECT_STREQ("confidentiality", l);
	EXPECT_FALSE(lockdown_parse("none integrity confidentiality\n", l, sizeof(l)));
	EXPECT_FALSE(lockdown_parse("[]\n", l, sizeof(l)));
	EXPECT_FALSE(lockdown_parse("[integrity", l, sizeof(l)));
	EXPECT_FALSE(lockdown_parse("[integrity]", l, 4));
}

TEST(the_figures)
{
	struct sample b, s;
	struct figures g;

	consistent(&b, &s);
	stray_writer(&b, &s);
	figures(&b, &s, &g);
	EXPECT_EQ(3, g.identity);
	EXPECT_EQ(13, g.d_nr);
	EXPECT_EQ(10, g.bpf_attr);
	EXPECT_EQ(3, g.bpf_unattr);
	EXPECT_EQ(10, g.mod_witnessed);
	EXPECT_EQ(30, g.ev_bpf[MC_EV_MLOCKED]);
	EXPECT_EQ(15, g.ev_bpf[MC_EV_MUNLOCKED]);
	EXPECT_EQ(3, g.ev_bpf[MC_EV_STRANDED]);
	EXPECT_EQ(2, g.ev_bpf[MC_EV_CLEARED]);
	EXPECT_EQ(0, g.ev_bpf[MC_EV_CULLED]);
	EXPECT_EQ(7, g.ev_d[MC_EV_CULLED]);
}

/* A busy baseline makes incomplete only what needs the baseline. */
TEST(busy_baseline)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	bpf_lost_free(&b, &s);
	check(&b, &s, true, &c);
	baseline_was_busy(&c);
	EXPECT_EQ((unsigned int)SRC_BASELINE, c.incomplete);
	EXPECT_EQ(0, nr_judged(&c));
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, -1));
	EXPECT_TRUE(strstr(c.why, "baseline was taken during activity") != NULL);

	consistent(&b, &s);
	identity_only(&b, &s);
	check(&b, &s, true, &c);
	baseline_was_busy(&c);
	EXPECT_EQ(0U, c.incomplete);
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, -1));

	consistent(&b, &s);
	check(&b, &s, true, &c);
	baseline_was_busy(&c);
	EXPECT_EQ(0U, c.incomplete);
	EXPECT_EQ(EXIT_OK, exit_code(&c, -1));
}

TEST(verdicts_and_exit_codes)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	bpf_lost_free(&b, &s);
	check(&b, &s, false, &c);
	/* A live difference not (yet) flagged is drift. */
	EXPECT_STREQ("drift", verdict_name(&c, false));
	EXPECT_STREQ("mismatch", verdict_name(&c, true));
	/* The command's failure counts only when all else is consistent. */
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, 3));

	consistent(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_EQ(EXIT_OK, exit_code(&c, 0));
	EXPECT_EQ(EXIT_CMD, exit_code(&c, 3));
	EXPECT_EQ(EXIT_CMD, exit_code(&c, 128 + 15));
	module_incomplete(&b, &s);
	check(&b, &s, true, &c);
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, 3));

	EXPECT_EQ(0, EXIT_OK);
	EXPECT_EQ(1, EXIT_MISMATCH);
	EXPECT_EQ(2, EXIT_SETUP);
	EXPECT_EQ(3, EXIT_CMD);
	/* kselftest's KSFT_SKIP, for "could not judge" and nothing else. */
	EXPECT_EQ(4, EXIT_INCOMPLETE);
	EXPECT_EQ(KSFT_SKIP, EXIT_INCOMPLETE);
	EXPECT_EQ(KSFT_FAIL, EXIT_MISMATCH);
	EXPECT_EQ(KSFT_PASS, EXIT_OK);
	EXPECT_STREQ("ok", exit_name(EXIT_OK));
	EXPECT_STREQ("mismatch", exit_name(EXIT_MISMATCH));
	EXPECT_STREQ("incomplete", exit_name(EXIT_INCOMPLETE));
	EXPECT_STREQ("command-failed", exit_name(EXIT_CMD));
	EXPECT_STREQ("setup-error", exit_name(EXIT_SETUP));
}

/* --once without --exact: differences in flight are dropped, not failed. */
TEST(once_live)
{
	struct sample b, s;
	struct check c;

	consistent(&b, &s);
	identity_only(&b, &s);
	check(&b, &s, false, &c);
	EXPECT_FALSE(drop_live(&c, true));
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, -1));
	EXPECT_TRUE(drop_live(&c, false));
	EXPECT_EQ(0, c.n);
	EXPECT_EQ(EXIT_OK, exit_code(&c, -1));
	EXPECT_FALSE(drop_live(&c, false));

	module_incomplete(&b, &s);
	check(&b, &s, false, &c);
	drop_live(&c, false);
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, -1));
}

TEST(what_is_judged_live)
{
	static const struct {
		const char *invariant;
		bool exact_reads, live;
	} t[] = {
		{ "identity", true, true },
		{ "identity", false, false },
		{ "unattributed", false, true },
		{ "module-verdicts", false, true },
		{ "locked-vm", false, true },
		{ "witness-bpf", true, false },
		{ "witness-module", true, false },
		{ "events-bpf", true, false },
		{ "events-module", true, false },
		{ "unevictable", true, false },
	};
	struct sample s = { 0 };
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct finding f = { .invariant = t[i].invariant };

		s.nr_exact = s.ev_from_mod = t[i].exact_reads;
		EXPECT_EQ(t[i].live, live_judged(&f, &s)) TH_LOG("%s", t[i].invariant);
	}
	/* The identity from /proc/vmstat alone is read with skew. */
	s.nr_exact = true;
	s.ev_from_mod = false;
	{
		struct finding f = { .invariant = "identity" };

		EXPECT_FALSE(live_judged(&f, &s));
	}
}

/* Magnitudes of the live-judged differences, sample after sample. */
static int streak_of(const long long *mags, int n, int persist, bool *flagged)
{
	struct streak st = { 0 };
	struct sample b, s;
	struct check c;
	int i;

	*flagged = false;
	for (i = 0; i < n; i++) {
		consistent(&b, &s);
		b.nr_mlock += mags[i];
		s.nr_mlock += mags[i];
		check(&b, &s, false, &c);
		if (persists(&st, &c, &s, persist))
			*flagged = true;
	}
	return st.n;
}

TEST(persistence)
{
	static const long long steady[] = { 5, 5, 5, 5, 5 };
	static const long long growing[] = { 1, 2, 3, 4, 5 };
	static const long long shrinks[] = { 5, 5, 5, 4, 5 };
	static const long long gap[] = { 5, 5, 0, 5, 5 };
	struct sample b, s;
	struct streak st = { 0 };
	struct check c;
	bool flagged;
	int i;

	EXPECT_EQ(5, streak_of(steady, 5, 5, &flagged));
	EXPECT_TRUE(flagged);
	EXPECT_EQ(4, streak_of(steady, 4, 5, &flagged));
	EXPECT_FALSE(flagged);
	EXPECT_EQ(5, streak_of(growing, 5, 5, &flagged));
	EXPECT_TRUE(flagged);
	/* Shrinking starts over at 1. */
	EXPECT_EQ(2, streak_of(shrinks, 5, 5, &flagged));
	EXPECT_FALSE(flagged);
	EXPECT_EQ(2, streak_of(gap, 5, 5, &flagged));
	EXPECT_FALSE(flagged);
	EXPECT_EQ(2, streak_of(gap, 5, 2, &flagged));
	EXPECT_TRUE(flagged);

	/* A witness difference is not judged live: it never persists. */
	for (i = 0; i < 10; i++) {
		consistent(&b, &s);
		bpf_lost_free(&b, &s);
		check(&b, &s, false, &c);
		EXPECT_FALSE(persists(&st, &c, &s, 1));
	}
	EXPECT_EQ(0, st.n);
	/* Nor one that is not judged: a folio verdict while incomplete. */
	consistent(&b, &s);
	incomplete_verdicts(&b, &s);
	check(&b, &s, false, &c);
	EXPECT_FALSE(persists(&st, &c, &s, 1));
	/* A locked_vm deficit counts by its size. */
	consistent(&b, &s);
	locked_vm_both(&b, &s);
	check(&b, &s, false, &c);
	EXPECT_TRUE(persists(&st, &c, &s, 1));
	EXPECT_EQ(7, st.last);
}

TEST(notes)
{
	struct sample s = { 0 };
	char notes[256] = "";

	note_clamp(&s, notes, sizeof(notes));
	EXPECT_TRUE(strstr(notes, "clamps a negative count at 0") != NULL);
	note_add(notes, sizeof(notes), "x");
	EXPECT_EQ(0, strcmp(notes + strlen(notes) - 3, "; x"));

	notes[0] = '\0';
	s.nr_mlock = 1;
	note_clamp(&s, notes, sizeof(notes));
	s.nr_mlock = 0;
	s.nr_exact = true;
	note_clamp(&s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);
}

/*
 * Folio errors the module traced during the run are said even when none
 * is left at the end; nothing is said without a module that counts them,
 * with none, or when the counts went back (a reload).
 */
TEST(traced_note)
{
	struct sample b = { 0 }, s = { 0 };
	char notes[512] = "";

	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);

	b.mod_traced_known = s.mod_traced_known = true;
	b.mod_traced[MOD_T(OVERCOUNT)] = 2;
	s.mod_traced[MOD_T(OVERCOUNT)] = 2;
	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);

	s.mod_traced[MOD_T(OVERCOUNT)] = 5;
	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("mlockwatch judged 3 folio(s) an error during the run (overcount 3); 0 in mismatches at the end: --report keeps each one's stack",
		     notes);

	notes[0] = '\0';
	s.mod_traced[MOD_T(UNWITNESSED_SET)] = 1;
	s.mod_traced[MOD_T(UNWITNESSED_CLEAR)] = 4;
	s.mod_mismatches = 1;
	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("mlockwatch judged 8 folio(s) an error during the run (unwitnessed-set 1, unwitnessed-clear 4, overcount 3); 1 in mismatches at the end: --report keeps each one's stack",
		     notes);

	/* reloaded during the run: its counts restarted */
	notes[0] = '\0';
	s.mod_traced[MOD_T(OVERCOUNT)] = 0;
	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);

	/* an older module, without the keys */
	s.mod_traced[MOD_T(OVERCOUNT)] = 5;
	s.mod_traced_known = false;
	note_traced(&b, &s, notes, sizeof(notes));
	EXPECT_STREQ("", notes);
}

/* Every key mlockcheck needs reaches its field, from the one key list. */
TEST(summary_parser)
{
	static const char *const lines[] = {
		"format: 1\n", "nr_mlock: -4\n", "nr_mlock_at_load: 9\n",
		"incomplete: 1\n", "incomplete_reasons: table_full alloc\n",
		"witnessed_mlocked_pages: 30\n", "witnessed_munlocked_pages: 15\n",
		"witnessed_stranded_pages: 3\n", "witnessed_cleared_pages: 2\n",
		"unevictable_pgs_culled: 7\n", "unevictable_pgs_cleared: 12\n",
		"unevictable_pgs_cleared_at_load: 99\n", "a_key_from_later: 5\n",
		"traced_unwitnessed_set: 4\n", "traced_unwitnessed_clear: 6\n",
		"traced_overcount: 8\n",
	};
	struct sample s = { 0 };
	unsigned int i;
	char line[128];

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(line, sizeof(line), "%s", lines[i]);
		parse_summary_line(&s, line);
	}
	EXPECT_EQ(-4, s.nr_mlock);
	EXPECT_TRUE(s.nr_exact);
	EXPECT_EQ(1, s.mod_incomplete);
	EXPECT_STREQ("table_full alloc", s.mod_reasons);
	EXPECT_EQ(30, s.mod_w[MOD_W_MLOCKED]);
	EXPECT_EQ(15, s.mod_w[MOD_W_MUNLOCKED]);
	EXPECT_EQ(3, s.mod_w[MOD_W_STRANDED]);
	EXPECT_EQ(2, s.mod_w[MOD_W_CLEARED]);
	EXPECT_EQ(7ULL, s.ev[MC_EV_CULLED]);
	EXPECT_EQ(12ULL, s.ev[MC_EV_CLEARED]);
	EXPECT_TRUE(s.ev_from_mod);
	EXPECT_FALSE(s.mod_writers);
	EXPECT_TRUE(s.mod_traced_known);
	EXPECT_EQ(4, s.mod_traced[MOD_T(UNWITNESSED_SET)]);
	EXPECT_EQ(6, s.mod_traced[MOD_T(UNWITNESSED_CLEAR)]);
	EXPECT_EQ(8, s.mod_traced[MOD_T(OVERCOUNT)]);
}

/*
 * Format 2 without the writer hook: attribute_writers 0 and "-" for its
 * figures, which read as 0 and never as an error; with it, numbers.
 */
TEST(summary_parser_writer_hook)
{
	static const char *const off[] = {
		"format: 2\n", "attribute_writers: 0\n", "nr_mlock: 10\n",
		"witnessed_mlocked_pages: -\n", "witnessed_munlocked_pages: 15\n",
		"witnessed_stranded_pages: 3\n", "witnessed_cleared_pages: 2\n",
		"witnessed_nr_mlock_delta: -\n", "nr_mlock_by_mlock: -\n",
		"nr_mlock_unattributed: -\n", "nr_mlock_unattributed_writes: -\n",
		"nr_mlock_unattributed_first_caller: -\n",
	};
	struct sample s;
	unsigned int i;
	char line[128];

	memset(&s, 0, sizeof(s));
	s.mod_w[MOD_W_MLOCKED] = 77;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		snprintf(line, sizeof(line), "%s", off[i]);
		parse_summary_line(&s, line);
	}
	EXPECT_FALSE(s.mod_writers);
	EXPECT_EQ(0, s.mod_w[MOD_W_MLOCKED]);
	EXPECT_EQ(15, s.mod_w[MOD_W_MUNLOCKED]);
	EXPECT_EQ(3, s.mod_w[MOD_W_STRANDED]);
	EXPECT_EQ(2, s.mod_w[MOD_W_CLEARED]);
	EXPECT_EQ(10, s.nr_mlock);

	memset(&s, 0, sizeof(s));
	snprintf(line, sizeof(line), "attribute_writers: 1\n");
	parse_summary_line(&s, line);
	snprintf(line, sizeof(line), "witnessed_mlocked_pages: 30\n");
	parse_summary_line(&s, line);
	EXPECT_TRUE(s.mod_writers);
	EXPECT_EQ(30, s.mod_w[MOD_W_MLOCKED]);
}

TEST(mms_lines)
{
	struct mms_line m;

	EXPECT_TRUE(mms_error_line("123 leaky 10 6 4 excess\n", &m));
	EXPECT_EQ(123, m.pid);
	EXPECT_EQ(4, m.delta);
	EXPECT_TRUE(mms_error_line("5 short 2 6 -4 deficit\n", &m));
	EXPECT_EQ(-4, m.delta);
	EXPECT_FALSE(mms_error_line("7 fine 6 6 0 ok\n", &m));
	EXPECT_FALSE(mms_error_line("8 busy 6 5 1 transient\n", &m));
	EXPECT_FALSE(mms_error_line("# PID COMM LOCKED_VM VM_LOCKED_PAGES DELTA VERDICT\n", &m));
	EXPECT_FALSE(mms_error_line("format: 1\n", &m));
}

TEST_HARNESS_MAIN
