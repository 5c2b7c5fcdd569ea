"""Reading a ClanGen v0.13 save: each cat of ``clan_cats.json`` as V2 render params for the
``clangen`` pack, with its pose by name, following the game's load and drawing rules:

- the age from ``moons``; the pose from sickness, then paralysis, then the age's named field,
  after the game's load-time pose conversions (``modern_game.load_poses``);
- sick from the cat's conditions file (an illness or injury that is not ``minor``) or the
  request's ``sick`` list; paralysed from ``paralyzed`` or the file's permanent conditions;
  a living cat paralysed only by its flag loses its tail accessories when its tail is gone;
- living, or which afterlife, from the last ``group_history`` entry through the Clan file's
  ``used_group_IDs`` (the game's 1-4 without it);
- the fading fog only for dead cats at ``opacity`` 97 or less that do not ``prevent_fading``;
- accessories in the game's drawing order (collars, tail, body), old collar names renamed;
- lenient where the game is: unknown scars, accessories and tints are left out with a
  warning; a value the game cannot draw (its placeholder, or no picture) is an error of that
  cat naming the save's key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from renderer_service.renderer import PELT_SPRITE_NAMES, CatParams, closest
from renderer_service.saves.cats import (
    CatError,
    CatProblemsError,
    DrawOptions,
    SaveCat,
    SaveReading,
)
from renderer_service.saves.conditions import Conditions, read_conditions
from renderer_service.saves.fields import FieldReader, shown
from renderer_service.saves.game import (
    EYE_CONVERSIONS,
    GAME_POINTS,
    GAME_VITILIGO,
    OLD_MINIMAL_MASKS,
    OLD_WHITE_PATCHES,
    age_for_moons,
    display_name,
)
from renderer_service.saves.modern_game import (
    ACCESSORY_CATEGORIES,
    AFTERLIVES,
    COLLAR_MAP,
    COLOURS,
    DEFAULT_GROUP_IDS,
    DRAWING_ORDER,
    EYES,
    MISSING_PARTS,
    OLD_CREAMY_PATCHES,
    OLD_TORTIE_PATCHES,
    PELTS,
    POINTS,
    POSE_KEYS,
    POSES,
    SCARS,
    SKINS,
    STAGE_FIELDS,
    TAIL_ACCESSORIES,
    TAILLESS,
    TINTS,
    TORTIE_MARKS,
    TORTIE_PELTS,
    VITILIGO,
    WHITE_PATCHES,
    WHITE_PATCHES_TINTS,
    YOUNG,
    fog_stage,
    load_poses,
)

PACK = "clangen"
"""The pack that draws v0.13 cats."""

COATS: Mapping[str, str] = {
    sheet: name for name, sheet in reversed(list(PELT_SPRITE_NAMES.items()))
}
"""Tortie base and patch coats as saved (``single``, ``tabby``) -> the V2 pelt name."""

OUTSIDE_RANKS = frozenset({"loner", "rogue", "kittypet"})
"""Ranks of an old string ``status`` that put the cat in no group."""

Problems = list[tuple[str, Any, str, str | None]]


def _name_problem(
    r: FieldReader, key: str, value: str, what: str, choices: Iterable[str], result: str
) -> None:
    hints = closest(value, choices, 3)
    detail = f"{key}: {value!r} is not {what} ClanGen v0.13 draws ({result})"
    if hints:
        detail += f"; closest: {', '.join(hints)}"
    r.problem(key, value, detail, what)


def _group(
    r: FieldReader, raw: Mapping[str, Any], group_ids: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """The cat's group (``player_clan``, ``starclan``, ``other_clan``, ... or None) and rank,
    from the last ``group_history`` entry or an old string ``status`` (section 11)."""
    status = raw.get("status")
    if isinstance(status, str):
        if raw.get("dead") is True:
            group = "4" if raw.get("df") else "3" if raw.get("outside") else "2"
        elif status in OUTSIDE_RANKS or raw.get("exiled") or raw.get("outside"):
            group = None
        else:
            group = "1"
        return (group_ids.get(group) if group else None), status
    history = status.get("group_history") if isinstance(status, Mapping) else None
    if not isinstance(history, list):
        r.problem(
            "status", shown(status), "status: no group_history list", '{"group_history": [...]}'
        )
        return None, None
    last = history[-1] if history else {}
    if not isinstance(last, Mapping):
        r.problem("status.group_history", shown(last), "status: an entry is not an object", None)
        return None, None
    rank = last.get("rank")
    group_id = last.get("group")
    if isinstance(group_id, str) and group_id in set(group_ids.values()):
        return group_id, rank if isinstance(rank, str) else None  # saved by name
    group = group_ids.get(str(group_id)) if group_id is not None else None
    return group, rank if isinstance(rank, str) else None


def _convert(values: dict[str, Any]) -> None:
    """``Pelt.check_and_convert`` and ``json_load``'s renames of old values, in place."""
    patches = OLD_WHITE_PATCHES.get(values["white_patches"] or "", values["white_patches"])
    if values["vitiligo"] == "VITILIGO2":
        values["vitiligo"] = "VITILIGOTWO"
    if patches in GAME_VITILIGO:
        values["vitiligo"], patches = patches, None
    elif patches in GAME_POINTS:
        values["points"], patches = patches, None
    if patches in OLD_CREAMY_PATCHES:
        patches = OLD_CREAMY_PATCHES[patches]
        values["white_patches_tint"] = "darkcream"
    values["white_patches"] = patches
    pattern = values["tortie_pattern"]
    if pattern and "tortie" in pattern:
        pattern = pattern.replace("tortie", "")
        values["tortie_pattern"] = "single" if pattern == "solid" else pattern
    for key in ("eye_colour", "eye_colour2"):
        if values[key] == "BLUE2":
            values[key] = "COBALT"
    if values["eye_colour"] in EYE_CONVERSIONS:
        values["eye_colour2"] = EYE_CONVERSIONS[values["eye_colour"]]
        values["eye_colour"] = "BLUE"
    mark = values["tortie_marking"]
    if mark in OLD_TORTIE_PATCHES:
        colour, values["tortie_marking"] = OLD_TORTIE_PATCHES[mark]
        if values["tortie_color"] is not None:
            values["pelt_color"] = values["tortie_color"]
        values["tortie_color"] = colour
    values["tortie_marking"] = OLD_MINIMAL_MASKS.get(
        values["tortie_marking"] or "", values["tortie_marking"]
    )
    for key in ("tint", "white_patches_tint"):
        if values[key] == "none":
            values[key] = None


