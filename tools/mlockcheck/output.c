// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "output.h"
#include "sample.h"

static bool json;
static FILE *csv;
static const char *scope;

void output_init(bool as_json, FILE *csv_file, const char *scope_label)
{
	json = as_json;
	csv = csv_file;
	scope = scope_label;
}

void print_header(void)
{
	if (!json && scope)
		printf("scope: %s; NR_MLOCK to MISM are global (the whole kernel), S_* the scope's\n", scope);
	if (!json)
		printf("%8s %10s %8s %10s %10s %8s %10s %6s%s  %s\n", "TIME(s)",
		       "NR_MLOCK", "IDENTITY", "dNR_MLOCK", "BPF_ATTR",
		       "UNATTR", "MODULE", "MISM",
		       scope ? "     S_LCKD   S_MLCKD S_MISM" : "", "VERDICT");
	if (csv)
		fprintf(csv, "time,nr_mlock,identity_diff,nr_mlock_delta,bpf_attributed,bpf_unattributed,module_witnessed,verdict\n");
}

static const char *scope_mism(const struct sample *s)
{
	static char buf[24];

	snprintf(buf, sizeof(buf), "%ld", s->scope.mismatches);
	return buf;
}

static void json_num(const char *key, long long v, bool known)
{
	if (known)
		printf("\"%s\":%lld,", key, v);
	else
		printf("\"%s\":null,", key);
}

/*
 * The scope's figures: from the kernel alone (smaps, pagemap, kpageflags,
 * kpagecgroup), then from mlockwatch's listing filtered by its PFNs.
 */
static void print_scope_json(const struct sample *s)
{
	const struct scope_reading *r = &s->scope;
	bool cg = r->charged >= 0;

	printf("\"scope\":{\"target\":");
	json_str(stdout, scope);
	printf(",\"processes\":%d,\"exited\":%d,", r->nr_pids, r->gone);
	json_num("vmlck_pages", r->vmlck, true);
	json_num("locked_vma_pages", r->locked_vma, true);
	json_num("locked_present_pages", r->locked_present, true);
	json_num("locked_mlocked_pages", r->locked_mlocked, r->locked_mlocked >= 0);
	json_num("charged_pages", r->charged, cg);
	json_num("charged_mlocked_pages", r->charged_mlocked, cg);
	json_num("module_folios", r->folios, r->listed && r->folios >= 0);
	json_num("module_mismatches", r->mismatches, r->listed);
	json_num("module_mismatches_shared", r->shared, r->listed);
	printf("\"unstable_folios\":%ld}", r->unstable);
}

/* A figure as a column: @unknown ("-" in text, "" in CSV) when not known. */
static const char *col(char *buf, size_t size, long long v, bool known,
		       const char *unknown)
{
	if (known)
		snprintf(buf, size, "%lld", v);
	else
		snprintf(buf, size, "%s", unknown);
	return buf;
}

