#!/bin/sh
# mremap(MREMAP_DONTUNMAP) of locked memory keeps mm->locked_vm (VmLck)
# and VM_LOCKED right. Two reproducers from mlockstress's mremap
# scenario (see mremap_dontunmap.c): "whole" leaks VmLck on the 6.18 host
# kernel only; "partial" drops VM_LOCKED from the unmoved rest of the VMA
# on 6.12, a known kernel bug (tests/known-kernel-bugs).
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 2
out=$(/mw/mremap_dontunmap whole)
rc=$?
ktap_print_msg "$out"
expect_ok_unless_known_bug mremap-dontunmap-whole \
	"VmLck is right after mremap(DONTUNMAP) of a whole locked VMA and unmap" "$rc"
out=$(/mw/mremap_dontunmap partial)
rc=$?
ktap_print_msg "$out"
expect_ok_unless_known_bug mremap-dontunmap-partial \
	"the unmoved rest of a locked VMA stays VM_LOCKED after mremap(DONTUNMAP) of part of it" "$rc"
ktap_finished
