/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The summary keys mlockcheck reads (format.h documents them all): the
 * module prints them and mlockcheck parses them from this one list, so
 * that a renamed key cannot leave the parser silently reading nothing.
 * The unevictable_pgs_* keys come from events.h.
 *
 * MW_SUMMARY_KEY(ID, key)
 *
 * An X-macro list: define MW_SUMMARY_KEY, include this file, undefine it.
 */
MW_SUMMARY_KEY(NR_MLOCK, nr_mlock)
MW_SUMMARY_KEY(ATTRIBUTE_WRITERS, attribute_writers)
MW_SUMMARY_KEY(INCOMPLETE, incomplete)
MW_SUMMARY_KEY(INCOMPLETE_REASONS, incomplete_reasons)
MW_SUMMARY_KEY(WITNESSED_MLOCKED, witnessed_mlocked_pages)
MW_SUMMARY_KEY(WITNESSED_MUNLOCKED, witnessed_munlocked_pages)
MW_SUMMARY_KEY(WITNESSED_STRANDED, witnessed_stranded_pages)
MW_SUMMARY_KEY(WITNESSED_CLEARED, witnessed_cleared_pages)
MW_SUMMARY_KEY(TRACED_UNWITNESSED_SET, traced_unwitnessed_set)
MW_SUMMARY_KEY(TRACED_UNWITNESSED_CLEAR, traced_unwitnessed_clear)
MW_SUMMARY_KEY(TRACED_OVERCOUNT, traced_overcount)
