#!/bin/bash
# known-bugs.sh: the judging behind a reproducer's KTAP result, on the
# host: the upstream version read from /proc/version or uname -r, the
# version ranges of tests/known-kernel-bugs, and expect_ok_unless_known_bug
# (exit 1 is XFAIL only inside a range, exit 0 there is XPASS and fails,
# exit 2 fails everywhere).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
ktap_print_header
ktap_set_plan 25

# The guest helpers as the guest has them: lib.sh beside ktap_helpers.sh
# and known-kernel-bugs.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$top/tests/guest/lib.sh" "$top/tests/known-kernel-bugs" "$tmp/"
cp "$KTAP_HELPERS" "$tmp/ktap_helpers.sh"

# guest VERSION UNAME CMD...: run CMD with lib.sh loaded, as a guest whose
# /proc/version says VERSION and whose uname -r says UNAME.
guest() {
	local pv=$1 ur=$2
	shift 2
	printf '. ./lib.sh\n%s\n' "$*" > "$tmp/t.sh"
	(cd "$tmp" && MW_PROC_VERSION=$pv MW_UNAME_R=$ur sh ./t.sh 2>&1)
}
deb() { echo "Linux version $2 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP PREEMPT_DYNAMIC Debian $1 (2026-11-30)"; }
expect() { # DESCRIPTION WANT GOT
	if [ "$2" = "$3" ]; then ktap_test_pass "$1"; else ktap_print_msg "want '$2', got '$3'"; ktap_test_fail "$1"; fi
}

expect "Debian 6.1.0-57-amd64 is 6.1.192 (from /proc/version, not uname -r)" 6.1.192 \
	"$(guest "$(deb 6.1.192-3 6.1.0-57-amd64)" 6.1.0-57-amd64 kernel_version)"
expect "Debian 7.3~rc7 is 7.3" 7.3 \
	"$(guest "$(deb '7.3~rc7-1~exp1' 7.3-amd64)" 7.3-amd64 kernel_version)"
expect "a kernel built by hand: the start of uname -r" 7.4.2 \
	"$(guest "Linux version 7.4.2-mm+ (me@box) (gcc) #3 SMP" 7.4.2-mm+ kernel_version)"

# in RANGE-NAME DEBIAN-VERSION -> yes/no
in_range() {
	guest "$(deb "$2" x)" x "known_bug $1 && echo yes || echo no"
}
expect "partial DONTUNMAP: 6.12.113 has it" yes "$(in_range mremap-dontunmap-partial 6.12.113-1)"
expect "partial DONTUNMAP: 6.12.114 (the fix) does not" no "$(in_range mremap-dontunmap-partial 6.12.114-1)"
expect "partial DONTUNMAP: 6.12.117 does not" no "$(in_range mremap-dontunmap-partial 6.12.117-1~deb12u1)"
expect "partial DONTUNMAP: 6.1.190 has it, 6.1.191 does not" "yes no" \
	"$(in_range mremap-dontunmap-partial 6.1.190-1) $(in_range mremap-dontunmap-partial 6.1.191-1)"
expect "partial DONTUNMAP: 7.2.9 has it, 7.2.11 and 7.3.4 do not" "yes no no" \
	"$(in_range mremap-dontunmap-partial 7.2.9-1~bpo13+1) $(in_range mremap-dontunmap-partial 7.2.11-1~bpo13+1) $(in_range mremap-dontunmap-partial 7.3.4-1~bpo13+1)"
expect "overcount (open): 5.18.0 and 7.3.4 have it, 5.17.15 does not" "yes yes no" \
	"$(in_range mlock-count-overcount 5.18.0-1) $(in_range mlock-count-overcount 7.3.4-1~bpo13+1) $(in_range mlock-count-overcount 5.17.15-1)"
expect "int nr_pages: 6.1.192 and 6.12.115 have it, 6.12.117 and 7.3.4 do not" "yes yes no no" \
	"$(in_range mlock-fixup-nr-pages 6.1.192-3) $(in_range mlock-fixup-nr-pages 6.12.115-2~deb12u1) $(in_range mlock-fixup-nr-pages 6.12.117-1~deb12u1) $(in_range mlock-fixup-nr-pages 7.3.4-1~bpo13+1)"
expect "whole DONTUNMAP: 7.2.6 has it, 7.2.9 does not" "yes no" \
	"$(in_range mremap-dontunmap-whole 7.2.6-1~bpo13+1) $(in_range mremap-dontunmap-whole 7.2.9-1~bpo13+1)"
expect "self-merge DONTUNMAP: 6.12.113 has it, 6.12.115 does not" "yes no" \
	"$(in_range mremap-dontunmap-self-merge 6.12.113-1~deb12u1) $(in_range mremap-dontunmap-self-merge 6.12.115-2~deb12u1)"
