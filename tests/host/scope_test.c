// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck's scope (-p/-c) on the host: the pagemap and smaps decoding,
 * the PFN set and its intersection with the module's listing, and how
 * judge.c turns a scoped reading into findings and incompleteness.
 */
#include "kselftest_harness.h"

/* mlockcheck builds with -Wno-unused-parameter (nftw's callback). */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "tools/mlockcheck/judge.c"
#include "tools/mlockcheck/sample.c"
#include "tools/mlockcheck/scope.c"

/* EXPECT_EQ(literal, uint64_t): the harness compares as written. */
#pragma GCC diagnostic ignored "-Wsign-compare"

#define PRESENT	(1ULL << 63)
#define SWAPPED	(1ULL << 62)
#define EXCL	(1ULL << 56)	/* page exclusively mapped: not part of the PFN */

TEST(pagemap_entries)
{
	uint64_t pfn = 7;

	EXPECT_TRUE(pagemap_pfn(PRESENT | 0x12345, &pfn));
	EXPECT_EQ(0x12345, pfn);
	/* Bits 55-60 are flags (soft-dirty, exclusive, uffd-wp...). */
	EXPECT_TRUE(pagemap_pfn(PRESENT | EXCL | (1ULL << 55) | 42, &pfn));
	EXPECT_EQ(42, pfn);
	EXPECT_TRUE(pagemap_pfn(PRESENT | ((1ULL << 55) - 1), &pfn));
	EXPECT_EQ((1ULL << 55) - 1, pfn);
	/* Not present, swapped, or a PFN hidden from an unprivileged reader. */
	EXPECT_FALSE(pagemap_pfn(0x12345, &pfn));
	EXPECT_FALSE(pagemap_pfn(PRESENT | SWAPPED | 0x12345, &pfn));
	EXPECT_FALSE(pagemap_pfn(PRESENT, &pfn));
}

TEST(smaps_lines)
{
	uint64_t a = 0, b = 0;

	EXPECT_TRUE(smaps_vma("7f0000000000-7f0000010000 rw-p 00000000 00:00 0 \n", &a, &b));
	EXPECT_EQ(0x7f0000000000ULL, a);
	EXPECT_EQ(0x7f0000010000ULL, b);
	EXPECT_TRUE(smaps_vma("55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1234   /usr/bin/x\n", &a, &b));
	EXPECT_FALSE(smaps_vma("Rss:                  64 kB\n", &a, &b));
	EXPECT_FALSE(smaps_vma("VmFlags: rd wr mr mw me ac lo\n", &a, &b));
	EXPECT_FALSE(smaps_vma("Locked:               64 kB\n", &a, &b));

	EXPECT_TRUE(smaps_locked("VmFlags: rd wr mr mw me lo ac sd\n"));
	EXPECT_TRUE(smaps_locked("VmFlags: rd wr lo\n"));
	EXPECT_TRUE(smaps_locked("VmFlags: lo"));
	EXPECT_FALSE(smaps_locked("VmFlags: rd wr mr mw me ac sd\n"));
	/* "lf" (VM_LOCKONFAULT) alone is not VM_LOCKED; no token inside another. */
	EXPECT_FALSE(smaps_locked("VmFlags: rd wr lf\n"));
	EXPECT_FALSE(smaps_locked("VmFlags: rd wr xlo lox\n"));
	EXPECT_FALSE(smaps_locked("Locked:               64 kB lo\n"));
}

