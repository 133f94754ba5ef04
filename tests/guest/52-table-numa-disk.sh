#!/bin/sh
# The shadow table across NUMA migration and on a real file system: a
# guest with two nodes and an ext4 disk.
# mlockvm: --numa --disk
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 7

mw_load
probe_start p1

# move_pages of locked pages: the kernel munlocks the source and mlocks
# the destination through the hooked calls
probe "map j nothp 256" && settle j && probe "mlock j" &&
	probe "move j 0" && probe "pfns j /tmp/j0" && probe "move j 1" &&
	probe "pfns j /tmp/j1"
expect_eq "move_pages: every page moved to other PFNs" "0" \
	"$(sort /tmp/j0 /tmp/j1 | uniq -d | wc -l)"
check "move_pages: the destination pages are locked once" \
	"64 64 shadow=1:64 order=0:64 counts-agree" /tmp/j1
check "move_pages: the source pages left the table" "$NONE" /tmp/j0
probe "munmap j"
expect_no_errors "move_pages"

# ext4 page cache
probe "map k file:/mnt/mlock_probe.k 256" && settle k && probe "mlock k" &&
	probe "pfns k /tmp/k"
check "ext4: 64 page-cache folios locked once" \
	"64 64 shadow=1:64 order=0:64 counts-agree" /tmp/k
probe "munlock k"
check "ext4: munlock unlocks them" "$NONE" /tmp/k
probe "munmap k"
expect_no_errors "ext4"

probe_stop p1
rm -f /mnt/mlock_probe.k
mw_unload
ktap_finished
