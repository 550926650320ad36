#!/usr/bin/env bash
# Build the mqos module, boot Debian's kernel under QEMU (TCG, never KVM) and
# certify the module inside the guest; called by `tox -e kernel`.
#
#   kmod/run-in-guest.sh [--out DIR] [--kernel VERSION] [--script FILE]
#                        [--module-args 'timeslice_us=N'] [-- SUITE-ARGS...]
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
# Environment: MQOS_GUEST_TIMEOUT (seconds, default 900), MQOS_GUEST_MEMORY
# (default 1G), MQOS_PYTHON (the interpreter the guest runs the suite with).
set -euo pipefail

KMOD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$KMOD_DIR")
OUT=$REPO/out/kernel
KVER=
GUEST_SCRIPT=$KMOD_DIR/guest.sh
MODULE_ARGS=
SUITE_ARGS=()

die() {
	echo "run-in-guest: $*" >&2
	exit 2
}

need() {
	command -v "$1" >/dev/null || die "$1 not found; install the Debian package $2"
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--out) OUT=$2; shift 2 ;;
		--kernel) KVER=$2; shift 2 ;;
		--script) GUEST_SCRIPT=$(realpath "$2"); shift 2 ;;
		--module-args) MODULE_ARGS=$2; shift 2 ;;
		--) shift; SUITE_ARGS=("$@"); return ;;
		*) die "unknown argument $1 (see the header of $0)" ;;
		esac
	done
}

# The newest Debian kernel with its kbuild tree and the mdev module.
find_kernel() {
	local v
	if [ -z "$KVER" ]; then
		for v in $(ls /boot/vmlinuz-* 2>/dev/null | sed 's|/boot/vmlinuz-||' | sort -V); do
			[ -d "/lib/modules/$v/build" ] && KVER=$v
		done
	fi
	[ -n "$KVER" ] || die "no kernel with headers; install linux-image-amd64 linux-headers-amd64"
	[ -r "/boot/vmlinuz-$KVER" ] || die "/boot/vmlinuz-$KVER missing; install linux-image-amd64"
	[ -d "/lib/modules/$KVER/build" ] || die "no kbuild tree for $KVER; install linux-headers-amd64"
	modprobe -S "$KVER" --show-depends mdev >/dev/null 2>&1 ||
		die "kernel $KVER has no mdev module (CONFIG_VFIO_MDEV)"
}

# The interpreter that has the conformance package: tox's env, else the repo's venv.
find_python() {
	local py
	for py in "${MQOS_PYTHON:-}" "${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/python}" \
		"$REPO/.venv/bin/python"; do
		if [ -n "$py" ] && [ -x "$py" ] && "$py" -c 'import conformance' 2>/dev/null; then
			PYTHON=$py
			return
		fi
	done
	die "no Python with the conformance package; run .ci/setup or set MQOS_PYTHON"
}

check_prerequisites() {
	local applets applet
	need qemu-system-x86_64 qemu-system-x86
	need mdevctl mdevctl
	need busybox busybox-static
	need make make
	need gcc gcc
	need setpriv util-linux
	applets=$(busybox --list)	# not piped into grep -q: SIGPIPE and pipefail
	for applet in insmod cpio mount chroot poweroff; do
		grep -qx "$applet" <<<"$applets" ||
			die "busybox lacks $applet; install busybox-static"
	done
	if ldd "$(command -v busybox)" >/dev/null 2>&1; then
		die "busybox is dynamically linked; install busybox-static"
	fi
	find_kernel
	find_python
}

build_module() {
	echo "== building kmod/ against $KVER (warnings are errors)"
	make -s -C "$KMOD_DIR" KDIR="/lib/modules/$KVER/build" clean >/dev/null
	make -s -C "$KMOD_DIR" KDIR="/lib/modules/$KVER/build" modules
	for ko in mdev_qos mqos; do
		[ -f "$KMOD_DIR/$ko.ko" ] || die "the build produced no $ko.ko"
	done
}

