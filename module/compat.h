/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compat layer: the only place that knows which kernel we run on.
 * Each hook role has an ordered list of candidate symbols (newest kernel
 * first) with a decoder for that symbol's signature; the first symbol the
 * kernel has wins. Decoders turn raw arguments into struct mw_args, so
 * the rest of the module is written once against that.
 */
#ifndef MLOCKWATCH_COMPAT_H
#define MLOCKWATCH_COMPAT_H

#include <linux/ftrace.h>
#include <linux/mm_types.h>
#include <linux/slab.h>

#define MW_MAX_ARGS	6

/*
 * The shadow table's kmem_cache must not be merged with another cache of
 * the same size: unmerged, its footprint is its own line in
 * /proc/slabinfo and failslab can target it alone. 6.5+ says so with a
 * flag. Before it, a cache with a usercopy region is never merged; a
 * constructor would do too, but makes SLUB append its free pointer to
 * every object (8 more bytes per object, measured on 6.1).
 */
#ifdef SLAB_NO_MERGE
#define MW_SLAB_NO_MERGE_FLAGS		SLAB_NO_MERGE
#define MW_SLAB_NO_MERGE_USERCOPY	false
#else
#define MW_SLAB_NO_MERGE_FLAGS		0
#define MW_SLAB_NO_MERGE_USERCOPY	true
#endif

/* The operations a mlock batch entry asks for (the pointer's low bits). */
enum mw_batch_op {
	MW_BATCH_MUNLOCK,
	MW_BATCH_MLOCK,		/* LRU_PAGE / LRU_FOLIO */
	MW_BATCH_MLOCK_NEW,	/* NEW_PAGE / NEW_FOLIO */
};

/* Above PAGEVEC_SIZE of every supported kernel (15 on 6.1, 31 on 6.12). */
#define MW_BATCH_MAX	32

/* A mlock batch as the batch processor finds it on entry. */
struct mw_batch {
	unsigned int nr;
	struct folio *folio[MW_BATCH_MAX];
	u8 op[MW_BATCH_MAX];
};

/* What a hooked call means, whatever the kernel spelled it as. */
struct mw_args {
	struct folio *folio;
	struct vm_area_struct *vma;
	long nr_pages;		/* pages the call covers (rmap), signed (charges) */
	bool munlocks_whole;	/* rmap remove: the kernel then munlocks the folio */
	int cpu;		/* drain_remote: the dead CPU, or -1 */
	struct mw_batch *batch;	/* batch: filled in if the caller gives one */
};

typedef void (*mw_decode_t)(const unsigned long *raw, struct mw_args *out);

struct mw_symbol {
	const char *name;
	mw_decode_t decode;
};

enum mw_mech {
	MW_MECH_FTRACE,
	MW_MECH_KRETPROBE,
	MW_MECH_TRACEPOINT,
};

enum mw_role {
	MW_ROLE_MLOCK,		/* mlock_folio */
	MW_ROLE_MLOCK_NEW,	/* mlock_new_folio / mlock_new_page */
	MW_ROLE_BATCH,		/* mlock_folio_batch / mlock_pagevec */
	MW_ROLE_DRAIN_REMOTE,	/* mlock_drain_remote / mlock_page_drain_remote */
	MW_ROLE_NR_MLOCK_WRITE,	/* mod_zone_page_state */
	MW_ROLE_FREE,		/* tracepoint mm_page_free */
	MW_ROLE_SPLIT,		/* split_huge_page_to_list(_to_order) */
	MW_ROLE_RMAP_ADD,	/* page/folio add rmap: attribution only */
	MW_ROLE_RMAP_REMOVE,	/* page/folio remove rmap: attribution only */
	MW_ROLE_DRIVER_LOCKED_VM,	/* __account_locked_vm: a driver's DMA pins */
	MW_NR_ROLES,
};

/* Hook flags. */
#define MW_HOOK_REQUIRED	BIT(0)	/* loading fails without it */
#define MW_HOOK_RMAP		BIT(1)	/* switched by the rmap_hooks parameter */
#define MW_HOOK_WRITERS		BIT(2)	/* switched by attribute_writers */

struct mw_hook_desc {
	const char *label;		/* a name for the hooks view */
	enum mw_role role;
	enum mw_mech mech;
	unsigned int flags;
	const struct mw_symbol *symbols;	/* ordered, { } terminated */
};

extern const struct mw_hook_desc mw_hook_descs[];
extern const unsigned int mw_nr_hook_descs;

/* Where callers of the NR_MLOCK writer live; see mw_classify_caller(). */
enum mw_cause {
#define MW_CAUSE(id, ...) MW_CAUSE_##id,
#include <mlockwatch/causes.h>
#undef MW_CAUSE
	MW_NR_CAUSES,
};

enum mw_cause mw_classify_caller(const char *func);

int mw_folio_mapcount(struct folio *folio);

/*
 * Argument N of a function entered through ftrace. Inline: the handler
 * reads every argument of every hit (an out-of-line call each was 1.5% of
 * the mlock+munlock bench's profile on 6.1).
 */
static __always_inline unsigned long mw_fregs_arg(struct ftrace_regs *fregs,
						  unsigned int n)
{
#ifdef ftrace_regs_get_argument
	return ftrace_regs_get_argument(fregs, n);
#else
	/* 6.1: x86 ftrace_regs is a pt_regs with the argument registers. */
	return regs_get_kernel_argument(&fregs->regs, n);
#endif
}

/*
 * The word of page flags, for test_bit() on a page that may be a tail or
 * free page (where the folio helpers would look at a head or complain).
 * 7.0 wrapped it in memdesc_flags_t.
 */
static __always_inline unsigned long *mw_page_flags(struct page *page)
{
#ifdef MW_PAGE_FLAGS_MEMDESC
	return &page->flags.f;
#else
	return &page->flags;
#endif
}

void *mw_entry_alloc(struct kmem_cache *cache, size_t size);
void mw_entry_free(struct kmem_cache *cache, void *entry);
const char *mw_entry_allocator(void);

/* Extra ftrace_ops flags this kernel needs for arguments to be saved. */
extern const unsigned long mw_ftrace_arg_flags;

#endif /* MLOCKWATCH_COMPAT_H */
