"""The oracle of a type's offer: sharing and cap_period_us (spec 1.1, findings 1, 4, 5, 8)."""

from __future__ import annotations

from conformance.oracle.offer import MdevView, agreement_problems, layout_problems

FILES = ("cap", "cap_period_us", "weight", "priority", "timeslice_us", "sharing", "usage_us",
         "throttled_us", "wait_us", "nr_slices", "domain")
RO = ("file", 0o444)


def offer(**changed: bytes) -> dict[str, bytes]:
    return {"files": " ".join(FILES).encode() + b"\n",
            "levels": b"background standard urgent\n", "domain": b"mqos0\n",
            "timeslice_us": b"1000\n", "sharing": b"work-conserving\n",
            "cap_period_us": b"1000\n", **changed}


def mdev(**changed: str) -> MdevView:
    view = {"sharing": "work-conserving", "cap_period_us": "1000", **changed}
    return MdevView(files=FILES, fixed={}, levels=("background", "standard", "urgent"),
                    domain="mqos0", timeslice_us="1000", **view)


def test_the_offer_holds_sharing_and_cap_period_exactly_when_files_names_them() -> None:
    entries = dict.fromkeys(offer(), RO)
    assert layout_problems(entries, FILES) == []
    without = {k: v for k, v in entries.items() if k != "sharing"}
    assert layout_problems(without, FILES) == ["files names sharing but there is no sharing"]
    assert layout_problems(entries, tuple(f for f in FILES if f != "cap_period_us")) == [
        "cap_period_us without cap_period_us in files"]


def test_the_offer_reads_what_the_mdevs_read() -> None:
    assert agreement_problems(offer(), mdev()) == []
    assert agreement_problems(offer(sharing=b"reserved\n"), mdev()) == [
        "sharing reads reserved; the mdev's reads work-conserving"]
    assert agreement_problems(offer(cap_period_us=b"100000\n"), mdev()) == [
        "cap_period_us reads 100000; the mdev's reads 1000"]
    assert agreement_problems(offer(sharing=b"fair\n"), mdev())[0].startswith("sharing: ")
