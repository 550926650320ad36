#!/usr/bin/env bash
# Check the patch series (kmod/series/) against a pristine Linux 6.12 tree, as
# `tox -e kernel` does before it boots the guests:
#
#   kmod/check-series.sh
#
# 1. kmod/series.py regenerates the series from kmod/ and the spec: it must be
#    byte for byte the committed one (kmod/ and the series are one source);
# 2. `git am` applies it to a pristine extract of linux-source-6.12;
# 3. the tree builds the helper and the samples in-tree (x86_64 defconfig with
#    VFIO, mdev, mqos and mdpy as modules) with W=1 and no warning;
# 4. scripts/checkpatch.pl --strict finds nothing in any patch;
# 5. scripts/kernel-doc -none warns about nothing in the new files;
# 6. scripts/get_abi.pl validate accepts the new ABI entry.
#
# Steps 2-6 run in the trixie chroot kmod/trixie-kernel.sh prepares (gcc-14,
# perl, git), in MQOS_KERNEL_CACHE (/var/cache/mdev-qos): the pristine tree is a
# git repository there, made once, and the build directory is kept, so that a
# rerun only rebuilds what the series touches; one run at a time uses it (a lock
# in the cache).  Exit 0 when every check passed, 1 when one failed, 2 when a
# prerequisite is missing.
set -euo pipefail

