#!/usr/bin/env bash
# Build the mdev_qos helper, the mqos sample and the converted mdpy sample, boot Debian's kernels under QEMU
# (TCG, never KVM) and certify the module inside each guest; called by
# `tox -e kernel`.
#
#   kmod/run-in-guest.sh [--out DIR] [--kernel VERSION]... [--script FILE]
#                        [--module-args 'timeslice_us=N'] [-- SUITE-ARGS...]
#
# Kernels: each --kernel, else two: the newest host kernel with headers
# (Debian 12's 6.1: /boot, /lib/modules) and Debian 13's 6.12 that
# kmod/trixie-kernel.sh prepared in MQOS_KERNEL_CACHE (/var/cache/mdev-qos),
# built in its trixie chroot (gcc-14).  Either missing is an error, never a
# skip.  Each kernel's results go to DIR/VERSION/; with more than one kernel,
# every kernel must give each scenario the same status (DIR/kernels-parity-*.md).
#
# --script runs FILE in the guest instead of kmod/guest.sh, with the same
# arguments (OUT PYTHON MQOS_KO KVER ...): handy for poking at the module.
#
# The guest sees the host's root filesystem read-only over 9p (so the repo,
# its venv and mdevctl work there unchanged) and DIR read-write; it runs
# kmod/guest.sh, whose reports land in DIR.  Exit status: 0 when every guest
# check passed, 1 when one failed, 2 when a prerequisite is missing or the
# guest did not finish.
#
# The libvirt and mdevctl checks run in the userland of the kernel's own
# distribution: the host's for the host kernel, the trixie chroot's (libvirt
# 11, mdevctl 1.4) for Debian 13's, passed to the guest as MQOS_MGMT_ROOT.
#
# With more than one kernel the guests run at the same time, each kernel's
# lines prefixed with its version; MQOS_GUEST_SERIAL=1 runs them in turn.
#
# Environment: MQOS_GUEST_TIMEOUT (seconds, default 1800), MQOS_GUEST_MEMORY
# (default 1G), MQOS_PYTHON (the interpreter the guest runs the suite with),
# MQOS_KERNEL_CACHE (default /var/cache/mdev-qos), MQOS_LINUX_SOURCE (the
# linux-source-6.12 tarball mdpy-defs.h comes from), MQOS_GUEST_ONLY (the guest
# steps to run, e.g. "mgmt", "mdpy" or "checks,mgmt", see kmod/guest.sh: a partial run
# for iterating, with no mock run, no parity and no host-side result checks).
set -euo pipefail

KMOD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$KMOD_DIR/lib.sh"
REPO=$(dirname "$KMOD_DIR")
OUT=$REPO/out/kernel
CACHE=${MQOS_KERNEL_CACHE:-/var/cache/mdev-qos}
KERNELS=()
# the files of kmod/ a build needs (kmod/series.py maps them into the kernel tree)
SOURCES=(Kbuild mdev_qos.c mqos.c mdpy.c include/linux/mdev_qos.h compat/6.1/mqos.c.patch
	compat/6.1/mdpy.c.patch)
# mdpy.c is the kernel's mdpy sample converted; its mdpy-defs.h (no headers package
# ships it) comes from linux-source-6.12: unpacked by .ci/setup, else here, once
LINUX_SOURCE=${MQOS_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
MDPY_DEFS=samples/vfio-mdev/mdpy-defs.h
GUEST_SCRIPT=$KMOD_DIR/guest.sh
MODULE_ARGS=
SUITE_ARGS=()

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--out) OUT=$2; shift 2 ;;
		--kernel) KERNELS+=("$2"); shift 2 ;;
		--script) GUEST_SCRIPT=$(realpath "$2"); shift 2 ;;
		--module-args) MODULE_ARGS=$2; shift 2 ;;
		--) shift; SUITE_ARGS=("$@"); return ;;
		*) die "unknown argument $1 (see the header of $0)" ;;
		esac
	done
}

