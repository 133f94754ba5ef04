// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "folios_bin.h"

enum {
#define MW_VERDICT(id, ...) FB_V_##id,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
	FB_NR_VERDICTS,
};

static const char *const verdict_names[] = {
#define MW_VERDICT(id, name) [FB_V_##id] = #name,
#include <mlockwatch/verdicts.h>
#undef MW_VERDICT
};

static const char *const state_names[] = {
#define MW_STATE(id, name) #name,
#include <mlockwatch/verdicts.h>
#undef MW_STATE
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

const char *fb_verdict_name(unsigned int v)
{
	return v < NR(verdict_names) ? verdict_names[v] : "?";
}

const char *fb_state_name(unsigned int s)
{
	return s < NR(state_names) ? state_names[s] : "?";
}

/* As the module's mw_verdict_is_error(): the errors come last. */
bool fb_verdict_is_error(unsigned int v)
{
	return v >= FB_V_UNWITNESSED_SET && v < FB_NR_VERDICTS;
}

static int index_of(const char *const *names, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int fb_verdict_of(const char *name)
{
	return index_of(verdict_names, NR(verdict_names), name);
}

int fb_state_of(const char *name)
{
	return index_of(state_names, NR(state_names), name);
}

int fb_open(struct fb_reader *r, FILE *f, const char *name, char *err,
	    size_t len)
{
	struct mw_folios_bin_header h;
	size_t got;

	memset(r, 0, sizeof(*r));
	r->f = f;
	r->name = name;
	got = fread(&h, 1, sizeof(h), f);
	if (got < sizeof(h.magic) ||
	    memcmp(h.magic, MLOCKWATCH_FOLIOS_BIN_MAGIC, sizeof(h.magic))) {
		snprintf(err, len, "%s is not mlockwatch's folios.bin (%s)", name,
			 got ? "no MWFOLIOS magic" : "empty");
		return -1;
	}
	if (got < sizeof(h)) {
		snprintf(err, len, "%s: its header is cut short, at %zu bytes", name, got);
		return -1;
	}
	if (h.format != MLOCKWATCH_FOLIOS_BIN_FORMAT) {
		snprintf(err, len, "%s is folios.bin format %u, but this mlockfolios reads format %d only: use the mlockfolios built with that mlockwatch",
			 name, h.format, MLOCKWATCH_FOLIOS_BIN_FORMAT);
		return -1;
	}
	/* A later build may append fields: step by its sizes, read ours. */
	if (h.header_size < sizeof(h) || h.record_size < sizeof(struct mw_folio_record) ||
	    h.header_size > 4096 || h.record_size > 4096) {
		snprintf(err, len, "%s: bad sizes in its header (header %u, record %u bytes)",
			 name, h.header_size, h.record_size);
		return -1;
	}
	r->header_size = h.header_size;
	r->record_size = h.record_size;
	for (got = sizeof(h); got < h.header_size; got++)
		if (fgetc(f) == EOF) {
			snprintf(err, len, "%s: its header is cut short, at %zu bytes", name, got);
			return -1;
		}
	return 0;
}

int fb_next(struct fb_reader *r, struct mw_folio_record *out, char *err,
	    size_t len)
{
	size_t got = fread(out, 1, sizeof(*out), r->f), i;

	if (!got && feof(r->f))
		return 0;
	if (got < sizeof(*out))
		goto short_record;
	for (i = sizeof(*out); i < r->record_size; i++)
		if (fgetc(r->f) == EOF)
			goto short_record;
	r->records++;
	return 1;
short_record:
	snprintf(err, len, "%s: record %llu is cut short%s", r->name, r->records + 1,
		 ferror(r->f) ? " (read error)" : "");
	return -1;
}
