/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockwatch debugfs formats, shared by the module and by user-space tools.
 *
 * Every file under /sys/kernel/debug/mlockwatch/ starts with a line
 * "format: N". N changes whenever a field is removed, renamed or changes
 * meaning; new fields are only ever appended, and readers must skip keys
 * they do not know.
 */
#ifndef MLOCKWATCH_FORMAT_H
#define MLOCKWATCH_FORMAT_H

#include <linux/types.h>

#define MLOCKWATCH_DEBUGFS_DIR		"mlockwatch"
/* The shadow table's own slab cache, in /proc/slabinfo while loaded. */
#define MLOCKWATCH_SLAB_CACHE		"mlockwatch_entry"

/*
 * summary: "key: value" lines. "at_load" means at the baseline: load time,
 * or the last "reset" written to control. Counts are in pages.
 *   format, version, kernel, rmap_hooks
 *   attribute_writers     1 when loaded with attribute_writers=1: the
 *                         NR_MLOCK writer hook (mod_zone_page_state) is
 *                         attached. 0 by default: then every figure below
 *                         marked "writer hook" is "-" (not known, never 0)
 *   incomplete            1 when the module cannot be exact; then
 *   incomplete_reasons    says why ("none" otherwise)
 *   selftest              not run | pass | fail: REASON
 *   preexisting_folios/_pages   PG_mlocked folios found at load
 *   nr_mlock, nr_mlock_at_load, nr_mlock_delta
 *                         NR_MLOCK read exactly: zone atomics plus every
 *                         CPU's vm_stat_diff, not clamped at 0
 *   unevictable_pgs_{culled,scanned,rescued,mlocked,munlocked,cleared,
 *                    stranded} and each one's _at_load
 *   witnessed_mlocked_pages     NR_MLOCK increments by mlock_folio and
 *                               mlock_new_*, from the writer hook
 *                               ("-" without it: see attribute_writers)
 *   witnessed_munlocked_pages   PGMUNLOCKED counted inside batches,
 *                               a dead CPU's batch drained remotely too
 *   witnessed_stranded_pages    PGSTRANDED counted likewise
 *   witnessed_cleared_pages     PG_mlocked pages seen freed (PGCLEARED)
 *   witnessed_nr_mlock_delta    mlocked - munlocked - stranded - cleared;
 *                               must equal nr_mlock_delta (writer hook)
 *   nr_mlock_by_{mlock,mlock_new,munlock,free}
 *                         NR_MLOCK writes attributed by caller (munlock
 *                         only on kernels where the batch uses
 *                         mod_zone_page_state, i.e. not 6.12; writer hook)
 *   nr_mlock_unattributed, nr_mlock_unattributed_writes,
 *   nr_mlock_unattributed_first_caller   writers outside the known paths
 *                         (the first caller as a symbol name, "unknown"
 *                         when kallsyms has none: never an address;
 *                         writer hook)
 *   witnessed_culled_in_batch, witnessed_rescued_in_batch
 *                         in the batches of online CPUs only (vmscan and
 *                         LRU adds cull and rescue outside batches too, so
 *                         a remote drain's share cannot be told apart)
 *   mlock_calls, mlock_new_calls, munlock_calls, splits, mlocked_splits
 *                         (munlock_calls: munlocks the batches ran; a
 *                         munlock is not hooked where it is queued)
 *   rmap_locked_adds, rmap_locked_removes, rmap_last_locked_pid
 *   missed_events, unreliable_batches (events not counted exactly:
 *                         makes the module incomplete; missed_events
 *                         counts kprobe misses and ftrace hits refused
 *                         by its recursion guard)
 *   remote_drains         dead CPUs' batches drained by CPU hotplug
 *   remote_munlocked_pages, remote_stranded_pages
 *                         their share of witnessed_{munlocked,stranded}_pages,
 *                         counted around the whole CPU-dead callback, which
 *                         also folds the dead CPU's event counters into
 *                         the current CPU's. On PREEMPT_RT that fold can
 *                         land in a preempted local batch's window: the
 *                         batch then counts it and the remote share is
 *                         lower by as much (possibly below 0); the
 *                         witnessed totals stay exact.
 *   identity_nr_mlock, identity_events, identity_diff
 *                         the since-boot identity NR_MLOCK == mlocked -
 *                         munlocked - stranded - cleared, and its error
 *
 * control (write-only, CAP_SYS_ADMIN): "reset", "drain" or "selftest";
 * anything else fails with EINVAL and changes nothing. One verb per
 * write(2), at offset 0, optionally followed by one newline: a verb split
 * over several writes, written at an offset, or with anything else around
 * it (spaces, a second line, a NUL) is refused whole. Without
 * CAP_SYS_ADMIN a write fails with EPERM.
 */
