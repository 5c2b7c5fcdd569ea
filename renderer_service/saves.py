"""Reading a ClanGen / Lifegen save: the cats of ``clan_cats.json`` as V2 render params.

ClanGen's loader (``json_load``, ``Pelt.check_and_convert``) and ``generate_sprite`` decide
what a saved cat looks like; this module follows them rule for rule, so that the params it
makes draw exactly what the game draws:

- the age comes from ``moons`` alone, the pose from the age, the saved sprites, paralysis,
  sickness and the pelt length;
- old values are converted the way the game converts them on load (eye colours, white patch
  and tortie names, old tortie patches, long-haired adult sprites, ...);
- missing optional keys take the game's defaults;
- dead cats get the StarClan or Dark Forest lineart and fade by their saved opacity.

Lifegen saves are read too: ``accessory`` may be a list, and Lifegen's own accessories draw.

A cat that cannot be read becomes a ``CatError`` (index, ID, field, value, why); the others
still convert. Nothing here knows HTTP: the service and the command line both use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from .renderer import CatParams, InvalidTraitsError, Vocabulary, check_traits
from .renderer.params import MAX_LIST_LENGTH, POSE_COUNT
from .renderer.vocabulary import PELT_SPRITE_NAMES, POINT_MARKINGS, VITILIGO_MARKINGS

# --- the game's tables ------------------------------------------------------------------

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


# --- results ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatError:
    """Why one cat of a save cannot be drawn."""

    index: int
    id: str | None
    field: str | None
    value: Any
    detail: str
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ID": self.id,
            "field": self.field,
            "value": self.value,
            "detail": self.detail,
            "expected": self.expected,
        }


@dataclass(slots=True)
class SaveCat:
    """One cat of a save, read: who it is and the V2 params that draw it."""

    index: int
    id: str
    name: str
    status: str | None
    age: str
    moons: int
    sprite_number: int
    params: dict[str, Any]
    dead: bool
    outside: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def living(self) -> bool:
        """Alive and in the Clan (not outside, not exiled)."""
        return not self.dead and not self.outside

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ID": self.id,
            "name": self.name,
            "status": self.status,
            "age": self.age,
            "moons": self.moons,
            "spriteNumber": self.sprite_number,
            "params": self.params,
            "warnings": self.warnings,
        }


@dataclass(slots=True)
class SaveReading:
    """Every cat of a save: those that convert, and why the others do not."""

    cats: list[SaveCat]
    errors: list[CatError]


class SaveFormatError(ValueError):
    """The document is not a save at all (not a list of cats, nor ``{"cats": [...]}``)."""

    def __init__(self, field: str | None, value: Any, detail: str, expected: str) -> None:
        self.field = field
        self.value = value
        self.detail = detail
        self.expected = expected
        super().__init__(detail)


class _CatProblemsError(Exception):
    def __init__(self, problems: list[tuple[str, Any, str, str | None]]) -> None:
        self.problems = problems
        super().__init__("; ".join(p[2] for p in problems))


# --- age, pose and name -----------------------------------------------------------------


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


# --- reading one cat --------------------------------------------------------------------


class _Reader:
    """Typed access to one saved cat, collecting every problem instead of stopping."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.problems: list[tuple[str, Any, str, str | None]] = []
        self.warnings: list[str] = []

    def problem(self, key: str, value: Any, detail: str, expected: str | None = None) -> None:
        self.problems.append((key, value, detail, expected))

    def text(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        if key not in self.raw:
            if required:
                self.problem(key, None, f"{key}: missing", "a name")
            return default
        value = self.raw[key]
        if value is None:
            if required:
                self.problem(key, None, f"{key}: null", "a name")
            return default
        if not isinstance(value, str):
            self.problem(key, value, f"{key}: not a string", "a name or null")
            return default
        return value

    def flag(self, key: str, default: bool, *, game_requires: bool = False) -> bool:
        if key not in self.raw:
            if game_requires:
                self.warnings.append(f"{key} is missing: taken as {str(default).lower()}")
            return default
        value = self.raw[key]
        if not isinstance(value, bool):
            self.problem(key, value, f"{key}: not true or false", "true or false")
            return default
        return value

    def integer(
        self, key: str, low: int, high: int | None, *, fallback: str | None = None
    ) -> int | None:
        name = key if key in self.raw or fallback is None or fallback not in self.raw else fallback
        if name not in self.raw:
            also = f" (nor {fallback})" if fallback else ""
            self.problem(key, None, f"{key}: missing{also}", _range(low, high))
            return None
        value = self.raw[name]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, value, f"{name}: not an integer", _range(low, high))
            return None
        if value < low or (high is not None and value > high):
            self.problem(name, value, f"{name}: out of range", _range(low, high))
            return None
        return value

    def names(self, key: str, *, single: bool = False) -> list[str]:
        """A list of names (``scars``; ``accessory`` as Lifegen saves it), or with ``single``
        one name (``accessory`` as ClanGen saves it)."""
        value = self.raw.get(key)
        if value is None:
            return []
        if single and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.problem(key, value, f"{key}: not a list of names", "a list of names, or null")
            return []
        names = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                names.append(item)
            elif item is not None:
                self.problem(f"{key}[{i}]", item, f"{key}[{i}]: not a string", "a name")
        if len(names) > MAX_LIST_LENGTH:
            self.problem(key, value, f"{key}: {len(names)} names", f"at most {MAX_LIST_LENGTH}")
            return names[:MAX_LIST_LENGTH]
        return names


