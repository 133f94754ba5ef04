// SPDX-License-Identifier: GPL-2.0
/*
 * folios_bin_test: mlockfolios's reader of folios.bin (tools/mlockfolios/
 * folios_bin.c) on files laid out as format.h says: a good file, a file
 * of a later build (a longer header and longer records, which it steps
 * over), and every file it must refuse with a reason: not folios.bin,
 * another format, a header or a record cut short. Its verdict and state
 * names are the module's (module/verdict.c, which the module prints in
 * the folios view), number for number.
 */
#include "kshim.h"
#include "module/verdict.c"

#include "tools/mlockfolios/folios_bin.c"

#include "kselftest_harness.h"

struct file {
	char buf[512];
	size_t len;
};

static void put(struct file *f, const void *p, size_t n)
{
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

static void header(struct file *f, unsigned int format, unsigned int hsize,
		   unsigned int rsize)
{
	struct mw_folios_bin_header h = {
		.magic = MLOCKWATCH_FOLIOS_BIN_MAGIC,
		.format = format,
		.header_size = hsize,
		.record_size = rsize,
	};
	char zero[64] = { 0 };

	put(f, &h, sizeof(h));
	put(f, zero, hsize - sizeof(h));
}

static void record(struct file *f, unsigned long long pfn, unsigned int verdict,
		   unsigned int rsize)
{
	struct mw_folio_record r = {
		.pfn = pfn, .shadow = 1, .kernel_count = -1, .order = 9,
		.state = MW_ST_LOCKED, .verdict = verdict,
	};
	char pad[64];

	memset(pad, 0xee, sizeof(pad));
	put(f, &r, sizeof(r));
	put(f, pad, rsize - sizeof(r));
}

/* Open @f and read every record; the reasons are left in @err. */
static int read_all(struct file *f, unsigned long long *pfns, int max,
		    char *err, size_t len, int *n)
{
	FILE *s = fmemopen(f->buf, f->len ? f->len : 1, "r");
	struct mw_folio_record r;
	struct fb_reader rd;
	int got;

	*n = 0;
	if (!f->len)
		fgetc(s);	/* an empty stream: fmemopen needs a size */
	if (fb_open(&rd, s, "t.bin", err, len)) {
		fclose(s);
		return -1;
	}
	while ((got = fb_next(&rd, &r, err, len)) > 0)
		if (*n < max)
			pfns[(*n)++] = r.pfn;
	fclose(s);
	return got;
}

TEST(this_build)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[4];
	char err[256] = "";
	int n;

	header(&f, MLOCKWATCH_FOLIOS_BIN_FORMAT, sizeof(struct mw_folios_bin_header),
	       sizeof(struct mw_folio_record));
	record(&f, 100, MW_V_OK, sizeof(struct mw_folio_record));
	record(&f, 200, MW_V_OVERCOUNT, sizeof(struct mw_folio_record));
	ASSERT_EQ(0, read_all(&f, pfns, 4, err, sizeof(err), &n)) TH_LOG("%s", err);
	ASSERT_EQ(2, n);
	EXPECT_EQ(100ULL, pfns[0]);
	EXPECT_EQ(200ULL, pfns[1]);
}

TEST(later_build_longer_header_and_records)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[4];
	char err[256] = "";
	int n;

	header(&f, MLOCKWATCH_FOLIOS_BIN_FORMAT, sizeof(struct mw_folios_bin_header) + 16,
	       sizeof(struct mw_folio_record) + 8);
	record(&f, 7, MW_V_PENDING, sizeof(struct mw_folio_record) + 8);
	record(&f, 8, MW_V_PENDING, sizeof(struct mw_folio_record) + 8);
	record(&f, 9, MW_V_PENDING, sizeof(struct mw_folio_record) + 8);
	ASSERT_EQ(0, read_all(&f, pfns, 4, err, sizeof(err), &n)) TH_LOG("%s", err);
	ASSERT_EQ(3, n);
	EXPECT_EQ(9ULL, pfns[2]);
}

