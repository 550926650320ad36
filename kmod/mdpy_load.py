"""Make an mdev of the mdpy sample busy or idle: the suite's exec workload for it.

    python3 kmod/mdpy_load.py UUID idle|backlog|periodic RUN_US PERIOD_US

mdpy's ``usage_us`` is the time its parent spends emulating the mdev's trapped
accesses, so work for it is accesses: a worker process opens the mdev through
VFIO (its IOMMU group in a type1 container, as a VMM would) and reads its PCI
config space, all the time (``backlog``) or for RUN_US of every PERIOD_US
(``periodic``). The worker reopens the device for every burst of at most
``BURST_S``: an open VFIO device cannot be removed, so a remove waits one burst
at most, and a device being removed cannot be opened, so the worker then ends.

The command returns once the demand is in place: an old worker of the mdev has
exited (its device closed) and a new one has made its first access. Workers are
remembered in STATE_DIR (``--state-dir``, default /run/mdpy-load). Exit 0 when
done, 1 when the load could not be put in place, 2 on bad arguments.

    suite:  mdev-qos run --workload exec
                --exec-load 'python3 kmod/mdpy_load.py {uuid} {demand}' ...
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# <linux/vfio.h>: _IO(VFIO_TYPE, VFIO_BASE + n) with VFIO_TYPE ';' and VFIO_BASE 100
VFIO_CHECK_EXTENSION = 0x3B65
VFIO_SET_IOMMU = 0x3B66
VFIO_GROUP_SET_CONTAINER = 0x3B68
VFIO_GROUP_GET_DEVICE_FD = 0x3B6A
VFIO_TYPE1_IOMMU = 1
VFIO_TYPE1V2_IOMMU = 3

BURST_S = 0.02  # longest the device stays open at a time
READY_TIMEOUT_S = 20.0  # a worker's first access, Python start-up included (slow under TCG)
STOP_TIMEOUT_S = 10.0  # a worker's exit after SIGTERM, before SIGKILL
STATE_DIR = Path("/run/mdpy-load")
MDEV_DEVICES = Path("/sys/bus/mdev/devices")


class LoadError(Exception):
    """The demand could not be put in place."""


# --- the worker: VFIO accesses ------------------------------------------------------------


@contextmanager
def opened(uuid: str) -> Iterator[int]:
    """The mdev's VFIO device file, open in a type1 container of its own."""
    group = os.path.basename(os.readlink(MDEV_DEVICES / uuid / "iommu_group"))
    fds = [os.open("/dev/vfio/vfio", os.O_RDWR)]
    try:
        fds.append(os.open(f"/dev/vfio/{group}", os.O_RDWR))
        fcntl.ioctl(fds[1], VFIO_GROUP_SET_CONTAINER, struct.pack("i", fds[0]))
        v2 = fcntl.ioctl(fds[0], VFIO_CHECK_EXTENSION, VFIO_TYPE1V2_IOMMU) > 0
        fcntl.ioctl(fds[0], VFIO_SET_IOMMU, VFIO_TYPE1V2_IOMMU if v2 else VFIO_TYPE1_IOMMU)
        # a mutable buffer: ioctl() then returns the ioctl's result, the new fd
        fds.append(fcntl.ioctl(fds[1], VFIO_GROUP_GET_DEVICE_FD, bytearray(uuid.encode() + b"\0")))
        yield fds[2]
    finally:
        for fd in reversed(fds):
            os.close(fd)


def burst(uuid: str, seconds: float) -> None:
    """Read the vendor ID from config space (offset 0) for ``seconds``."""
    end = time.monotonic() + seconds
    with opened(uuid) as device:
        while True:
            os.pread(device, 4, 0)
            if time.monotonic() >= end:
                return