/*
 * Format 2: attribute_writers added, and the writer hook's figures read
 * "-" when it is off (format 1 always had the hook, so always a number).
 */
/*
 * summary, appended in format 2 (readers skip keys they do not know):
 *   traced_unwitnessed_set, traced_unwitnessed_clear, traced_overcount
 *                         folios whose error verdict fired the
 *                         mlockwatch_mismatch tracepoint (once a folio),
 *                         by verdict, since load (not reset): an error
 *                         on a folio freed since is still counted
 */
#define MLOCKWATCH_SUMMARY_FORMAT	2

/* The summary keys that mlockcheck parses, as indices: summary_keys.h. */
enum mw_summary_key {
#define MW_SUMMARY_KEY(id, ...) MW_KEY_##id,
#include <mlockwatch/summary_keys.h>
#undef MW_SUMMARY_KEY
	MW_NR_SUMMARY_KEYS,
};

/*
 * hooks: after the format line, a "#" header, then one line per hook:
 *   HOOK SYMBOL MECHANISM REQUIRED STATE HITS MISSED MUST_FIRE
 * MECHANISM is ftrace, kretprobe or tracepoint; REQUIRED yes/no;
 * STATE active, off (rmap_hooks=0, or attribute_writers=0 for
 * nr_mlock_write) or absent (no symbol on this kernel);
 * MISSED is the kprobe/kretprobe nmissed count.
 * MUST_FIRE (appended in format 1) yes/no: whether the hook must have
 * fired (HITS > 0) once a known mlock, munlock and drain have run, which
 * the "selftest" verb checks. yes for the active, required accounting
 * hooks; no for the rest: drain_remote fires only when a CPU goes
 * offline, split only with a THP split, driver_locked_vm only with a
 * driver's DMA pin, and the rmap hooks are attribution only (6.8+ adds
 * anon rmaps through folio_add_anon_rmap_ptes() for swap-in, migration
 * and KSM, never for a new anon page).
 */
#define MLOCKWATCH_HOOKS_FORMAT		1

