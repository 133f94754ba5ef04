#!/bin/bash
# kselftest-install.sh: make kselftest-install lays the guest tests out
# as kselftest does, self-contained (nothing found by a fixed path, so
# the tree runs wherever it is moved), with settings and a config
# fragment the kernel understands, and every test that can harm the
# machine marked and kept from running without MW_DESTRUCTIVE=1.
# Nothing of the suite itself runs here: the guest boots of tests/run run
# it, from where a test box would have it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
ktap_print_header
ktap_set_plan 11

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# linux-source-X: KTAP_HELPERS is its tools/testing/selftests/kselftest/ktap_helpers.sh.
src=$(cd "$(dirname "$KTAP_HELPERS")/../../../.." && pwd)

# expect DESCRIPTION WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ktap_test_pass "$1"; else ktap_print_msg "want '$2', got '$3'"; ktap_test_fail "$1"; fi
}

if ! make -s -C "$top" kselftest-install INSTALL_PATH="$tmp/built" > "$tmp/make.log" 2>&1; then
	sed 's/^/# /' "$tmp/make.log"
	ktap_exit_fail_msg "make kselftest-install failed"
fi
# Moved after the install, as a test box's copy would be.
mv "$tmp/built" "$tmp/box"
d=$tmp/box
c=$d/mlockwatch

missing=
for f in run_kselftest.sh kselftest/runner.sh kselftest/ktap_helpers.sh kselftest/prefix.pl \
	mlockwatch/lib.sh mlockwatch/run.sh mlockwatch/ktap_helpers.sh mlockwatch/known-kernel-bugs \
	mlockwatch/settings mlockwatch/config mlockwatch/mlockcheck mlockwatch/mlockstress; do
	[ -e "$d/$f" ] || missing="$missing $f"
done
expect "the kselftest runner, the suite's helpers, settings, config, mlockcheck and mlockstress are installed" "" "$missing"

expect "kselftest-list.txt lists every guest test, as collection mlockwatch" \
	"$(cd "$top/tests/guest" && ls [0-9]*.sh | sed 's/^/mlockwatch:/')" "$(cat "$d/kselftest-list.txt")"

notexec=$(cd "$c" && for t in [0-9]*.sh run.sh; do [ -x "$t" ] || echo "$t"; done)
expect "every test is executable (run_kselftest.sh runs only what is)" "" "$notexec"

# Every program a test runs as "$MW_DIR/NAME" is beside it.
absent=$(grep -ho '\$MW_DIR/[a-z_]*' "$top"/tests/guest/*.sh | sort -u | sed 's|\$MW_DIR/||' |
	grep -v '^mlockwatch$\|^mlockinject$\|^$' |
	while read -r p; do [ -x "$c/$p" ] || echo "$p"; done)
expect "every program the tests run from \$MW_DIR is installed beside them" "" "$absent"

# A test that still finds something under /mw or in the build tree would
# pass in a guest built from that tree and fail on a test box.
fixed=$(grep -nE '(^|[^A-Za-z0-9_])/mw([/ "]|$)|'"$top" "$c"/*.sh "$c/settings" "$c/config" | sed 's/^/    /')
[ -z "$fixed" ] || ktap_print_msg "fixed paths: $fixed"
expect "no installed script names a path under /mw or in the build tree" "" "$fixed"

timeout=$(sed -n 's/^timeout=//p' "$c/settings")
case "$timeout" in
''|*[!0-9]*) ktap_print_msg "settings: '$(cat "$c/settings")'"; ktap_test_fail "settings gives a timeout= in seconds" ;;
*) ktap_test_pass "settings gives a timeout= in seconds ($timeout)" ;;
esac

# Each option of the fragment is a Kconfig symbol of the source kernel
# (a misspelt one would merge silently with merge_config.sh).
grep -rhoE --include='Kconfig*' '^(menu)?config [A-Z0-9_]+' "$src" | awk '{ print $2 }' | sort -u > "$tmp/symbols"
unknown=$(grep -v '^CONFIG_[A-Z0-9_]*=[ym]$' "$c/config" | sed 's/^/bad line: /'
	sed -n 's/^CONFIG_\([A-Z0-9_]*\)=.*/\1/p' "$c/config" | sort -u | comm -23 - "$tmp/symbols")
expect "config: only CONFIG_X=y|m lines, each a Kconfig symbol of linux-source" "" "$unknown"

# The tests that can harm their machine, by what they do: load the
# injector, take a CPU offline, inject allocation failures, raise the
# lockdown level. Each must carry the line lib.sh reads.
unmarked=$(cd "$top/tests/guest" &&
	grep -lE 'mlockinject\.ko|/cpu[0-9]+/online|failslab|/sys/kernel/security/lockdown' [0-9]*.sh |
	while read -r t; do grep -q '^# destructive: ' "$t" || echo "$t"; done)
expect "every test that loads the injector, unplugs a CPU, injects failures or raises lockdown is marked '# destructive:'" "" "$unmarked"

# lib.sh's gate, on a marked test of its own: without MW_DESTRUCTIVE=1
# it skips (exit 4, the reason and the variable named) before the test
# runs; with it, the test runs.
printf '%s\n' '#!/bin/sh' '# destructive: breaks things on purpose' '. "$(dirname "$0")/lib.sh"' 'echo RAN' > "$c/99-gate.sh"
chmod 755 "$c/99-gate.sh"
echo "mlockwatch:99-gate.sh" >> "$d/kselftest-list.txt"
got=$(cd "$d" && env -u MW_DESTRUCTIVE ./run_kselftest.sh -t mlockwatch:99-gate.sh 2>&1)
echo "$got" | sed 's/^/    /'
expect "run_kselftest.sh: a destructive test skips without MW_DESTRUCTIVE=1, saying why and what to set" \
	"# 1..0 # SKIP destructive (breaks things on purpose): set MW_DESTRUCTIVE=1 to run it|ok 1 selftests: mlockwatch: 99-gate.sh # SKIP" \
	"$(echo "$got" | grep -E '^# 1\.\.0|^ok 1|RAN' | paste -sd'|' -)"
got=$(cd "$c" && MW_DESTRUCTIVE=1 ./99-gate.sh 2>&1)
expect "with MW_DESTRUCTIVE=1 it runs" "RAN 0" "$got $?"
# Installed without KNAME=, the suite has no injector: a destructive test
# that loads it skips, saying where the injector comes from.
printf '%s\n' '#!/bin/sh' '# destructive: breaks things on purpose' '. "$(dirname "$0")/lib.sh"' \
	'insmod "$MW_DIR/mlockinject.ko"; echo RAN' > "$c/98-inject.sh"
got=$(cd "$c" && MW_DESTRUCTIVE=1 sh ./98-inject.sh 2>&1)
rc=$?
expect "without the injector installed, a test that loads it skips, naming KNAME=" \
	"1..0 # SKIP needs the test-only injector mlockinject.ko, which make kselftest-install installs only with KNAME=<pinned kernel> 4" \
	"$(echo "$got" | grep -v '^TAP') $rc"
ktap_finished