def _coat_params(r: FieldReader, v: dict[str, Any]) -> dict[str, Any]:
    """The coat, white and eye params, each name checked against the game's lists."""
    params: dict[str, Any] = {}
    pelt = v["pelt_name"]
    checks: list[tuple[str, str | None, Iterable[str], str]] = [
        ("pelt_color", v["pelt_color"], COLOURS, "a coat colour"),
        ("white_patches", v["white_patches"], WHITE_PATCHES, "a white patch"),
        ("points", v["points"], POINTS, "a point marking"),
        ("vitiligo", v["vitiligo"], VITILIGO, "a vitiligo marking"),
        ("eye_colour", v["eye_colour"], EYES, "an eye colour"),
        ("eye_colour2", v["eye_colour2"], EYES, "an eye colour"),
        ("skin", v["skin"], SKINS, "a skin colour"),
    ]
    if pelt in TORTIE_PELTS:
        base, patches = COATS.get(v["tortie_base"] or ""), COATS.get(v["tortie_pattern"] or "")
        for key, coat in (("tortie_base", base), ("tortie_pattern", patches)):
            if coat is None:
                _name_problem(r, key, v[key], "a tortie coat", COATS, "it draws a placeholder")
        checks += [
            ("tortie_color", v["tortie_color"], COLOURS, "a coat colour"),
            ("tortie_marking", v["tortie_marking"], TORTIE_MARKS, "a tortie mark"),
        ]
        params.update(
            peltName=base,
            colour=v["pelt_color"],
            isTortie=True,
            tortiePattern=patches,
            tortieColour=v["tortie_color"],
            tortieMask=v["tortie_marking"],
        )
    elif pelt in PELTS:
        params.update(peltName=pelt, colour=v["pelt_color"])
    else:
        _name_problem(
            r, "pelt_name", pelt, "a pelt", [*PELTS, *TORTIE_PELTS], "it draws a placeholder"
        )
    for key, value, choices, what in checks:
        if value is not None and value not in choices:
            _name_problem(r, key, value, what, choices, "it draws a placeholder")
    for param, key in (
        ("whitePatches", "white_patches"),
        ("points", "points"),
        ("vitiligo", "vitiligo"),
        ("eyeColour", "eye_colour"),
        ("eyeColour2", "eye_colour2"),
        ("skinColour", "skin"),
    ):
        if v[key] is not None:
            params[param] = v[key]
    for param, key, known in (
        ("tint", "tint", TINTS),
        ("whitePatchesTint", "white_patches_tint", WHITE_PATCHES_TINTS),
    ):
        name = v[key]
        if name is not None and name not in known:
            r.warnings.append(f"{key}: {name!r} is not a tint the game knows: drawn untinted")
            name = None
        params[param] = name or "none"
    return params


