"""Same scenarios, same verdicts on the Python mock and on the C module.

The comparison logic (kmod/parity.py) is tested on made-up reports; the parity
itself is checked on a finished guest run (MQOS_KERNEL_RESULTS), next to a mock
run that kmod/run-in-guest.sh makes with the same profile.
"""

from __future__ import annotations

from typing import Any

import pytest


def report(verdict: str, *scenarios: tuple[str, str, float | None]) -> dict[str, Any]:
    items = []
    for sid, status, share in scenarios:
        evidence = (
            []
            if share is None
            else [{"name": "share A", "unit": "share", "expected": 0.5, "actual": share}]
        )
        items.append({"id": sid, "name": sid.strip(":"), "status": status, "evidence": evidence})
    return {"format": "mdev-qos-report/1", "verdict": verdict, "scenarios": items}


def test_equal_statuses_agree_whatever_the_shares(parity) -> None:
    mock = report("conformant", ("::a", "pass", 0.5), ("::b", "skip", None))
    kernel = report("conformant", ("::a", "pass", 0.48), ("::b", "skip", None))
    result = parity.compare(mock, kernel)
    assert result.agree
    assert result.pairs[0].shares == [("share A", 0.5, 0.5, 0.48)]
    assert "| share A | 0.500 | 0.500 | 0.480 |" in parity.render(result)


def test_a_different_status_or_a_missing_scenario_disagrees(parity) -> None:
    mock = report("conformant", ("::a", "pass", None), ("::b", "pass", None))
    kernel = report("conformant", ("::a", "fail", None), ("::c", "pass", None))
    result = parity.compare(mock, kernel)
    assert not result.agree
    assert [(p.id, p.mock, p.kernel) for p in result.differing] == [
        ("::a", "pass", "fail"),
        ("::b", "pass", "absent"),
        ("::c", "absent", "pass"),
    ]
    assert "**≠**" in parity.render(result)


def test_a_different_verdict_disagrees(parity) -> None:
    assert not parity.compare(report("conformant"), report("error")).agree


def test_load_report_refuses_other_json(parity, tmp_path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"verdict": "conformant"}')
    with pytest.raises(ValueError, match="not an mdev-qos report"):
        parity.load_report(path)


@pytest.mark.kernel
def test_mock_and_module_give_every_scenario_the_same_status(
    parity, mock_report: dict[str, Any], kernel_report: dict[str, Any]
) -> None:
    result = parity.compare(mock_report, kernel_report)
    assert result.mock_verdict == result.kernel_verdict
    assert [f"{p.id}: mock {p.mock}, module {p.kernel}" for p in result.differing] == []