TEST(not_folios_bin)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[1];
	char err[256] = "";
	int n;

	put(&f, "format: 1\n# pfn order nr_pages\n", 31);
	ASSERT_EQ(-1, read_all(&f, pfns, 1, err, sizeof(err), &n));
	EXPECT_STREQ("t.bin is not mlockwatch's folios.bin (no MWFOLIOS magic)", err);
	f.len = 0;
	ASSERT_EQ(-1, read_all(&f, pfns, 1, err, sizeof(err), &n));
	EXPECT_STREQ("t.bin is not mlockwatch's folios.bin (empty)", err);
}

TEST(another_format)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[1];
	char err[256] = "", want[256];
	int n;

	header(&f, MLOCKWATCH_FOLIOS_BIN_FORMAT + 1, sizeof(struct mw_folios_bin_header),
	       sizeof(struct mw_folio_record));
	ASSERT_EQ(-1, read_all(&f, pfns, 1, err, sizeof(err), &n));
	snprintf(want, sizeof(want), "t.bin is folios.bin format %d, but this mlockfolios reads format %d only: use the mlockfolios built with that mlockwatch",
		 MLOCKWATCH_FOLIOS_BIN_FORMAT + 1, MLOCKWATCH_FOLIOS_BIN_FORMAT);
	EXPECT_STREQ(want, err);
}

TEST(sizes_below_this_build)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[1];
	char err[256] = "";
	int n;

	header(&f, MLOCKWATCH_FOLIOS_BIN_FORMAT, sizeof(struct mw_folios_bin_header),
	       sizeof(struct mw_folio_record) - 4);
	ASSERT_EQ(-1, read_all(&f, pfns, 1, err, sizeof(err), &n));
	EXPECT_STREQ("t.bin: bad sizes in its header (header 32, record 28 bytes)", err);
}

TEST(cut_short)
{
	struct file f = { .len = 0 };
	unsigned long long pfns[4];
	char err[256] = "";
	int n;

	header(&f, MLOCKWATCH_FOLIOS_BIN_FORMAT, sizeof(struct mw_folios_bin_header),
	       sizeof(struct mw_folio_record));
	record(&f, 1, MW_V_OK, sizeof(struct mw_folio_record));
	record(&f, 2, MW_V_OK, sizeof(struct mw_folio_record));
	f.len -= 5;
	ASSERT_EQ(-1, read_all(&f, pfns, 4, err, sizeof(err), &n));
	EXPECT_EQ(1, n);
	EXPECT_STREQ("t.bin: record 2 is cut short", err);
	f.len = 20;
	ASSERT_EQ(-1, read_all(&f, pfns, 4, err, sizeof(err), &n));
	EXPECT_STREQ("t.bin: its header is cut short, at 20 bytes", err);
}

/* Number for number, the names the module prints in the folios view. */
TEST(names_are_the_modules)
{
	unsigned int v, s;

	for (v = 0; v < MW_NR_VERDICTS; v++) {
		EXPECT_STREQ(mw_verdict_name(v), fb_verdict_name(v));
		EXPECT_EQ(mw_verdict_is_error(v), fb_verdict_is_error(v));
		EXPECT_EQ((int)v, fb_verdict_of(mw_verdict_name(v)));
	}
	EXPECT_STREQ("?", fb_verdict_name(MW_NR_VERDICTS));
	EXPECT_FALSE(fb_verdict_is_error(MW_NR_VERDICTS));
	EXPECT_EQ(-1, fb_verdict_of("no-such-verdict"));
	/* The states: the module's names are table.c's, from the same list. */
	for (s = 0; s < MW_NR_STATES; s++)
		EXPECT_EQ((int)s, fb_state_of(fb_state_name(s)));
	EXPECT_STREQ("unlocked-pending", fb_state_name(MW_ST_UNLOCKED_PENDING));
	EXPECT_STREQ("?", fb_state_name(MW_NR_STATES));
}

TEST_HARNESS_MAIN
