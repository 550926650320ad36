"""The libvirt proposal of spec/integration.rst against libvirt's own schema
(finding 13 of issue 14), with ``xmllint --relaxng``.

- the node device XML that carries ``<attr name='qos/cap' .../>`` validates against
  the pristine ``nodedev.rng``: what works today needs no change to libvirt;
- the proposed RelaxNG fragment, hooked where the spec says (after
  ``availableInstances`` in the ``type`` element of ``mdev_types``, and in the
  ``interleave`` of ``capmdev``), keeps the schema valid, accepts the spec's
  examples, and rejects a knob value out of range;
- the proposal adds no element that sets a knob (``<attr>`` stays the only way).
"""

from __future__ import annotations

import functools
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import libvirt_schema
import pytest
from docutils import nodes

from conformance.specbuild.source import parse_spec

RNG = "http://relaxng.org/ns/structure/1.0"
ET.register_namespace("", RNG)


@functools.cache
def _spec() -> nodes.document:
    return parse_spec()


def block(name: str) -> str:
    """The text of the spec's code block labelled ``:name: name``."""
    node = _spec().ids.get(name)
    assert isinstance(node, nodes.literal_block), f"the spec has no code block {name!r}"
    return node.astext()


def lint(schema: Path, document: str, tmp_path: Path) -> tuple[int, str]:
    done = libvirt_schema.lint(document, tmp_path, schema)
    return done.returncode, done.stdout + done.stderr


def _q(tag: str) -> str:
    return f"{{{RNG}}}{tag}"


def _define(grammar: ET.Element, name: str) -> ET.Element:
    for define in grammar.iter(_q("define")):
        if define.get("name") == name:
            return define
    raise AssertionError(f"nodedev.rng has no define {name!r}")


def _optional_ref(name: str) -> ET.Element:
    optional = ET.Element(_q("optional"))
    ET.SubElement(optional, _q("ref"), name=name)
    return optional


def hooked_schema(pristine: Path, fragment: str, into: Path) -> Path:
    """A copy of libvirt's schemas whose nodedev.rng carries the fragment, hooked."""
    shutil.copytree(pristine.parent, into)
    tree = ET.parse(into / pristine.name)
    grammar = tree.getroot()
    mdev_types = _define(grammar, "mdev_types")
    (type_element,) = [e for e in mdev_types.iter(_q("element")) if e.get("name") == "type"]
    children = list(type_element)
    (instances,) = [
        i for i, e in enumerate(children) if e.get("name") == "availableInstances"
    ]
    type_element.insert(instances + 1, _optional_ref("mdevTypeQoS"))
    interleave = _define(grammar, "capmdev").find(_q("interleave"))
    assert interleave is not None, "capmdev is no longer an interleave"
    interleave.append(_optional_ref("mdevQoSCounters"))
    wrapped = ET.fromstring(f'<grammar xmlns="{RNG}">{fragment}</grammar>')
    for define in wrapped:
        grammar.append(define)
    tree.write(into / pristine.name, xml_declaration=True, encoding="utf-8")
    return into / pristine.name


def test_attr_qos_cap_validates_against_pristine_nodedev_rng(
    nodedev_rng: Path, tmp_path: Path
) -> None:
    document = block("libvirt-mdev-attr-xml")
    assert "<attr name='qos/cap' value='60'/>" in document
    status, out = lint(nodedev_rng, document, tmp_path)
    assert status == 0, out


def test_proposal_is_not_valid_upstream_yet(
    nodedev_rng: Path, tmp_path: Path
) -> None:
    """The check can fail: the pristine schema refuses the proposed elements, and
    only them (the same documents without ``<qos>`` validate)."""
    for name in ("libvirt-type-qos-xml", "libvirt-mdev-counters-xml"):
        document = block(name)
        status, out = lint(nodedev_rng, document, tmp_path)
        assert status != 0, f"{name}: {out}"
        without = re.sub(r"\n *<qos.*</qos>", "", document, flags=re.S)
        assert "<qos" not in without
        status, out = lint(nodedev_rng, without, tmp_path)
        assert status == 0, f"{name} without <qos>: {out}"


@pytest.mark.parametrize(
    "example", ["libvirt-type-qos-xml", "libvirt-mdev-counters-xml", "libvirt-mdev-attr-xml"]
)
def test_examples_validate_against_the_hooked_fragment(
    example: str, nodedev_rng: Path, tmp_path: Path
) -> None:
    schema = hooked_schema(nodedev_rng, block("libvirt-qos-rng"), tmp_path / "schemas")
    status, out = lint(schema, block(example), tmp_path)
    assert status == 0, out


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<weight fixed='200'/>", "<weight fixed='0'/>"),
        ("levels='background standard urgent'", "levels='background high'"),
        ("<cap/>", "<cap>60</cap>"),
    ],
)
def test_the_fragment_refuses_bad_offers(
    old: str, new: str, nodedev_rng: Path, tmp_path: Path
) -> None:
    schema = hooked_schema(nodedev_rng, block("libvirt-qos-rng"), tmp_path / "schemas")
    document = block("libvirt-type-qos-xml")
    assert old in document
    status, out = lint(schema, document.replace(old, new), tmp_path)
    assert status != 0, out


def test_no_new_element_sets_a_knob() -> None:
    """The counters are output only; an offer's ``fixed`` is the type's, not a setting."""
    fragment = ET.fromstring(f'<grammar xmlns="{RNG}">{block("libvirt-qos-rng")}</grammar>')
    counters = _define(fragment, "mdevQoSCounters")
    names = {e.get("name") for e in counters.iter(_q("element"))}
    assert names == {"qos", "usage_us", "throttled_us", "wait_us", "nr_slices"}
