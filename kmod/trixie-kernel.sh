#!/usr/bin/env bash
# Prepare Debian 13's 6.12 kernel for kmod/run-in-guest.sh, without touching the
# host's apt setup:
#
#   kmod/trixie-kernel.sh [CACHE]        (default MQOS_KERNEL_CACHE or /var/cache/mdev-qos)
#
# CACHE/apt/         a one-line trixie source list and its package lists
# CACHE/kernels/VER/ the unpacked linux-image package (boot/vmlinuz-VER, its
#                    modules with modules.dep)
# CACHE/trixie-root/ a trixie chroot (mmdebstrap) with gcc-14 and VER's headers:
#                    Debian 13's headers need gcc-14, which Debian 12 lacks; it
#                    also builds the patch series in-tree (kmod/series.py);
#                    and Debian 13's management userland (libvirt's node
#                    device driver, virsh, mdevctl, udev, xmllint), which the
#                    6.12 guest's libvirt and mdevctl checks run in
# CACHE/trixie.kver  VER, the release run-in-guest.sh boots
#
# Each step is skipped when its result is already there, so a rerun takes a
# second.  Needs root, apt-get, dpkg, depmod and mmdebstrap; a missing one is
# named with its Debian package.  Exit 2 on any failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CACHE=${1:-${MQOS_KERNEL_CACHE:-/var/cache/mdev-qos}}
MIRROR=${MQOS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOT=$CACHE/trixie-root
# what the chroot needs: the module build, and the in-tree build of the series
CHROOT_PACKAGES=gcc-14,make,kmod,bc,bison,flex,libelf-dev,libssl-dev,python3,perl,git,xz-utils,ca-certificates
# what the 6.12 guest's management checks run (kmod/guest_mgmt.py): libvirtd with
# its node device driver alone, virsh, mdevctl, udev; installed without
# recommends (libvirt-daemon's would bring every hypervisor driver)
MGMT_PACKAGES=(libvirt-daemon libvirt-daemon-driver-nodedev libvirt-clients mdevctl udev
	libxml2-utils)

apt_trixie() {
	local cmd=$1
	shift
	"$cmd" -o Dir::Etc::sourcelist="$CACHE/apt/sources.list" -o Dir::Etc::sourceparts=- \
		-o Dir::State::Lists="$CACHE/apt/lists" -o Debug::NoLocking=1 "$@"
}

# The trixie package lists, refreshed at most once a day.
update_lists() {
	mkdir -p "$CACHE/apt/lists/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main" \
		>"$CACHE/apt/sources.list"
	if [ -z "$(find "$CACHE/apt/lists" -maxdepth 1 -name '*trixie*Packages*' -mtime -1)" ]; then
		apt_trixie apt-get update -qq || die "apt-get update of trixie failed ($MIRROR)"
	fi
}

# The release linux-image-amd64 points at, e.g. 6.12.117+deb13-amd64.
kernel_release() {
	apt_trixie apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n1
}

unpack_image() {
	local kver=$1 dir=$CACHE/kernels/$1 deb
	[ -f "$dir/.done" ] && return
	echo "== fetching linux-image-$kver-unsigned"
	rm -rf "$dir" "$CACHE/debs"
	mkdir -p "$dir" "$CACHE/debs"
	(cd "$CACHE/debs" && apt_trixie apt-get download -qq "linux-image-$kver-unsigned") ||
		die "apt-get download linux-image-$kver-unsigned failed"
	deb=$(ls "$CACHE/debs"/linux-image-*.deb)
	dpkg -x "$deb" "$dir"
	depmod -b "$dir/usr" "$kver"
	rm -rf "$CACHE/debs"
	[ -r "$dir/boot/vmlinuz-$kver" ] || die "no vmlinuz-$kver in the package"
	touch "$dir/.done"
}

make_chroot() {
	local kver=$1
	if [ -f "$ROOT/.done" ] && [ -d "$ROOT/usr/src/linux-headers-$kver" ]; then
		return
	fi
	echo "== mmdebstrap: a trixie chroot with gcc-14 and linux-headers-$kver (about 2 min)"
	rm -rf "$ROOT" "$ROOT.tmp"
	mmdebstrap --quiet --variant=apt --include="$CHROOT_PACKAGES,$(IFS=,; echo "${MGMT_PACKAGES[*]}"),linux-headers-$kver" \
		trixie "$ROOT.tmp" "$MIRROR" || die "mmdebstrap of trixie failed"
	mv "$ROOT.tmp" "$ROOT"
	touch "$ROOT/.done"
}

# Debian 13's management userland in an existing chroot, when a package is missing
# (a fresh chroot has it from mmdebstrap): trixie's package lists are the ones
# update_lists fetched, copied in, so nothing is downloaded twice.
mgmt_userland() {
	local installed missing=() pkg lists=$ROOT/var/lib/apt/lists
	installed=$(chroot "$ROOT" dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' \
		"${MGMT_PACKAGES[@]}" 2>/dev/null || true)
	for pkg in "${MGMT_PACKAGES[@]}"; do
		grep -qx "ii $pkg" <<<"$installed" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return
	echo "== installing ${missing[*]} into the trixie chroot"
	cp "$CACHE"/apt/lists/*_dists_trixie_* "$lists/"
	# no service is started in the chroot
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	if ! chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >"$CACHE/mgmt-install.log" 2>&1; then
		rm -f "$ROOT/usr/sbin/policy-rc.d"
		die "installing ${missing[*]} into $ROOT failed (see $CACHE/mgmt-install.log)"
	fi
	rm -f "$ROOT/usr/sbin/policy-rc.d"
	chroot "$ROOT" apt-get clean
	find "$lists" -maxdepth 1 -type f -name '*_dists_trixie_*' -delete
}

main() {
	local kver
	[ "$(id -u)" = 0 ] || die "needs root (apt-get download, mmdebstrap, chroot)"
	need apt-get apt
	need dpkg dpkg
	need depmod kmod
	need mmdebstrap mmdebstrap
	[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		die "no Debian archive keyring; install the Debian package debian-archive-keyring"
	mkdir -p "$CACHE"
	update_lists
	kver=$(kernel_release)
	[ -n "$kver" ] || die "trixie has no linux-image-amd64 in $MIRROR"
	unpack_image "$kver"
	make_chroot "$kver"
	mgmt_userland
	echo "$kver" >"$CACHE/trixie.kver"
	echo "== trixie kernel $kver ready in $CACHE"
}

main "$@"
