"""The oracle's judgement of refused and rounded writes (QOS-FMT-008, QOS-FMT-009)."""

from __future__ import annotations

import errno

import pytest

from conformance.oracle.rounding import (
    nearer_values,
    refusal_problem,
    rounded_read_problem,
    sweep_problems,
)

CAP = (1, 100)


@pytest.mark.parametrize("code", [errno.EIO, errno.EPERM])
def test_a_refusal_that_changes_nothing_conforms(code: int) -> None:
    assert refusal_problem(code, "70", "70") is None


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ERANGE, errno.EBUSY, None])
def test_a_valid_value_refused_with_another_errno_fails(code: int | None) -> None:
    assert refusal_problem(code, "70", "70") is not None


def test_a_refusal_that_changed_the_knob_fails() -> None:
    assert "changed from 70 to 37" in (refusal_problem(errno.EIO, "70", "37") or "")


def test_nearer_values_are_those_strictly_nearer_in_range() -> None:
    assert nearer_values(62, 60, CAP) == [62, 61, 63]
    assert nearer_values(2, 5, CAP) == [2, 1, 3, 4]  # 0 and -1 are outside the range
    assert nearer_values(60, 60, CAP) == []


def test_the_nearest_applied_value_kept_conforms() -> None:
    assert rounded_read_problem(62, 60, CAP, idempotent=True) is None
    assert rounded_read_problem(60, 60, CAP, idempotent=False) is None  # not rounded


@pytest.mark.parametrize(
    ("written", "shown", "idempotent", "nearer", "words"),
    [(62, 0, True, (), "outside"), (62, 101, True, (), "outside"),
     (62, 60, False, (), "does not keep"), (64, 60, True, (65, 63), "applies 63")],
)
def test_a_wrong_rounding_fails(
    written: int, shown: int, idempotent: bool, nearer: tuple[int, ...], words: str
) -> None:
    problem = rounded_read_problem(written, shown, CAP, idempotent=idempotent,
                                   applied_nearer=nearer)
    assert problem is not None and words in problem


def test_a_sweep_rounded_to_the_nearest_step_conforms() -> None:
    reads = {v: min(100, max(5, 5 * round(v / 5))) for v in range(1, 101)}
    assert sweep_problems(reads, CAP) == []


def test_a_sweep_rounded_down_fails_where_the_step_above_is_nearer() -> None:
    reads = {v: max(5, v // 5 * 5) for v in range(1, 101)}
    problems = sweep_problems(reads, CAP)
    assert any(p.startswith("64: reads 60, but 65") for p in problems)
    assert not any(p.startswith("62:") for p in problems)  # 60 is the nearest for 62


def test_a_sweep_that_does_not_keep_an_applied_value_fails() -> None:
    assert sweep_problems({60: 60, 61: 60, 62: 65, 65: 60}, CAP)


def test_a_device_that_reads_one_value_whatever_is_written_does_not_round() -> None:
    """Every device applies the default (a new mdev reads it): ignoring writes is no rounding."""
    reads = {v: 50 for v in range(1, 101)}
    assert sweep_problems(reads, CAP) == []  # one value read, nothing to compare with
    assert "100: reads 50, but 100 is applied" in "; ".join(sweep_problems(reads, CAP, 100))
    problem = rounded_read_problem(60, 50, CAP, idempotent=True, default=100,
                                   default_kept=False)
    assert problem is not None and "default 100" in problem
    assert rounded_read_problem(62, 60, CAP, idempotent=True, default=100) is None
