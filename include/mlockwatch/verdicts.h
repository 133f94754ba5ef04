/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The folio verdicts and the table entry states, in the order of their
 * numbers: the module's enums and names (module/verdict.c, module/table.c)
 * and the names tools/mlockfolios prints for folios.bin's numbers come
 * from this one list. format.h says what each one means. Append only: a
 * number, once in folios.bin, keeps its meaning.
 *
 * MW_VERDICT(ID, name)	enum mw_verdict's MW_V_ID; the errors come last,
 *			from UNWITNESSED_SET on (mw_verdict_is_error())
 * MW_STATE(ID, name)	enum mw_state's MW_ST_ID
 *
 * An X-macro list: define either or both, include this file, undefine.
 */
#ifdef MW_VERDICT
MW_VERDICT(OK, ok)
MW_VERDICT(PENDING, pending)
MW_VERDICT(PREEXISTING, preexisting)
MW_VERDICT(UNRESOLVED, unresolved)
MW_VERDICT(INCOMPLETE, incomplete)
MW_VERDICT(KNOWN_UNDERCOUNT, known-undercount)
MW_VERDICT(KNOWN_SPLIT_INHERITED, known-split-inherited)
MW_VERDICT(KNOWN_UNMAPPED, known-unmapped)
MW_VERDICT(KNOWN_LARGE_PARTIAL, known-large-partial-munlock)
/* Internal: the entry is done and dropped; folios.bin never has it. */
MW_VERDICT(RESOLVED, resolved)
MW_VERDICT(UNWITNESSED_SET, unwitnessed-set)
MW_VERDICT(UNWITNESSED_CLEAR, unwitnessed-clear)
MW_VERDICT(OVERCOUNT, overcount)
#endif

#ifdef MW_STATE
MW_STATE(LOCKED, locked)
MW_STATE(UNLOCKED_PENDING, unlocked-pending)
MW_STATE(PREEXISTING, preexisting)
MW_STATE(UNWITNESSED, unwitnessed)
MW_STATE(UNLOCKED, unlocked)
#endif
