/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unevictable_pgs_* events, in /proc/vmstat order: the one list that
 * the module, mlockcheck (BPF and user space) and the injector expand.
 *
 * MW_EVENT(ID, name): the kernel's item is UNEVICTABLE_PG##ID, the
 * /proc/vmstat and summary key "unevictable_pgs_" #name.
 *
 * An X-macro list: define MW_EVENT, include this file, undefine it. No
 * include guard, and no includes, so BPF programs and user space can read
 * it as well as the kernel.
 */
MW_EVENT(CULLED, culled)
MW_EVENT(SCANNED, scanned)
MW_EVENT(RESCUED, rescued)
MW_EVENT(MLOCKED, mlocked)
MW_EVENT(MUNLOCKED, munlocked)
MW_EVENT(CLEARED, cleared)
MW_EVENT(STRANDED, stranded)