def _range(low: int, high: int | None) -> str:
    return f"an integer {low}-{high}" if high is not None else f"an integer >= {low}"


@dataclass(slots=True)
class _Pelt:
    """The appearance keys of a saved cat, converted the way ``check_and_convert`` does."""

    name: str
    colour: str
    length: str
    white_patches: str | None
    white_patches_tint: str
    points: str | None
    vitiligo: str | None
    tortie_base: str | None
    tortie_colour: str | None
    tortie_pattern: str | None
    pattern: str | None
    eye_colour: str
    eye_colour2: str | None
    sprites: Sprites

    def convert(self) -> None:
        """``Pelt.check_and_convert``, in its order."""
        self.white_patches = OLD_WHITE_PATCHES.get(self.white_patches or "", self.white_patches)
        if self.vitiligo == "VITILIGO2":
            self.vitiligo = "VITILIGOTWO"
        if self.white_patches in GAME_VITILIGO:
            self.vitiligo, self.white_patches = self.white_patches, None
        elif self.white_patches in GAME_POINTS:
            self.points, self.white_patches = self.white_patches, None
        if self.tortie_pattern and "tortie" in self.tortie_pattern:
            self.tortie_pattern = self.tortie_pattern.lower().replace("tortie", "")
            if self.tortie_pattern == "solid":
                self.tortie_pattern = "single"
        if self.white_patches in OLD_CREAMY_PATCHES:
            self.white_patches = OLD_CREAMY_PATCHES[self.white_patches]
            self.white_patches_tint = "darkcream"
        if self.eye_colour == "BLUE2":
            self.eye_colour = "COBALT"
        if self.eye_colour2 == "BLUE2":
            self.eye_colour2 = "COBALT"
        if self.eye_colour in EYE_CONVERSIONS:
            self.eye_colour2 = EYE_CONVERSIONS[self.eye_colour]
            self.eye_colour = "BLUE"
        sprites = self.sprites
        adult, senior = sprites.adult, sprites.senior
        if self.length == "long" and adult not in (9, 10, 11):
            adult = LONG_ADULT_SPRITES.get(adult, adult)
        if senior not in (12, 13, 14):
            senior = SENIOR_SPRITES.get(senior, senior)
        self.sprites = Sprites(sprites.kitten, sprites.adolescent, adult, senior)
        if self.pattern in OLD_TORTIE_PATCHES:
            patches, self.pattern = OLD_TORTIE_PATCHES[self.pattern]
            if self.tortie_colour is not None:
                self.colour = self.tortie_colour
            self.tortie_colour = patches
        self.pattern = OLD_MINIMAL_MASKS.get(self.pattern or "", self.pattern)


