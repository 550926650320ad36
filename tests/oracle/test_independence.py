"""The oracle is an independent implementation of the spec: it never imports the mock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import conformance.oracle

ORACLE = Path(conformance.oracle.__file__).resolve().parent


def test_no_oracle_module_imports_the_mock() -> None:
    for path in ORACLE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith("conformance.mock") for n in names), path.name


def test_importing_the_oracle_loads_no_mock() -> None:
    code = ("import sys, conformance.oracle.grammar, conformance.oracle.formats, "
            "conformance.oracle.shares, conformance.oracle.tolerance; "
            "print(any(m.startswith('conformance.mock') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