void print_row(const struct sample *b, const struct sample *s,
	       const struct check *c, const char *verdict)
{
	/*
	 * The witnesses' figures of a hook not attached (-w, the module's
	 * attribute_writers) are zeros, not readings: not known.
	 */
	bool bpf = s->bpf_writers, mw = s->mod && s->mod_writers;
	char ba[24], bu[24], mwit[24], mm[24];
	struct figures g;

	figures(b, s, &g);
	if (json) {
		printf("{\"version\":%d,\"time\":%.2f,\"nr_mlock\":%lld,\"nr_mlock_exact\":%s,\"identity_diff\":%lld,"
		       "\"nr_mlock_delta\":%lld,",
		       MLOCKCHECK_JSON_VERSION, s->t, s->nr_mlock, s->nr_exact ? "true" : "false", g.identity,
		       g.d_nr);
		json_num("bpf_attributed", g.bpf_attr, bpf);
		json_num("bpf_unattributed", g.bpf_unattr, bpf);
		json_num("module_witnessed", g.mod_witnessed, mw);
		json_num("module_mismatches", s->mod_mismatches, s->mod);
		json_num("locked_vm_mismatched_mms", s->mms_excess_n + s->mms_deficit_n, s->mms);
		if (scope) {
			print_scope_json(s);
			putchar(',');
		}
		printf("\"differences\":%d,\"verdict\":\"%s\"}\n", c->n, verdict);
	} else {
		char sc[48] = "";

		if (scope)
			snprintf(sc, sizeof(sc), " %10lld %9lld %6s",
				 s->scope.locked_present, s->scope.locked_mlocked,
				 s->scope.listed ? scope_mism(s) : "-");
		printf("%8.2f %10lld %8lld %10lld %10s %8s %10s %6s%s  %s\n",
		       s->t, s->nr_mlock, g.identity, g.d_nr,
		       col(ba, sizeof(ba), g.bpf_attr, bpf, "-"),
		       col(bu, sizeof(bu), g.bpf_unattr, bpf, "-"),
		       col(mwit, sizeof(mwit), g.mod_witnessed, mw, "-"),
		       col(mm, sizeof(mm), s->mod_mismatches, s->mod, "-"), sc, verdict);
	}
	/* A figure not known is empty, as JSON's null: never a 0. */
	if (csv)
		fprintf(csv, "%.2f,%lld,%lld,%lld,%s,%s,%s,%s\n", s->t,
			s->nr_mlock, g.identity, g.d_nr,
			col(ba, sizeof(ba), g.bpf_attr, bpf, ""),
			col(bu, sizeof(bu), g.bpf_unattr, bpf, ""),
			col(mwit, sizeof(mwit), g.mod_witnessed, mw, ""), verdict);
	fflush(stdout);
}

/*
 * The error lines of one of mlockwatch's views, for the report: the
 * mismatches view (PFNs and pids) or the mms view (pids), at most @max.
 */
static void print_module_lines(FILE *out, const char *view, int max)
{
	char path[128], line[512];
	bool mms = !strcmp(view, "mms");
	struct mms_line m;
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), MW_DIR "/%s", view);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "format:", 7) || line[0] == '#')
			continue;
		if (mms && !mms_error_line(line, &m))
			continue;
		if (n++ < max)
			fprintf(out, "    %s", line);
	}
	if (f)
		fclose(f);
	if (n > max)
		fprintf(out, "    (%d more not shown: %s has them all)\n", n - max, path);
}

static bool has_finding(const struct check *c, const char *invariant)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->f[i].invariant, invariant))
			return true;
	return false;
}

static void print_final_json(const struct check *c, const struct final *fin)
{
	int i;

	printf("{\"version\":%d,\"final\":true,\"mode\":\"%s\",\"exact\":%s,\"module\":%s,",
	       MLOCKCHECK_JSON_VERSION, fin->mode, fin->exact ? "true" : "false",
	       fin->have_mod ? "true" : "false");
	printf("\"verdict\":\"%s\",\"exit\":%d,", exit_name(fin->code), fin->code);
	if (scope) {
		struct figures g;

		figures(fin->last, fin->last, &g);
		printf("\"global\":{\"identity_diff\":%lld,\"module_mismatches\":", g.identity);
		if (fin->last->mod)
			printf("%ld},", fin->last->mod_mismatches);
		else
			printf("null},");
		print_scope_json(fin->last);
		printf(",\"scope_folio_pfns\":");
		if (fin->last->scope.folios >= 0)
			scope_print_pfns(stdout);
		else
			printf("null");
		putchar(',');
	}
	if (fin->cmd_status >= 0)
		printf("\"cmd_status\":%d,", fin->cmd_status);
	printf("\"incomplete_reason\":");
	json_str(stdout, c->incomplete ? c->why : "");
	printf(",\"notes\":");
	json_str(stdout, fin->notes);
	printf(",\"mismatches\":[");
	for (i = 0; i < c->n; i++) {
		printf("%s{\"invariant\":\"%s\",\"expected\":%lld,\"actual\":%lld,\"delta\":%lld,\"judged\":%s,",
		       i ? "," : "", c->f[i].invariant, c->f[i].expected,
		       c->f[i].actual, c->f[i].actual - c->f[i].expected,
		       judged(c, i) ? "true" : "false");
		if (scope)
			printf("\"scope\":%s,", c->f[i].scoped ? "true" : "false");
		printf("\"detail\":");
		json_str(stdout, c->f[i].detail);
		putchar('}');
	}
	printf("]}\n");
}

