/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mlockwatch:mlockwatch_mismatch fires on every error verdict, the first
 * time it is reached for a folio, and on every NR_MLOCK write by a caller
 * outside the known paths (pfn 0), in the writer's own context: attach a
 * stack trace to it with perf or bpftrace to see who did it.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mlockwatch

#if !defined(_MLOCKWATCH_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MLOCKWATCH_TRACE_H

#include <linux/tracepoint.h>

#include "verdict.h"

/* An NR_MLOCK write by an unknown caller, in the same numbering. */
#define MW_V_UNATTRIBUTED	MW_NR_VERDICTS

TRACE_EVENT(mlockwatch_mismatch,
	TP_PROTO(int verdict, unsigned long pfn, unsigned int order,
		 int shadow, long kcount, long nr_pages),
	TP_ARGS(verdict, pfn, order, shadow, kcount, nr_pages),
	TP_STRUCT__entry(
		__field(int, verdict)
		__field(unsigned long, pfn)
		__field(unsigned int, order)
		__field(int, shadow)
		__field(long, kcount)
		__field(long, nr_pages)
	),
	TP_fast_assign(
		__entry->verdict = verdict;
		__entry->pfn = pfn;
		__entry->order = order;
		__entry->shadow = shadow;
		__entry->kcount = kcount;
		__entry->nr_pages = nr_pages;
	),
	TP_printk("verdict=%s pfn=%#lx order=%u shadow=%d kcount=%ld nr_pages=%ld",
		  __print_symbolic(__entry->verdict,
				   { MW_V_UNWITNESSED_SET, "unwitnessed-set" },
				   { MW_V_UNWITNESSED_CLEAR, "unwitnessed-clear" },
				   { MW_V_OVERCOUNT, "overcount" },
				   { MW_V_UNATTRIBUTED, "unattributed" }),
		  __entry->pfn, __entry->order,
		  __entry->shadow, __entry->kcount, __entry->nr_pages)
);

#endif /* _MLOCKWATCH_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
