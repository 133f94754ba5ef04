/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What BPF tools need of the running kernel, after the trace_helpers of
 * bcc's libbpf-tools: its text symbols, and whether fentry really
 * attaches to a function.
 */
#ifndef MW_TOOLS_TRACE_HELPERS_H
#define MW_TOOLS_TRACE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

struct ksym {
	const char *name;
	unsigned long long addr;
};

/* Sorted by address: a symbol's code ends where the next one's begins. */
struct ksyms {
	struct ksym *syms;
	size_t nr;
};

/*
 * The text symbols ('t', 'T') of /proc/kallsyms, or NULL with errno set.
 * Without the privilege to see addresses every one reads 0: then errno
 * is EPERM.
 */
struct ksyms *ksyms__load(void);
void ksyms__free(struct ksyms *ksyms);
/* The symbol whose code holds @addr, or NULL. */
const struct ksym *ksyms__map_addr(const struct ksyms *ksyms,
				   unsigned long long addr);
/* The symbol named exactly @name, or NULL. */
const struct ksym *ksyms__get_symbol(const struct ksyms *ksyms,
				     const char *name);
/* @sym is @name, or @name with a compiler clone suffix (".isra.0"). */
bool ksym_is(const char *sym, const char *name);

/*
 * Whether an fentry program attaches to vmlinux's @name on this kernel.
 * A function in BTF may still refuse (notrace, no trampoline support),
 * so this loads and attaches a minimal program, as libbpf-tools'
 * fentry_can_attach() does; the caller falls back to a kprobe when it
 * cannot. (No module argument: these tools trace vmlinux only.)
 */
bool fentry_can_attach(const char *name);

#endif /* MW_TOOLS_TRACE_HELPERS_H */
