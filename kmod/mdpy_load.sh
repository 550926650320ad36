#!/bin/sh
# Put one demand in place on an mdev of the mdpy sample, through the server of
# kmod/mdpy_load.py (see there; start it first: python3 kmod/mdpy_load.py serve):
#
#   sh kmod/mdpy_load.sh UUID idle|backlog|periodic RUN_US PERIOD_US
#
# A shell client, because a load change must be quick and an interpreter's start
# takes seconds under emulation. MDPY_LOAD_DIR is the server's --state-dir
# (default /run/mdpy-load). Exit 0 when done, 1 when the server could not do it,
# 2 when there is no server.
dir=${MDPY_LOAD_DIR:-/run/mdpy-load}
if [ ! -p "$dir/control" ]; then
	echo "mdpy_load: no server at $dir/control; start python3 kmod/mdpy_load.py serve" >&2
	exit 2
fi
reply=$dir/reply.$$
rm -f "$reply"
mkfifo -m 600 "$reply" || exit 2
# open for reading before asking, so that the answer cannot come before a reader
exec 3<>"$reply"
echo "$* $reply" >"$dir/control"
read -r answer <&3
rm -f "$reply"
[ "$answer" = ok ] && exit 0
echo "mdpy_load: ${answer#error: }" >&2
exit 1