@dataclass(frozen=True, slots=True)
class DrawOptions:
    """How to draw the cats of a save: the sick ones, and an age to draw everyone at."""

    sick: frozenset[str] = frozenset()
    life_stage: LifeStage | None = None


def read_cat(
    raw: object, index: int, vocabulary: Vocabulary, options: DrawOptions = DrawOptions()
) -> SaveCat | list[CatError]:
    """One saved cat as a ``SaveCat``, or every reason it cannot be drawn."""
    if not isinstance(raw, Mapping):
        return [
            CatError(index, None, None, _shown(raw), "a cat must be a JSON object", "an object")
        ]
    cat_id = raw.get("ID")
    shown_id = cat_id if isinstance(cat_id, str) else None
    try:
        return _read_cat(raw, index, vocabulary, options)
    except _CatProblemsError as failure:
        return [
            CatError(index, shown_id, key, _shown(value), detail, expected)
            for key, value, detail, expected in failure.problems
        ]


def _shown(value: object) -> object:
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + "..."
    if isinstance(value, list | dict) and len(value) > 20:
        return f"(a {'list' if isinstance(value, list) else 'object'} of {len(value)} items)"
    return value


def _read_cat(
    raw: Mapping[str, Any], index: int, vocabulary: Vocabulary, options: DrawOptions
) -> SaveCat:
    r = _Reader(raw)
    cat_id = r.raw.get("ID")
    if isinstance(cat_id, int) and not isinstance(cat_id, bool):
        cat_id = str(cat_id)
    if not isinstance(cat_id, str) or not cat_id or len(cat_id) > 64:
        r.problem("ID", cat_id, "ID: missing, empty or too long", "a string of 1-64 characters")
    moons = r.integer("moons", 0, None)
    pelt_name = r.text("pelt_name")
    colour = r.text("pelt_color")
    length = r.text("pelt_length")
    if length is not None and length not in PELT_LENGTHS:
        r.problem("pelt_length", length, "pelt_length: unknown length", "short, medium or long")
    eye = r.text("eye_colour")
    skin = r.text("skin")
    sprites = [r.integer(key, 0, POSE_COUNT - 1, fallback=old) for key, old in SPRITE_KEYS]
    is_tortie = pelt_name in TORTIE_PELTS
    tortie_base = r.text("tortie_base", required=is_tortie)
    tortie_colour = r.text("tortie_color", required=is_tortie)
    tortie_pattern = r.text("tortie_pattern", required=is_tortie)
    pattern = r.text("pattern", required=is_tortie)
    white_patches = r.text("white_patches", required=False)
    pelt = _Pelt(
        name=pelt_name or "",
        colour=colour or "",
        length=length or "short",
        white_patches=white_patches,
        white_patches_tint=r.text("white_patches_tint", required=False, default="offwhite")
        or "offwhite",
        points=r.text("points", required=False),
        vitiligo=r.text("vitiligo", required=False),
        tortie_base=tortie_base,
        tortie_colour=tortie_colour,
        tortie_pattern=tortie_pattern,
        pattern=pattern,
        eye_colour=eye or "",
        eye_colour2=r.text("eye_colour2", required=False),
        sprites=Sprites(*(s if s is not None else 0 for s in sprites)),
    )
    tint = r.text("tint", required=False, default="none") or "none"
    scars = r.names("scars")
    if "specialty" in raw and "specialty2" in raw:
        for key in ("specialty", "specialty2"):
            old = r.text(key, required=False)
            if old is not None:
                scars.append(old)
    accessories = r.names("accessory", single=True)
    reverse = r.flag("reverse", False, game_requires=True)
    paralysed = r.flag("paralyzed", False, game_requires=True)
    dead = r.flag("dead", False, game_requires=True)
    df = r.flag("df", False)
    outside = r.flag("outside", False)
    exiled = r.flag("exiled", False)
    prevent_fading = r.flag("prevent_fading", False)
    opacity = r.integer("opacity", 0, 100) if "opacity" in raw else 100
    prefix = r.text("name_prefix", required=False, default="") or ""
    suffix = r.text("name_suffix", required=False, default="") or ""
    status = r.text("status", required=False)
    hidden = r.flag("specsuffix_hidden", False)
    if r.problems:
        raise _CatProblemsError(r.problems)
    assert moons is not None
    assert isinstance(cat_id, str)

    pelt.convert()
    params: dict[str, Any] = {}
    if pelt.name in TORTIE_PELTS:
        base = COAT_PELTS.get(pelt.tortie_base or "")
        patches = COAT_PELTS.get(pelt.tortie_pattern or "")
        if base is None:
            r.problem("tortie_base", pelt.tortie_base, "tortie_base: unknown pelt", _coats())
        if patches is None:
            r.problem(
                "tortie_pattern", pelt.tortie_pattern, "tortie_pattern: unknown pelt", _coats()
            )
        params.update(
            peltName=base,
            colour=pelt.colour,
            isTortie=True,
            tortiePattern=patches,
            tortieColour=pelt.tortie_colour,
            tortieMask=pelt.pattern,
        )
    elif pelt.name in PELT_SPRITE_NAMES:
        params.update(peltName=pelt.name, colour=pelt.colour)
    else:
        r.problem(
            "pelt_name",
            pelt.name,
            "pelt_name: unknown pelt",
            "one of " + ", ".join([*PELT_SPRITE_NAMES, *sorted(TORTIE_PELTS)]),
        )
    true_age = age_for_moons(moons)
    age = true_age if options.life_stage is None else options.life_stage
    sick = cat_id in options.sick
    pose = pose_for(age, pelt.sprites, pelt.length, paralysed, sick)
    params.update(
        spriteNumber=pose,
        tint=tint,
        whitePatchesTint=pelt.white_patches_tint,
        eyeColour=pelt.eye_colour,
        skinColour=skin,
        scars=scars,
        accessories=accessories,
        shading=False,
        reverse=reverse,
    )
    for key, value in (
        ("whitePatches", pelt.white_patches),
        ("points", pelt.points),
        ("vitiligo", pelt.vitiligo),
        ("eyeColour2", pelt.eye_colour2),
    ):
        if value is not None:
            params[key] = value
    if dead:
        params.update(dead=True, darkForest=df)
        if not prevent_fading and opacity is not None and opacity < 100:
            params["opacity"] = opacity
    if r.problems:
        raise _CatProblemsError(r.problems)
    _check(params, vocabulary, scars, accessories, raw)
    if sick and age == "newborn":
        r.warnings.append("newborns are never drawn sick")
    return SaveCat(
        index=index,
        id=cat_id,
        name=display_name(prefix, suffix, status, hidden),
        status=status,
        age=true_age,
        moons=moons,
        sprite_number=pose,
        params=params,
        dead=dead,
        outside=outside or exiled,
        warnings=r.warnings,
    )


