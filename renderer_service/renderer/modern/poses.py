"""Pose names of the modern layout, their life stages, and the legacy pose numbers.

A modern pack names its poses in ``pose_sprite_data.json`` (``poses``, 26 names in ClanGen
v0.13.2); a pose's number is its place in that list, and its cell in a group is column
``n % columns``, row ``n // columns`` of the pack's ``sheet_layout``. This module knows the
game's names: which life stage each belongs to, and which cell of the legacy 3 x 7 layout the
game's legacy numbering gives it (``legacy_pose_number``), so a legacy pack can be asked for a
pose by its modern name.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

LEGACY_POSE_NAMES: tuple[str, ...] = (
    "kitten0",
    "kitten1",
    "kitten2",
    "adolescent_short0",
    "adolescent_short1",
    "adolescent_short2",
    "adult_short0",
    "adult_short1",
    "adult_short2",
    "adult_long0",
    "adult_long1",
    "adult_long2",
    "senior0",
    "senior1",
    "senior2",
    "para_adult_short0",
    "para_adult_long0",
    "para_young0",
    "sick_adult0",
    "sick_young0",
    "newborn2",
)
"""The modern name of each legacy pose 0-20 (legacy 0-5 are modern 3-8, 6-19 are 12-25,
20 is 2). ``newborn0``, ``newborn1`` and the long-furred adolescents have no legacy cell."""

_LEGACY_NUMBERS: Mapping[str, int] = MappingProxyType(
    {name: number for number, name in enumerate(LEGACY_POSE_NAMES)}
)

DEFAULT_MODERN_POSE = "adult_short2"
"""The pose drawn when none is given: the legacy default (8), an adult pose."""

LIFE_STAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "newborn": ("newborn", "newborn"),
        "kitten": ("kitten", "kitten"),
        "adolescent_short": ("adolescent", "adolescent, short or medium fur"),
        "adolescent_long": ("adolescentLongFur", "adolescent, long fur"),
        "adult_short": ("adult", "adult, short or medium fur"),
        "adult_long": ("adultLongFur", "adult, long fur"),
        "senior": ("senior", "senior"),
        "para_adult_short": ("paralysedAdult", "paralysed adult, short or medium fur"),
        "para_adult_long": ("paralysedAdultLongFur", "paralysed adult, long fur"),
        "para_young": ("paralysedYoung", "paralysed kitten or adolescent"),
        "sick_adult": ("sickAdult", "sick adult"),
        "sick_young": ("sickYoung", "sick kitten or adolescent"),
    }
)
"""Pose name without its trailing digits -> ``(life stage, description)``."""

NEST_STAGES = frozenset({"newborn", "sickAdult", "sickYoung"})
"""Life stages the game shows in the nest (newborns and sick cats)."""


def legacy_pose_number(name: str) -> int | None:
    """The legacy pose (0-20) the game's legacy numbering gives the pose ``name``; None when
    the name has no legacy cell (``newborn0``, ``newborn1``, ``adolescent_long0-2``) or is no
    pose of the game."""
    return _LEGACY_NUMBERS.get(name)


def pose_family(name: str) -> str:
    """``name`` without its trailing digits: ``adult_short2`` -> ``adult_short``."""
    return name.rstrip("0123456789")


def life_stage(name: str) -> tuple[str, str]:
    """``(life stage, description)`` of the pose ``name``; ``("other", ...)`` for a name the
    game does not use (a pack may add poses)."""
    return LIFE_STAGES.get(pose_family(name), ("other", "a pose of this pack"))


def nearest_legacy_pose(name: str) -> int:
    """A legacy pose number standing in for ``name`` where one is needed (the profile
    platform a cat stands on): its own, else the legacy pose of the same life stage."""
    number = legacy_pose_number(name)
    if number is not None:
        return number
    family = pose_family(name)
    if family == "newborn":
        return _LEGACY_NUMBERS["newborn2"]
    if family == "adolescent_long":
        return _LEGACY_NUMBERS["adolescent_short" + name[len(family) :]]
    return _LEGACY_NUMBERS[DEFAULT_MODERN_POSE]
