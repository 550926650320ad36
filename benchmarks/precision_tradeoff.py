"""Precision against time: how likely a share error e is caught, by window length.

    .venv/bin/python benchmarks/precision_tradeoff.py [--seeds 20] [--svg FILE]

The margin mutant ``ShareOverClaim`` of ``tests/mutants/mqos_mutants/precision.py``
with its excess set to e (the lightest backlogged mdev gets e more than its
share) runs on the in-process mock with the largest permitted noise
(``Noise.within_spec(seed)``), two backlogged mdevs with weights 100:300 at
q = 1000 µs. For each window length W it settles (2q), measures one window and
applies the oracle's checks (each share's band and the pair's ratio band, with
the tolerances of that W). The share of seeds in which a check fails is the
probability of catching an error of e with a window of W; e = 0 is the reference
driver (any catch would be a false fail). The table is printed as Markdown and
the curves are drawn into an SVG.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "mutants"))

from mqos_mutants.precision import ShareOverClaim  # noqa: E402

from conformance.mock import MockKernel, QosDriver  # noqa: E402
from conformance.mock.noise import Noise  # noqa: E402
from conformance.oracle.shares import Member, expected_shares  # noqa: E402
from conformance.oracle.tolerance import (  # noqa: E402
    CERTIFY,
    QUICK,
    Tolerance,
    ratio_bound,
    share_bound,
)

Q = 1000
WEIGHTS = (100, 300)
UUIDS = ("c0ffee00-0000-4000-8000-00000000000a", "c0ffee00-0000-4000-8000-00000000000b")
ERRORS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)
WINDOWS_MS = (20, 40, 80, 160, 240, 400, 800)


def driver_for(error: float) -> type[QosDriver]:
    """The reference for e = 0, else the margin mutant with excess e."""
    if error == 0:
        return QosDriver
    return type(f"ShareOver{error}", (ShareOverClaim,), {"excess": error})


def caught(driver: type[QosDriver], seed: int, window: int) -> bool:
    """One noisy window of ``window`` µs: does any share or ratio check fail?"""
    kernel = MockKernel(driver_cls=driver, noise=Noise.within_spec(seed))
    for uuid, weight in zip(UUIDS, WEIGHTS, strict=True):
        kernel.create_mdev("mqos0", "mqos-full", uuid)
        kernel.vfs_write(f"/sys/bus/mdev/devices/{uuid}/qos/weight", str(weight).encode())
    for uuid in UUIDS:
        kernel.vfs_write(f"/sys/kernel/debug/mqos/{uuid}/load", b"backlog")
    tol = Tolerance(Q)
    kernel.advance(tol.settle + seed * 37 % Q)  # windows start at different phases

    def usage() -> list[int]:
        return [int(kernel.vfs_read(f"/sys/bus/mdev/devices/{u}/qos/usage_us")) for u in UUIDS]

    before = usage()
    kernel.advance(window)
    deltas = [b - a for a, b in zip(before, usage(), strict=True)]
    members = [Member(str(i), weight=w) for i, w in enumerate(WEIGHTS)]
    ideal = [float(x) for x in expected_shares(members).values()]
    delta, iota = tol.share(window), tol.interference(window)
    for share, used in zip(ideal, deltas, strict=True):
        if not share_bound(share, delta, iota).holds(used / window):
            return True
    band = ratio_bound(ideal[1], ideal[0], tol.usage, window, iota)
    return deltas[0] <= 0 or not band.holds((deltas[1] / deltas[0]) / (ideal[1] / ideal[0]))


def study(seeds: int) -> dict[float, list[float]]:
    """P(caught) per error, one value per window length."""
    return {
        error: [sum(caught(driver_for(error), s, ms * 1000) for s in range(seeds)) / seeds
                for ms in WINDOWS_MS]
        for error in ERRORS
    }


def table(result: dict[float, list[float]], seeds: int) -> list[str]:
    """The trade-off as a Markdown table: share error by window length."""
    head = "| share error e | " + " | ".join(f"W = {ms} ms" for ms in WINDOWS_MS) + " |"
    lines = [head, "|---|" + "---:|" * len(WINDOWS_MS)]
    for error, row in result.items():
        label = "0 (reference)" if error == 0 else f"{error}"
        lines.append(f"| {label} | " + " | ".join(f"{p:.2f}" for p in row) + " |")
    lines.append(f"({seeds} noise seeds per cell; q = {Q} µs; quick W = "
                 f"{QUICK.window(Tolerance(Q)) / 1000:.0f} ms, certify W = "
                 f"{CERTIFY.window(Tolerance(Q)) / 1000:.0f} ms)")
    return lines


COLOURS = ("#555", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def svg(result: dict[float, list[float]]) -> str:
    """P(caught) against W (log axis), one line per error, the two precisions marked."""
    width, height, left, right, top, bottom = 640, 340, 60, 150, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi = math.log(WINDOWS_MS[0]), math.log(WINDOWS_MS[-1])

    def x(ms: float) -> float:
        return left + (math.log(ms) - lo) / (hi - lo) * plot_w

    def y(p: float) -> float:
        return top + (1 - p) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
             'stroke="#999"/>']
    for ms in WINDOWS_MS:
        parts.append(f'<text x="{x(ms):.1f}" y="{top + plot_h + 15}" text-anchor="middle">'
                     f"{ms}</text>")
    for p in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(p):.1f}" y2="{y(p):.1f}" '
                     'stroke="#eee"/>'
                     f'<text x="{left - 6}" y="{y(p) + 4:.1f}" text-anchor="end">{p}</text>')
    for name, precision in (("quick", QUICK), ("certify", CERTIFY)):
        ms = precision.window(Tolerance(Q)) / 1000
        parts.append(f'<line x1="{x(ms):.1f}" x2="{x(ms):.1f}" y1="{top}" '
                     f'y2="{top + plot_h}" stroke="#000" stroke-dasharray="4 3"/>'
                     f'<text x="{x(ms) + 3:.1f}" y="{top + 12}">{name}</text>')
    for (error, row), colour in zip(result.items(), COLOURS, strict=False):
        points = " ".join(f"{x(ms):.1f},{y(p):.1f}" for ms, p in zip(WINDOWS_MS, row,
                                                                     strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        label = "e = 0 (reference)" if error == 0 else f"e = {error}"
        ly = top + 20 + 16 * list(result).index(error)
        parts.append(f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{ly}" '
                     f'y2="{ly}" stroke="{colour}" stroke-width="2"/>'
                     f'<text x="{width - right + 35}" y="{ly + 4}">{label}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 12}" text-anchor="middle">'
                 "window W (ms, log scale), q = 1 ms, largest permitted noise</text>")
    parts.append(f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2})">P(error caught)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> int:
    """Print the table; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--svg", type=Path, default=ROOT / "benchmarks" / "precision_tradeoff.svg")
    args = parser.parse_args()
    result = study(args.seeds)
    print("\n".join(table(result, args.seeds)))
    args.svg.write_text(svg(result), encoding="utf-8")
    print(f"wrote {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