def _coats() -> str:
    return "one of " + ", ".join(sorted({*PELT_SPRITE_NAMES.values()}))


def _check(
    params: dict[str, Any],
    vocabulary: Vocabulary,
    scars: Sequence[str],
    accessories: Sequence[str],
    raw: Mapping[str, Any],
) -> None:
    """Every name against the pack, as ``/render`` checks it; problems name the save's keys."""
    try:
        checked = CatParams.model_validate(params)
        check_traits(checked, vocabulary)
    except ValidationError as error:
        raise _CatProblemsError(
            [
                (_save_key(str(e["loc"][0]) if e["loc"] else ""), e.get("input"), e["msg"], None)
                for e in error.errors(include_url=False)
            ]
        ) from None
    except InvalidTraitsError as error:
        problems: list[tuple[str, Any, str, str | None]] = []
        for item in error.errors:
            key = _save_key(item.field)
            if key.startswith("peltName") and params.get("isTortie"):
                key = "tortie_base"
            detail = f"{key}: {item.value!r} is not {item.expected}"
            if item.suggestions:
                detail += f" (closest: {', '.join(item.suggestions)})"
            problems.append((key, item.value, detail, item.expected))
        raise _CatProblemsError(problems) from None


def _save_key(param: str) -> str:
    if param.startswith("accessories["):
        return "accessory" + param[len("accessories") :]
    if param.startswith("scars["):
        return param
    return PARAM_FIELDS.get(param, param)


