/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The candidate symbols of the hook roles that both the module and
 * mlockcheck hook, newest kernel first: the first one the running kernel
 * has is hooked.
 *
 * MW_ROLE_BATCH(symbol, sig), MW_ROLE_DRAIN_REMOTE(symbol, sig): sig
 * names the signature, for the module's decoder of it (module/compat.c).
 *
 * An X-macro list: define either or both, include this file; it
 * undefines both.
 */
#ifndef MW_ROLE_BATCH
#define MW_ROLE_BATCH(symbol, sig)
#endif
#ifndef MW_ROLE_DRAIN_REMOTE
#define MW_ROLE_DRAIN_REMOTE(symbol, sig)
#endif

/* The mlock batch processor; 6.1 has the pagevec one (the folio one 6.3+). */
MW_ROLE_BATCH(mlock_folio_batch, folio_batch)
MW_ROLE_BATCH(mlock_pagevec, pagevec)

/*
 * Each takes the dead CPU as its first argument (sig cpu).
 * The whole CPU-dead callback, not just the drain inside it: it then
 * folds the dead CPU's event counters into the current CPU's, and on
 * PREEMPT_RT a local batch preempted there would count the fold as its
 * own unless the remote window covers it. The drain alone (renamed in
 * 6.3) is the fallback for a kernel without the callback's symbol.
 */
MW_ROLE_DRAIN_REMOTE(page_alloc_cpu_dead, cpu)
MW_ROLE_DRAIN_REMOTE(mlock_drain_remote, cpu)
MW_ROLE_DRAIN_REMOTE(mlock_page_drain_remote, cpu)

#undef MW_ROLE_BATCH
#undef MW_ROLE_DRAIN_REMOTE
