"""Mutants of the offer of a type (QOS-DISC-*: the qos/ of a type directory)."""

from __future__ import annotations

from typing import Any

from conformance.mock import QosDriver


class NoTypeOffer(QosDriver):
    """No type states its offer: a tool must create an mdev to learn it (spec 1.0)."""

    breaks = "QOS-DISC-001"
    expect = "warning"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        return {}


class OfferWithVendorFile(QosDriver):
    """The offer of a type also holds a vendor's profile name."""

    breaks = "QOS-DISC-002"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        if found:
            found["profile"] = "vgpu-4q\n"
        return found


class OfferFixesWhatMdevsDoNot(QosDriver):
    """The offer of mqos-fixed says cap 40; its mdevs read 50 (a stale table)."""

    breaks = "QOS-DISC-003"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        if "cap" in found:
            found["cap"] = "40\n"
        return found


class OfferHidesACounter(QosDriver):
    """The offer's files leave out nr_slices, which every mdev of the type has."""

    breaks = "QOS-DISC-003"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        if found:
            found["files"] = found["files"].replace(" nr_slices", "")
        return found


class OfferForAPlainType(QosDriver):
    """A type without QoS states an empty-handed offer anyway."""

    breaks = "QOS-DISC-004"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        return found or {"files": "usage_us timeslice_us\n", "domain": "mqos0\n",
                         "timeslice_us": "1000\n"}


class OfferWithoutSharing(QosDriver):
    """The offer names sharing in files but leaves out the file (issue 14, findings 1, 5)."""

    breaks = "QOS-DISC-002"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        found.pop("sharing", None)
        return found


class OfferSharingDisagrees(QosDriver):
    """The offer says reserved; the mdevs of the type read work-conserving."""

    breaks = "QOS-DISC-003"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        if "sharing" in found:
            found["sharing"] = "reserved\n"
        return found


class OfferCapPeriodDisagrees(QosDriver):
    """The offer states a 100 ms cap period; the mdevs read their timeslice (finding 8)."""

    breaks = "QOS-DISC-003"

    def offer_files(self, mtype: Any) -> dict[str, str]:
        found = super().offer_files(mtype)
        if "cap_period_us" in found:
            found["cap_period_us"] = "100000\n"
        return found
