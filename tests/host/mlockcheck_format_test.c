// SPDX-License-Identifier: GPL-2.0
/*
 * mlockcheck refuses a module whose views are in a format it was not
 * written for (include/mlockwatch/format.h), naming the view and both
 * versions, and accepts its own: module_format_check() of sample.c over
 * a directory laid out as /sys/kernel/debug/mlockwatch/.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "kselftest_harness.h"

#include "tools/mlockcheck/judge.c"
#include "tools/mlockcheck/sample.c"

static void put(const char *dir, const char *view, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, view);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

FIXTURE(views) {
	char dir[64];
	char msg[256];
	char line[64];
};

/* The views as this build of the module writes them. */
FIXTURE_SETUP(views)
{
	snprintf(self->dir, sizeof(self->dir), "/tmp/mc-format-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->line, sizeof(self->line), "format: %d\nversion: x\n",
		 MLOCKWATCH_SUMMARY_FORMAT);
	put(self->dir, "summary", self->line);
	snprintf(self->line, sizeof(self->line), "format: %d\n# pfn ...\n",
		 MLOCKWATCH_FOLIOS_FORMAT);
	put(self->dir, "mismatches", self->line);
	snprintf(self->line, sizeof(self->line), "format: %d\n# pid ...\n",
		 MLOCKWATCH_MMS_FORMAT);
	put(self->dir, "mms", self->line);
}

FIXTURE_TEARDOWN(views)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

TEST_F(views, its_own_formats_pass)
{
	EXPECT_EQ(0, module_format_check(self->dir, self->msg, sizeof(self->msg)))
		TH_LOG("%s", self->msg);
}

TEST_F(views, an_older_module_without_mms_passes)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/mms", self->dir);
	ASSERT_EQ(0, unlink(path));
	EXPECT_EQ(0, module_format_check(self->dir, self->msg, sizeof(self->msg)))
		TH_LOG("%s", self->msg);
}

TEST_F(views, a_newer_summary_is_refused_naming_both_versions)
{
	char want[200];

	snprintf(self->line, sizeof(self->line), "format: %d\nversion: x\n",
		 MLOCKWATCH_SUMMARY_FORMAT + 1);
	put(self->dir, "summary", self->line);
	ASSERT_NE(0, module_format_check(self->dir, self->msg, sizeof(self->msg)));
	snprintf(want, sizeof(want), "mlockwatch's summary view is format %d, but this mlockcheck reads format %d only",
		 MLOCKWATCH_SUMMARY_FORMAT + 1, MLOCKWATCH_SUMMARY_FORMAT);
	EXPECT_EQ(0, strncmp(self->msg, want, strlen(want))) TH_LOG("%s", self->msg);
	EXPECT_EQ(NULL, strchr(self->msg, '\n'));
}

TEST_F(views, an_older_mms_is_refused)
{
	put(self->dir, "mms", "format: 0\n");
	ASSERT_NE(0, module_format_check(self->dir, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "mms view is format 0")) TH_LOG("%s", self->msg);
}

TEST_F(views, a_missing_or_garbled_format_line_is_refused)
{
	static const char *const bad[] = {
		"", "version: 0.1\n", "format: 1x\n", "format:\n", "format: 1",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(self->dir, "mismatches", bad[i]);
		EXPECT_NE(0, module_format_check(self->dir, self->msg, sizeof(self->msg)))
			TH_LOG("case %u", i);
		EXPECT_NE(NULL, strstr(self->msg, "mismatches view does not start with a 'format: N' line"))
			TH_LOG("case %u: %s", i, self->msg);
	}
}

TEST_F(views, an_unreadable_required_view_is_refused)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/summary", self->dir);
	ASSERT_EQ(0, unlink(path));
	EXPECT_NE(0, module_format_check(self->dir, self->msg, sizeof(self->msg)));
	EXPECT_NE(NULL, strstr(self->msg, "cannot read ")) TH_LOG("%s", self->msg);
}

TEST_HARNESS_MAIN
