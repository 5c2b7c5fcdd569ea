"""The game's tables for reading a save: ages by moons, poses by age and state, the old
names ClanGen converts on load, ranks, and which save key feeds which render param.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from renderer_service.renderer import PELT_SPRITE_NAMES, POINT_MARKINGS, VITILIGO_MARKINGS

AGE_STAGES: tuple[tuple[str, int], ...] = (
    ("newborn", 0),
    ("kitten", 1),
    ("adolescent", 6),
    ("young adult", 12),
    ("adult", 48),
    ("senior adult", 96),
    ("senior", 120),
)
"""ClanGen's ages and the first moon of each (``age_range`` in its config)."""

LifeStage = Literal["newborn", "kitten", "adolescent", "adult", "senior"]
LIFE_STAGES: tuple[LifeStage, ...] = ("newborn", "kitten", "adolescent", "adult", "senior")
"""Ages a whole clan can be drawn at (``lifeStage``); ``adult`` uses the adult sprite."""

YOUNG_AGES = frozenset({"kitten", "adolescent"})
"""Ages drawn in the young paralysed and sick poses."""

NEWBORN_POSE = 20
PARALYSED_YOUNG_POSE = 17
PARALYSED_LONG_POSE = 16
PARALYSED_POSE = 15
SICK_YOUNG_POSE = 19
SICK_ADULT_POSE = 18

PELT_LENGTHS = ("short", "medium", "long")

SPRITE_KEYS: tuple[tuple[str, str], ...] = (
    ("sprite_kitten", "spirit_kitten"),
    ("sprite_adolescent", "spirit_adolescent"),
    ("sprite_adult", "spirit_adult"),
    ("sprite_senior", "spirit_elder"),
)
"""Each saved sprite key and the name older saves gave it."""

LONG_ADULT_SPRITES = {0: 9, 1: 10, 2: 11}
"""Long-haired adults saved with a short-haired sprite 0-2 (``check_and_convert``)."""

SENIOR_SPRITES = {3: 12, 4: 13, 5: 14}
"""Seniors saved with an old sprite 3-5."""

OLD_WHITE_PATCHES = {
    "POINTMARK": "SEALPOINT",
    "PANTS2": "PANTSTWO",
    "ANY2": "ANYTWO",
    "VITILIGO2": "VITILIGOTWO",
}
"""White patch names of older saves (only one is converted, as ``check_and_convert`` does)."""

GAME_VITILIGO = VITILIGO_MARKINGS
"""ClanGen's ``Pelt.vit``: white patches saved under these names move to ``vitiligo``."""

GAME_POINTS = POINT_MARKINGS
"""ClanGen's ``Pelt.point_markings``: white patches saved under these names move to
``points``."""

OLD_CREAMY_PATCHES = {
    "COLOURPOINTCREAMY": "COLOURPOINT",
    "ANYCREAMY": "ANY",
    "ANY2CREAMY": "ANYTWO",
    "LITTLECREAMY": "LITTLE",
    "VANCREAMY": "VAN",
    "TUXEDOCREAMY": "TUXEDO",
}
"""``old_creamy_patches``: the white patch, drawn with the ``darkcream`` tint."""

OLD_TORTIE_PATCHES = {
    f"{old}{number}": (colour, number)
    for old, colour in (
        ("PALE", "PALEGINGER"),
        ("GOLD", "GOLDEN"),
        ("GINGER", "GINGER"),
        ("DARK", "DARKGINGER"),
        ("CREAM", "CREAM"),
    )
    for number in ("ONE", "TWO", "THREE", "FOUR")
}
"""``old_tortie_patches``: old mask name -> (the patches' colour, the mask)."""

OLD_MINIMAL_MASKS = {
    "MINIMAL1": "MINIMALONE",
    "MINIMAL2": "MINIMALTWO",
    "MINIMAL3": "MINIMALTHREE",
    "MINIMAL4": "MINIMALFOUR",
}

