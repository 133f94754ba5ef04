#!/bin/sh
# Hostile input to the control file: random bytes, over-long writes,
# embedded NULs, verbs with something around them, empty writes, a verb
# in pieces, at an offset or split over iovecs. Each must fail with
# EINVAL and change nothing (the summary lines that reset, scan and
# selftest change stay as they were). Then a storm: writers looping valid
# and invalid writes while readers loop over every view and a region is
# locked and unlocked; every valid write is taken, every invalid one
# refused, every read whole, and afterwards the module is consistent and
# unloads, with nothing in the kernel log.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 16

CTL=$MW_DEBUGFS/control
W="$MW_DIR/ctlwrite"
STORM=${MW_STORM_SECONDS:-20}

# digest: the summary lines a refused write must not change (reset moves
# the *_at_load baseline and zeroes witnessed_*, scan counts scan_runs,
# selftest sets selftest), one line.
digest() {
	grep -E '^(selftest|scan_runs|nr_mlock_at_load|unevictable_pgs_[a-z]+_at_load|witnessed_[a-z_]+):' \
		"$MW_DEBUGFS/summary" | tr '\n' ';'
}

# expect_refused DESCRIPTION DATA...: every DATA written (one write each,
# on one descriptor) fails with EINVAL.
expect_refused() {
	local what=$1 want= d
	shift
	for d in "$@"; do want="$want${want:+ }EINVAL"; done
	expect_eq "$what" "$want" "$($W "$CTL" "$@")"
}

mw_load || ktap_exit_fail_msg "insmod failed"
# 8 MiB locked throughout, so that a reset would show in witnessed_*;
# locked untouched, so that mlock_new fires too (the selftest wants every
# accounting hook to have fired).
region_start 8
region_cmd lock
mw_control drain
before=$(digest)
ktap_print_msg "digest: $before"

seed=$(date +%s)
ktap_print_msg "random rounds with seed $seed"
expect_eq "300 writes of random bytes (alone, after a verb, up to 70000): all EINVAL" \
	"accepted 0 EINVAL 300" "$($W -R 300 -S "$seed" "$CTL")"
expect_eq "the random writes changed nothing" "$before" "$(digest)"

head -c 65536 /dev/zero | tr '\0' r > /tmp/ctl.64k
printf 'reset\n' | cat - /tmp/ctl.64k > /tmp/ctl.reset64k
for n in 15 16 31 32 33 4096; do head -c $n /tmp/ctl.64k > /tmp/ctl.$n; done
expect_refused "over-long writes (15, 16, 31, 32, 33, 4096, 65536 bytes, reset + 64 KiB)" \
	@/tmp/ctl.15 @/tmp/ctl.16 @/tmp/ctl.31 @/tmp/ctl.32 @/tmp/ctl.33 \
	@/tmp/ctl.4096 @/tmp/ctl.64k @/tmp/ctl.reset64k
expect_refused "embedded NUL bytes" 'reset\0' '\0reset' 'res\0et' 'reset\n\0' 'scan\0\n' '\0'
expect_refused "verbs with something around them" 'reset ' 'reset x' 'reset\n\n' \
	'scan\nreset' 'reset\r\n' ' reset' 'RESET' 'reset\t' 'resetx' 'rese' \
	'selftest now' '\n' 'scan;reset' 'drain\ndrain\n'
expect_refused "an empty write" ''
expect_refused "a verb in pieces, one write each" 'res' 'et\n' 'sc' 'an' 'dra' 'in'
expect_eq "a verb written at an offset (pwrite at 1, 5, 4096)" "EINVAL EINVAL EINVAL" \
	"$($W -o 1 "$CTL" 'reset') $($W -o 5 "$CTL" 'scan\n') $($W -o 4096 "$CTL" 'reset')"
expect_eq "a verb split over two iovecs (writev)" "EINVAL EINVAL" \
	"$($W -s 3 "$CTL" 'reset\n') $($W -s 2 "$CTL" 'scan')"
