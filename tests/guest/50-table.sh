#!/bin/sh
# The shadow table, scenario by scenario, on small folios: each asserts
# the folios, pages, shadow counts, the kernel's counts and the verdicts
# the module shows for the pages involved, and zero error verdicts after
# a drain and a scan. mlock_probe (mlock_probe.c) does the work.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 33

mw_load
probe_start p1

# anon mlock and munlock
probe "map a nothp 1024" && settle a && probe "mlock a" && probe "pfns a /tmp/a"
check "anon: 256 pages locked, 256 folios with shadow 1" \
	"256 256 shadow=1:256 order=0:256 counts-agree" /tmp/a
probe "munlock a"
check "anon: after munlock the table forgets them" "$NONE" /tmp/a
probe "munmap a"
expect_no_errors "anon"

# MAP_LOCKED populates and locks at mmap
probe "map b nothp 256 locked" && probe "pfns b /tmp/b"
check "MAP_LOCKED: 64 folios locked at fault" "64 64 shadow=1:64 order=0:64 counts-agree" /tmp/b
probe "munmap b"
check "MAP_LOCKED: munmap unlocks them" "$NONE" /tmp/b
expect_no_errors "MAP_LOCKED"

# mlockall(MCL_CURRENT|MCL_FUTURE) in a process of its own
probe_start p2
probe "p2:map a nothp 256" && settle p2:a &&
	probe "p2:mlockall current,future" && probe "p2:map b nothp 256" &&
	probe "p2:pfns a /tmp/ma" && probe "p2:pfns b /tmp/mb"
check "mlockall: MCL_CURRENT locks what is mapped" "64 64 shadow=1:64 order=0:64 counts-agree" /tmp/ma
check "mlockall: MCL_FUTURE locks what comes later" "64 64 shadow=1:64 order=0:64 counts-agree" /tmp/mb
probe "p2:munlockall"
check "mlockall: munlockall unlocks" "$NONE" /tmp/ma
probe_stop p2
expect_no_errors "mlockall"

# MLOCK_ONFAULT: with fault-around at one page, one read locks one page
fab=/sys/kernel/debug/fault_around_bytes
old_fab=$(cat $fab)
echo 4096 > $fab
probe "map c shm 64" && probe "touch c" && probe "munmap c" &&
	probe "map c shm 64" && probe "onfault c" && probe "read c 0 4" &&
	probe "pfns c /tmp/c"
check "MLOCK_ONFAULT: one read fault locks exactly one page" \
	"1 1 shadow=1:1 order=0:1 counts-agree" /tmp/c
probe "read c" && probe "pfns c /tmp/c"
check "MLOCK_ONFAULT: reading the rest locks all 16" \
	"16 16 shadow=1:16 order=0:16 counts-agree" /tmp/c
echo "$old_fab" > $fab
probe "munmap c"
check "MLOCK_ONFAULT: munmap unlocks the tmpfs pages" "$NONE" /tmp/c
expect_no_errors "MLOCK_ONFAULT"

# one MAP_SHARED tmpfs file locked by two processes
probe_start p2
probe "map d shm 128" && settle d && probe "mlock d" && probe "pfns d /tmp/d"
probe "p2:map d shm 128" && probe "p2:mlock d"
check "shared tmpfs: two locking processes give shadow 2 (kernel count 2 or, undercounted, lower)" \
	"32 32 shadow=2:32 order=0:32 counts-agree" /tmp/d
expect_eq "shared tmpfs: two distinct locking mms" "2" \
	"$(folios_of /tmp/d | awk '{ print $11 }' | sort -u)"
folios_of /tmp/d | awk '$13 == "known-undercount" { print $1 }' > /tmp/d.under
probe "p2:munlock d"
# A folio whose count the kernel undercounted (above: known-undercount)
# is unlocked by this munlock, by design, and then evictable: the drain's
# compaction may migrate it, and p1's VM_LOCKED mapping locks the copy
# (seen on 7.3-rt); not migrated, it stays unlocked until reclaim finds
# the VM_LOCKED mapping, and its entry is resolved (seen on 7.3). Read
# the PFNs again once that has settled: every other folio has shadow 1.
# What was lost and what is left come from one reading after one drain:
# check's own drain could migrate one more such folio between the two.
drain
probe "pfns d /tmp/d"
snap=$(folios_of /tmp/d)
lost=$(echo "$snap" | awk 'NR == FNR { have[$1] = 1; next } !($1 in have)' - /tmp/d)
n=$((32 - $(echo "$lost" | grep -c .)))
[ -n "$lost" ] && ktap_print_msg "unlocked by the munlock, as undercounted before it: $(echo $lost)"
expect_eq "shared tmpfs: one munlock leaves shadow 1 (but where the kernel undercounted)" \
	"$n $n shadow=1:$n order=0:$n counts-agree" "$(echo "$snap" | grep . | fsum)"
expect_eq "  ... and every folio it unlocked was one the kernel had undercounted" "" \
	"$(echo "$lost" | grep . | grep -vxF -f /tmp/d.under)"
probe_stop p2
probe "munlock d"
check "shared tmpfs: the last munlock unlocks" "$NONE" /tmp/d
probe "munmap d"
expect_no_errors "shared tmpfs"

# fork: the child does not inherit VM_LOCKED; COW in the locked parent
probe "map f nothp 64" && settle f && probe "mlock f" && probe "pfns f /tmp/f0"
probe "fork"
check "fork: the parent's pages stay locked once, shared with the child" \
	"16 16 shadow=1:16 order=0:16 counts-agree" /tmp/f0
probe "touch f" && probe "pfns f /tmp/f1"
check "COW in the locked parent: its new pages are locked" \
	"16 16 shadow=1:16 order=0:16 counts-agree" /tmp/f1
check "COW in the locked parent: the old pages, now the child's, are unlocked" \
	"$NONE" /tmp/f0
probe "reap" && probe "munmap f"
expect_no_errors "fork and COW"

# exit: a locked process's pages are unlocked when it exits
probe_start p2
probe "p2:map g nothp 256" && settle p2:g && probe "p2:mlock g" && probe "p2:pfns g /tmp/g"
check "exit: 64 pages locked before exit" "64 64 shadow=1:64 order=0:64 counts-agree" /tmp/g
probe_stop p2
check "exit: unlocked after exit" "$NONE" /tmp/g
expect_no_errors "exit"

# a partial munlock splits the VMA: the rest stays locked
probe "map h nothp 256" && settle h && probe "mlock h" && probe "pfns h /tmp/h"
probe "munlock h 64 64"
check "partial munlock: 48 of 64 pages stay locked" "48 48 shadow=1:48 order=0:48 counts-agree" /tmp/h
probe "munmap h"
expect_no_errors "partial munlock"

# mremap: moving keeps the lock with the pages, growing locks the tail
probe "map i nothp 256" && settle i && probe "mlock i" && probe "pfns i /tmp/i0"
probe "mremap i 512" && probe "pfns i /tmp/i1"
check "mremap: the moved pages keep their entries" "64 64 shadow=1:64 order=0:64 counts-agree" /tmp/i0
check "mremap: growing a locked VMA locks the new tail too" \
	"128 128 shadow=1:128 order=0:128 counts-agree" /tmp/i1
probe "munmap i"
check "mremap: munmap unlocks all of it" "$NONE" /tmp/i1
expect_no_errors "mremap"

probe_stop p1
mw_unload
ktap_finished