KMOD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$KMOD_DIR/lib.sh"
REPO=$(dirname "$KMOD_DIR")
CACHE=${MQOS_KERNEL_CACHE:-/var/cache/mdev-qos}
ROOT=$CACHE/trixie-root
TARBALL=${MQOS_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
TREE=/build/linux-6.12	# in the chroot
BUILD=/build/linux-6.12-out
# the chroot has gcc-14 only (no gcc alternative)
COMPILERS=(CC=gcc-14 HOSTCC=gcc-14)
FAILED=0

result() {
	if [ "$2" = 0 ]; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		FAILED=1
	fi
}

in_root() {
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		"$@"
}

# Every missing tool or file is named in one line, with what provides it.
check_prerequisites() {
	local tool
	need git git
	need tar tar
	need xz xz-utils
	need flock util-linux
	need chroot coreutils
	[ "$(id -u)" = 0 ] || die "needs root (chroot)"
	[ -r "$TARBALL" ] || die "$TARBALL not found; install the Debian package linux-source-6.12"
	[ -f "$ROOT/.done" ] || die "no trixie chroot in $ROOT; run kmod/trixie-kernel.sh"
	for tool in gcc-14 make git perl bc bison flex; do
		in_root sh -c "command -v $tool" >/dev/null ||
			die "$tool not found in the chroot $ROOT; remove it and run kmod/trixie-kernel.sh"
	done
	find_python
}

# 1: the committed series is what kmod/ and the spec give now.
regenerate() {
	local fresh=$WORK/series
	"$PYTHON" "$KMOD_DIR/series.py" write --tarball "$TARBALL" --out "$fresh" >/dev/null
	diff -ru "$KMOD_DIR/series" "$fresh" >"$WORK/series.diff"
	result "series regenerated from kmod/ and the spec is the committed one" $?
	[ ! -s "$WORK/series.diff" ] || head -n 20 "$WORK/series.diff"
}

# A pristine tree, as a git repository (made once: a few minutes).  Debian's
# .gitignore ignores every top-level path, hence `add -f`.
pristine_tree() {
	local stamp
	stamp=$(stat -c %Y "$TARBALL")
	if [ "$(cat "$ROOT$TREE.stamp" 2>/dev/null)" != "$stamp" ]; then
		if [ "$(cat "$ROOT$TREE.extracted" 2>/dev/null)" != "$stamp" ]; then
			echo "== extracting $TARBALL into $ROOT$TREE (once)"
			rm -rf "${ROOT:?}$TREE" "${ROOT:?}$BUILD" "$ROOT$TREE.extracted"
			mkdir -p "$ROOT$TREE"
			tar -xJf "$TARBALL" -C "$ROOT$TREE" --strip-components=1
			echo "$stamp" >"$ROOT$TREE.extracted"
		fi
		rm -rf "${ROOT:?}$TREE/.git"
		in_root git -C "$TREE" init -q
		in_root git -C "$TREE" add -f -A .
		in_root git -C "$TREE" -c user.name=base -c user.email=base@localhost \
			commit -q -m "linux-source-6.12"
		in_root git -C "$TREE" tag pristine
		echo "$stamp" >"$ROOT$TREE.stamp"
	fi
	rm -rf "$ROOT$TREE/.git/rebase-apply"
	in_root git -C "$TREE" checkout -q --detach pristine
	in_root git -C "$TREE" reset -q --hard pristine
	in_root git -C "$TREE" clean -q -fdx
}

# 2
apply_series() {
	local rc=0
	rm -rf "${ROOT:?}/build/series"
	mkdir -p "$ROOT/build/series"
	cp "$KMOD_DIR"/series/0*.patch "$ROOT/build/series/"
	in_root sh -c "cd $TREE && git -c user.name=ci -c user.email=ci@localhost \
		am -q /build/series/000[1-9]-*.patch" >"$WORK/am.log" 2>&1 || rc=$?
	result "git am of the series on pristine linux-source-6.12" $rc
	[ $rc = 0 ] || { cat "$WORK/am.log"; return 1; }
}

# 3: the helper and the sample, in-tree, W=1, no warning
build_in_tree() {
	local rc=0 config
	mkdir -p "$ROOT$BUILD"
	if [ ! -f "$ROOT$BUILD/.config.base" ]; then
		echo "== configuring the in-tree build (once)"
		in_root make -s -C "$TREE" O="$BUILD" "${COMPILERS[@]}" defconfig
		cp "$ROOT$BUILD/.config" "$ROOT$BUILD/.config.base"
	fi
	cp "$ROOT$BUILD/.config.base" "$ROOT$BUILD/.config"
	in_root "$TREE/scripts/config" --file "$BUILD/.config" --enable VFIO --module VFIO_MDEV \
		--enable SAMPLES --module SAMPLE_VFIO_MDEV_MQOS --module SAMPLE_VFIO_MDEV_MDPY
	in_root make -s -C "$TREE" O="$BUILD" "${COMPILERS[@]}" olddefconfig
	config=$ROOT$BUILD/.config
	grep -qx 'CONFIG_VFIO_MDEV=m' "$config" && grep -qx 'CONFIG_SAMPLE_VFIO_MDEV_MQOS=m' "$config" &&
		grep -qx 'CONFIG_SAMPLE_VFIO_MDEV_MDPY=m' "$config" ||
		{ result "in-tree configuration with VFIO_MDEV and the mqos and mdpy samples" 1; return; }
	echo "== building drivers/vfio/mdev/ and samples/vfio-mdev/ in-tree with W=1"
	in_root make -s -j"$(nproc)" -C "$TREE" O="$BUILD" "${COMPILERS[@]}" W=1 \
		drivers/vfio/mdev/mdev_qos.o drivers/vfio/mdev/ samples/vfio-mdev/ \
		>"$WORK/build.log" 2>&1 || rc=$?
	if [ $rc = 0 ] && grep -q 'warning:' "$WORK/build.log"; then
		rc=1
	fi
	result "in-tree build with W=1 and no warning" $rc
	[ $rc = 0 ] || grep -E -m 20 'warning:|error:' "$WORK/build.log"
}

# 4: every patch ends "total: 0 errors, 0 warnings, 0 checks"
run_checkpatch() {
	local rc=0 patches totals clean
	in_root sh -c "cd $TREE && scripts/checkpatch.pl --strict /build/series/000[1-9]-*.patch" \
		>"$WORK/checkpatch.log" 2>&1 || rc=$?
	patches=$(ls "$ROOT"/build/series/000[1-9]-*.patch | wc -l)
	totals=$(grep -c '^total:' "$WORK/checkpatch.log" || true)
	clean=$(grep -c '^total: 0 errors, 0 warnings, 0 checks' "$WORK/checkpatch.log" || true)
	[ "$totals" = "$patches" ] && [ "$clean" = "$patches" ] || rc=1
	result "checkpatch.pl --strict on every patch ($clean of $patches clean)" $rc
	[ $rc = 0 ] || grep -E -A4 '^(ERROR|WARNING|CHECK)' "$WORK/checkpatch.log" | head -n 30
}

# 5
run_kernel_doc() {
	local out
	out=$(in_root sh -c "cd $TREE && scripts/kernel-doc -none -Wall include/linux/mdev_qos.h \
		drivers/vfio/mdev/mdev_qos.c samples/vfio-mdev/mqos.c samples/vfio-mdev/mdpy.c" 2>&1)
	result "kernel-doc -none on the new files" $([ -z "$out" ] && echo 0 || echo 1)
	[ -z "$out" ] || echo "$out" | head -n 20
}

# 6: the entry on its own, as tests/spec/test_abi_validate.py checks it
run_get_abi() {
	local out
	rm -rf "${ROOT:?}/build/abi"
	mkdir -p "$ROOT/build/abi/testing"
	cp "$ROOT$TREE/Documentation/ABI/testing/sysfs-bus-mdev-qos" "$ROOT/build/abi/testing/"
	out=$(in_root sh -c "cd $TREE && scripts/get_abi.pl --dir /build/abi validate" 2>&1) &&
		[ -z "$out" ]
	result "get_abi.pl validate on Documentation/ABI/testing/sysfs-bus-mdev-qos" $?
	[ -z "$out" ] || echo "$out" | head -n 20
}

main() {
	local start=$SECONDS
	check_prerequisites
	# the pristine tree and its build directory are shared by every run on this machine
	exec 9>"$CACHE/check-series.lock"
	flock 9
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
	regenerate
	pristine_tree
	if apply_series; then
		build_in_tree
		run_checkpatch
		run_kernel_doc
		run_get_abi
	fi
	echo "== series checked in $((SECONDS - start)) s"
	exit $FAILED
}

main "$@"
