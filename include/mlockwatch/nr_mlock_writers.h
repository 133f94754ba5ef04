/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every function that calls mod_zone_page_state(zone, NR_MLOCK, ...) on
 * the supported Debian builds (docs/kernel-map.md, "NR_MLOCK and the
 * events"), newest spelling first, with the cause (causes.h) its writes
 * count for. The free path is inlined into its callers, which differ by
 * version. A caller not listed is reported as unattributed: that is how
 * a stray NR_MLOCK writer gets caught, by the module and by mlockcheck.
 *
 * MW_NR_MLOCK_WRITER(function, CAUSE_ID)
 *
 * An X-macro list: define MW_NR_MLOCK_WRITER, include this file,
 * undefine it.
 */
MW_NR_MLOCK_WRITER(mlock_folio, MLOCK)
MW_NR_MLOCK_WRITER(mlock_new_folio, MLOCK_NEW)
MW_NR_MLOCK_WRITER(mlock_new_page, MLOCK_NEW)
/* 6.1 */
MW_NR_MLOCK_WRITER(mlock_pagevec, MUNLOCK)
/* not on 6.12: __mod_zone_page_state there */
MW_NR_MLOCK_WRITER(mlock_folio_batch, MUNLOCK)
MW_NR_MLOCK_WRITER(__free_pages_ok, FREE)
/* 6.1 */
MW_NR_MLOCK_WRITER(free_pcp_prepare, FREE)
/* 6.1 */
MW_NR_MLOCK_WRITER(free_unref_page_prepare, FREE)
MW_NR_MLOCK_WRITER(free_unref_page, FREE)
/* 6.10+ */
MW_NR_MLOCK_WRITER(free_unref_folios, FREE)
/* 6.12: compaction_free */
MW_NR_MLOCK_WRITER(free_pages_prepare, FREE)
MW_NR_MLOCK_WRITER(__free_pages_prepare, FREE)