def _accessories(r: FieldReader, saved: list[str], dropped: Iterable[str]) -> list[str]:
    """The accessories in the game's drawing order, old collars renamed, unknown ones and the
    ``dropped`` tail accessories left out."""
    gone = set(dropped)
    named: list[str] = []
    for name in saved:
        name = COLLAR_MAP.get(name, name)
        if name not in ACCESSORY_CATEGORIES:
            r.warnings.append(
                f"accessory: {name!r} is not an accessory the game knows: left out, as the "
                "game leaves it out"
            )
        elif name not in gone:
            named.append(name)
    return [
        name for place in DRAWING_ORDER for name in named if ACCESSORY_CATEGORIES[name] == place
    ]


def _scars(r: FieldReader, saved: list[str]) -> list[str]:
    known = [name for name in saved if name in SCARS or name in MISSING_PARTS]
    for name in saved:
        if name not in known:
            r.warnings.append(
                f"scars: {name!r} is not a scar the game knows: left out, as the game leaves it out"
            )
    return known


def _conditions(r: FieldReader, cat_id: str, options: DrawOptions) -> Conditions:
    if options.conditions is None or cat_id not in options.conditions:
        return Conditions()
    found = read_conditions(options.conditions[cat_id], cat_id)
    r.warnings += found.warnings
    r.problems += found.problems
    return found


