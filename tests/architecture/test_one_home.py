"""Each fact has one home: sysfs paths in conformance/sysfs/paths.py, profiles in one module."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conformance.resources import schema_path
from conformance.suite.profiles import PROFILES, writes_to_target
from conformance.sysfs import paths

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
# the kernel side spells the ABI on its own, as a kernel would
KERNEL_SIDE = ("mock",)
SYSFS_WORDS = ("/sys/bus/mdev", "/sys/class/mdev_bus", "mdev_supported_types")


def _code_strings(tree: ast.Module) -> list[tuple[int, str]]:
    """String constants that are code: not docstrings, not step text in decorators."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                skip.update(id(n) for n in ast.walk(decorator))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def _suite_modules() -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if p.relative_to(PACKAGE).parts[0] not in KERNEL_SIDE and p.name != "paths.py"
    ]


def test_only_paths_module_spells_sysfs_paths() -> None:
    spelled = [
        f"{module.relative_to(PACKAGE.parent)}:{line}: {text!r}"
        for module in _suite_modules()
        for line, text in _code_strings(ast.parse(module.read_text(encoding="utf-8")))
        if any(word in text for word in SYSFS_WORDS)
    ]
    assert not spelled, "spell sysfs paths through conformance.sysfs.paths:\n" + "\n".join(spelled)


def test_the_check_sees_a_spelled_path() -> None:
    tree = ast.parse('"""doc /sys/bus/mdev"""\nX = "/sys/bus/mdev/devices"\n')
    assert _code_strings(tree) == [(2, "/sys/bus/mdev/devices")]


def test_paths() -> None:
    uuid = "8a1c3f20-5b7e-4c1d-9e2f-0123456789ab"
    assert paths.qos(uuid, "cap") == f"/sys/bus/mdev/devices/{uuid}/qos/cap"
    assert paths.qos(uuid) == f"/sys/bus/mdev/devices/{uuid}/qos"
    assert paths.remove_file(uuid) == f"/sys/bus/mdev/devices/{uuid}/remove"
    assert paths.create_file("mqos0", "mqos-full") == (
        "/sys/class/mdev_bus/mqos0/mdev_supported_types/mqos-full/create"
    )
    assert paths.mdev_via_parent("mqos0", uuid) == f"/sys/class/mdev_bus/mqos0/{uuid}"
    assert paths.device_of(f"/sys/class/mdev_bus/mqos0/{uuid}/qos/cap") == uuid
    assert paths.device_of(paths.mdev_dir(uuid)) == uuid
    assert paths.device_of("/sys/kernel/debug/mqos/clock_us") is None


@pytest.mark.parametrize("schema", ["run-config", "report"])
def test_schemas_list_the_profiles(schema: str) -> None:
    document = json.loads(schema_path(schema).read_text(encoding="utf-8"))
    assert document["properties"]["profile"]["enum"] == list(PROFILES)


def test_only_static_reads_only() -> None:
    assert [p for p in PROFILES if not writes_to_target(p)] == ["static"]


def test_only_streams_points_a_stream_at_dev_null() -> None:
    """A stream whose reader went away is silenced in one place (conformance/streams.py)."""
    spelled = [
        f"{module.relative_to(PACKAGE.parent)}:{node.lineno}"
        for module in sorted(PACKAGE.rglob("*.py"))
        if module.name != "streams.py"
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr == "devnull"
    ]
    assert not spelled, "use conformance.streams.gone:\n" + "\n".join(spelled)


def test_one_test_helper_validates_node_device_xml() -> None:
    """Tests find nodedev.rng and run xmllint only through tests/libvirt_schema.py."""
    tests = PACKAGE.parent / "tests"
    spelled = [
        f"{module.relative_to(tests)}:{line}: {text!r}"
        for module in sorted(tests.rglob("*.py"))
        if module.name != "libvirt_schema.py" and module != Path(__file__)
        for line, text in _code_strings(ast.parse(module.read_text(encoding="utf-8")))
        if text.endswith("nodedev.rng") or text == "xmllint"
    ]
    assert not spelled, "use tests/libvirt_schema.py:\n" + "\n".join(spelled)
