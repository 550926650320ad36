"""Profiles: which scenarios a run executes.

Each scenario carries one profile tag saying what it needs:
``@static`` reads only; ``@control`` creates mdevs and writes knobs;
``@scheduling`` also needs a workload adapter; ``@fuzz`` writes generated inputs.
A scenario without a profile tag is treated as ``@control``.
"""

from __future__ import annotations

PROFILE_TAGS = ("static", "control", "scheduling", "fuzz")

PROFILES: dict[str, tuple[str, ...]] = {
    "static": ("static",),
    "control": ("static", "control"),
    "scheduling": ("static", "scheduling"),
    "full": ("static", "control", "scheduling"),
    "fuzz": ("fuzz",),
}

READ_ONLY = ("static",)  # profiles that never write to the target

HELP = {
    "static": "reads only: a recorded tree or a live /sys with --mdev",
    "control": "static + creates mdevs and writes knobs (grammar, errors, lifecycle)",
    "scheduling": "static + measured shares under load (needs a workload adapter)",
    "full": "static + control + scheduling (the default; what a claim needs)",
    "fuzz": "generated good and bad writes to every writable file",
}


def writes_to_target(profile: str) -> bool:
    """Whether a run with this profile creates mdevs or writes attributes."""
    return profile not in READ_ONLY


def scenario_profile(tags: list[str] | set[str]) -> str:
    """The profile tag of a scenario (``control`` when it has none)."""
    for tag in PROFILE_TAGS:
        if tag in tags:
            return tag
    return "control"


def profile_excludes(profile: str, tags: list[str] | set[str]) -> str:
    """Empty when the profile runs a scenario with these tags, else the skip reason."""
    needs = scenario_profile(tags)
    if needs in PROFILES[profile]:
        return ""
    runs = [name for name, members in PROFILES.items() if needs in members]
    return f"not in profile {profile}: a @{needs} scenario (run with --profile {runs[-1]})"
