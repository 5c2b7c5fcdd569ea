"""Reading a ClanGen / Lifegen save: the cats of ``clan_cats.json`` as V2 render params.

ClanGen's loader (``json_load``, ``Pelt.check_and_convert``) and ``generate_sprite`` decide
what a saved cat looks like; this module follows them rule for rule, so that the params it
makes draw exactly what the game draws:

- the age comes from ``moons`` alone, the pose from the age, the saved sprites, paralysis,
  sickness and the pelt length;
- old values are converted the way the game converts them on load (eye colours, white patch
  and tortie names, old tortie patches, long-haired adult sprites, ...);
- missing optional keys take the game's defaults;
- dead cats get the StarClan or Dark Forest lineart and fade by their saved opacity;
- lenient where the game is: an ``opacity`` outside 0-100 is clamped, an unknown scar left
  out, each with a warning of that cat; a cat paralysed (or sick) only in its conditions file
  is drawn so when the save came with its ``conditions/``.

Lifegen saves are read too: ``accessory`` may be a list, and Lifegen's own accessories draw.

A cat that cannot be read becomes a ``CatError`` (index, ID, field, value, why); the others
still convert. Nothing here knows HTTP: the service and the command line both use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from renderer_service.renderer import (
    PELT_SPRITE_NAMES,
    POSE_COUNT,
    CatParams,
    InvalidTraitsError,
    Vocabulary,
    check_traits,
)
from renderer_service.saves.cats import (
    CatError,
    CatProblemsError,
    DrawOptions,
    SaveCat,
    SaveFormatError,
    SaveReading,
)
from renderer_service.saves.conditions import Conditions, read_conditions
from renderer_service.saves.fields import FieldReader, shown
from renderer_service.saves.game import (
    COAT_PELTS,
    EYE_CONVERSIONS,
    GAME_POINTS,
    GAME_VITILIGO,
    LONG_ADULT_SPRITES,
    OLD_CREAMY_PATCHES,
    OLD_MINIMAL_MASKS,
    OLD_TORTIE_PATCHES,
    OLD_WHITE_PATCHES,
    PARAM_FIELDS,
    PELT_LENGTHS,
    SENIOR_SPRITES,
    SPRITE_KEYS,
    TORTIE_PELTS,
    Sprites,
    age_for_moons,
    display_name,
    pose_for,
)

DEFAULT_DRAW_OPTIONS = DrawOptions()
"""No cat drawn sick, and each at the age its moons give it."""


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


def read_cat(
    raw: object, index: int, vocabulary: Vocabulary, options: DrawOptions = DEFAULT_DRAW_OPTIONS
) -> SaveCat | list[CatError]:
    """One saved cat as a ``SaveCat``, or every reason it cannot be drawn."""
    if not isinstance(raw, Mapping):
        return [CatError(index, None, None, shown(raw), "a cat must be a JSON object", "an object")]
    cat_id = raw.get("ID")
    shown_id = cat_id if isinstance(cat_id, str) else None
    try:
        return _read_cat(raw, index, vocabulary, options)
    except CatProblemsError as failure:
        return [
            CatError(index, shown_id, key, shown(value), detail, expected)
            for key, value, detail, expected in failure.problems
        ]


def _read_cat(
    raw: Mapping[str, Any], index: int, vocabulary: Vocabulary, options: DrawOptions
) -> SaveCat:
    r = FieldReader(raw)
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
    opacity = r.integer("opacity", -(2**31), 2**31) if "opacity" in raw else 100
    prefix = r.text("name_prefix", required=False, default="") or ""
    suffix = r.text("name_suffix", required=False, default="") or ""
    status = r.text("status", required=False)
    hidden = r.flag("specsuffix_hidden", False)
    if r.problems:
        raise CatProblemsError(r.problems)
    assert moons is not None
    assert opacity is not None
    assert isinstance(cat_id, str)
    found = _conditions(cat_id, options)
    r.warnings += found.warnings
    if found.problems:
        raise CatProblemsError(found.problems)
    if found.paralysed and not paralysed:
        paralysed = True
        r.warnings.append("paralysed in its conditions file only: drawn paralysed, as the game")
    if not 0 <= opacity <= 100:
        clamped = min(max(opacity, 0), 100)
        r.warnings.append(
            f"opacity {opacity} is outside 0-100: taken as {clamped} (the game fades only dead "
            "cats, at 97 or less)"
        )
        opacity = clamped
    scars = _known_scars(scars, vocabulary, r.warnings)

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
    sick = cat_id in options.sick or found.sick
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
        raise CatProblemsError(r.problems)
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


def _conditions(cat_id: str, options: DrawOptions) -> Conditions:
    """What the cat's conditions file says, when the save came with its folder."""
    if options.conditions is None or cat_id not in options.conditions:
        return Conditions()
    return read_conditions(options.conditions[cat_id], cat_id)


def _known_scars(scars: list[str], vocabulary: Vocabulary, warnings: list[str]) -> list[str]:
    """The scars the game draws: it skips a name it does not know, so this drops it too."""
    known = [name for name in scars if name in vocabulary.all_scars]
    warnings += [
        f"scars: {name!r} is not a scar the game knows: left out, as the game leaves it out"
        for name in scars
        if name not in vocabulary.all_scars
    ]
    return known


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
        raise CatProblemsError(
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
        raise CatProblemsError(problems) from None


def _save_key(param: str) -> str:
    if param.startswith("accessories["):
        return "accessory" + param[len("accessories") :]
    if param.startswith("scars["):
        return param
    return PARAM_FIELDS.get(param, param)


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
        raise SaveFormatError("cats", shown(cats), "cats: not a list of cats", "a list of cats")
    sick = document.get("sick", [])
    if not isinstance(sick, list) or not all(
        isinstance(i, str | int) and not isinstance(i, bool) for i in sick
    ):
        raise SaveFormatError(
            "sick", shown(sick), "sick: not a list of cat IDs", "a list of cat IDs"
        )
    return cats, [str(i) for i in sick]


def read_save(
    cats: Iterable[object],
    vocabulary: Vocabulary,
    options: DrawOptions = DEFAULT_DRAW_OPTIONS,
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
