#!/bin/bash
# deb-chroot.sh: the packages as a test box gets them. `make deb`, then a
# fresh Debian 12 root (debootstrap minbase) where apt installs the
# headers of the pinned kernel, then both packages; DKMS must have built
# and installed mlockwatch for that kernel, each package must hold its
# part of what `make install` installs, and the tools must run. KTAP.
#
# The kernel is the newest "check" kernel of kernels.conf from a bookworm
# suite (Debian 12's own), its packages the ones kernel-fetch cached.
# Cached across runs: the debootstrap (build/deb-chroot/base) and apt's
# downloads; every install step runs in a new copy of the base each time.
# The mounts live in a private mount namespace per step, so no exit path
# can leave one behind.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$top/build}
. "${KTAP_HELPERS:?set by tests/run}"
sys_sources=${DEBIAN_SOURCES:-/etc/apt/sources.list.d/debian.sources}

ktap_print_header
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root (debootstrap, chroot, mounts)"
ktap_set_plan 9

dir=$BUILD/deb-chroot
base=$dir/base
root=$dir/root
logs=$dir/logs
# Bump when the base's recipe changes.
base_recipe="1 bookworm minbase"
t0=$(date +%s)

mounted_under() { # DIR: is anything mounted at or below DIR?
	findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d) == 1 { f = 1 } END { exit !f }'
}

# A failed run leaves its root for inspection; the next one removes it.
cleanup() {
	local rc=$?
	if mounted_under "$root"; then
		echo "# something is still mounted under $root: not removing it" >&2
	elif [ "$rc" = 0 ]; then
		rm -rf "$root"
	elif [ -d "$root" ]; then
		echo "# the chroot is left in $root (logs: $logs); the next run removes it"
	fi
}
trap cleanup EXIT
trap "exit 143" TERM INT

# fail_step WHAT LOG: the step's log, then the end of the test.
fail_step() {
	[ -f "$2" ] && tail -n 40 "$2" | sed 's/^/# /'
	ktap_test_fail "$1"
	ktap_exit_fail_msg "step failed: $1 (log: $2)"
}

# in_root LOG CMD...: CMD in the chroot, with /proc, /sys, /dev and apt's
# download cache mounted in a mount namespace of its own.
in_root() {
	local log=$1
	shift
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1 cache=$2; shift 2
		mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
		mount --bind /dev "$r/dev" && mount --bind "$cache" "$r/var/cache/apt/archives" || exit 1
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "$dir/archives" "$@" >> "$log" 2>&1
}

rm -rf "$logs"
mkdir -p "$logs" "$dir/archives/partial"

# 1. The packages of this tree.
if make -s -C "$top" deb > "$logs/make-deb.log" 2>&1 &&
	debs=$(ls "$BUILD"/deb/mlockwatch-dkms_*_all.deb "$BUILD"/deb/mlockwatch-tools_*_amd64.deb 2>/dev/null) &&
	[ "$(echo "$debs" | wc -l)" = 2 ]; then
	ktap_test_pass "make deb built mlockwatch-dkms and mlockwatch-tools"
else
	fail_step "make deb built mlockwatch-dkms and mlockwatch-tools" "$logs/make-deb.log"
fi
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

# 2. The kernel: its image and headers, as kernel-fetch cached them.
name=
for n in $("$top/scripts/kernels" names check); do
	case "$("$top/scripts/kernels" get "$n" suite)" in bookworm*) name=$n ;; esac
