/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why NR_MLOCK was written, as the module and mlockcheck attribute each
 * write to its caller (nr_mlock_writers.h maps callers to these).
 *
 * MW_CAUSE(ID, name): name is what the summary's nr_mlock_by_NAME keys
 * and mlockcheck print. UNKNOWN comes last: any caller not listed, the
 * stray writer both tools exist to catch.
 *
 * An X-macro list: define MW_CAUSE, include this file, undefine it.
 */
MW_CAUSE(MLOCK, mlock)
MW_CAUSE(MLOCK_NEW, mlock_new)
MW_CAUSE(MUNLOCK, munlock)
MW_CAUSE(FREE, free)
MW_CAUSE(UNKNOWN, unattributed)
