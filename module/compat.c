// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-version differences, in one place: ordered symbol tables and the
 * decoders for each signature. What each kernel has: docs/kernel-map.md.
 */
#include <linux/version.h>
#include <linux/ftrace.h>
#include <linux/huge_mm.h>
#include <linux/mm.h>
#ifdef MW_HAVE_FOLIO_BATCH_H
#include <linux/folio_batch.h>
#else
#include <linux/pagevec.h>
#endif
#include <linux/rmap.h>
#include <linux/string.h>

#include "compat.h"

#ifdef FTRACE_OPS_FL_SAVE_ARGS
const unsigned long mw_ftrace_arg_flags = FTRACE_OPS_FL_SAVE_ARGS;
#else
const unsigned long mw_ftrace_arg_flags;
#endif

/*
 * The folio's mapcount. 6.1's folio_mapcount() is out of line and not
 * exported, so this is its body (mm/util.c); later kernels inline it.
 */
int mw_folio_mapcount(struct folio *folio)
{
#ifdef MW_FOLIO_MAPCOUNT_NOT_INLINE
	int i, compound, nr, ret;

	if (likely(!folio_test_large(folio)))
		return atomic_read(&folio->_mapcount) + 1;
	compound = folio_entire_mapcount(folio);
	if (folio_test_hugetlb(folio))
		return compound;
	ret = compound;
	nr = folio_nr_pages(folio);
	for (i = 0; i < nr; i++)
		ret += atomic_read(&folio_page(folio, i)->_mapcount) + 1;
	if (!folio_test_anon(folio))
		return ret - compound * nr;
	if (folio_test_double_map(folio))
		ret -= nr;
	return ret;
#else
	return folio_mapcount(folio);
#endif
}

/*
 * Shadow table entries are allocated and freed inside hooks, with
 * preemption off. On PREEMPT_RT the slab allocator's ordinary paths take
 * sleeping locks (its per-CPU local_lock among them), so an RT kernel
 * takes them from kmalloc_nolock(), which works in any context (6.18+),
 * and an older RT kernel gets none: the table then counts allocation
 * failures and says incomplete, which is true. Elsewhere they come from
 * the table's own kmem_cache (its line in /proc/slabinfo, failslab).
 */
#if defined(CONFIG_PREEMPT_RT) && defined(MW_HAVE_KMALLOC_NOLOCK)
void *mw_entry_alloc(struct kmem_cache *cache, size_t size)
{
	return kmalloc_nolock(size, __GFP_ZERO, NUMA_NO_NODE);
}

void mw_entry_free(struct kmem_cache *cache, void *entry)
{
	kfree_nolock(entry);
}

const char *mw_entry_allocator(void)
{
	return "kmalloc_nolock";
}
#elif defined(CONFIG_PREEMPT_RT)
void *mw_entry_alloc(struct kmem_cache *cache, size_t size)
{
	return NULL;
}

void mw_entry_free(struct kmem_cache *cache, void *entry)
{
}

const char *mw_entry_allocator(void)
{
	return "none";
}
#else
void *mw_entry_alloc(struct kmem_cache *cache, size_t size)
{
	return kmem_cache_zalloc(cache, GFP_ATOMIC | __GFP_NOWARN);
}

void mw_entry_free(struct kmem_cache *cache, void *entry)
{
	kmem_cache_free(cache, entry);
}

const char *mw_entry_allocator(void)
{
	return "kmem_cache";
}
#endif

/* A bool argument: the calling convention defines only its low byte. */
#define MW_ARG_BOOL(v)	((u8)(v) != 0)

/* f(struct folio *folio, ...) */
static void dec_folio(const unsigned long *raw, struct mw_args *out)
{
	out->folio = (struct folio *)raw[0];
	out->nr_pages = folio_nr_pages(out->folio);
}

/* f(struct page *page, ...): the 6.1 spelling of the same calls */
static void dec_page(const unsigned long *raw, struct mw_args *out)
{
	out->folio = page_folio((struct page *)raw[0]);
	out->nr_pages = folio_nr_pages(out->folio);
}

/* 6.1: page_add_file_rmap/page_remove_rmap(page, vma, bool compound) */
static void dec_page_vma_compound(const unsigned long *raw, struct mw_args *out)
{
	out->folio = page_folio((struct page *)raw[0]);
	out->vma = (struct vm_area_struct *)raw[1];
	out->nr_pages = MW_ARG_BOOL(raw[2]) ? folio_nr_pages(out->folio) : 1;
}

