"""ClanGen v0.13's tables for reading its saves: the names it can draw (``v013_names.json``,
from the game's ``sprites/dicts/`` and ``conversion_dict.json``), its poses, the groups that
mean an afterlife, and its load-time pose rules (``Pelt.__init__``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_NAMES: dict[str, Any] = json.loads(
    (Path(__file__).with_name("v013_names.json")).read_text(encoding="utf-8")
)

POSES: tuple[str, ...] = tuple(_NAMES["poses"])
"""The 26 poses, in cell order (cell = index)."""

PELTS = frozenset(_NAMES["pelts"])
TORTIE_PELTS = frozenset({"Tortie", "Calico"})
COLOURS = frozenset(_NAMES["colours"])
TORTIE_MARKS = frozenset(_NAMES["tortie_marks"])
WHITE_PATCHES = frozenset(name for names in _NAMES["white_patches"].values() for name in names)
POINTS = frozenset(_NAMES["points"])
VITILIGO = frozenset(_NAMES["vitiligo"])
EYES = frozenset(_NAMES["eyes"])
SKINS = frozenset(_NAMES["skins"])
SCARS = frozenset(_NAMES["scars"])
MISSING_PARTS = frozenset(_NAMES["missing_parts"])
TINTS = frozenset(_NAMES["tints"])
WHITE_PATCHES_TINTS = frozenset(_NAMES["white_patches_tints"])
COLLARS = frozenset(_NAMES["collars"])
COLLAR_MAP: Mapping[str, str] = _NAMES["collar_map"]
"""Old collar names -> the palette collar they became (``collar_map``)."""
OLD_TORTIE_PATCHES: Mapping[str, list[str]] = _NAMES["old_tortie_patches"]
OLD_CREAMY_PATCHES: Mapping[str, str] = _NAMES["old_creamy_patches"]

ACCESSORY_CATEGORIES: Mapping[str, str] = {
    **dict.fromkeys(_NAMES["collars"], "collar"),
    **{
        name: "body" if place == "head" else place
        for table in ("plants", "wilds")
        for name, place in _NAMES[table].items()
    },
}
"""Accessory -> ``collar``, ``tail`` or ``body`` (head ones are filed with the body ones)."""

DRAWING_ORDER = ("collar", "tail", "body")
"""``generate_sprite`` draws every collar, then the tail accessories, then the body ones."""

TAIL_ACCESSORIES = tuple(name for name, place in ACCESSORY_CATEGORIES.items() if place == "tail")
"""Dropped from a living paralysed cat without its condition entry when its tail is gone."""
TAILLESS = frozenset({"NOTAIL", "HALFTAIL"})

DEFAULT_GROUP_IDS: Mapping[str, str] = {
    "1": "player_clan",
    "2": "starclan",
    "3": "unknown_residence",
    "4": "dark_forest",
}
"""The game's ``used_group_IDs`` before a Clan file replaces them."""

AFTERLIVES: Mapping[str, str] = {
    "starclan": "starclan",
    "unknown_residence": "unknownResidence",
    "dark_forest": "darkForest",
}
"""Afterlife groups -> the ``afterlife`` param."""

FADES_AT_OR_BELOW = 97
FOG_STAGES = ((0, 81), (1, 46), (2, -(2**63)))
"""``(stage, lowest opacity)``: 97-81 stage 0, 80-46 stage 1, 45 and below stage 2."""

STAGE_FIELDS: Mapping[str, str] = {
    "newborn": "sprite_newborn",
    "kitten": "sprite_kitten",
    "adolescent": "sprite_adolescent",
    "young adult": "sprite_adult",
    "adult": "sprite_adult",
    "senior adult": "sprite_adult",
    "senior": "sprite_senior",
}
"""The pose field each age reads (the three adult ages share one)."""

POSE_KEYS: tuple[tuple[str, str | None], ...] = (
    ("sprite_newborn", None),
    ("sprite_kitten", "spirit_kitten"),
    ("sprite_adolescent", "spirit_adolescent"),
    ("sprite_adult", "spirit_adult"),
    ("sprite_senior", "spirit_elder"),
    ("sprite_para_adult", None),
)
"""The six pose keys, with the name older saves gave four of them."""

YOUNG = frozenset({"kitten", "adolescent"})


def fog_stage(opacity: int) -> int | None:
    """The fading stage of a dead cat's ``opacity`` (None: no fog)."""
    if opacity > FADES_AT_OR_BELOW:
        return None
    return next(stage for stage, low in FOG_STAGES if opacity >= low)