def work(uuid: str, demand: list[str], ready: int) -> int:
    """The worker: bursts for ever (until SIGTERM or the device goes); 0 on its end."""
    run_s, period_s = BURST_S, 0.0
    if demand[0] == "periodic":
        run_s, period_s = int(demand[1]) / 1e6, int(demand[2]) / 1e6
    try:
        burst(uuid, min(run_s, BURST_S))
    except OSError as exc:
        os.write(ready, f"cannot access mdev {uuid} through VFIO: {exc}\n".encode())
        return 1
    os.write(ready, b"ok\n")
    os.close(ready)
    start = time.monotonic()
    try:
        while True:
            if period_s:
                start += period_s
                time.sleep(max(0.0, start - time.monotonic()))
            left = run_s
            while left > 0:
                burst(uuid, min(left, BURST_S))
                left -= BURST_S
    except OSError:
        return 0  # the mdev is being removed


# --- the command: one worker per mdev -----------------------------------------------------


def pid_file(state: Path, uuid: str) -> Path:
    """Where the pid of the mdev's worker is kept."""
    return state / f"{uuid}.pid"


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie has closed its files already)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def stop(state: Path, uuid: str) -> None:
    """End the mdev's worker, if any, and wait until it has closed the device."""
    path = pid_file(state, uuid)
    try:
        pid = int(path.read_text())
    except (OSError, ValueError):
        return
    for sig, wait_s in ((signal.SIGTERM, STOP_TIMEOUT_S), (signal.SIGKILL, STOP_TIMEOUT_S)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait_s
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        if not alive(pid):
            break
    else:
        raise LoadError(f"the worker {pid} of mdev {uuid} does not end")
    path.unlink()


def start(state: Path, uuid: str, demand: list[str]) -> None:
    """Start a worker for ``demand`` and wait for its first access."""
    read_end, write_end = os.pipe()
    worker = subprocess.Popen(
        [sys.executable, __file__, "--worker", str(write_end), uuid, *demand],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
        start_new_session=True,
    )
    os.close(write_end)
    pid_file(state, uuid).write_text(f"{worker.pid}\n")
    try:
        answer = read_answer(read_end)
    finally:
        os.close(read_end)
    if answer != "ok":
        stop(state, uuid)
        raise LoadError(answer or f"the worker of mdev {uuid} ended before its first access")


def read_answer(fd: int) -> str:
    """The worker's first line: "ok", its error, or why there is none."""
    data = b""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return f"no first access within {READY_TIMEOUT_S:g} s"
        chunk = os.read(fd, 4096)
        if not chunk:
            return ""
        data += chunk
    return data.decode(errors="replace").splitlines()[0]


def parse_demand(words: list[str]) -> list[str]:
    """``idle``, ``backlog`` or ``periodic RUN_US PERIOD_US`` (1 <= RUN_US <= PERIOD_US)."""
    if words in (["idle"], ["backlog"]):
        return words
    if len(words) == 3 and words[0] == "periodic" and all(w.isdigit() for w in words[1:]):
        if 1 <= int(words[1]) <= int(words[2]):
            return words
    raise ValueError(f"not a demand: {' '.join(words)!r}")


def main(argv: list[str] | None = None) -> int:
    """Put the demand in place for the mdev (or, with --worker, be its worker)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--worker"]:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        return work(args[2], args[3:], int(args[1]))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--state-dir", type=Path, default=STATE_DIR)
    ap.add_argument("uuid")
    ap.add_argument("demand", nargs="+", help="idle | backlog | periodic RUN_US PERIOD_US")
    opts = ap.parse_args(args)
    try:
        demand = parse_demand(opts.demand)
    except ValueError as exc:
        print(f"mdpy_load: {exc}", file=sys.stderr)
        return 2
    if demand != ["idle"] and not (MDEV_DEVICES / opts.uuid).is_dir():
        print(f"mdpy_load: no mdev {opts.uuid}", file=sys.stderr)
        return 2
    try:
        opts.state_dir.mkdir(parents=True, exist_ok=True)
        stop(opts.state_dir, opts.uuid)
        if demand != ["idle"]:
            start(opts.state_dir, opts.uuid, demand)
    except (LoadError, OSError) as exc:
        print(f"mdpy_load: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