/*
 * 6.8+: folio_{add_file,add_anon,remove}_rmap_ptes(folio, page, nr, vma, ...).
 * Removing any of a large folio's pages from a VM_LOCKED VMA munlocks
 * all of it (munlock_vma_folio()); page_remove_rmap() (6.1 to 6.7)
 * never munlocks a PTE-mapped large folio.
 */
static void dec_folio_ptes(const unsigned long *raw, struct mw_args *out)
{
	out->folio = (struct folio *)raw[0];
	out->nr_pages = (int)raw[2];
	out->vma = (struct vm_area_struct *)raw[3];
	out->munlocks_whole = true;
}

/* 6.8+: folio_{add_file,add_anon,remove}_rmap_pmd(folio, page, vma, ...) */
static void dec_folio_pmd(const unsigned long *raw, struct mw_args *out)
{
	out->folio = (struct folio *)raw[0];
	out->vma = (struct vm_area_struct *)raw[2];
	out->nr_pages = folio_nr_pages(out->folio);
}

#ifdef RMAP_COMPOUND
/* 6.1: page_add_anon_rmap(page, vma, address, rmap_t flags) */
static void dec_page_anon(const unsigned long *raw, struct mw_args *out)
{
	out->folio = page_folio((struct page *)raw[0]);
	out->vma = (struct vm_area_struct *)raw[1];
	out->nr_pages = (__force int)RMAP_COMPOUND & (int)raw[3] ?
			folio_nr_pages(out->folio) : 1;
}
#define MW_PAGE_ANON_RMAP { "page_add_anon_rmap", dec_page_anon },
#else
#define MW_PAGE_ANON_RMAP
#endif

/*
 * __account_locked_vm(mm, unsigned long pages, bool inc, task, bypass):
 * a driver's charge (inc) or uncharge of @pages, signed in nr_pages.
 */
static void dec_account_locked_vm(const unsigned long *raw, struct mw_args *out)
{
	out->nr_pages = MW_ARG_BOOL(raw[2]) ? (long)raw[1] : -(long)raw[1];
}

/* The low bits of a mlock batch entry (mm/mlock.c: LRU_FOLIO, NEW_FOLIO). */
#define MW_BATCH_TAG_LRU	0x1UL
#define MW_BATCH_TAG_NEW	0x2UL

static void mw_fill_batch(struct mw_batch *b, unsigned int nr,
			  void *const *items, bool pages)
{
	unsigned int i;

	b->nr = min_t(unsigned int, nr, MW_BATCH_MAX);
	for (i = 0; i < b->nr; i++) {
		unsigned long v = (unsigned long)READ_ONCE(items[i]);
		void *p = (void *)(v & ~(MW_BATCH_TAG_LRU | MW_BATCH_TAG_NEW));

		b->op[i] = v & MW_BATCH_TAG_LRU ? MW_BATCH_MLOCK :
			   v & MW_BATCH_TAG_NEW ? MW_BATCH_MLOCK_NEW :
			   MW_BATCH_MUNLOCK;
		b->folio[i] = pages ? page_folio((struct page *)p) : p;
	}
}

/* 6.3+: mlock_folio_batch(struct folio_batch *fbatch) */
static void dec_folio_batch(const unsigned long *raw, struct mw_args *out)
{
	struct folio_batch *fb = (struct folio_batch *)raw[0];

	if (out->batch)
		mw_fill_batch(out->batch, fb->nr, (void *const *)fb->folios,
			      false);
}

#ifdef MW_HAVE_PAGEVEC
/* 6.1: mlock_pagevec(struct pagevec *pvec), struct pagevec gone in 6.5 */
static void dec_pagevec(const unsigned long *raw, struct mw_args *out)
{
	struct pagevec *pv = (struct pagevec *)raw[0];

	if (out->batch)
		mw_fill_batch(out->batch, pv->nr, (void *const *)pv->pages,
			      true);
}
#define MW_SYM_pagevec(symbol) { #symbol, dec_pagevec },
#else
#define MW_SYM_pagevec(symbol)
#endif
#define MW_SYM_folio_batch(symbol) { #symbol, dec_folio_batch },