expect_eq "the refused writes changed nothing" "$before" "$(digest)"
# The digest must see an accepted verb, or the checks above prove nothing.
r=$($W "$CTL" 'scan\n')
expect_eq "a valid scan is taken, and shows in the digest" "ok changed" \
	"$r $([ "$(digest)" != "$before" ] && echo changed || echo unchanged)"

# The storm.
writer() {
	local id=$1 verbs=$2 end=$(( $(date +%s) + STORM )) vf=0 ia=0 n=0 v r
	while [ "$(date +%s)" -lt "$end" ]; do
		for v in $verbs; do
			echo "$v" > "$CTL" 2>/dev/null || vf=$((vf + 1))
		done
		r=$($W -R 5 -S $((id * 100000 + n)) "$CTL" 2>&1)
		[ "$r" = "accepted 0 EINVAL 5" ] || { ia=$((ia + 1)); echo "writer $id: $r"; }
		r=$($W "$CTL" 'reset x' 'scan\0' '' 'dr' 'ain' '\nscan')
		[ "$r" = "EINVAL EINVAL EINVAL EINVAL EINVAL EINVAL" ] || { ia=$((ia + 1)); echo "writer $id: $r"; }
		n=$((n + 1))
	done
	echo "$vf $ia $n" > "/tmp/writer.$id"
}
reader() {
	local id=$1 end=$(( $(date +%s) + STORM )) fail=0 n=0 f
	while [ "$(date +%s)" -lt "$end" ]; do
		for f in folios mismatches summary hooks; do
			if cat "$MW_DEBUGFS/$f" > "/tmp/reader.$id.out" 2>&1 &&
				head -n1 "/tmp/reader.$id.out" | grep -q '^format: [0-9]'; then
				n=$((n + 1))
			else
				fail=$((fail + 1))
				echo "reader $id: $f: $(head -n1 "/tmp/reader.$id.out")"
			fi
		done
	done
	echo "$fail $n" > "/tmp/reader.$id"
}
rm -f /tmp/writer.* /tmp/reader.*
writer 1 "reset scan" & p1=$!
writer 2 "drain" & p2=$!
writer 3 "scan selftest" & p3=$!
reader 1 & p4=$!
reader 2 & p5=$!
end=$(( $(date +%s) + STORM ))
cycles=0
while [ "$(date +%s)" -lt "$end" ]; do
	region_cmd unlock && region_cmd lock && cycles=$((cycles + 1))
done
wait $p1 $p2 $p3 $p4 $p5
ktap_print_msg "storm: $STORM s, $cycles unlock/lock cycles; writers (valid failed, invalid accepted, rounds): $(cat /tmp/writer.1) / $(cat /tmp/writer.2) / $(cat /tmp/writer.3); readers (failed, reads): $(cat /tmp/reader.1) / $(cat /tmp/reader.2)"
w=$(cat /tmp/writer.1 /tmp/writer.2 /tmp/writer.3 | awk '{ vf += $1; ia += $2; n += ($3 > 0) } END { print vf + 0, ia + 0, n + 0 }')
expect_eq "storm: every valid write taken, every invalid one refused (3 writers ran)" "0 0 3" "$w"
r=$(cat /tmp/reader.1 /tmp/reader.2 | awk '{ f += $1; n += ($2 > 0) } END { print f + 0, n + 0 }')
expect_eq "storm: every read of folios, mismatches, summary, hooks whole (2 readers ran)" "0 2" "$r"

mw_control reset
region_cmd unlock
region_cmd lock
mw_control selftest
expect_eq "after the storm: selftest passes after a reset, an unlock and a lock" pass "$(mw_summary selftest)"
expect_no_errors "after the storm"
region_stop
mw_unload
rc=$?
expect_eq "the module unloads; no WARNING, BUG or Oops in the kernel log" "0 0" \
	"$rc $(dmesg | grep -cE 'WARNING:|BUG:|Oops|sleeping function|general protection')"
ktap_finished