/*
 * summary, appended in format 1 (readers skip keys they do not know):
 *   table_entries, table_max_folios, table_buckets   entries linked
 *                         now; max_folios bounds those not kept
 *   table_full, table_alloc_failures   folios the table could not hold;
 *                         either one makes the module incomplete
 *   table_allocator       where entries come from: kmem_cache (the
 *                         mlockwatch_entry cache), kmalloc_nolock
 *                         (PREEMPT_RT 6.18+: hooks run with preemption
 *                         off, where RT's slab paths may sleep), or none
 *                         (older PREEMPT_RT: every entry fails, incomplete)
 *   table_stale           an entry met a reused PFN (a module bug)
 *   table_preexisting     entries made for folios PG_mlocked at load
 *   table_resolved        entries whose locks were all undone and whose
 *                         folio lost PG_mlocked; the batch keeps them
 *                         (state unlocked) for the folio's next mlock
 *   table_kept, table_max_kept   unlocked entries kept now (counted in
 *                         table_entries, not against max_folios), and
 *                         their budget, max_folios / 8: past it a batch
 *                         drops what it unlocks, and the reaper runs
 *   table_reaped, table_reap_runs   kept entries dropped by the reaper or
 *                         by a reader, and the reaper's passes
 *   table_freed, table_freed_mlocked   entries dropped by a free, and
 *                         how many of those folios were still PG_mlocked
 *   table_split_entries   entries made for PG_mlocked pieces of a split
 *   table_locked_sections
 *                         times a table bucket lock was taken, since load
 *                         (not reset): make bench's locks per page
 *   table_free_lockless   page frees passed without a lock, their bucket
 *                         being empty, since load (not reset)
 *   munlock_untracked     munlocks of folios without an entry (normal:
 *                         the kernel munlocks every page of a VMA)
 *   scan_runs, scan_pfns, scan_mlocked_folios, scan_entries,
 *   scan_unwitnessed_set, scan_unwitnessed_clear, scan_overcount,
 *   scan_transient, scan_untracked     what the last "scan" found
 *
 * control also takes "scan": walk every PFN and every table entry (see
 * the verdicts below), and every mm (see mms below).
 *   scan_mms, scan_mms_mismatched, scan_mms_transient
 *                         mms walked by the last scan, those whose verdict
 *                         is an error, and those that kept changing
 *   scan_mms_locked_vm_pages, scan_mms_vm_locked_pages
 *                         the sums of LOCKED_VM and VM_LOCKED_PAGES
 *   scan_mms_excess_pages, scan_mms_deficit_pages
 *                         the sums of the mismatched mms' deltas, each sign
 *   scan_mms_driver_charged   mms whose excess drivers' charges explain
 *   driver_locked_vm_pages   net pages drivers charged to some mm's
 *                         locked_vm through __account_locked_vm() since load
 *   scan_mms_first        the first mismatched mm as an mms line (PID COMM
 *                         LOCKED_VM VM_LOCKED_PAGES DELTA VERDICT), or none
 */

