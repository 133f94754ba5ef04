// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "trace_helpers.h"

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

void ksyms__free(struct ksyms *ksyms)
{
	size_t i;

	if (!ksyms)
		return;
	for (i = 0; i < ksyms->nr; i++)
		free((char *)ksyms->syms[i].name);
	free(ksyms->syms);
	free(ksyms);
}

static int ksyms__add(struct ksyms *ksyms, size_t *cap, const char *name,
		      unsigned long long addr)
{
	if (ksyms->nr == *cap) {
		size_t n = *cap ? *cap * 2 : 65536;
		struct ksym *p = realloc(ksyms->syms, n * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ksyms->syms = p;
		*cap = n;
	}
	ksyms->syms[ksyms->nr].name = strdup(name);
	if (!ksyms->syms[ksyms->nr].name)
		return -ENOMEM;
	ksyms->syms[ksyms->nr++].addr = addr;
	return 0;
}

struct ksyms *ksyms__load(void)
{
	struct ksyms *ksyms = calloc(1, sizeof(*ksyms));
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char name[256], type;
	size_t cap = 0;
	int err = 0;

	if (!ksyms || !f) {
		err = errno;
		goto fail;
	}
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (type != 't' && type != 'T')
			continue;
		err = -ksyms__add(ksyms, &cap, name, addr);
		if (err)
			goto fail;
	}
	fclose(f);
	f = NULL;
	if (!ksyms->nr || !ksyms->syms[0].addr) {
		err = ksyms->nr ? EPERM : ENOENT;
		goto fail;
	}
	qsort(ksyms->syms, ksyms->nr, sizeof(*ksyms->syms), ksym_cmp);
	return ksyms;
fail:
	if (f)
		fclose(f);
	ksyms__free(ksyms);
	errno = err;
	return NULL;
}

const struct ksym *ksyms__map_addr(const struct ksyms *ksyms,
				   unsigned long long addr)
{
	size_t lo = 0, hi = ksyms->nr;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ksyms->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return ksyms->nr && ksyms->syms[lo].addr <= addr ? &ksyms->syms[lo] : NULL;
}

const struct ksym *ksyms__get_symbol(const struct ksyms *ksyms,
				     const char *name)
{
	size_t i;

	for (i = 0; i < ksyms->nr; i++)
		if (!strcmp(ksyms->syms[i].name, name))
			return &ksyms->syms[i];
	return NULL;
}

bool ksym_is(const char *sym, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(sym, name, n) && (sym[n] == '\0' || sym[n] == '.');
}

static bool fentry_try_attach(int id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		.expected_attach_type = BPF_TRACE_FENTRY,
		.attach_btf_id = id,
	);
	int prog_fd, link_fd;

	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "probe", "GPL", insns,
				sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog_fd < 0)
		return false;
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return link_fd >= 0;
}

bool fentry_can_attach(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, name, BTF_KIND_FUNC);
	btf__free(btf);
	return id > 0 && fentry_try_attach(id);
}
