"""Make mdevs of the mdpy sample busy or idle: the suite's exec workload for them.

    python3 kmod/mdpy_load.py serve [--state-dir DIR] &     # once, as root
    sh kmod/mdpy_load.sh UUID idle|backlog|periodic RUN_US PERIOD_US

mdpy's ``usage_us`` is the time its parent spends emulating the mdev's trapped
accesses, so work for it is accesses: a worker process opens the mdev through
VFIO (its IOMMU group in a type1 container, as a VMM would) and reads its PCI
config space, all the time (``backlog``) or for RUN_US of every PERIOD_US
(``periodic``). The worker reopens the device for every burst of at most
``BURST_S``: an open VFIO device cannot be removed, so a remove waits one burst
at most, and a device being removed cannot be opened, so the worker then ends.

One server forks the workers, so that a load change costs a fork, not the start
of an interpreter (seconds under emulation). ``mdpy_load.sh`` sends it one
request line through the FIFO ``DIR/control`` and prints its answer: the request
is done once the mdev's old worker has exited (its device closed) and a new one
has made its first access. The server ends its workers and itself on SIGTERM.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import struct
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
READY_TIMEOUT_S = 10.0  # a new worker's first access
STOP_TIMEOUT_S = 10.0  # a worker's exit after SIGTERM, before SIGKILL
STATE_DIR = Path("/run/mdpy-load")
MDEV_DEVICES = Path("/sys/bus/mdev/devices")


class LoadError(Exception):
    """The demand could not be put in place."""


# --- a worker: VFIO accesses --------------------------------------------------------------


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
    """A worker: bursts until SIGTERM or until the device goes; says "ok" after the first."""
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


# --- the server: one worker per mdev ------------------------------------------------------


def parse_demand(words: list[str]) -> list[str]:
    """``idle``, ``backlog`` or ``periodic RUN_US PERIOD_US`` (1 <= RUN_US <= PERIOD_US)."""
    if words in (["idle"], ["backlog"]):
        return words
    if len(words) == 3 and words[0] == "periodic" and all(w.isdigit() for w in words[1:]):
        if 1 <= int(words[1]) <= int(words[2]):
            return words
    raise LoadError(f"not a demand: {' '.join(words)!r}")


def read_answer(fd: int) -> str:
    """A worker's first line: "ok", its error, or why there is none."""
    data = b""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while b"\n" not in data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return f"no first access within {READY_TIMEOUT_S:g} s"
        chunk = os.read(fd, 4096)
        if not chunk:
            return "the worker ended before its first access"
        data += chunk
    return data.decode(errors="replace").splitlines()[0]


def reaped(pid: int, timeout_s: float) -> bool:
    """Wait up to ``timeout_s`` for the child ``pid`` to exit and reap it."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done or time.monotonic() >= deadline:
            return bool(done)
        time.sleep(0.005)


class Server:
    """The workers, by mdev UUID."""

    def __init__(self) -> None:
        self.workers: dict[str, int] = {}

    def stop(self, uuid: str) -> None:
        """End the mdev's worker, if any, once it has closed the device."""
        pid = self.workers.pop(uuid, None)
        if pid is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            if reaped(pid, STOP_TIMEOUT_S):
                return
        raise LoadError(f"the worker {pid} of mdev {uuid} does not end")

    def start(self, uuid: str, demand: list[str]) -> None:
        """Fork a worker for ``demand`` and wait for its first access."""
        if not (MDEV_DEVICES / uuid).is_dir():
            raise LoadError(f"no mdev {uuid}")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os._exit(work(uuid, demand, write_end))
        os.close(write_end)
        self.workers[uuid] = pid
        try:
            answer = read_answer(read_end)
        finally:
            os.close(read_end)
        if answer != "ok":
            self.stop(uuid)
            raise LoadError(answer)

    def handle(self, line: str) -> str:
        """One request, ``UUID DEMAND...``: "ok" or what went wrong."""
        words = line.split()
        try:
            if len(words) < 2:
                raise LoadError(f"not a request: {line!r}")
            demand = parse_demand(words[1:])
            self.stop(words[0])
            if demand != ["idle"]:
                self.start(words[0], demand)
        except (LoadError, OSError) as exc:
            return f"error: {exc}"
        return "ok"

    def close(self) -> None:
        """End every worker."""
        for uuid in list(self.workers):
            self.stop(uuid)


def send(reply: str, answer: str) -> None:
    """Answer on the client's FIFO, which it holds open; a client that is gone gets nothing."""
    try:
        fd = os.open(reply, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        os.write(fd, f"{answer}\n".encode())
    finally:
        os.close(fd)


def serve(state: Path) -> int:
    """Answer requests ``UUID DEMAND... REPLY-FIFO`` from ``state/control`` until SIGTERM."""
    state.mkdir(parents=True, exist_ok=True)
    control = state / "control"
    control.unlink(missing_ok=True)
    os.mkfifo(control, 0o600)
    server = Server()

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, terminate)
    # read and write: the FIFO never reports end of file between clients
    fd = os.open(control, os.O_RDWR)
    try:
        with os.fdopen(fd, "r", buffering=1) as requests:
            for line in requests:
                *request, reply = line.split() or [""]
                answer = server.handle(" ".join(request))
                send(reply, answer)
    finally:
        server.close()
        control.unlink(missing_ok=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``serve``: the server (the client is mdpy_load.sh)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="fork and end the workers on request")
    s.add_argument("--state-dir", type=Path, default=STATE_DIR)
    args = ap.parse_args(argv)
    return serve(args.state_dir)


if __name__ == "__main__":
    sys.exit(main())