done
kdebs=()
if [ -n "$name" ] && "$top/scripts/kernel-fetch" "$name" > "$logs/kernel-fetch.log" 2>&1 &&
	. "$BUILD/kernels/$name/kernel.env" && [ -n "$KDIR" ]; then
	# The headers and every linux-* package they depend on at their
	# version (common headers, kbuild, the image).
	qver=${KVERSION//:/%3a}
	todo=("${KPACKAGE/linux-image-/linux-headers-}")
	while [ ${#todo[@]} -gt 0 ]; do
		p=${todo[0]} todo=("${todo[@]:1}")
		f=$(ls "$BUILD/apt/debs/${p}_${qver}_"*.deb 2>/dev/null | head -n1)
		[ -n "$f" ] || continue
		case " ${kdebs[*]} " in *" $f "*) continue ;; esac
		kdebs+=("$f")
		todo+=($(dpkg-deb -f "$f" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*//; s/[[:space:]]//g' | grep '^linux-'))
	done
fi
if [ ${#kdebs[@]} -ge 3 ]; then
	ktap_test_pass "kernel $name: $KREL, ${#kdebs[@]} packages at $KVERSION"
else
	echo "kernel '$name': packages found: ${kdebs[*]}" >> "$logs/kernel-fetch.log"
	fail_step "kernel '$name' (the newest bookworm check kernel) and its header packages" "$logs/kernel-fetch.log"
fi

# 3. A Debian 12 base from the archive the machine's debian.sources names.
if [ -f "$base/.mlockwatch-base" ] && [ "$(cat "$base/.mlockwatch-base")" = "$base_recipe" ]; then
	ktap_test_pass "debootstrap bookworm minbase (cached in $base)"
else
	uri=$(awk 'BEGIN { RS = "" }
	     $0 ~ /(^|\n)Suites:[ \t]*([^\n]*[ \t])?bookworm([ \t]|\n|$)/ {
		if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {
			u = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", u); print u; exit
		}
	     }' "$sys_sources" 2>/dev/null)
	if mounted_under "$base"; then
		echo "something is mounted under $base" > "$logs/debootstrap.log"
		fail_step "debootstrap bookworm minbase" "$logs/debootstrap.log"
	fi
	rm -rf "$base" "$base.tmp"
	# debootstrap mounts /proc and /sys in the target: in a namespace of
	# its own, they cannot outlive it.
	if [ -n "$uri" ] && unshare --mount --propagation private -- debootstrap --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		bookworm "$base.tmp" "$uri" > "$logs/debootstrap.log" 2>&1; then
		rm -f "$base.tmp/var/cache/apt/archives/"*.deb
		echo "$base_recipe" > "$base.tmp/.mlockwatch-base"
		mv "$base.tmp" "$base"
		ktap_test_pass "debootstrap bookworm minbase"
	else
		[ -n "$uri" ] || echo "no stanza with suite bookworm in $sys_sources" >> "$logs/debootstrap.log"
		fail_step "debootstrap bookworm minbase" "$logs/debootstrap.log"
	fi
fi

# 4. A fresh root from it, with the machine's own sources (bookworm,
# -updates, -security: the headers' dependencies may need the last).
if mounted_under "$root"; then
	echo "something is mounted under $root" > "$logs/root.log"
	fail_step "a fresh root from the base" "$logs/root.log"
fi
rm -rf "$root"
if cp -a "$base" "$root" > "$logs/root.log" 2>&1 &&
	rm -f "$root/etc/apt/sources.list" &&
	cp "$sys_sources" "$root/etc/apt/sources.list.d/debian.sources" &&
	cp /etc/resolv.conf "$root/etc/resolv.conf" &&
	mkdir -p "$root/tmp/debs" && cp $debs "${kdebs[@]}" "$root/tmp/debs/" &&
	in_root "$logs/root.log" apt-get -q update; then
	ktap_test_pass "a fresh root, apt-get update"
else
	fail_step "a fresh root, apt-get update" "$logs/root.log"
fi

# 5. The kernel's headers (and so its image), first, as on a test box.
if in_root "$logs/headers.log" apt-get install -y -q --no-install-recommends \
	$(for f in "${kdebs[@]}"; do echo "/tmp/debs/${f##*/}"; done); then
	ktap_test_pass "apt install the $KREL headers"
else
	fail_step "apt install the $KREL headers" "$logs/headers.log"
fi

# 6. The packages, as README says, with what they depend on only (the
# Depends must be enough), and DKMS building the module in postinst.
if in_root "$logs/install.log" apt-get install -y -q --no-install-recommends \
	$(for f in $debs; do echo "/tmp/debs/${f##*/}"; done); then
	ktap_test_pass "apt install ./mlockwatch-*.deb"
else
	cat "$root"/var/lib/dkms/mlockwatch/*/build/make.log >> "$logs/install.log" 2>/dev/null
	fail_step "apt install ./mlockwatch-*.deb" "$logs/install.log"
fi

# 7. dkms: built and installed for the kernel, a module of its release
# that modprobe would find (by name: depmod ran).
in_root "$logs/dkms.log" dkms status
st=$(grep "^mlockwatch/$ver, $KREL, " "$logs/dkms.log")
in_root "$logs/dkms.log" modinfo -k "$KREL" -F vermagic mlockwatch
vm=$(tail -n1 "$logs/dkms.log" | awk '{ print $1 }')
if echo "$st" | grep -q ': installed$' && [ "$vm" = "$KREL" ]; then
	ktap_test_pass "dkms status: $st (vermagic $vm)"
else
	fail_step "dkms status says mlockwatch/$ver is installed for $KREL (got '$st', vermagic '$vm')" "$logs/dkms.log"
fi

# 8. Each package holds its part of what `make install` installs: the
# tools and their pages, the DKMS tree (compressed pages as .gz).
stage=$dir/stage
rm -rf "$stage"
want() { # PREFIX...: the staged files under them, as dpkg -L lists them
	(cd "$stage" && for p in "$@"; do [ -d "$p" ] && find "$p" -type f; done) |
		sed 's|^|/|; s|^\(/usr/share/man/.*\)|\1.gz|' | sort
}
if make -s -C "$top" install DESTDIR="$stage" PREFIX=/usr > "$logs/contents.log" 2>&1 &&
	in_root "$logs/tools-list.log" dpkg -L mlockwatch-tools &&
	in_root "$logs/dkms-list.log" dpkg -L mlockwatch-dkms &&
	diff -u <(want usr/sbin usr/bin usr/share/man) \
		<(grep -E '^/usr/(s?bin|share/man)/' "$logs/tools-list.log" | while read -r f; do
			[ -d "$root$f" ] || echo "$f"; done | sort) >> "$logs/contents.log" &&
	diff -u <(want usr/src) \
		<(grep '^/usr/src/' "$logs/dkms-list.log" | while read -r f; do
			[ -d "$root$f" ] || echo "$f"; done | sort) >> "$logs/contents.log"; then
	ktap_test_pass "the packages hold what make install installs ($(want usr/share/man | wc -l) man pages)"
else
	fail_step "the packages hold what make install installs (diff: staged vs packaged)" "$logs/contents.log"
fi
rm -rf "$stage"

# 9. The tools run where the package put them.
if in_root "$logs/tools.log" mlockcheck --help && grep -q '^Usage: mlockcheck' "$logs/tools.log" &&
	in_root "$logs/tools.log" mlockstress --help && grep -q '^Usage: mlockstress' "$logs/tools.log"; then
	ktap_test_pass "mlockcheck --help and mlockstress --help run in the chroot"
else
	fail_step "mlockcheck --help and mlockstress --help run in the chroot" "$logs/tools.log"
fi

ktap_print_msg "took $(( $(date +%s) - t0 ))s"
ktap_finished