TEST(pfn_sets)
{
	static const uint64_t in[] = { 50, 10, 30, 10, 20, 50, 1000 };
	struct pfnset s = { 0 };
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		pfnset_add(&s, in[i]);
	pfnset_seal(&s);
	ASSERT_EQ(5, s.n);
	EXPECT_EQ(10, s.v[0]);
	EXPECT_EQ(1000, s.v[4]);
	EXPECT_TRUE(pfnset_hits(&s, 10, 1));
	EXPECT_FALSE(pfnset_hits(&s, 11, 1));
	EXPECT_FALSE(pfnset_hits(&s, 0, 10));		/* [0, 10) */
	EXPECT_TRUE(pfnset_hits(&s, 0, 11));		/* [0, 11) holds 10 */
	EXPECT_TRUE(pfnset_hits(&s, 512, 512));		/* a THP's tail page */
	EXPECT_FALSE(pfnset_hits(&s, 1001, 512));
	EXPECT_FALSE(pfnset_hits(&s, 51, 9));
	/* Far past the last PFN: no wrap of the unsigned distance. */
	EXPECT_FALSE(pfnset_hits(&s, UINT64_MAX - 1, 1));
	pfnset_free(&s);
	EXPECT_FALSE(pfnset_hits(&s, 10, 1));
	pfnset_seal(&s);
	EXPECT_EQ(0, s.n);
}

TEST(folio_lines)
{
	struct folio_line f;

	ASSERT_TRUE(folio_line_parse("123456 0 1 1 3 1 1 1 1 345 1 locked overcount\n", &f));
	EXPECT_EQ(123456, f.pfn);
	EXPECT_EQ(0, f.order);
	EXPECT_EQ(1, f.nr_pages);
	EXPECT_EQ(1, f.mapcount);
	EXPECT_STREQ("1", f.locking_mms);
	EXPECT_STREQ("overcount", f.verdict);
	EXPECT_FALSE(folio_shared(&f));
	ASSERT_TRUE(folio_line_parse("4096 9 512 1 - 1 1 1 -1 0 3+ locked ok\n", &f));
	EXPECT_EQ(512, f.nr_pages);
	EXPECT_EQ(-1, f.mapcount);
	EXPECT_TRUE(folio_shared(&f));
	ASSERT_TRUE(folio_line_parse("77 0 1 1 1 1 1 1 2 9 1 locked ok", &f));
	EXPECT_TRUE(folio_shared(&f));			/* mapped twice */
	EXPECT_FALSE(folio_line_parse("format: 1\n", &f));
	EXPECT_FALSE(folio_line_parse("# pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict\n", &f));
	EXPECT_FALSE(folio_line_parse("12 0 1 1\n", &f));
}

/* The listing intersected with the PFNs read before and after it. */
TEST(intersection)
{
	struct pfnset before = { 0 }, after = { 0 };
	struct folio_line f = { .nr_pages = 1 };
	uint64_t p;

	for (p = 100; p < 116; p++) {
		pfnset_add(&before, p);
		if (p != 105)		/* 105 migrated away under the read */
			pfnset_add(&after, p);
	}
	pfnset_add(&after, 200);	/* ... to 200 */
	pfnset_seal(&before);
	pfnset_seal(&after);
	f.pfn = 100;
	EXPECT_EQ(1, folio_in_scope(&before, &after, &f));
	f.pfn = 105;
	EXPECT_EQ(-1, folio_in_scope(&before, &after, &f));
	f.pfn = 200;
	EXPECT_EQ(-1, folio_in_scope(&before, &after, &f));
	f.pfn = 99;
	EXPECT_EQ(0, folio_in_scope(&before, &after, &f));
	f.pfn = 116;
	EXPECT_EQ(0, folio_in_scope(&before, &after, &f));
	/* A large folio with one page the scope maps is the scope's. */
	f.pfn = 96;
	f.nr_pages = 8;
	EXPECT_EQ(1, folio_in_scope(&before, &after, &f));
	pfnset_free(&before);
	pfnset_free(&after);
}

TEST(pid_arguments)
{
	EXPECT_EQ(1, parse_pid("1"));
	EXPECT_EQ(4194304, parse_pid("4194304"));
	EXPECT_EQ(-1, parse_pid("0"));
	EXPECT_EQ(-1, parse_pid("-3"));
	EXPECT_EQ(-1, parse_pid("12x"));
	EXPECT_EQ(-1, parse_pid(""));
	EXPECT_EQ(-1, parse_pid("99999999999"));
}