# The few modules the initramfs needs to mount the host root over virtio-9p.
boot_modules() {
	local m
	for m in virtio_pci 9pnet_virtio 9p; do
		modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++'
}

write_init() {
	local ko
	cat <<EOF
#!/bin/busybox sh
# initramfs init: mount the host root over 9p and run the guest checks in it.
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /root
mount -t proc proc /proc
mount -t devtmpfs dev /dev
EOF
	for ko in $(boot_modules); do
		echo "insmod /modules/$(basename "$ko")"
	done
	cat <<EOF
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /root
mount -t proc proc /root/proc
mount -t sysfs sys /root/sys
mount -t debugfs debugfs /root/sys/kernel/debug
mount -t devtmpfs dev /root/dev
ln -sf /proc/self/fd /root/dev/fd
for d in tmp run var/tmp; do mount -t tmpfs tmpfs /root/\$d; done
# the repo again, on its own: a clone under /tmp is hidden by the tmpfs above
mkdir -p /root$REPO
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose repo /root$REPO
mkdir -p /root$OUT
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /root$OUT
chroot /root /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \\
	LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 MQOS_MODULE_ARGS="$MODULE_ARGS" \\
	/bin/bash $GUEST_SCRIPT $OUT $PYTHON $KMOD_DIR/mqos.ko $KVER \\
	${SUITE_ARGS[*]:-}
echo \$? > /root$OUT/guest.rc
sync
poweroff -f
EOF
}

make_initramfs() {
	local dir=$1 ko
	mkdir -p "$dir/bin" "$dir/modules"
	cp "$(command -v busybox)" "$dir/bin/busybox"
	for ko in $(boot_modules); do
		cp "$ko" "$dir/modules/"
	done
	write_init >"$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$dir.cpio.gz"
}

boot_guest() {
	local initrd=$1
	echo "== booting $KVER under QEMU (TCG)"
	timeout --foreground "${MQOS_GUEST_TIMEOUT:-900}" \
		qemu-system-x86_64 -accel tcg -cpu max -smp 2 \
		-m "${MQOS_GUEST_MEMORY:-1G}" -nodefaults -no-reboot \
		-display none -serial stdio -monitor none \
		-kernel "/boot/vmlinuz-$KVER" -initrd "$initrd" \
		-append "console=ttyS0 quiet loglevel=3 panic=-1" \
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

main() {
	local start rc

	parse_args "$@"
	check_prerequisites
	build_module

	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	rm -rf "${OUT:?}"/*
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	if [ "$GUEST_SCRIPT" != "$KMOD_DIR/guest.sh" ]; then
		# the guest's /tmp is its own; OUT is the one host path it can see for sure
		cp "$GUEST_SCRIPT" "$OUT/guest-script.sh"
		GUEST_SCRIPT=$OUT/guest-script.sh
	fi
	make_initramfs "$WORK/initramfs"
	[ "$GUEST_SCRIPT" != "$KMOD_DIR/guest.sh" ] || run_mock

	start=$(date +%s)
	boot_guest "$WORK/initramfs.cpio.gz"
	echo "== guest finished after $(($(date +%s) - start)) s (QEMU start to exit)"

	[ -f "$OUT/guest.rc" ] || die "the guest did not finish (no $OUT/guest.rc)"
	rc=$(cat "$OUT/guest.rc")
	[ -f "$OUT/verdict-uptime" ] &&
		echo "== wall time from boot to verdict: $(cat "$OUT/verdict-uptime") s"
	[ "$GUEST_SCRIPT" = "$KMOD_DIR/guest.sh" ] || exit "$rc"

	echo "== scenario by scenario: the mock and the module"
	"$PYTHON" "$KMOD_DIR/parity.py" "$OUT/mock-report/report.json" \
		"$OUT/report/report.json" -o "$OUT/parity.md" || rc=1
	echo "== reports in $OUT; checking them on the host"
	MQOS_KERNEL_RESULTS=$OUT "$PYTHON" -m pytest -q -p no:cacheprovider \
		"$REPO/tests/kernel" || rc=1
	[ "$rc" = 0 ] || exit 1
}

main "$@"