def _read(raw: Mapping[str, Any], index: int, options: DrawOptions) -> SaveCat:
    r = FieldReader(raw)
    cat_id = raw.get("ID")
    if isinstance(cat_id, int) and not isinstance(cat_id, bool):
        cat_id = str(cat_id)
    if not isinstance(cat_id, str) or not cat_id or len(cat_id) > 64:
        r.problem("ID", cat_id, "ID: missing, empty or too long", "a string of 1-64 characters")
        cat_id = ""
    moons = r.integer("moons", 0, None)
    values: dict[str, Any] = {
        key: r.text(key, required=key in ("pelt_name", "pelt_color", "eye_colour", "skin"))
        for key in (
            "pelt_name",
            "pelt_color",
            "eye_colour",
            "skin",
            "eye_colour2",
            "white_patches",
            "points",
            "vitiligo",
            "tint",
            "tortie_base",
            "tortie_color",
            "tortie_pattern",
        )
    }
    values["white_patches_tint"] = (
        r.text("white_patches_tint", required=False) if "white_patches_tint" in raw else "offwhite"
    )
    values["tortie_marking"] = r.text(
        "tortie_marking" if "tortie_marking" in raw else "pattern", required=False
    )
    length = r.text("pelt_length", required=False, default="short") or "short"
    saved_poses = {
        key: raw[key] if key in raw else raw.get(old) if old else None for key, old in POSE_KEYS
    }
    scars = r.names("scars")
    if "specialty" in raw or "specialty2" in raw:
        scars += [s for s in (raw.get("specialty"), raw.get("specialty2")) if isinstance(s, str)]
    accessories = r.names("accessory", single=True)
    reverse = r.flag("reverse", False, game_requires=True)
    flag_paralysed = r.flag("paralyzed", False, game_requires=True)
    prevent_fading = r.flag("prevent_fading", False)
    opacity = r.integer("opacity", -(2**31), None) if "opacity" in raw else 100
    group, rank = _group(r, raw, options.group_ids or DEFAULT_GROUP_IDS)
    found = _conditions(r, cat_id, options)
    if r.problems:
        raise CatProblemsError(r.problems)
    assert moons is not None
    assert opacity is not None

    _convert(values)
    params = _coat_params(r, values)
    afterlife = AFTERLIVES.get(group or "")
    dead = afterlife is not None
    paralysed = flag_paralysed or found.paralysed
    dropped: list[str] = []
    if flag_paralysed and not found.paralysed and not dead and TAILLESS & set(scars):
        dropped = [name for name in accessories if name in TAIL_ACCESSORIES]
        if dropped:
            r.warnings.append(
                f"paralysed without the paralysis condition and without a full tail: the game "
                f"drops its tail accessories on load ({', '.join(dropped)})"
            )
    sick = found.sick or cat_id in options.sick
    true_age = age_for_moons(moons)
    age = true_age if options.life_stage is None else options.life_stage
    poses = load_poses(saved_poses, length)
    r.warnings += poses.warnings
    pose_key = STAGE_FIELDS[age]
    if age != "newborn" and sick:
        pose: str | None = "sick_young0" if age in YOUNG else "sick_adult0"
    elif age != "newborn" and paralysed:
        pose_key = "para_young" if age in YOUNG else "sprite_para_adult"
        pose = "para_young0" if age in YOUNG else poses.names["sprite_para_adult"]
    else:
        pose = poses.names[pose_key]
    if pose not in POSES:
        r.problem(
            pose_key,
            saved_poses.get(pose_key),
            f"{pose_key}: {pose!r} is not a pose; the game cannot draw this cat",
            f"a pose name ({POSES[0]} ... {POSES[-1]})",
        )
    params.update(
        scars=_scars(r, scars),
        accessories=_accessories(r, accessories, dropped),
        shading=False,
        reverse=reverse,
    )
    if dead:
        params.update(dead=True, afterlife=afterlife)
        if not prevent_fading and fog_stage(opacity) is not None:
            params["opacity"] = max(opacity, 0)
    if r.problems:
        raise CatProblemsError(r.problems)
    try:
        CatParams.model_validate(params)
    except ValidationError as error:
        raise CatProblemsError(
            [
                (str(e["loc"][0]) if e["loc"] else "", e.get("input"), e["msg"], None)
                for e in error.errors(include_url=False)
            ]
        ) from None
    assert pose is not None
    prefix = r.text("name_prefix", required=False, default="") or ""
    suffix = r.text("name_suffix", required=False, default="") or ""
    hidden = raw.get("specsuffix_hidden") is True
    return SaveCat(
        index=index,
        id=cat_id,
        name=display_name(prefix, suffix, rank, hidden),
        status=rank,
        age=true_age,
        moons=moons,
        sprite_number=POSES.index(pose),
        params=params,
        dead=dead,
        outside=not dead and group != "player_clan",
        warnings=r.warnings,
        pose=pose,
        pack=PACK,
    )


def read_modern_cat(raw: object, index: int, options: DrawOptions) -> SaveCat | list[CatError]:
    """One v0.13 cat as a ``SaveCat``, or every reason the game cannot draw it."""
    if not isinstance(raw, Mapping):
        return [CatError(index, None, None, shown(raw), "a cat must be a JSON object", "an object")]
    cat_id = raw.get("ID")
    shown_id = cat_id if isinstance(cat_id, str) else None
    try:
        return _read(raw, index, options)
    except CatProblemsError as failure:
        return [
            CatError(index, shown_id, key, shown(value), detail, expected)
            for key, value, detail, expected in failure.problems
        ]


def read_modern_save(
    cats: Iterable[object], options: DrawOptions, first_index: int = 0
) -> SaveReading:
    """Every cat of a v0.13 save; those the game cannot draw as errors."""
    reading = SaveReading([], [])
    seen: set[str] = set()
    for index, raw in enumerate(cats, first_index):
        result = read_modern_cat(raw, index, options)
        if isinstance(result, list):
            reading.errors += result
        elif result.id in seen:
            reading.errors.append(
                CatError(index, result.id, "ID", result.id, "ID: used by an earlier cat", "IDs")
            )
        else:
            seen.add(result.id)
            reading.cats.append(result)
    return reading
