// SPDX-License-Identifier: GPL-2.0
/*
 * verdict_test: the module's judging (module/verdict.c), the code the
 * module itself runs, built on the host: every folio verdict and every mm
 * verdict it can give, each from the entry, folio or mm state that leads
 * to it, with the name the views print (include/mlockwatch/format.h).
 *
 * Each case is one variant of a fixture, so a failure names its case;
 * the same case lists also feed a test that every verdict is reached by
 * some case, so a verdict added to the module without a case fails here.
 */
#include "kshim.h"
#include "module/verdict.c"

#include "kselftest_harness.h"

/* An entry, as designated initialisers. */
#define E(...)	{ .pfn = 4096, __VA_ARGS__ }
/* Its folio: being freed or split, so not read. */
#define GONE	{ .present = false, .kcount = -1 }
/* On the unevictable LRU, PG_mlocked, mapped @map times, count @k. */
#define LOCKED(k, map) \
	{ .present = true, .mlocked = true, .unevictable = true, .lru = true, \
	  .mapcount = (map), .kcount = (k) }
/* PG_mlocked clear, back on an evictable LRU, mapped @map times. */
#define CLEARED(map) \
	{ .present = true, .lru = true, .mapcount = (map), .kcount = -1 }
/* The same for a large folio, off the LRU. */
#define CLEARED_LARGE(map) \
	{ .present = true, .large = true, .mapcount = (map), .kcount = -1 }

/*
 * X(name, verdict the views print, table incomplete, entry, folio now).
 * Every branch of mw_verdict_of() is here, and the order of its checks
 * (a case that would match two branches shows which one wins).
 */
#define VERDICT_CASES(X) \
	X(pending_folio_being_freed, "pending", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), GONE) \
	X(pending_wins_over_preexisting, "pending", false, \
	  E(.state = MW_ST_PREEXISTING), GONE) \
	X(pending_batch_queued, "pending", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1, .pending = 1), LOCKED(5, 1)) \
	X(pending_wins_over_unwitnessed, "pending", true, \
	  E(.state = MW_ST_UNWITNESSED, .pending = 1), LOCKED(-1, 1)) \
	X(preexisting_still_mlocked, "preexisting", false, \
	  E(.state = MW_ST_PREEXISTING, .shadow = 0), LOCKED(1, 1)) \
	X(preexisting_judged_before_pending, "preexisting", false, \
	  E(.state = MW_ST_PREEXISTING, .shadow = 2, .pending = 3), \
	  LOCKED(7, 1)) \
	X(preexisting_unlocked, "resolved", false, \
	  E(.state = MW_ST_PREEXISTING, .shadow = -1), CLEARED(1)) \
	X(unwitnessed_set, "unwitnessed-set", false, \
	  E(.state = MW_ST_UNWITNESSED), LOCKED(-1, 1)) \
	X(unwitnessed_gone, "resolved", false, \
	  E(.state = MW_ST_UNWITNESSED), CLEARED(1)) \
	X(kept_unlocked_is_resolved, "resolved", false, \
	  E(.state = MW_ST_UNLOCKED, .flags = MW_EF_MUNLOCKED), CLEARED(1)) \
	X(kept_unlocked_set_again_is_unwitnessed, "unwitnessed-set", false, \
	  E(.state = MW_ST_UNLOCKED, .flags = MW_EF_MUNLOCKED), \
	  LOCKED(1, 1)) \
	X(kept_unlocked_pending_while_its_batch_runs, "pending", false, \
	  E(.state = MW_ST_UNLOCKED, .pending = 1), LOCKED(1, 1)) \
	X(kept_unlocked_inherited_flag_ignored, "unwitnessed-set", false, \
	  E(.state = MW_ST_UNLOCKED, .flags = MW_EF_INHERITED), \
	  LOCKED(0, 1)) \
	X(incomplete_hides_kept_unlocked_set, "incomplete", true, \
	  E(.state = MW_ST_UNLOCKED), LOCKED(-1, 1)) \
	X(ok_count_equal, "ok", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 2), LOCKED(2, 1)) \
	X(ok_count_unreadable, "ok", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 2), LOCKED(-1, 3)) \
	X(overcount_locked, "overcount", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(2, 1)) \
	X(overcount_wins_over_unmapped, "overcount", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(2, 0)) \
	X(known_unmapped, "known-unmapped", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(1, 0)) \
	X(known_unmapped_wins_over_undercount, "known-unmapped", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 3), LOCKED(1, 0)) \
	X(known_undercount_count_low, "known-undercount", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 3), LOCKED(1, 2)) \
	X(known_undercount_count_zero, "known-undercount", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(0, 1)) \
	X(known_split_inherited, "known-split-inherited", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .flags = MW_EF_INHERITED), \
	  LOCKED(0, 1)) \
	X(inherited_wins_over_overcount, "known-split-inherited", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .flags = MW_EF_INHERITED), \
	  LOCKED(4, 1)) \
	X(overcount_unlocked, "overcount", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .flags = MW_EF_MUNLOCKED), \
	  LOCKED(1, 1)) \
	X(unresolved_count_unreadable, "unresolved", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .flags = MW_EF_MUNLOCKED), \
	  LOCKED(-1, 1)) \
	X(unresolved_count_zero, "unresolved", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING), LOCKED(0, 1)) \
	X(known_large_partial_munlock, "known-large-partial-munlock", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .order = 4, \
	    .flags = MW_EF_MUNLOCKED | MW_EF_PARTIAL), \
	  CLEARED_LARGE(3)) \
	X(partial_no_longer_mapped, "resolved", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .order = 4, \
	    .flags = MW_EF_MUNLOCKED | MW_EF_PARTIAL), \
	  CLEARED_LARGE(0)) \
	X(partial_relocked_is_judged_locked, "ok", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1, .flags = MW_EF_PARTIAL), \
	  LOCKED(1, 1)) \
	X(resolved_unlocked, "resolved", false, \
	  E(.state = MW_ST_UNLOCKED_PENDING, .flags = MW_EF_MUNLOCKED), \
	  CLEARED(1)) \
	X(known_undercount_munlock_cleared, "known-undercount", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 1, .flags = MW_EF_MUNLOCKED), \
	  CLEARED(1)) \
	X(unwitnessed_clear, "unwitnessed-clear", false, \
	  E(.state = MW_ST_LOCKED, .shadow = 2), CLEARED(1)) \
	X(incomplete_hides_unwitnessed_set, "incomplete", true, \
	  E(.state = MW_ST_UNWITNESSED), LOCKED(-1, 1)) \
	X(incomplete_hides_unwitnessed_clear, "incomplete", true, \
	  E(.state = MW_ST_LOCKED, .shadow = 2), CLEARED(1)) \
	X(incomplete_hides_overcount, "incomplete", true, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(2, 1)) \
	X(incomplete_hides_unlocked_overcount, "incomplete", true, \
	  E(.state = MW_ST_UNLOCKED_PENDING), LOCKED(1, 1)) \
	X(incomplete_keeps_ok, "ok", true, \
	  E(.state = MW_ST_LOCKED, .shadow = 1), LOCKED(1, 1)) \
	X(incomplete_keeps_known_undercount, "known-undercount", true, \
	  E(.state = MW_ST_LOCKED, .shadow = 2), LOCKED(1, 1)) \
	X(incomplete_keeps_resolved, "resolved", true, \
	  E(.state = MW_ST_UNLOCKED_PENDING), CLEARED(1)) \
	X(incomplete_keeps_preexisting, "preexisting", true, \
	  E(.state = MW_ST_PREEXISTING), LOCKED(3, 1))