EYE_CONVERSIONS = {"BLUEYELLOW": "YELLOW", "BLUEGREEN": "GREEN"}
"""Old two-coloured eyes: BLUE with this second eye."""

TORTIE_PELTS = frozenset({"Tortie", "Calico"})

COAT_PELTS: Mapping[str, str] = {
    **{sprite: name for name, sprite in list(PELT_SPRITE_NAMES.items())[::-1]},
    **{name: name for name in PELT_SPRITE_NAMES},
}
"""Tortie base and patch names as saved (``tabby``, ``single``) or as V2 pelts -> V2 pelt."""

SPECIAL_SUFFIXES: Mapping[str, str] = {
    "newborn": "kit",
    "kitten": "kit",
    "apprentice": "paw",
    "medicine cat apprentice": "paw",
    "mediator apprentice": "paw",
    "leader": "star",
}
"""Statuses whose name shows this suffix instead of the saved one (ClanGen's ``Name``)."""

RANKS: tuple[frozenset[str], ...] = (
    frozenset({"leader"}),
    frozenset({"deputy"}),
    frozenset({"medicine cat"}),
    frozenset({"mediator"}),
    frozenset({"warrior"}),
    frozenset({"apprentice", "medicine cat apprentice", "mediator apprentice"}),
    frozenset({"kitten", "newborn"}),
    frozenset({"elder"}),
)
"""The Clan's ranks in ``order=rank``; everyone else (outsiders, the dead) comes after."""

Include = Literal["living", "dead", "all"]
Order = Literal["given", "rank", "name", "moons"]

PARAM_FIELDS: Mapping[str, str] = {
    "peltName": "pelt_name",
    "colour": "pelt_color",
    "tortiePattern": "tortie_pattern",
    "tortieColour": "tortie_color",
    "tortieMask": "pattern",
    "whitePatches": "white_patches",
    "points": "points",
    "vitiligo": "vitiligo",
    "whitePatchesTint": "white_patches_tint",
    "tint": "tint",
    "eyeColour": "eye_colour",
    "eyeColour2": "eye_colour2",
    "skinColour": "skin",
    "spriteNumber": "moons",
    "opacity": "opacity",
    "dead": "dead",
}
"""V2 param -> the save key it comes from (to name the save's field in an error)."""


def age_for_moons(moons: int) -> str:
    """ClanGen's age for a cat of ``moons`` moons (the status plays no part)."""
    age = AGE_STAGES[0][0]
    for name, first in AGE_STAGES:
        if moons >= first:
            age = name
    return age


def display_name(prefix: str, suffix: str, status: str | None, specsuffix_hidden: bool) -> str:
    """The name as the game shows it: kits, apprentices and the leader show their status's
    suffix instead of their own, unless it is hidden."""
    if status is not None and status in SPECIAL_SUFFIXES and not specsuffix_hidden:
        return prefix + SPECIAL_SUFFIXES[status]
    return prefix + suffix


@dataclass(frozen=True, slots=True)
class Sprites:
    """A cat's poses after the game's load-time conversions."""

    kitten: int
    adolescent: int
    adult: int
    senior: int

    def for_age(self, age: str) -> int:
        if age == "newborn":
            return NEWBORN_POSE
        if age == "kitten":
            return self.kitten
        if age == "adolescent":
            return self.adolescent
        if age == "senior":
            return self.senior
        return self.adult


def pose_for(age: str, sprites: Sprites, length: str, paralysed: bool, sick: bool) -> int:
    """The pose ``generate_sprite`` draws: sick, else paralysed, else the age's sprite."""
    if age != "newborn" and sick:
        return SICK_YOUNG_POSE if age in YOUNG_AGES else SICK_ADULT_POSE
    if age != "newborn" and paralysed:
        if age in YOUNG_AGES:
            return PARALYSED_YOUNG_POSE
        return PARALYSED_LONG_POSE if length == "long" else PARALYSED_POSE
    return sprites.for_age(age)