/* For hooks whose arguments are read by the handler itself. */
static void dec_none(const unsigned long *raw, struct mw_args *out)
{
}

/* (unsigned int cpu) or (int cpu): only the register's low half is set. */
static void dec_cpu(const unsigned long *raw, struct mw_args *out)
{
	out->cpu = (u32)raw[0] < nr_cpu_ids ? (int)(u32)raw[0] : -1;
}

/*
 * Renames, newest first:
 * 6.3 (folio conversion): mlock_new_page -> mlock_new_folio,
 *     munlock_page -> munlock_folio, mlock_pagevec -> mlock_folio_batch,
 *     mlock_page_drain_remote -> mlock_drain_remote.
 * 6.8 (David Hildenbrand's rmap rework): page_*_rmap -> folio_*_rmap_{ptes,pmd}.
 * 6.10: split_huge_page_to_list -> split_huge_page_to_list_to_order.
 * By 7.3: folio_split() (non-uniform) beside it, both over a static
 *       __folio_split(), the uniform one out of line only as
 *       __split_huge_page_to_list_to_order().
 */
static const struct mw_symbol sym_mlock[] = {
	{ "mlock_folio", dec_folio }, { }
};
static const struct mw_symbol sym_mlock_new[] = {
	{ "mlock_new_folio", dec_folio }, { "mlock_new_page", dec_page }, { }
};
/* The candidates mlockcheck hooks too, and why: mlockwatch/role_symbols.h. */
static const struct mw_symbol sym_batch[] = {
#define MW_ROLE_BATCH(symbol, sig) MW_SYM_##sig(symbol)
#include <mlockwatch/role_symbols.h>
	{ }
};
/* The fold's window: see mw_remote_sum(). */
static const struct mw_symbol sym_drain_remote[] = {
#define MW_ROLE_DRAIN_REMOTE(symbol, sig) { #symbol, dec_##sig },
#include <mlockwatch/role_symbols.h>
	{ }
};
static const struct mw_symbol sym_nr_mlock_write[] = {
	{ "mod_zone_page_state", dec_none }, { }
};
static const struct mw_symbol sym_free[] = {
	{ "mm_page_free", dec_none }, { }
};
static const struct mw_symbol sym_split[] = {
	{ "__split_huge_page_to_list_to_order", dec_page },
	{ "split_huge_page_to_list_to_order", dec_page },
	{ "split_huge_page_to_list", dec_page }, { }
};
static const struct mw_symbol sym_split_non_uniform[] = {
	{ "folio_split", dec_folio }, { }
};
static const struct mw_symbol sym_driver_locked_vm[] = {
	{ "__account_locked_vm", dec_account_locked_vm }, { }
};
static const struct mw_symbol sym_rmap_add_file[] = {
	{ "folio_add_file_rmap_ptes", dec_folio_ptes },
	{ "page_add_file_rmap", dec_page_vma_compound }, { }
};
static const struct mw_symbol sym_rmap_add_file_pmd[] = {
	{ "folio_add_file_rmap_pmd", dec_folio_pmd }, { }
};
static const struct mw_symbol sym_rmap_add_anon[] = {
	{ "folio_add_anon_rmap_ptes", dec_folio_ptes },
	MW_PAGE_ANON_RMAP
	{ }
};
static const struct mw_symbol sym_rmap_add_anon_pmd[] = {
	{ "folio_add_anon_rmap_pmd", dec_folio_pmd }, { }
};
static const struct mw_symbol sym_rmap_remove[] = {
	{ "folio_remove_rmap_ptes", dec_folio_ptes },
	{ "page_remove_rmap", dec_page_vma_compound }, { }
};
static const struct mw_symbol sym_rmap_remove_pmd[] = {
	{ "folio_remove_rmap_pmd", dec_folio_pmd }, { }
};

/* Without THP (Debian's PREEMPT_RT kernels) nothing is ever split. */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
#define MW_HOOK_IF_THP	MW_HOOK_REQUIRED
#else
#define MW_HOOK_IF_THP	0
#endif

#define HOOK(_label, _role, _mech, _flags, _syms) \
	{ .label = _label, .role = _role, .mech = _mech, .flags = _flags, \
	  .symbols = _syms }