expect "folio_activate vs mlock: 6.12.43 has it, 6.12.57, 6.1.192, 6.12.117 and 7.3.4 do not" "yes no no no no" \
	"$(in_range folio-activate-mlock 6.12.43-1~bpo12+1) $(in_range folio-activate-mlock 6.12.57-1~bpo12+1) $(in_range folio-activate-mlock 6.1.192-3) $(in_range folio-activate-mlock 6.12.117-1~deb12u1) $(in_range folio-activate-mlock 7.3.4-1~bpo13+1)"
expect "irq-unsafe NR_MLOCK: 6.12.111, 6.1.190 and 7.2.6 have it, 6.12.113, 6.1.192, 7.2.9, 7.3.4 and 5.17.15 do not" "yes yes yes no no no no no" \
	"$(in_range munlock-irq-unsafe-nr-mlock 6.12.111-1~deb12u1) $(in_range munlock-irq-unsafe-nr-mlock 6.1.190-1) $(in_range munlock-irq-unsafe-nr-mlock 7.2.6-1~bpo13+1) $(in_range munlock-irq-unsafe-nr-mlock 6.12.113-1~deb12u1) $(in_range munlock-irq-unsafe-nr-mlock 6.1.192-3) $(in_range munlock-irq-unsafe-nr-mlock 7.2.9-1~bpo13+1) $(in_range munlock-irq-unsafe-nr-mlock 7.3.4-1~bpo13+1) $(in_range munlock-irq-unsafe-nr-mlock 5.17.15-1)"
expect "versions compare numerically: 6.12.100 > 6.12.99" yes \
	"$(guest "$(deb 6.12.100-1 x)" x '[ "$(version_code 6.12.100)" -gt "$(version_code 6.12.99)" ] && echo yes')"

# verdict DEBIAN-VERSION STATUS -> the KTAP line expect_ok_unless_known_bug prints
verdict() {
	guest "$(deb "$1" x)" x "ktap_set_plan 1; expect_ok_unless_known_bug mlock-count-overcount repro $2" |
		grep -E '^(not )?ok 1 '
}
expect "bug kernel, reproducer saw the bug (exit 1): XFAIL" \
	"ok 1 repro (known kernel bug mlock-count-overcount on 7.3.4) # XFAIL" "$(verdict 7.3.4-1 1)"
expect "bug kernel, reproducer saw nothing (exit 0): fails as XPASS" "not ok 1 repro" "$(verdict 7.3.4-1 0)"
expect "bug kernel, reproducer could not set up (exit 2): fails" "not ok 1 repro" "$(verdict 7.3.4-1 2)"
expect "kernel outside the range, exit 0: passes" "ok 1 repro" "$(verdict 5.17.1-1 0)"
expect "kernel outside the range, exit 1: fails" "not ok 1 repro" "$(verdict 5.17.1-1 1)"
expect "kernel outside the range, exit 2: fails" "not ok 1 repro" "$(verdict 5.17.1-1 2)"
expect "the runner counts an XFAIL as a pass: the script exits 0" 0 \
	"$(guest "$(deb 7.3.4-1 x)" x 'ktap_set_plan 1; expect_ok_unless_known_bug mlock-count-overcount repro 1; ktap_finished' > /dev/null; echo $?)"

# overcount_only DEBIAN-VERSION RC OUTPUT-LINE: mlockcheck_only_known_overcount
# on a module whose mismatches are one overcount folio.
overcount_only() {
	printf 'format: 1\n# header\n34244 0 1 0 1 1 1 1 0 6651 1 unlocked-pending overcount\n' > "$tmp/mismatches"
	printf '%s\n' "$3" > "$tmp/mc.out"
	guest "$(deb "$1" x)" x "MW_DEBUGFS=$tmp; mlockcheck_only_known_overcount $2 $tmp/mc.out && echo yes || echo no"
}
expect "overcount only: the known bug, in text and in --json output, on 6.12.117" "yes yes" \
	"$(overcount_only 6.12.117-1 1 'MISMATCH module-verdicts: 1 folio') $(overcount_only 6.12.117-1 1 '{"final":true,"mismatches":[{"invariant":"module-verdicts","delta":1}]}')"
expect "overcount only: not when mlockcheck also names another invariant (text, --json)" "no no" \
	"$(overcount_only 6.12.117-1 1 'MISMATCH witness-bpf: x
MISMATCH module-verdicts: y') $(overcount_only 6.12.117-1 1 '{"final":true,"mismatches":[{"invariant":"module-verdicts"},{"invariant":"identity"}]}')"
expect "overcount only: not on a kernel outside its range (5.17), nor with exit 0" "no no" \
	"$(overcount_only 5.17.1-1 1 'MISMATCH module-verdicts: y') $(overcount_only 6.12.117-1 0 'MISMATCH module-verdicts: y')"
ktap_finished
