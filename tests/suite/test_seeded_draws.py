"""The suite's hypothesis draws depend on the seed alone, not on which modules are loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conformance.suite import runner
from conformance.suite.seeded_draws import no_local_constants

ROOT = Path(__file__).resolve().parents[2]

# draws 300 integers under a fixed seed inside seed_only(), with or without first
# importing a module full of literals from outside site-packages (like an editable
# install of the suite, or a vendor's --mock-driver module)
DRAW = """\
import sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
if sys.argv[3] == "literals":
    import many_literals
from hypothesis import Phase, given, seed, settings, strategies as st
from conformance.suite.seeded_draws import seed_only
drawn = []

@seed(7)
@settings(database=None, max_examples=300, phases=[Phase.generate])
@given(st.integers(0, 100_000))
def draw(value):
    drawn.append(value)

with seed_only() as patched:
    assert patched, "hypothesis changed: its local constants are no longer switched off"
    draw()
print(drawn)
"""


def _draws(lib: Path, literals: bool) -> str:
    done = subprocess.run(
        [sys.executable, "-c", DRAW, str(ROOT), str(lib), "literals" if literals else "plain"],
        capture_output=True, text=True, check=True, cwd=lib,
    )
    return done.stdout


def test_a_local_module_full_of_numbers_changes_no_draw(tmp_path: Path) -> None:
    """Hypothesis mixed the literals of local modules into its draws: a checkout drew
    other random sequences than a wheel for the same seed."""
    lib = tmp_path / "lib"
    lib.mkdir()
    numbers = ", ".join(str(31 + 997 * i) for i in range(100))
    (lib / "many_literals.py").write_text(f"VALUES = [{numbers}]\n")
    assert _draws(lib, literals=True) == _draws(lib, literals=False)
    assert not (lib / ".hypothesis").exists()  # and nothing is left in the working directory


def test_the_runner_draws_from_the_seed_alone() -> None:
    assert runner.seed_only.__module__ == "conformance.suite.seeded_draws"
    with no_local_constants() as patched:
        assert patched
