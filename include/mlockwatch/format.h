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

#define MLOCKWATCH_DEBUGFS_DIR		"mlockwatch"

/*
 * summary: "key: value" lines. "at_load" means at the baseline: load time,
 * or the last "reset" written to control. Counts are in pages.
 *   format, version, kernel, rmap_hooks
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
 *   witnessed_munlocked_pages   PGMUNLOCKED counted inside batches
 *   witnessed_stranded_pages    PGSTRANDED counted inside batches
 *   witnessed_cleared_pages     PG_mlocked pages seen freed (PGCLEARED)
 *   witnessed_nr_mlock_delta    mlocked - munlocked - stranded - cleared;
 *                               must equal nr_mlock_delta
 *   nr_mlock_by_{mlock,mlock_new,munlock,free}
 *                         NR_MLOCK writes attributed by caller (munlock
 *                         only on kernels where the batch uses
 *                         mod_zone_page_state, i.e. not 6.12)
 *   nr_mlock_unattributed, nr_mlock_unattributed_writes,
 *   nr_mlock_unattributed_first_caller   writers outside the known paths
 *   witnessed_culled_in_batch, witnessed_rescued_in_batch
 *   mlock_calls, mlock_new_calls, munlock_calls, splits, mlocked_splits
 *   rmap_locked_adds, rmap_locked_removes, rmap_last_locked_pid
 *   missed_events, unreliable_batches
 *   identity_nr_mlock, identity_events, identity_diff
 *                         the since-boot identity NR_MLOCK == mlocked -
 *                         munlocked - stranded - cleared, and its error
 *
 * control (write-only, CAP_SYS_ADMIN): "reset", "drain" or "selftest";
 * anything else fails with EINVAL and changes nothing.
 */
#define MLOCKWATCH_SUMMARY_FORMAT	1

/*
 * hooks: after the format line, a "#" header, then one line per hook:
 *   HOOK SYMBOL MECHANISM REQUIRED STATE HITS MISSED
 * MECHANISM is ftrace, kretprobe or tracepoint; REQUIRED yes/no;
 * STATE active, off (rmap_hooks=0) or absent (no symbol on this kernel);
 * MISSED is the kprobe/kretprobe nmissed count.
 */
#define MLOCKWATCH_HOOKS_FORMAT		1

#endif /* MLOCKWATCH_FORMAT_H */
