#!/bin/bash
# dkms-build.sh NAME...: dkms add, build and install the package for each
# pinned kernel NAME, in private trees under build/dkms, exactly as a test
# box would from /usr/src/mlockwatch-VERSION. KTAP output. A kernel whose
# compiler the host lacks is built in its build root (KBUILDER in
# kernel.env, scripts/buildroot), where dkms runs as a test box of that
# release would run it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
. "${KTAP_HELPERS:?set by tests/run}"

ktap_print_header
ktap_set_plan $((1 + 3 * $#))

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
modver=$(sed -n 's/^#define MLOCKWATCH_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/mlockwatch.h")
if [ -n "$ver" ] && [ "$ver" = "$modver" ]; then
	ktap_test_pass "dkms.conf version $ver matches the module's"
else
	ktap_test_fail "dkms.conf version '$ver' matches the module's '$modver'"
fi

d=$BUILD/dkms
rm -rf "$d"
src=$d/src/mlockwatch-$ver
mkdir -p "$src" "$d/tree" "$d/inst"
# What a package ships: no build tree, no tests.
cp -r "$top/dkms.conf" "$top/Kbuild" "$top/module" "$top/include" "$src/"
trees=(--sourcetree "$d/src" --dkmstree "$d/tree")
dkms add -m mlockwatch -v "$ver" "${trees[@]}" > "$d/add.log" 2>&1 ||
	{ cat "$d/add.log"; ktap_exit_fail_msg "dkms add failed"; }

# in_builder CMD...: CMD where the current kernel's modules are built.
in_builder() {
	if [ "${KBUILDER:-host}" = host ]; then
		"$@"
	else
		# A worktree's build/kernels links to another tree's cache.
		"$top/scripts/buildroot" --run "$KBUILDER" --bind "$top" --bind "$BUILD" \
			--bind "$(readlink -f "$BUILD/kernels")" -- "$@"
	fi
}

for name in "$@"; do
	"$top/scripts/kernel-fetch" "$name"
	KBUILDER=host
	. "$BUILD/kernels/$name/kernel.env"
	mkdir -p "$d/inst/$KREL"
	if in_builder dkms build -m mlockwatch -v "$ver" -k "$KREL" --kernelsourcedir "$KDIR" \
		"${trees[@]}" > "$d/build-$name.log" 2>&1; then
		ktap_test_pass "dkms build for $name ($KREL)"
	else
		sed 's/^/# /' "$d/build-$name.log"
		cat "$d/tree/mlockwatch/$ver/build/make.log" 2>/dev/null | sed 's/^/# /'
		ktap_test_fail "dkms build for $name ($KREL)"
	fi
	if in_builder dkms install -m mlockwatch -v "$ver" -k "$KREL" --installtree "$d/inst" \
		--no-depmod "${trees[@]}" > "$d/install-$name.log" 2>&1; then
		ktap_test_pass "dkms install for $name"
	else
		sed 's/^/# /' "$d/install-$name.log"
		ktap_test_fail "dkms install for $name"
	fi
	ko=$d/inst/$KREL/updates/dkms/mlockwatch.ko
	vm=$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{ print $1 }')
	if [ "$vm" = "$KREL" ]; then
		ktap_test_pass "installed module's vermagic is $KREL"
	else
		ktap_test_fail "installed module's vermagic is $KREL (got '$vm')"
	fi
done
ktap_finished