/*
 * folios: after the format line, a "#" header, then one line per folio
 * the shadow table tracks:
 *   PFN ORDER NR_PAGES SHADOW KERNEL_COUNT MLOCKED UNEVICTABLE LRU
 *   MAPCOUNT LAST_PID LOCKING_MMS STATE VERDICT
 * PFN is the head page's, in decimal. SHADOW is the shadow mlock_count
 * (for a preexisting folio: its change since load). KERNEL_COUNT is the
 * kernel's folio->mlock_count, or "-" outside its valid window (the folio
 * must be small and have PG_lru, PG_unevictable and PG_mlocked, before
 * and after the read). MLOCKED, UNEVICTABLE, LRU: 0/1, the folio's flags
 * now. MAPCOUNT: the folio's mapcount now (-1: the folio is being freed
 * or split). LAST_PID: the last process seen locking it (0: none, e.g.
 * reclaim re-mlocking it). LOCKING_MMS: distinct mms seen locking it, 0,
 * 1, 2 or "3+". STATE: the entry's place in the state machine below,
 * one of locked, unlocked-pending, preexisting, unwitnessed or unlocked.
 *
 * mismatches: the same lines, only those whose verdict is an error.
 *
 * The per-folio state machine. An entry is created by the first witnessed
 * mlock of its folio (mlock_folio, mlock_new_*) and removed when the
 * folio is freed (mm_page_free). Once its locks are all undone and the
 * batch that munlocked it has cleared PG_mlocked, it is kept, in state
 * unlocked, for the folio's next mlock. It then stands for no entry: the
 * views leave it out, a PG_mlocked set again without a witnessed mlock
 * reads unwitnessed-set, as on a folio without an entry, and a reader or
 * the table's reaper may drop it. Every mlock adds 1 to SHADOW at the
 * entry of mlock_folio/mlock_new_*, in the order the mlocks are made,
 * before the kernel sets PG_mlocked, and stays pending until its batch
 * has run. A munlock only queues an operation, which changes nothing in
 * the folio until the batch runs it: it takes 1 away at the entry of the
 * batch, which stays in flight (pending) until the kernel is done with
 * it. So SHADOW is never behind the kernel.
 *
 *   (none) --mlock--> locked --munlock to 0, its batch runs--> unlocked
 *   (unlocked) --mlock--> locked (a new generation, nothing kept)
 *   (unlocked) --reaped, or dropped by a reader--> (none)
 *   locked --munlock to 0, PG_mlocked stays set--> unlocked-pending
 *   unlocked-pending --mlock--> locked
 *   unlocked-pending --a munlock's batch clears PG_mlocked--> unlocked
 *   any --free--> (none)
 *   (at load, PG_mlocked) --> preexisting --PG_mlocked cleared--> (none)
 *   (scan finds PG_mlocked, no entry) --> unwitnessed --mlock--> locked
 *   unlocked-pending, partly unmapped large folio --> kept while mapped
 *   THP split: the head's entry keeps its SHADOW at the new order; each
 *     PG_mlocked piece without an entry gets one in unlocked-pending with
 *     SHADOW 0, marked inherited (the kernel copies PG_mlocked to the
 *     pieces and gives them mlock_count 0).
 *   Migration: the kernel munlocks the source and mlocks the destination
 *     through the hooked calls; nothing moves by hand.
 *
 * Verdicts, judged when a view is read or a scan runs:
 *   ok              PG_mlocked set, SHADOW >= 1, the kernel's count equal
 *                   to SHADOW or unreadable
 *   pending         a mlock of it is still queued, its batch is running
 *                   now, the folio is being freed or split, or the hooks
 *                   changed the entry around every read of the folio:
 *                   read again after a drain
 *   preexisting     PG_mlocked at load; its history is unknown
 *   unresolved      SHADOW 0 and nothing queued, PG_mlocked still set,
 *                   and the kernel's count cannot be read (isolated or
 *                   large): not judged
 *   incomplete      would be an error, but the table has lost folios
 *                   or a hook has missed events (missed_events)
 *   known-undercount   the kernel's count is below SHADOW, or a munlock
 *                   cleared PG_mlocked while SHADOW stayed >= 1: the
 *                   count is lost while a folio is isolated, by design
 *                   (Documentation/mm/unevictable-lru.rst)
 *   known-split-inherited   PG_mlocked copied to a THP piece by a split,
 *                   with mlock_count 0; munlock or reclaim settles it
 *   known-unmapped  SHADOW >= 1 but no mapping is left: a munlock raced
 *                   truncation or hole punching; the kernel clears it at
 *                   free (unevictable_pgs_cleared)
 *   known-large-partial-munlock   a large folio that lost only some of
 *                   its mappings in a VM_LOCKED VMA (partial munmap, COW
 *                   of one page): 6.8+ munlocks the whole folio, although
 *                   the rest stays mapped and locked; reclaim may re-mlock
 *                   it. The entry stays, SHADOW 0, while it is mapped.
 * Errors (only while the table is complete, and only on a read of the
 * folio between two copies of its entry that no hook changed, so that the
 * shadow and the folio are of one moment):
 *   unwitnessed-set    PG_mlocked set on a folio no witnessed mlock ever
 *                   reached (found by scan)
 *   unwitnessed-clear  PG_mlocked cleared while SHADOW >= 1 and no
 *                   munlock of the folio was ever witnessed
 *   overcount       the kernel's count is above SHADOW (small folio,
 *                   PG_lru and PG_unevictable set, nothing queued)
 *   identity        (summary, not per folio) identity_diff != 0
 *
 * Designed divergences that never reach the table, because the kernel
 * never mlocks those folios: 6.12 large folios faulted into a VM_LOCKED
 * VMA or migrated (only small or fully mapped ones are mlocked), 6.12
 * large folios only partly inside the range mlock() was given, a 6.12
 * large folio munlocked whole by a partial munlock() (the walk gives no
 * hook the VMA), and 6.1 PTE-mapped THP pieces after a PMD split
 * (munlocked with the THP). They show as Mlocked lower than VmLck/smaps,
 * never as a verdict.
 */
#define MLOCKWATCH_FOLIOS_FORMAT	1

