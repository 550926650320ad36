"""Where the time of ``tox -e py`` goes: a JUnit file's test times summed per directory.

    .venv/bin/tox -e py -- --junitxml=/tmp/py.xml tests
    python benchmarks/test_durations.py /tmp/py.xml [--top 15]

Prints, per directory of ``tests/`` (and the slowest test files), the number of
tests and the seconds pytest counted for them (setup, call and teardown). Under
pytest-xdist these add up over the workers: compare their sum with the wall time
to see how well the workers were kept busy.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def times(junit: Path) -> list[tuple[str, float]]:
    """(file, seconds) of every test case in a JUnit XML file."""
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        # tests.mock.test_engine[.TestClass]: the module ends at the first test_* part
        end = next((i for i, p in enumerate(parts) if i and p.startswith("test")), len(parts) - 1)
        found.append(("/".join(parts[:end + 1]) + ".py", float(case.get("time", 0.0))))
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("junit", type=Path)
    parser.add_argument("--top", type=int, default=15, help="slowest files to list")
    args = parser.parse_args(argv)
    cases = times(args.junit)
    by_dir: dict[str, list[float]] = defaultdict(list)
    by_file: dict[str, list[float]] = defaultdict(list)
    for name, seconds in cases:
        by_dir["/".join(name.split("/")[:2])].append(seconds)
        by_file[name].append(seconds)
    total = sum(s for _, s in cases)
    print(f"{len(cases)} tests, {total:.0f} s counted")
    print(f"{'directory':<28} {'tests':>6} {'s':>8} {'share':>6}")
    for name, values in sorted(by_dir.items(), key=lambda kv: -sum(kv[1])):
        print(f"{name:<28} {len(values):>6} {sum(values):>8.1f} {sum(values) / total:>6.1%}")
    print(f"\nslowest files (top {args.top})")
    for name, values in sorted(by_file.items(), key=lambda kv: -sum(kv[1]))[:args.top]:
        print(f"{name:<52} {len(values):>5} {sum(values):>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
