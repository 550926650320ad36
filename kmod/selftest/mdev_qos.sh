#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Certify the qos attribute group of a mediated device type with the mdev-qos
# conformance suite and report one KTAP test per requirement.
#
#   MDEV_QOS_PARENT=mqos0 MDEV_QOS_TYPE=mqos-full ./mdev_qos.sh
#
# Defaults: the mqos sample (samples/vfio-mdev/mqos.ko, loaded if needed).
# The suite creates its own mdevs on the parent and removes them afterwards.
# Without the suite ("mdev-qos" on PATH) or without the parent, the test
# is skipped.

parent=${MDEV_QOS_PARENT:-mqos0}
type=${MDEV_QOS_TYPE:-mqos-full}
ksft_skip=4

skip() {
	echo "KTAP version 1"
	echo "1..0 # SKIP $*"
	exit $ksft_skip
}

[ "$(id -u)" = 0 ] || skip "needs root"
command -v mdev-qos >/dev/null || skip "mdev-qos (the conformance suite) is not installed"
if [ ! -d "/sys/class/mdev_bus/$parent" ] && [ "$parent" = mqos0 ]; then
	modprobe mqos 2>/dev/null
fi
[ -d "/sys/class/mdev_bus/$parent/mdev_supported_types/$type" ] ||
	skip "no mdev type $type on parent $parent"

report=$(mktemp -d) || exit 1
trap 'rm -rf "$report"' EXIT

mdev-qos run -q --sysfs-root / --parent "$parent" --type "$type" --allow-write \
	--workload sample --report-dir "$report"
rc=$?
cat "$report/results.ktap" 2>/dev/null || skip "the suite wrote no results.ktap (exit $rc)"
# 0 conformant or not-applicable, 1 non-conformant, 2 the run broke
case $rc in
0) exit 0 ;;
1) exit 1 ;;
*) exit $ksft_skip ;;
esac
