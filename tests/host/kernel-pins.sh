#!/bin/bash
# kernel-pins.sh: how scripts/kernel-fetch resolves kernels.conf pins,
# against a local apt archive this test makes (never the live mirror,
# whose contents move): a served pin resolves to itself; an unserved
# "check" pin falls back, with a WARNING, to the newest version of its own
# series in its own suite (meta packages and exact ABIs alike); a pin for
# one side of a bug never falls back; each suite comes from the system's
# stanza with the suite swapped. Also checks that kernels.conf parses, and
# what scripts/kernels, its one reader, gives the others.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
ktap_print_header
ktap_set_plan 11

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo

# stanza PACKAGE VERSION: one Packages entry
stanza() {
	printf 'Package: %s\nVersion: %s\nArchitecture: amd64\nMaintainer: t <t@t>\nFilename: pool/%s_%s_amd64.deb\nSize: 1\nDescription: fake\n\n' "$1" "$2" "$1" "$2"
}
# suite SUITE < Packages: one suite of the local archive
suite() {
	local d=$repo/dists/$1
	mkdir -p "$d/main/binary-amd64"
	cat > "$d/main/binary-amd64/Packages"
	printf 'Suite: %s\nCodename: %s\nArchitectures: amd64\nComponents: main\n' "$1" "$1" > "$d/Release"
	(cd "$d" && apt-ftparchive release . >> Release)
}
{ stanza linux-image-amd64 6.1.176-1; } | suite bookworm
{ stanza linux-image-amd64 6.1.192-3; stanza linux-image-amd64 6.1.190-1
  stanza linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1
  stanza linux-image-6.12.115+deb12-amd64 6.12.115-2~deb12u1
  stanza linux-image-6.12.115+deb12-rt-amd64 6.12.115-2~deb12u1; } | suite bookworm-security
{ stanza linux-image-amd64 6.12.95-1~bpo12+1; } | suite bookworm-backports
{ stanza linux-image-amd64 7.3.4-1~bpo13+1; stanza linux-image-amd64 7.2.13-1~bpo13+1; } | suite trixie-backports
{ stanza linux-image-amd64 7.4.1-1; } | suite sid

# The system's sources as a Debian 12 machine has them, pointing here.
cat > "$tmp/debian.sources" <<EOT
Types: deb
URIs: file:$repo
Suites: bookworm bookworm-updates
Components: main
Trusted: yes

Types: deb
URIs: file:$repo
Suites: bookworm-security
Components: main
Trusted: yes
EOT
resolve() { # CONF-LINE NAME -> what kernel-fetch --resolve prints; stderr in $tmp/err
	printf '%s\n' "$1" > "$tmp/kernels.conf"
	KERNELS_CONF=$tmp/kernels.conf DEBIAN_SOURCES=$tmp/debian.sources KERNEL_FETCH_APT=$tmp/apt \
		"$top/scripts/kernel-fetch" --resolve "$2" 2> "$tmp/err"
}
expect() { # DESCRIPTION WANT GOT
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "want '$2', got '$3'"
		sed 's/^/# /' "$tmp/err"
		ktap_test_fail "$1"
	fi
}
warned() { grep -q "WARNING: .*no longer served" "$tmp/err" && grep -q "WARNING: falling back to .*$1" "$tmp/err"; }

got=$(resolve "6.1 bookworm-security amd64 meta 6.1.192-3 check" 6.1)
expect "a served meta pin resolves to itself, in its own suite" \
	"6.1 bookworm-security linux-image-amd64 6.1.192-3" "$got"
got=$(resolve "6.1 bookworm-security amd64 meta 6.1.192-2 check" 6.1)
expect "an unserved meta pin falls back to the newest of its series in its suite (not bookworm's 6.1.176)" \
	"6.1 bookworm-security linux-image-amd64 6.1.192-3" "$got"
warned 6.1.192-3 && ktap_test_pass "  ... with a WARNING naming the substitute" ||
	{ sed 's/^/# /' "$tmp/err"; ktap_test_fail "  ... with a WARNING naming the substitute"; }
got=$(resolve "7.3 trixie-backports amd64 meta 7.3.3-1~bpo13+1 check" 7.3)
expect "a suite not in the system's sources is derived by swapping the suite; fallback stays in series 7.3 (no 7.2, no sid's 7.4)" \
	"7.3 trixie-backports linux-image-amd64 7.3.4-1~bpo13+1" "$got"
got=$(resolve "7.2 trixie-backports amd64 meta 7.2.12-1~bpo13+1 check" 7.2)
expect "an unserved 7.2 pin in trixie-backports falls back to 7.2.13 there" \
	"7.2 trixie-backports linux-image-amd64 7.2.13-1~bpo13+1" "$got"
got=$(resolve "6.12 bookworm-security amd64 6.12.116+deb12 6.12.116-1~deb12u1 check" 6.12)
expect "an unserved exact ABI falls back to the newest ABI of its series, suffix and flavour" \
	"6.12 bookworm-security linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1" "$got"
got=$(resolve "6.12-rt bookworm-security rt-amd64 6.12.111+deb12 6.12.111-1~deb12u1 check" 6.12-rt)
expect "  ... and keeps the flavour (rt-amd64)" \
	"6.12-rt bookworm-security linux-image-6.12.115+deb12-rt-amd64 6.12.115-2~deb12u1" "$got"
got=$(resolve "6.12.111 bookworm-security amd64 6.12.111+deb12 6.12.111-1~deb12u1 extra,bug:x" 6.12.111)
rc=$?
if [ "$rc" != 0 ] && [ -z "$got" ] && grep -q "no substitute can stand in" "$tmp/err"; then
	ktap_test_pass "a pin for one side of a bug never falls back: it fails, saying why"
else
	sed 's/^/# /' "$tmp/err"
	ktap_test_fail "a pin for one side of a bug never falls back (exit $rc, got '$got')"
fi
got=$(resolve "6.12 bookworm-security amd64 6.12.116+deb12 6.12.116-1~deb12u1 check,fix:x" 6.12)
if [ "$got" = "6.12 bookworm-security linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1" ] &&
   grep -q "roles (check,fix:x) do not hold for 6.12.117-1~deb12u1" "$tmp/err"; then
	ktap_test_pass "a check kernel that is also one side of a bug falls back, saying its bug roles no longer hold"
else
	sed 's/^/# /' "$tmp/err"
	ktap_test_fail "a check kernel that is also one side of a bug falls back (got '$got')"
fi
if names=$("$top/scripts/kernels" names check) && [ -n "$names" ] &&
   for n in $("$top/scripts/kernels" names); do "$top/scripts/kernels" get "$n" > /dev/null || exit 1; done; then
	ktap_test_pass "kernels.conf parses: check kernels $names"
else
	ktap_test_fail "kernels.conf parses"
fi
printf '%s\n' "# a comment" "a bookworm-security amd64 meta 1-1 check,bug:x" "" \
	"b trixie-backports rt-amd64 7.3.4+deb13 7.3.4-1 extra" "c bookworm-security amd64 meta 2-1 fix:x,noheaders" > "$tmp/kernels.conf"
k() { "$top/scripts/kernels" --conf "$tmp/kernels.conf" "$@" 2>&1 | paste -sd' ' -; }
expect "scripts/kernels: suites, roles NAME, get NAME FIELD" \
	"bookworm-security trixie-backports|check bug:x|rt-amd64|2-1|extra|a c" \
	"$(k suites)|$(k roles a)|$(k get b flavour)|$(k get c version)|$(k get b roles)|$(k names check) $(k first fix:x)"
ktap_finished
