"""The examples in the spec's code blocks are well-formed and name real files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from functools import cache

from docutils import nodes

from conformance.specbuild.source import parse_spec

KNOBS = {"cap", "weight", "priority"}


@cache
def _literal_blocks() -> tuple[nodes.literal_block, ...]:
    return tuple(parse_spec().findall(nodes.literal_block))


def blocks(language: str) -> list[str]:
    return [block.astext() for block in _literal_blocks() if language in block["classes"]]


def test_json_examples_parse_and_use_knob_files() -> None:
    (config,) = blocks("json")
    attrs = json.loads(config)["attrs"]
    for attr in attrs:
        ((name, value),) = attr.items()
        assert name.startswith("qos/") and name[4:] in KNOBS, name
        assert isinstance(value, str)


def test_xml_examples_are_well_formed_and_set_knobs_by_attr() -> None:
    """Every XML block parses; knobs are set only through ``<attr name='qos/...'>``."""
    examples = blocks("xml")
    assert len(examples) >= 4
    attrs = []
    for text in examples:
        root = ET.fromstring(f"<wrap>{text}</wrap>")
        attrs += [a.get("name", "") for a in root.iter("attr")]
    assert attrs and all(name.startswith("qos/") and name[4:] in KNOBS for name in attrs)


def test_c_sketch_is_balanced() -> None:
    (sketch,) = blocks("c")
    assert sketch.count("{") == sketch.count("}")
    assert "dev_groups" in sketch