# The kernels to certify: the named ones, else the newest host kernel with
# its kbuild tree and the prepared Debian 13 one.
default_kernels() {
	local v host=
	[ ${#KERNELS[@]} -gt 0 ] && return
	for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V); do
		[ -d "/lib/modules/$v/build" ] && host=$v
	done
	[ -n "$host" ] || die "no kernel with headers; install linux-image-amd64 linux-headers-amd64"
	[ -r "$CACHE/trixie.kver" ] ||
		die "no Debian 13 kernel in $CACHE; run kmod/trixie-kernel.sh (needs mmdebstrap)"
	KERNELS=("$host" "$(cat "$CACHE/trixie.kver")")
}

# describe_kernel VER: where its image, modules and kbuild tree are.
#   VMLINUZ  the image;  MODBASE  the root its lib/modules/VER is under
#   CHROOT   empty, or the root the build runs in;  KBUILD  the tree, in it
#   MGMT_ROOT  empty (the host's), or the root of the kernel's distribution's
#              libvirt and mdevctl
describe_kernel() {
	local tool
	KVER=$1
	if [ -r "/boot/vmlinuz-$KVER" ]; then
		VMLINUZ=/boot/vmlinuz-$KVER MODBASE=/ CHROOT= KBUILD=/lib/modules/$KVER/build
		MGMT_ROOT=
		[ -d "$KBUILD" ] || die "no kbuild tree for $KVER; install linux-headers-amd64"
	elif [ -f "$CACHE/kernels/$KVER/.done" ]; then
		VMLINUZ=$CACHE/kernels/$KVER/boot/vmlinuz-$KVER MODBASE=$CACHE/kernels/$KVER/usr
		CHROOT=$CACHE/trixie-root KBUILD=/usr/src/linux-headers-$KVER
		MGMT_ROOT=$CHROOT
		[ -d "$CHROOT$KBUILD" ] ||
			die "no linux-headers-$KVER in $CHROOT; run kmod/trixie-kernel.sh"
		for tool in virsh libvirtd mdevctl python3 udevadm; do
			[ -x "$MGMT_ROOT/usr/bin/$tool" ] || [ -x "$MGMT_ROOT/usr/sbin/$tool" ] ||
				die "no $tool in $MGMT_ROOT; run kmod/trixie-kernel.sh"
		done
	elif [[ $KVER == *deb13* ]]; then
		die "kernel $KVER is not in $CACHE/kernels; run kmod/trixie-kernel.sh"
	else
		die "/boot/vmlinuz-$KVER missing; install linux-image-amd64"
	fi
	modprobe -d "$MODBASE" -S "$KVER" --show-depends mdev >/dev/null 2>&1 ||
		die "kernel $KVER has no mdev module (CONFIG_VFIO_MDEV)"
}

check_prerequisites() {
	local applets applet
	need qemu-system-x86_64 qemu-system-x86
	need mdevctl mdevctl
	need virsh libvirt-clients
	need libvirtd libvirt-daemon
	need busybox busybox-static
	need make make
	need patch patch
	need gcc gcc
	need setpriv util-linux
	need xz xz-utils
	applets=$(busybox --list)	# not piped into grep -q: SIGPIPE and pipefail
	for applet in insmod cpio mount chroot poweroff; do
		grep -qx "$applet" <<<"$applets" ||
			die "busybox lacks $applet; install busybox-static"
	done
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then
		die "busybox is dynamically linked; install busybox-static"
	fi
	default_kernels
	for k in "${KERNELS[@]}"; do describe_kernel "$k"; done
	find_python
	find_mdpy_defs
}

# MDPY_DEFS_FILE: the kernel's mdpy-defs.h, next to the tarball it comes from.
find_mdpy_defs() {
	local dir=${LINUX_SOURCE%.tar.xz}
	MDPY_DEFS_FILE=$dir/$MDPY_DEFS
	[ -r "$MDPY_DEFS_FILE" ] && return
	[ -r "$LINUX_SOURCE" ] ||
		die "$LINUX_SOURCE not found (mdpy.c needs its $MDPY_DEFS); install the Debian package linux-source-6.12"
	echo "== unpacking $MDPY_DEFS from $LINUX_SOURCE (once, about 25 s)"
	tar -xJf "$LINUX_SOURCE" -C "$(dirname "$dir")" "$(basename "$dir")/$MDPY_DEFS" ||
		die "$LINUX_SOURCE has no $(basename "$dir")/$MDPY_DEFS"
}

# Build from a copy of the sources in BUILD (OUT/VER/build), in the chroot if
# the kernel has one.
build_module() {
	local build=$1 ko rel
	echo "== building kmod/ against $KVER${CHROOT:+ in $CHROOT} (warnings are errors)"
	mkdir -p "$build"
	(cd "$KMOD_DIR" && cp --parents "${SOURCES[@]}" "$build/")
	cp "$MDPY_DEFS_FILE" "$build/"
	if [ -z "$CHROOT" ]; then
		make -s -C "$KBUILD" M="$build" modules
	else
		rel=/build/mdev-qos-$BASHPID
		rm -rf "${CHROOT:?}$rel"
		mkdir -p "$CHROOT$rel"
		cp -r "$build/." "$CHROOT$rel/"
		chroot "$CHROOT" make -s -C "$KBUILD" M="$rel" modules
		cp "$CHROOT$rel"/*.ko "$build/"
		rm -rf "${CHROOT:?}$rel"
	fi
	for ko in mdev_qos mqos mdpy; do
		[ -f "$build/$ko.ko" ] || die "the build produced no $ko.ko"
	done
}

# The few modules the initramfs needs to mount the host root over virtio-9p.
boot_modules() {
	local m
	for m in virtio_pci 9pnet_virtio 9p; do
		modprobe -d "$MODBASE" -S "$KVER" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

# Each argument single-quoted for the guest's busybox sh, so that a -k
# expression with spaces or parentheses reaches the suite as one word.
sh_quote() {
	local arg
	for arg in "$@"; do
		printf "'%s' " "${arg//\'/\'\\\'\'}"
	done
}

write_init() {
	local ko out_k=$1
	cat <<EOF
#!/bin/busybox sh
# initramfs init: mount the host root over 9p and run the guest checks in it.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /root
mount -t proc proc /proc
mount -t devtmpfs dev /dev
EOF
	for ko in $(boot_modules); do
		echo "insmod /modules/$(basename "$ko" .xz)"
	done
	cat <<EOF
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /root
mount -t proc proc /root/proc
mount -t sysfs sys /root/sys
mount -t debugfs debugfs /root/sys/kernel/debug
mount -t devtmpfs dev /root/dev
ln -sf /proc/self/fd /root/dev/fd
for d in tmp run var/tmp; do mount -t tmpfs tmpfs /root/\$d; done
EOF
	if [ "$MODBASE" != / ]; then
		# the kernel's modules, where the guest's modprobe looks for them
		cat <<EOF
mount -t tmpfs tmpfs /root/usr/lib/modules
mkdir -p /root/usr/lib/modules/$KVER
mount -o bind /root$MODBASE/lib/modules/$KVER /root/usr/lib/modules/$KVER
EOF
	fi
	cat <<EOF
# the repo again, on its own: a clone under /tmp is hidden by the tmpfs above
mkdir -p /root$REPO
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose repo /root$REPO
mkdir -p /root$OUT
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /root$OUT
chroot /root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \\
	LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 MQOS_MODULE_ARGS="$MODULE_ARGS" \\
	MQOS_MGMT_ROOT="$MGMT_ROOT" MQOS_GUEST_ONLY="${MQOS_GUEST_ONLY:-}" \\
	/bin/bash $GUEST_SCRIPT $out_k $PYTHON $out_k/build/mqos.ko $KVER \\
	$(sh_quote "${SUITE_ARGS[@]}")
echo \$? > /root$out_k/guest.rc
sync
poweroff -f
EOF
}

make_initramfs() {
	local dir=$1 out_k=$2 ko
	mkdir -p "$dir/bin" "$dir/modules"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for ko in $(boot_modules); do
		case $ko in
		*.xz) xz -dc "$ko" >"$dir/modules/$(basename "$ko" .xz)" ;;
		*) cp "$ko" "$dir/modules/" ;;
		esac
	done
	write_init "$out_k" >"$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$dir.cpio.gz"
}

boot_guest() {
	local initrd=$1
	echo "== booting $KVER under QEMU (TCG)"
	# no_timer_check: on a loaded host the emulated IO-APIC timer can look dead
	# during boot ("IO-APIC + timer doesn't work!", a panic seen on 6.1 at load 35)
	timeout --foreground "${MQOS_GUEST_TIMEOUT:-1800}" \
		qemu-system-x86_64 -accel tcg -cpu max -smp 2 \
		-m "${MQOS_GUEST_MEMORY:-1G}" -nodefaults -no-reboot \
		-display none -serial stdio -monitor none \
		-device pci-testdev \
		-kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 no_timer_check" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$REPO",mount_tag=repo,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$OUT",mount_tag=out,security_model=none \
		</dev/null || echo "run-in-guest: QEMU exited with status $?" >&2
}

# The same profile on the embedded mock, from the same tree, for parity.py.
run_mock() {
	echo "== the same profile on the embedded mock"
	"$PYTHON" -m conformance run -q --profile full --report-dir "$OUT/mock-report" \
		"${SUITE_ARGS[@]}" || true
}

# certify_kernel VER: build, boot, check; 0 when everything passed.
certify_kernel() {
	local out_k=$OUT/$1 script=$GUEST_SCRIPT start rc
	describe_kernel "$1"
	mkdir -p "$out_k"
	build_module "$out_k/build"
	if [ "$script" != "$KMOD_DIR/guest.sh" ]; then
		# the guest's /tmp is its own; OUT is the one host path it can see for sure
		cp "$script" "$out_k/guest-script.sh"
		script=$out_k/guest-script.sh
	fi
	rm -rf "$WORK/$1"
	mkdir -p "$WORK/$1"
	GUEST_SCRIPT=$script make_initramfs "$WORK/$1/initramfs" "$out_k"

	start=$(date +%s)
	boot_guest "$WORK/$1/initramfs.cpio.gz"
	echo "== $KVER: guest finished after $(($(date +%s) - start)) s (QEMU start to exit)"
	echo "$KVER $(($(date +%s) - start)) s" >>"$OUT/guest-seconds"

	[ -f "$out_k/guest.rc" ] || die "the $KVER guest did not finish (no $out_k/guest.rc)"
	rc=$(cat "$out_k/guest.rc")
	[ -f "$out_k/verdict-uptime" ] &&
		echo "== $KVER: wall time from boot to verdict: $(cat "$out_k/verdict-uptime") s"
	[ "$script" = "$KMOD_DIR/guest.sh" ] || return "$rc"
	if [ -n "${MQOS_GUEST_ONLY:-}" ]; then
		echo "== $KVER: partial run (MQOS_GUEST_ONLY=$MQOS_GUEST_ONLY): no parity, no host checks"
		return "$rc"
	fi

	echo "== $KVER: scenario by scenario, the mock and the module"
	cp -r "$OUT/mock-report" "$out_k/mock-report"
	"$PYTHON" "$KMOD_DIR/parity.py" "$out_k/mock-report/report.json" \
		"$out_k/report/report.json" -o "$out_k/parity.md" || rc=1
	echo "== $KVER: reports in $out_k; checking them on the host"
	MQOS_KERNEL_RESULTS=$out_k "$PYTHON" -m pytest -q -p no:cacheprovider \
		"$REPO/tests/kernel" || rc=1
	return "$rc"
}

# Every kernel gives every scenario the same status as the first one.
kernels_agree() {
	local first=$OUT/${KERNELS[0]}/report/report.json k rc=0
	for k in "${KERNELS[@]:1}"; do
		echo "== scenario by scenario: ${KERNELS[0]} and $k"
		"$PYTHON" "$KMOD_DIR/parity.py" "$first" "$OUT/$k/report/report.json" \
			-o "$OUT/kernels-parity-$k.md" || rc=1
	done
	return $rc
}

# certify_kernels: every kernel, at once unless MQOS_GUEST_SERIAL is set. Most of
# a guest's wall time is measurement windows, real time in which it idles (the
# quick profile's device-time limit is about two thirds of its run), so two TCG
# guests overlap well on two cores; each kernel's lines carry its version.
certify_kernels() {
	local k rc=0 pid pids=()
	if [ ${#KERNELS[@]} -eq 1 ] || [ -n "${MQOS_GUEST_SERIAL:-}" ]; then
		for k in "${KERNELS[@]}"; do
			certify_kernel "$k" || rc=1
		done
		return $rc
	fi
	for k in "${KERNELS[@]}"; do
		(certify_kernel "$k") > >(sed -u "s/^/[$k] /") 2>&1 &
		pids+=($!)
	done
	# the worst status: 2 (a prerequisite missing, a guest that did not finish)
	# before 1 (a check failed), as when the kernels run in turn
	for pid in "${pids[@]}"; do
		wait "$pid" || { k=$?; [ "$k" -eq 2 ] || [ "$rc" -eq 2 ] && rc=2 || rc=1; }
	done
	wait # the prefixing filters, so that their last lines come before the summary
	return $rc
}

main() {
	local rc=0 k

	parse_args "$@"
	check_prerequisites

	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	rm -rf "${OUT:?}"/*
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	[ "$GUEST_SCRIPT" != "$KMOD_DIR/guest.sh" ] || [ -n "${MQOS_GUEST_ONLY:-}" ] || run_mock
	certify_kernels || rc=$?
	if [ "$GUEST_SCRIPT" = "$KMOD_DIR/guest.sh" ] && [ ${#KERNELS[@]} -gt 1 ] &&
		[ -z "${MQOS_GUEST_ONLY:-}" ]; then
		kernels_agree || rc=1
	fi
	echo "== guest time per kernel (QEMU start to exit): $(paste -sd ';' "$OUT/guest-seconds")"
	exit "$rc"
}

main "$@"