# --- a whole save -----------------------------------------------------------------------


def save_cats(document: object) -> tuple[list[object], list[str]]:
    """The cat list of a save document and its ``sick`` IDs.

    The document is the content of ``clan_cats.json`` (a list of cats) or
    ``{"cats": [...], "sick": [ID, ...]}``; ``SaveFormatError`` for anything else.
    """
    if isinstance(document, list):
        return document, []
    if not isinstance(document, dict):
        raise SaveFormatError(
            None,
            type(document).__name__,
            "a save must be a JSON list of cats or an object with `cats`",
            'the content of clan_cats.json, or {"cats": [...], "sick": [ID, ...]}',
        )
    unknown = sorted(set(document) - {"cats", "sick"})
    if unknown:
        raise SaveFormatError(unknown[0], unknown[0], f"{unknown[0]}: unknown field", "cats, sick")
    cats = document.get("cats")
    if not isinstance(cats, list):
        raise SaveFormatError("cats", _shown(cats), "cats: not a list of cats", "a list of cats")
    sick = document.get("sick", [])
    if not isinstance(sick, list) or not all(
        isinstance(i, str | int) and not isinstance(i, bool) for i in sick
    ):
        raise SaveFormatError(
            "sick", _shown(sick), "sick: not a list of cat IDs", "a list of cat IDs"
        )
    return cats, [str(i) for i in sick]


def read_save(
    cats: Iterable[object],
    vocabulary: Vocabulary,
    options: DrawOptions = DrawOptions(),
    first_index: int = 0,
) -> SaveReading:
    """Every cat of a save, converted; the ones that cannot be drawn as errors.

    ``first_index`` is the index in the whole save of the first cat given (for a page).
    """
    reading = SaveReading([], [])
    seen: set[str] = set()
    for index, raw in enumerate(cats, first_index):
        result = read_cat(raw, index, vocabulary, options)
        if isinstance(result, list):
            reading.errors += result
        elif result.id in seen:
            reading.errors.append(
                CatError(
                    index, result.id, "ID", result.id, "ID: used by an earlier cat", "unique IDs"
                )
            )
        else:
            seen.add(result.id)
            reading.cats.append(result)
    return reading


def unknown_sick(cats: Sequence[object], sick: Iterable[str]) -> list[str]:
    """IDs of ``sick`` that name no cat of the save."""
    ids = {str(c.get("ID")) for c in cats if isinstance(c, Mapping)}
    return [cat_id for cat_id in sick if cat_id not in ids]


def included(cat: SaveCat, include: Include) -> bool:
    if include == "all":
        return True
    if include == "dead":
        return cat.dead
    return cat.living


def rank_of(cat: SaveCat) -> int:
    """Position of the cat's rank in ``RANKS``; outsiders and the dead come last."""
    if cat.living:
        for position, statuses in enumerate(RANKS):
            if cat.status in statuses:
                return position
    return len(RANKS)


ORDERS: Mapping[str, Callable[[SaveCat], Any]] = {
    "rank": rank_of,
    "name": lambda cat: cat.name.casefold(),
    "moons": lambda cat: cat.moons,
}
"""Sort keys of each ``order`` but ``given`` (sorts are stable: ties keep the save's order)."""


def arrange(cats: Sequence[SaveCat], include: Include, order: Order) -> list[SaveCat]:
    """The cats ``include`` selects, in ``order``."""
    chosen = [cat for cat in cats if included(cat, include)]
    if order != "given":
        chosen.sort(key=ORDERS[order])
    return chosen


def age_ranges() -> list[tuple[str, int, int | None]]:
    """``(age, first moon, last moon or None)`` of each of ClanGen's ages."""
    ends = [first - 1 for _, first in AGE_STAGES[1:]]
    return [
        (name, first, end) for (name, first), end in zip(AGE_STAGES, [*ends, None], strict=True)
    ]
