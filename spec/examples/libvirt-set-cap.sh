#!/bin/sh
# Set a cap of 60 and a weight of 300 on a new mdev from libvirt, read them
# back, and remove the mdev again.
#
#   libvirt-set-cap.sh PARENT UUID
#
# PARENT is the parent's libvirt node device name (e.g. pci_0000_00_03_0, see
# `virsh nodedev-list --cap mdev_types`); UUID names the new mdev. Needs
# libvirt 7.3.0 or later with mdevctl. The conformance suite's guest job runs
# this file verbatim against the reference module (kmod/guest_mgmt.py).
set -eu
parent=$1
uuid=$2
virsh="virsh -c nodedev:///system"
xml=$(mktemp)
trap 'rm -f "$xml"' EXIT

# libvirt names a defined mdev after its UUID and its parent's address
name=mdev_$(echo "$uuid" | tr - _)_${parent#pci_}

cat >"$xml" <<XML
<device>
  <name>$name</name>
  <parent>$parent</parent>
  <capability type='mdev'>
    <type id='mqos-full'/>
    <uuid>$uuid</uuid>
    <attr name='qos/cap' value='60'/>
    <attr name='qos/weight' value='300'/>
  </capability>
</device>
XML

# 1. a persistent definition (libvirt hands it to `mdevctl define`)
$virsh nodedev-define "$xml"

# 2. start it: mdevctl creates the mdev and writes the attrs in order
$virsh nodedev-start "$name"

# libvirt marks the device active when udev reports the new mdev, which may
# come after nodedev-start returns; until then nodedev-destroy would refuse
# it as "not active".  Wait for it (30 s at most).
tries=0
until $virsh nodedev-list --cap mdev | tr -d ' ' | grep -qx "$name"; do
	tries=$((tries + 1))
	test "$tries" -le 300 || { echo "$name never became active in libvirt" >&2; exit 1; }
	sleep 0.1
done

# 3. the kernel holds the values; libvirt shows the definition's attrs (from
#    libvirt 10.1.0 with --inactive: without it, what mdevctl reports of the
#    running device, which may lag behind the start)
cap=$(cat "/sys/bus/mdev/devices/$uuid/qos/cap")
weight=$(cat "/sys/bus/mdev/devices/$uuid/qos/weight")
test "$cap" = 60 && test "$weight" = 300
inactive=
$virsh help nodedev-dumpxml | grep -q -- --inactive && inactive=--inactive
$virsh nodedev-dumpxml $inactive "$name" | grep -q "<attr name='qos/cap' value='60'/>"

# 4. stop and forget it
$virsh nodedev-destroy "$name"
$virsh nodedev-undefine "$name"
echo "$name: cap $cap, weight $weight read back from sysfs and nodedev-dumpxml"