FIXTURE(verdict) {
};

FIXTURE_VARIANT(verdict) {
	const char *want;
	bool incomplete;
	struct mw_entry_view e;
	struct mw_folio_now f;
};

FIXTURE_SETUP(verdict)
{
}

FIXTURE_TEARDOWN(verdict)
{
}

#define VERDICT_VARIANT(_name, _want, _incomplete, _e, _f) \
	FIXTURE_VARIANT_ADD(verdict, _name) { \
		.want = _want, .incomplete = _incomplete, .e = _e, .f = _f, \
	};
VERDICT_CASES(VERDICT_VARIANT)

TEST_F(verdict, judged)
{
	enum mw_verdict v = mw_verdict_of(&variant->e, &variant->f,
					  variant->incomplete);

	EXPECT_STREQ(variant->want, mw_verdict_name(v));
	/* An error only ever reaches the views from a complete table. */
	if (variant->incomplete)
		EXPECT_FALSE(mw_verdict_is_error(v));
}

/* The entry and folio are only read. */
TEST(verdict_leaves_its_inputs_alone)
{
	const struct mw_entry_view e = E(.state = MW_ST_LOCKED, .shadow = 2,
					 .pending = 0, .flags = MW_EF_MUNLOCKED,
					 .nr_mms = 2, .last_pid = 77);
	const struct mw_folio_now f = LOCKED(3, 1);
	struct mw_entry_view e2 = e;
	struct mw_folio_now f2 = f;

	EXPECT_STREQ("overcount", mw_verdict_name(mw_verdict_of(&e2, &f2, false)));
	EXPECT_EQ(0, memcmp(&e, &e2, sizeof(e)));
	EXPECT_EQ(0, memcmp(&f, &f2, sizeof(f)));
}

/* The spellings of include/mlockwatch/format.h, which tools parse. */
TEST(verdict_names)
{
	static const char *const names[MW_NR_VERDICTS] = {
		[MW_V_OK] = "ok",
		[MW_V_PENDING] = "pending",
		[MW_V_PREEXISTING] = "preexisting",
		[MW_V_UNRESOLVED] = "unresolved",
		[MW_V_INCOMPLETE] = "incomplete",
		[MW_V_KNOWN_UNDERCOUNT] = "known-undercount",
		[MW_V_KNOWN_SPLIT_INHERITED] = "known-split-inherited",
		[MW_V_KNOWN_UNMAPPED] = "known-unmapped",
		[MW_V_KNOWN_LARGE_PARTIAL] = "known-large-partial-munlock",
		[MW_V_RESOLVED] = "resolved",
		[MW_V_UNWITNESSED_SET] = "unwitnessed-set",
		[MW_V_UNWITNESSED_CLEAR] = "unwitnessed-clear",
		[MW_V_OVERCOUNT] = "overcount",
	};
	int v;

	for (v = 0; v < MW_NR_VERDICTS; v++) {
		ASSERT_NE(NULL, names[v]);
		EXPECT_STREQ(names[v], mw_verdict_name(v));
	}
	EXPECT_STREQ("?", mw_verdict_name(MW_NR_VERDICTS));
	EXPECT_STREQ("?", mw_verdict_name(MW_NR_VERDICTS + 7));
}

