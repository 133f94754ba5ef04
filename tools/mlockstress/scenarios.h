/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every scenario, as SCENARIO(function suffix, name, description).  The
 * order is the run order, the order of --list and of the JSON array, so
 * a new scenario goes at the end: moving one changes what tests and
 * saved results compare against.  Its seed stream comes from its name,
 * not its position, so adding one leaves the others' sequences alone.
 *
 * No include guard: each user defines SCENARIO and includes this again.
 */
SCENARIO(anon, "anon",
	 "mlock/munlock of anonymous memory")
SCENARIO(file, "file",
	 "tmpfs (and --path) page cache: lock, punch, truncate")
SCENARIO(shared, "shared",
	 "one tmpfs file locked by two processes")
SCENARIO(thp, "thp",
	 "PMD-sized THP locked whole and in part, collapsed")
SCENARIO(mthp, "mthp",
	 "multi-size THP, one size at a time via sysfs")
SCENARIO(onfault, "onfault",
	 "MLOCK_ONFAULT, faults and file fault-around")
SCENARIO(mlockall, "mlockall",
	 "MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT in a child")
SCENARIO(fork_cow, "fork-cow",
	 "fork with locked VMAs, COW on both sides")
SCENARIO(mremap, "mremap",
	 "move, grow, shrink and DONTUNMAP locked VMAs")
SCENARIO(vma_split, "vma-split",
	 "partial munlock/munmap/mprotect through THPs")
SCENARIO(migrate, "migrate",
	 "move_pages and mbind of locked pages across nodes")
SCENARIO(compact, "compact",
	 "compact_memory while pages are locked")
SCENARIO(reclaim, "reclaim",
	 "MADV_PAGEOUT/COLD on unlocked neighbours, racing locks")
SCENARIO(madvise, "madvise",
	 "DONTNEED/FREE/COLD/PAGEOUT/REMOVE refused when locked")
SCENARIO(shm, "shm",
	 "SysV SHM_LOCK/SHM_UNLOCK with mlocked attachments")
SCENARIO(threads, "threads",
	 "concurrent mlock/munlock/mprotect on shared ranges")
