#!/bin/bash
# version.sh: dkms.conf's PACKAGE_VERSION is the version, written once;
# each copy that cannot read it agrees: debian/changelog (the packages'
# version, which dh_dkms gives the installed dkms.conf), the module's
# MLOCKWATCH_VERSION (its debugfs `version:` and modinfo) and the tools'
# --version. KTAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
. "${KTAP_HELPERS:?set by tests/run}"

ktap_print_header
ktap_set_plan 4

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ -n "$ver" ] || ktap_exit_fail_msg "no PACKAGE_VERSION=\"...\" in dkms.conf"

# expect WHAT GOT: GOT is the version.
expect() {
	if [ "$2" = "$ver" ]; then
		ktap_test_pass "$1 is $ver, as dkms.conf"
	else
		ktap_test_fail "$1 is '$2', dkms.conf $ver"
	fi
}

deb=$(cd "$top" && dpkg-parsechangelog -S Version 2>/dev/null)
expect "debian/changelog's version (upstream part)" "${deb%-*}"
expect "module/mlockwatch.h's MLOCKWATCH_VERSION" \
	"$(sed -n 's/^#define MLOCKWATCH_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/mlockwatch.h")"
for t in mlockcheck mlockstress; do
	out=$("$BUILD/tools/$t" --version 2>&1 | head -n1)
	expect "$t --version" "${out#"$t "}"
done
ktap_finished