/* Exactly the three verdicts format.h calls errors are errors. */
TEST(verdict_errors)
{
	int v;

	for (v = 0; v < MW_NR_VERDICTS; v++)
		EXPECT_EQ(v == MW_V_UNWITNESSED_SET ||
			  v == MW_V_UNWITNESSED_CLEAR || v == MW_V_OVERCOUNT,
			  mw_verdict_is_error(v)) {
			TH_LOG("verdict %s", mw_verdict_name(v));
		}
}

#define VERDICT_WANT(_name, _want, ...)	_want,

/* Every verdict the module can give is some case's expected value. */
TEST(verdict_cases_reach_every_verdict)
{
	static const char *const wants[] = { VERDICT_CASES(VERDICT_WANT) };
	unsigned int i;
	int v;

	for (v = 0; v < MW_NR_VERDICTS; v++) {
		bool reached = false;

		for (i = 0; i < ARRAY_SIZE(wants); i++)
			reached |= !strcmp(wants[i], mw_verdict_name(v));
		EXPECT_TRUE(reached) {
			TH_LOG("no case gives %s", mw_verdict_name(v));
		}
	}
}

/*
 * X(name, verdict the mms view prints, locked_vm read stable, locked_vm
 * less the VM_LOCKED pages, drivers' net charges since load).
 */
#define MM_CASES(X) \
	X(mm_ok, "ok", true, 0, 0) \
	X(mm_ok_beside_driver_charges, "ok", true, 0, 512) \
	X(mm_transient, "transient", false, 0, 0) \
	X(mm_transient_not_judged_on_a_delta, "transient", false, 9, 0) \
	X(mm_transient_not_judged_on_a_deficit, "transient", false, -9, 0) \
	X(mm_deficit, "deficit", true, -3, 0) \
	X(mm_deficit_never_a_driver_charge, "deficit", true, -3, 100) \
	X(mm_excess, "excess", true, 4, 0) \
	X(mm_excess_beyond_driver_charges, "excess", true, 5, 4) \
	X(mm_excess_when_drivers_uncharged_more, "excess", true, 1, -2) \
	X(mm_known_driver_charge_exact, "known-driver-charge", true, 4, 4) \
	X(mm_known_driver_charge_within, "known-driver-charge", true, 1, 512)

FIXTURE(mm_verdict) {
};

FIXTURE_VARIANT(mm_verdict) {
	const char *want;
	bool stable;
	long delta, driver_pages;
};

FIXTURE_SETUP(mm_verdict)
{
}

FIXTURE_TEARDOWN(mm_verdict)
{
}

#define MM_VARIANT(_name, _want, _stable, _delta, _driver) \
	FIXTURE_VARIANT_ADD(mm_verdict, _name) { \
		.want = _want, .stable = _stable, .delta = _delta, \
		.driver_pages = _driver, \
	};
MM_CASES(MM_VARIANT)

TEST_F(mm_verdict, judged)
{
	EXPECT_STREQ(variant->want,
		     mw_mm_verdict_name(mw_mm_verdict_of(variant->stable,
							 variant->delta,
							 variant->driver_pages)));
}

TEST(mm_verdict_names)
{
	EXPECT_STREQ("ok", mw_mm_verdict_name(MW_MM_OK));
	EXPECT_STREQ("transient", mw_mm_verdict_name(MW_MM_TRANSIENT));
	EXPECT_STREQ("known-driver-charge",
		     mw_mm_verdict_name(MW_MM_KNOWN_DRIVER_CHARGE));
	EXPECT_STREQ("excess", mw_mm_verdict_name(MW_MM_EXCESS));
	EXPECT_STREQ("deficit", mw_mm_verdict_name(MW_MM_DEFICIT));
	EXPECT_STREQ("?", mw_mm_verdict_name(MW_NR_MM_VERDICTS));
}

#define MM_WANT(_name, _want, ...)	_want,

TEST(mm_cases_reach_every_verdict)
{
	static const char *const wants[] = { MM_CASES(MM_WANT) };
	unsigned int i;
	int v;

	for (v = 0; v < MW_NR_MM_VERDICTS; v++) {
		bool reached = false;

		for (i = 0; i < ARRAY_SIZE(wants); i++)
			reached |= !strcmp(wants[i], mw_mm_verdict_name(v));
		EXPECT_TRUE(reached) {
			TH_LOG("no case gives %s", mw_mm_verdict_name(v));
		}
	}
}

TEST_HARNESS_MAIN
