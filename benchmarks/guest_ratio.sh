#!/bin/bash
# Runs inside the QEMU guest (kmod/run-in-guest.sh --script): loads mqos and runs
# only the conformance suite against the real /sys, so that its report's duration
# and device-time limit can be compared (benchmarks/realtime_ratio.py --guest).
#
#   guest_ratio.sh OUT PYTHON MQOS_KO KVER [SUITE-ARGS...]
set -u
OUT=$1 PYTHON=$2 KO=$3
shift 4
exec > >(tee -a "$OUT/guest.log") 2>&1
# shellcheck disable=SC2086 # module parameters are separate words
modprobe mdev && modprobe vfio && insmod "$(dirname "$KO")/mdev_qos.ko" &&
	insmod "$KO" ${MQOS_MODULE_ARGS:-} || exit 2
echo "== timeslice_us=$(cat /sys/module/mqos/parameters/timeslice_us)"
cd /tmp && "$PYTHON" -m conformance run --sysfs-root / --parent mqos0 \
	--type mqos-full --other-parent mqos1 --other-type mqos-fixed \
	--allow-write --workload sample --op-timeout 60 \
	--report-dir "$OUT/report" "$@"