/*
 * folios.bin: the folios view as fixed-size binary records, for tools
 * that read many folios (tools/mlockfolios), in native byte order. First
 * a struct mw_folios_bin_header: magic "MWFOLIOS", format (format: 1, as
 * MLOCKWATCH_FOLIOS_BIN_FORMAT), and the sizes of the header and of one
 * record, which a later format may grow by appending fields: a reader
 * steps by the sizes the header gives, never by its own sizeof. Then one
 * struct mw_folio_record per table entry, the same entries in the same
 * order as the folios view, read and judged as it does (its columns
 * above), filled a chunk of entries at a time. KERNEL_COUNT -1 is the
 * view's "-", LOCKING_MMS 3 its "3+", and STATE and VERDICT are numbers
 * in the order of include/mlockwatch/verdicts.h (the module's and the
 * tools' one list of names; never "resolved", which the view leaves out).
 */
#define MLOCKWATCH_FOLIOS_BIN_FORMAT	1
#define MLOCKWATCH_FOLIOS_BIN_MAGIC	"MWFOLIOS"

struct mw_folios_bin_header {
	char magic[8];		/* MLOCKWATCH_FOLIOS_BIN_MAGIC, no NUL */
	__u32 format;
	__u32 header_size;	/* this header's size, in bytes */
	__u32 record_size;	/* each record's size, in bytes */
	__u32 reserved[3];	/* 0 */
};

/* struct mw_folio_record's flags: the folio's flags now. */
#define MW_FOLIO_REC_MLOCKED		0x1
#define MW_FOLIO_REC_UNEVICTABLE	0x2
#define MW_FOLIO_REC_LRU		0x4

struct mw_folio_record {
	__u64 pfn;
	__s32 shadow;
	__s32 kernel_count;	/* -1: not readable now */
	__s32 mapcount;		/* -1: being freed or split */
	__s32 last_pid;
	__u8 order;		/* NR_PAGES is 1 << order */
	__u8 flags;		/* MW_FOLIO_REC_* */
	__u8 locking_mms;	/* 0, 1, 2, or 3: three or more */
	__u8 state;		/* verdicts.h's MW_STATE order */
	__u8 verdict;		/* verdicts.h's MW_VERDICT order */
	__u8 reserved[3];	/* 0 */
};

/*
 * mms: after the format line, a "#" header, then one line per thread
 * group with an mm, in pid order, read now:
 *   PID COMM LOCKED_VM VM_LOCKED_PAGES DELTA VERDICT
 * LOCKED_VM is mm->locked_vm (VmLck), VM_LOCKED_PAGES the size of the
 * mm's VM_LOCKED VMAs (smaps "lo"), both in pages, read together under
 * the mm's mmap_lock; DELTA = LOCKED_VM - VM_LOCKED_PAGES. COMM has
 * blanks and control characters as '_'. Processes sharing one mm
 * (CLONE_VM without CLONE_THREAD, vfork) each have a line.
 *
 * Verdicts:
 *   ok          DELTA is 0
 *   transient   locked_vm changed during each of 3 walks: not judged
 *   known-driver-charge   an excess no larger than what drivers charged
 *               through __account_locked_vm() since load (VFIO type1,
 *               iommufd's mm accounting, FPGA DFL pin pages for DMA and
 *               charge locked_vm with no VM_LOCKED VMA); which mm each
 *               charge went to is not kept
 * Errors:
 *   excess      locked_vm above the VM_LOCKED pages: charged, never
 *               uncharged (the mremap DONTUNMAP leaks)
 *   deficit     locked_vm below them (a lost or truncated charge)
 * Charges a driver made before the module was loaded cannot be seen:
 * such an mm reads as excess by what it pinned. SHM_LOCK and
 * secretmem (6.12.113+, 6.1.191+) charge the user's locked_vm, not the
 * mm's; older secretmem sets VM_LOCKED and charges the mm, consistently.
 */
#define MLOCKWATCH_MMS_FORMAT		1

#endif /* MLOCKWATCH_FORMAT_H */
