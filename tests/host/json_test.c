// SPDX-License-Identifier: GPL-2.0
/* tools/lib/json.c: strings escaped as RFC 8259 section 7 requires. */
#include "kselftest_harness.h"

#include "tools/lib/json.c"

static char *json_of(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	json_str(f, s);
	fclose(f);
	return buf;
}

TEST(escapes)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "", "\"\"" },
		{ "plain text", "\"plain text\"" },
		{ "a \"quote\"", "\"a \\\"quote\\\"\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "tab\there", "\"tab\\there\"" },
		{ "line\nbreak\r", "\"line\\nbreak\\r\"" },
		{ "\b\f", "\"\\b\\f\"" },
		/* Other controls are never dropped: \u00XX. */
		{ "\x01x\x1f", "\"\\u0001x\\u001f\"" },
		{ "del\x7f", "\"del\x7f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "/", "\"/\"" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		EXPECT_STREQ(t[i].out, json_of(t[i].in)) TH_LOG("case %u", i);
}

TEST(null)
{
	EXPECT_STREQ("null", json_of(NULL));
}

TEST_HARNESS_MAIN