static void print_scope_text(FILE *out, const struct sample *s)
{
	const struct scope_reading *r = &s->scope;
	struct figures g;

	fprintf(out, "scope %s: %d process(es)%s, VmLck %lld pages, VM_LOCKED VMAs %lld pages, %lld present, %lld PG_mlocked",
		scope, r->nr_pids, r->gone ? " (some exited)" : "", r->vmlck,
		r->locked_vma, r->locked_present, r->locked_mlocked);
	if (r->charged >= 0)
		fprintf(out, "; %lld pages charged, %lld PG_mlocked", r->charged, r->charged_mlocked);
	if (r->listed && r->folios >= 0)
		fprintf(out, "; mlockwatch: %ld folio(s), %ld mismatch(es)", r->folios, r->mismatches);
	else if (r->listed)
		fprintf(out, "; mlockwatch: %ld mismatch(es)", r->mismatches);
	fputc('\n', out);
	figures(s, s, &g);
	fprintf(out, "global: identity_diff %lld", g.identity);
	if (s->mod)
		fprintf(out, ", mlockwatch's mismatches %ld folio(s) in all", s->mod_mismatches);
	fputc('\n', out);
}

void print_final(const struct check *c, const struct final *fin)
{
	if (json)
		print_final_json(c, fin);
	else
		print_final_text(stdout, c, fin);
}

void print_final_text(FILE *out, const struct check *c, const struct final *fin)
{
	int i;

	if (*fin->notes)
		fprintf(out, "note: %s\n", fin->notes);
	if (scope)
		print_scope_text(out, fin->last);
	/* Not judged: it relies on something that is incomplete (below). */
	for (i = 0; i < c->n; i++)
		fprintf(out, "%s %s%s: expected %lld, actual %lld, delta %+lld: %s\n",
			judged(c, i) ? "MISMATCH" : "NOT JUDGED",
			c->f[i].invariant,
			!scope ? "" : c->f[i].scoped ? " (scope)" : " (global)",
			c->f[i].expected, c->f[i].actual,
			c->f[i].actual - c->f[i].expected, c->f[i].detail);
	if (scope && has_finding(c, "module-verdicts")) {
		fprintf(out, "  mlockwatch mismatches of %s (pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict):\n", scope);
		scope_print_lines(out, 20);
	} else if (has_finding(c, "module-verdicts")) {
		fprintf(out, "  mlockwatch mismatches (pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict):\n");
		print_module_lines(out, "mismatches", 20);
	}
	if (has_finding(c, "locked-vm")) {
		fprintf(out, "  mlockwatch mms (pid comm locked_vm vm_locked_pages delta verdict):\n");
		print_module_lines(out, "mms", 20);
	}
	if (c->incomplete)
		fprintf(out, "INCOMPLETE: %s\n", c->why);
	if (fin->cmd_status >= 0)
		fprintf(out, "command exited %d\n", fin->cmd_status);
	fprintf(out, "mlockcheck: %s%s%s\n",
	        fin->code == EXIT_MISMATCH ? "MISMATCH" :
	        fin->code == EXIT_INCOMPLETE ? "INCOMPLETE" :
	        fin->code == EXIT_CMD ? "consistent, but the command failed" : "consistent",
	        fin->exact ? " (exact, after a drain)" : "",
	        fin->have_mod ? "" : " (without mlockwatch.ko: BPF and vmstat only)");
}
