"""Build the run's session: open the target, discover parents and types, pick a workload."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from conformance import defaults
from conformance.suite.journal import Journal, Scope, default_state_dir, target_key
from conformance.suite.lock import TargetLock
from conformance.suite.profiles import writes_to_target
from conformance.suite.session import SuiteSession
from conformance.sysfs import paths
from conformance.sysfs.guarded import GuardedTarget
from conformance.sysfs.target import FsTarget, Target
from conformance.workload import make_workload


class TargetError(ValueError):
    """The target named on the command line cannot be used (exit 2, nothing changed)."""


@dataclass
class TargetOptions:
    """How the user pointed the suite at a device (the ``run`` options)."""

    sysfs_root: str | None = None
    parent: str | None = None
    type_id: str | None = None
    other_parent: str | None = None
    other_type: str | None = None
    mdevs: tuple[str, ...] = ()
    allow_write: bool = False
    mock_driver: str | None = None
    mock_topology: str | None = None
    mock_noise: int | None = None  # seed: every noise the spec permits, at its largest
    profile: str = defaults.PROFILE
    precision: str = defaults.PRECISION
    workload: str = defaults.WORKLOAD
    load_dir: str = defaults.LOAD_DIR
    exec_load: str = ""
    exec_timeout_s: float = defaults.EXEC_TIMEOUT_S
    state_dir: str | None = None
    op_timeout_s: float = defaults.OP_TIMEOUT_S  # longest a single sysfs operation may take
    options: dict[str, object] = field(default_factory=dict)


def check_name(option: str, name: str | None) -> None:
    """A parent or type name is one path component: no ``/``, no ``.``/``..``, no NUL."""
    if name is None:
        return
    if not name or name in (".", "..") or "/" in name or "\0" in name:
        raise TargetError(f"{option} {name!r}: not a device or type name (one path component)")


def open_session(opts: TargetOptions) -> SuiteSession:
    """Open the target the options name and build the session; TargetError if unusable."""
    for uuid in opts.mdevs:
        if not paths.UUID.fullmatch(uuid):
            raise TargetError(f"--mdev needs a UUID, not {uuid!r}")
    for option, name in (("--parent", opts.parent), ("--type", opts.type_id),
                         ("--other-parent", opts.other_parent),
                         ("--other-type", opts.other_type)):
        check_name(option, name)
    if opts.sysfs_root is None:
        target, embedded = _embedded_mock(opts), True
    else:
        target, embedded = _tree(opts), False
    parent, type_id = _parent_and_type(target, opts, embedded)
    _check_others(target, opts, parent, type_id)
    if not embedded and writes_to_target(opts.profile):
        _check_may_create(target, parent, type_id, opts.profile)
    session = SuiteSession(
        target=target,
        parent=parent,
        type_id=type_id,
        profile=opts.profile,
        precision=opts.precision,
        other_parent=opts.other_parent or _other_parent(target, parent, type_id),
        other_type=opts.other_type or _other_type(target, parent, type_id),
        mdevs=tuple(opts.mdevs),
        embedded_mock=embedded,
        options=dict(opts.options),
    )
    _attach_workload(session, opts)
    if not embedded:
        session.journal = _journal(opts, session)
    return session


def _journal(opts: TargetOptions, session: SuiteSession) -> Journal:
    """The tree's journal, keyed on its resolved root, under the tree's lock."""
    root = os.path.realpath(opts.sysfs_root or "/")
    state = Path(opts.state_dir) if opts.state_dir else default_state_dir()
    read_only = not writes_to_target(opts.profile)
    return Journal.for_target(
        state,
        target_key(FsTarget(root).description),
        read_only=read_only,
        scope=Scope(target=session.target, named=frozenset(opts.mdevs)),
        lock=TargetLock(root, shared=read_only),
    )


def _embedded_mock(opts: TargetOptions) -> Target:
    from conformance.mock import MockConfig
    from conformance.sysfs.mock_target import MockTarget

    config = MockConfig(
        driver=opts.mock_driver, topology=opts.mock_topology, noise_seed=opts.mock_noise
    )
    target = MockTarget(config.build())
    if config.describe():
        target.description = f"embedded reference mock with {config.describe()}"
    return target


def _tree(opts: TargetOptions) -> Target:
    root = os.path.abspath(opts.sysfs_root or "/")
    if not os.path.isdir(root):
        raise TargetError(f"--sysfs-root {root}: no such directory")
    if opts.mock_driver or opts.mock_topology or opts.mock_noise is not None:
        raise TargetError(
            "--mock-driver, --mock-topology and --mock-noise apply to the embedded mock, "
            "not to --sysfs-root"
        )
    writes = writes_to_target(opts.profile)
    if writes and not opts.allow_write:
        raise TargetError(
            f"profile {opts.profile!r} writes to {root}, which is not the embedded mock: "
            "pass --allow-write to let the suite create mdevs and change (then restore) "
            "attributes there, or use --profile static to only read"
        )
    return GuardedTarget(FsTarget(root, writable=writes), deadline_s=opts.op_timeout_s)


def _parent_and_type(target: Target, opts: TargetOptions, embedded: bool) -> tuple[str, str]:
    parent, type_id = opts.parent, opts.type_id
    if opts.mdevs and (parent is None or type_id is None):
        found_parent, found_type = device_parent_and_type(target, opts.mdevs[0])
        check_name(f"the parent of --mdev {opts.mdevs[0]}", found_parent)
        check_name(f"the type of --mdev {opts.mdevs[0]}", found_type)
        parent, type_id = parent or found_parent, type_id or found_type
    if embedded:
        parent, type_id = parent or defaults.MOCK_PARENT, type_id or defaults.MOCK_TYPE
    if parent is None or type_id is None:
        raise TargetError(
            "name the device under test: --parent P --type T (or --mdev UUID of an existing mdev)"
        )
    if not target.exists(paths.parent_dir(parent)):
        raise TargetError(f"no parent {parent!r}: {paths.parent_dir(parent)} does not exist")
    if not target.exists(paths.type_dir(parent, type_id)):
        raise TargetError(f"parent {parent!r} has no mdev type {type_id!r}")
    for uuid in opts.mdevs:
        if not target.exists(paths.mdev_dir(uuid)):
            raise TargetError(f"--mdev {uuid}: {paths.mdev_dir(uuid)} does not exist")
    return parent, type_id


def _check_others(target: Target, opts: TargetOptions, parent: str, type_id: str) -> None:
    """--other-parent must exist and offer the type; --other-type must be on the parent."""
    other = opts.other_parent
    if other is not None:
        if other == parent:
            raise TargetError(f"--other-parent {other!r} is the parent under test")
        if not target.exists(paths.parent_dir(other)):
            raise TargetError(f"--other-parent {other!r}: {paths.parent_dir(other)} does not exist")
        if not target.exists(paths.type_dir(other, type_id)):
            raise TargetError(f"--other-parent {other!r} has no mdev type {type_id!r}")
    kind = opts.other_type
    if kind is not None:
        if kind == type_id:
            raise TargetError(f"--other-type {kind!r} is the type under test")
        if not target.exists(paths.type_dir(parent, kind)):
            raise TargetError(f"--other-type: parent {parent!r} has no mdev type {kind!r}")


def _check_may_create(target: Target, parent: str, type_id: str, profile: str) -> None:
    """Refuse a writing run up front when this user certainly cannot create mdevs.

    Only the owner (with its write bit) or anyone (world-writable) is counted as
    able to write; a group-writable ``create`` is left for the run to find out.
    """
    euid = os.geteuid()
    if euid == 0:
        return
    create = paths.create_file(parent, type_id)
    try:
        info = target.stat(create)
    except OSError:
        return  # no create file to judge by: the scenarios will say what they cannot do
    if (info.uid == euid and info.mode & 0o200) or info.mode & 0o022:
        return
    raise TargetError(
        f"profile {profile!r} creates mdevs through {create}, which user {euid} may not "
        f"write (owner uid {info.uid}, mode {info.mode & 0o7777:04o}): run as root, "
        "or use --profile static to only read"
    )


def device_parent_and_type(target: Target, uuid: str) -> tuple[str, str]:
    """Parent name and type id of an existing mdev, from its links."""
    base = paths.mdev_dir(uuid)
    if not target.exists(base):
        raise TargetError(f"--mdev {uuid}: {base} does not exist")
    try:
        type_id = os.path.basename(target.readlink(f"{base}/mdev_type").rstrip("/"))
        device = target.readlink(base) if target.stat(base).kind == "link" else ""
    except OSError as exc:
        raise TargetError(f"--mdev {uuid}: cannot read its mdev_type link: {exc}") from exc
    parent = os.path.basename(os.path.dirname(device.rstrip("/"))) if device else ""
    if not parent:
        raise TargetError(f"--mdev {uuid}: cannot tell its parent; pass --parent")
    return parent, type_id


def _other_parent(target: Target, parent: str, type_id: str) -> str | None:
    try:
        parents = target.listdir(paths.CLASS)
    except OSError:
        return None
    for other in parents:
        if other != parent and target.exists(paths.type_dir(other, type_id)):
            return other
    return None


def _other_type(target: Target, parent: str, type_id: str) -> str | None:
    try:
        types = target.listdir(paths.types_dir(parent))
    except OSError:
        return None
    others = [t for t in types if t != type_id]
    return others[0] if others else None


def _attach_workload(session: SuiteSession, opts: TargetOptions) -> None:
    try:
        workload = make_workload(
            opts.workload,
            session.target,
            load_dir=opts.load_dir,
            exec_load=opts.exec_load,
            exec_timeout_s=opts.exec_timeout_s,
        )
    except ValueError as exc:
        raise TargetError(str(exc)) from exc
    if workload is None:
        session.workload_problem = (
            "no workload adapter: scheduling checks need --workload sample (debugfs load "
            f"control at {opts.load_dir}) or --workload exec --exec-load CMD"
        )
        return
    problem = workload.unavailable()
    if problem:
        session.workload_problem = f"workload {workload.name}: {problem}"
        return
    session.workload = workload