static void consistent_scoped(struct sample *b, struct sample *s)
{
	memset(b, 0, sizeof(*b));
	b->nr_exact = b->ev_from_mod = b->mod = true;
	*s = *b;
	s->scope.on = b->scope.on = true;
	s->scope.listed = true;
	s->scope.nr_pids = 1;
	s->scope.charged = -1;
}

static const struct finding *finding(const struct check *c, const char *inv)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].invariant, inv))
			return &c->f[i];
	return NULL;
}

/* Only the scope's mismatches count; the global ones are not its. */
TEST(scoped_verdicts)
{
	struct sample b, s;
	struct check c;

	consistent_scoped(&b, &s);
	s.mod_mismatches = 3;		/* elsewhere in the kernel */
	check(&b, &s, true, &c);
	EXPECT_EQ(0, c.n);
	EXPECT_EQ(0, c.incomplete);
	EXPECT_EQ(EXIT_OK, exit_code(&c, -1));

	s.scope.mismatches = 1;
	snprintf(s.scope.first_mismatch, sizeof(s.scope.first_mismatch),
		 "123456 0 1 1 3 1 1 1 1 345 1 locked overcount");
	check(&b, &s, true, &c);
	ASSERT_NE(NULL, finding(&c, "module-verdicts"));
	EXPECT_EQ(1, finding(&c, "module-verdicts")->actual);
	EXPECT_TRUE(finding(&c, "module-verdicts")->scoped);
	EXPECT_NE(NULL, strstr(finding(&c, "module-verdicts")->detail, "123456 0 1"));
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, -1));

	/* The identity is global, in a scope too. */
	s.scope.mismatches = 0;
	s.nr_mlock = 5;
	check(&b, &s, true, &c);
	ASSERT_NE(NULL, finding(&c, "identity"));
	EXPECT_FALSE(finding(&c, "identity")->scoped);
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, -1));

	/* locked-vm: read_mms() kept the scope's processes; it is theirs. */
	s.nr_mlock = 0;
	s.mms = true;
	s.mms_excess_n = 1;
	s.mms_excess = 4;
	check(&b, &s, true, &c);
	ASSERT_NE(NULL, finding(&c, "locked-vm"));
	EXPECT_TRUE(finding(&c, "locked-vm")->scoped);
}

/* Folios that moved under the read, or a process gone: incomplete, not ok. */
TEST(scoped_incomplete)
{
	struct sample b, s;
	struct check c;

	consistent_scoped(&b, &s);
	s.scope.unstable = 2;
	check(&b, &s, true, &c);
	EXPECT_EQ(0, c.n);
	EXPECT_EQ(SRC_SCOPE, c.incomplete);
	EXPECT_NE(NULL, strstr(c.why, "2 folio(s)"));
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, -1));

	/* A stable mismatch is still judged beside the moving ones. */
	s.scope.mismatches = 1;
	check(&b, &s, true, &c);
	EXPECT_EQ(1, nr_judged(&c));
	EXPECT_EQ(EXIT_MISMATCH, exit_code(&c, -1));

	consistent_scoped(&b, &s);
	s.scope.gone = 1;
	check(&b, &s, true, &c);
	EXPECT_EQ(SRC_SCOPE, c.incomplete);
	EXPECT_NE(NULL, strstr(c.why, "exited"));
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, -1));

	/* An empty cgroup names nothing: not "consistent". */
	consistent_scoped(&b, &s);
	s.scope.nr_pids = 0;
	s.scope.charged = 0;
	check(&b, &s, true, &c);
	EXPECT_EQ(EXIT_INCOMPLETE, exit_code(&c, -1));
}

/* Without a scope, nothing changes: the global mismatches are judged. */
TEST(unscoped)
{
	struct sample b, s;
	struct check c;

	consistent_scoped(&b, &s);
	s.scope.on = false;
	s.scope.mismatches = 0;
	s.mod_mismatches = 2;
	check(&b, &s, true, &c);
	ASSERT_NE(NULL, finding(&c, "module-verdicts"));
	EXPECT_EQ(2, finding(&c, "module-verdicts")->actual);
	EXPECT_FALSE(finding(&c, "module-verdicts")->scoped);
}

TEST_HARNESS_MAIN