def _cell_of(number: int, cells: tuple[tuple[int, ...], ...]) -> int | None:
    """The position in ``cells`` of the old pose numbers that hold ``number``; None if none."""
    return next((cell for cell, numbers in enumerate(cells) if number in numbers), None)


def _numbered(stage: str, number: int, length: str) -> tuple[str, bool]:
    """An old pose number of ``stage``'s field as a name; True when the game picks one at
    random (this reader then takes the first and says so)."""
    fur = "long" if length == "long" else "short"
    if stage == "sprite_newborn":
        return "newborn2", False
    if stage == "sprite_kitten":
        return f"kitten{number if number in (0, 1, 2) else 0}", False
    if stage == "sprite_adolescent":
        if number in (3, 4, 5):
            return f"adolescent_{fur}{number - 3}", False
        return f"adolescent_{fur}0", True
    if stage == "sprite_adult":
        cell = _cell_of(number, ((0, 9), (1, 10), (2, 11)))
        if cell is not None:
            return f"adult_long{cell}", False
        if number in (6, 7, 8):
            return f"adult_short{number - 6}", False
        return f"adult_{fur}0", True
    if stage == "sprite_senior":
        cell = _cell_of(number, ((3, 12), (4, 13), (5, 14)))
        return ("senior0", True) if cell is None else (f"senior{cell}", False)
    return ("para_adult_long0" if length == "long" else "para_adult_short0"), False


OLD_DEFAULTS = {"sprite_kitten": 0, "sprite_adolescent": 3, "sprite_adult": 6, "sprite_senior": 12}
"""What the number branch takes for a missing or null pose (``Pelt.__init__``)."""

FIRST_NAMES = {
    "sprite_newborn": "newborn0",
    "sprite_kitten": "kitten0",
    "sprite_adolescent": "adolescent_short0",
    "sprite_adult": "adult_short0",
    "sprite_senior": "senior0",
}
STAGE_POSES: Mapping[str, frozenset[str]] = {
    "sprite_newborn": frozenset(p for p in POSES if p.startswith("newborn")),
    "sprite_kitten": frozenset(p for p in POSES if p.startswith("kitten")),
    "sprite_adolescent": frozenset(p for p in POSES if p.startswith("adolescent")),
    "sprite_adult": frozenset(p for p in POSES if p.startswith("adult")),
    "sprite_senior": frozenset(p for p in POSES if p.startswith("senior")),
}


@dataclass(frozen=True, slots=True)
class PoseFields:
    """The six pose fields after the game's load rules: a name each, or None for a
    ``sprite_para_adult`` the game keeps null (a paralysed adult then cannot be drawn)."""

    names: Mapping[str, str | None]
    warnings: tuple[str, ...]


def load_poses(saved: Mapping[str, object], length: str) -> PoseFields:
    """``Pelt.__init__``: numbers (or a null) anywhere convert every number and keep strings
    unchecked; otherwise each name is checked against its stage's poses."""
    warnings: list[str] = []
    names: dict[str, str | None] = {}
    numbered = any(
        value is None or (isinstance(value, int) and not isinstance(value, bool))
        for value in saved.values()
    )
    if numbered:
        for key, _ in POSE_KEYS:
            value = saved.get(key)
            if key == "sprite_para_adult" and value is None:
                names[key] = None
                continue
            if key == "sprite_newborn":
                names[key] = "newborn2"  # the number branch ignores the saved newborn pose
                continue
            if value is None:
                value = OLD_DEFAULTS[key]
            if isinstance(value, int) and not isinstance(value, bool):
                names[key], random = _numbered(key, value, length)
                if random:
                    warnings.append(
                        f"{key}: the old pose number {value} makes the game pick a pose at "
                        f"random; drawn in {names[key]}"
                    )
            else:
                names[key] = str(value)
        return PoseFields(names, tuple(warnings))
    for key, _ in POSE_KEYS:
        value = saved.get(key)
        if key == "sprite_para_adult":
            names[key] = str(value)
            continue
        if key == "sprite_adolescent" and value in ("adolescent0", "adolescent1", "adolescent2"):
            number = str(value)[-1]
            if length == "long":
                warnings.append(
                    f"{key}: the old {value} becomes a long-haired pose the game picks at "
                    f"random; drawn in adolescent_long{number}"
                )
                value = f"adolescent_long{number}"
            else:
                value = f"adolescent_short{number}"
        if value not in STAGE_POSES[key]:
            warnings.append(
                f"{key}: {value!r} is not a pose of its stage: the game draws "
                f"{FIRST_NAMES[key]} instead"
            )
            value = FIRST_NAMES[key]
        names[key] = str(value)
    return PoseFields(names, tuple(warnings))