const struct mw_hook_desc mw_hook_descs[] = {
	HOOK("mlock", MW_ROLE_MLOCK, MW_MECH_FTRACE, MW_HOOK_REQUIRED, sym_mlock),
	HOOK("mlock_new", MW_ROLE_MLOCK_NEW, MW_MECH_FTRACE, MW_HOOK_REQUIRED, sym_mlock_new),
	HOOK("batch", MW_ROLE_BATCH, MW_MECH_KRETPROBE, MW_HOOK_REQUIRED, sym_batch),
	HOOK("drain_remote", MW_ROLE_DRAIN_REMOTE, MW_MECH_KRETPROBE, MW_HOOK_REQUIRED,
	     sym_drain_remote),
	/*
	 * Every vmstat update of every item runs it, for NR_MLOCK only: the
	 * kernel's own identity already catches a wrong NR_MLOCK, so this
	 * hook, which only names the writer, is opt-in (attribute_writers=1).
	 */
	HOOK("nr_mlock_write", MW_ROLE_NR_MLOCK_WRITE, MW_MECH_FTRACE,
	     MW_HOOK_REQUIRED | MW_HOOK_WRITERS, sym_nr_mlock_write),
	HOOK("free", MW_ROLE_FREE, MW_MECH_TRACEPOINT, MW_HOOK_REQUIRED, sym_free),
	HOOK("split", MW_ROLE_SPLIT, MW_MECH_KRETPROBE, MW_HOOK_IF_THP, sym_split),
	/* Only kernels with non-uniform splits have it. */
	HOOK("split_non_uniform", MW_ROLE_SPLIT, MW_MECH_KRETPROBE, 0,
	     sym_split_non_uniform),
	/*
	 * VFIO, iommufd and FPGA DFL charge mm->locked_vm for DMA pins,
	 * with no VM_LOCKED VMA: the mms view must know how much.
	 */
	HOOK("driver_locked_vm", MW_ROLE_DRIVER_LOCKED_VM, MW_MECH_KRETPROBE, 0,
	     sym_driver_locked_vm),
	HOOK("rmap_add_file", MW_ROLE_RMAP_ADD, MW_MECH_FTRACE,
	     MW_HOOK_REQUIRED | MW_HOOK_RMAP, sym_rmap_add_file),
	HOOK("rmap_add_file_pmd", MW_ROLE_RMAP_ADD, MW_MECH_FTRACE, MW_HOOK_RMAP,
	     sym_rmap_add_file_pmd),
	HOOK("rmap_add_anon", MW_ROLE_RMAP_ADD, MW_MECH_FTRACE,
	     MW_HOOK_REQUIRED | MW_HOOK_RMAP, sym_rmap_add_anon),
	HOOK("rmap_add_anon_pmd", MW_ROLE_RMAP_ADD, MW_MECH_FTRACE, MW_HOOK_RMAP,
	     sym_rmap_add_anon_pmd),
	HOOK("rmap_remove", MW_ROLE_RMAP_REMOVE, MW_MECH_FTRACE,
	     MW_HOOK_REQUIRED | MW_HOOK_RMAP, sym_rmap_remove),
	HOOK("rmap_remove_pmd", MW_ROLE_RMAP_REMOVE, MW_MECH_FTRACE, MW_HOOK_RMAP,
	     sym_rmap_remove_pmd),
};
const unsigned int mw_nr_hook_descs = ARRAY_SIZE(mw_hook_descs);

/* The NR_MLOCK writers and why each is listed: nr_mlock_writers.h. */
static const struct {
	const char *func;
	enum mw_cause cause;
} mw_nr_mlock_callers[] = {
#define MW_NR_MLOCK_WRITER(func, cause) { #func, MW_CAUSE_##cause },
#include <mlockwatch/nr_mlock_writers.h>
#undef MW_NR_MLOCK_WRITER
};

/**
 * mw_classify_caller() - which witnessed cause a function name belongs to
 * @func: a symbol name without offset, possibly with a compiler clone
 *        suffix such as ".isra.0" or ".constprop.0"
 *
 * Return: the cause, or MW_CAUSE_UNKNOWN.
 */
enum mw_cause mw_classify_caller(const char *func)
{
	size_t len = strcspn(func, ".");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mw_nr_mlock_callers); i++) {
		const char *name = mw_nr_mlock_callers[i].func;

		if (strlen(name) == len && !strncmp(name, func, len))
			return mw_nr_mlock_callers[i].cause;
	}
	return MW_CAUSE_UNKNOWN;
}
