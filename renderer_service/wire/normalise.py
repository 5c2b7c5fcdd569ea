"""The one translation step from the params clients send to the renderer's ``CatParams``.

Clients speak the CatGenerator frontend's V2 conventions (``models.RequestParams``); the
renderer reads one spelling of each trait. This step, and only it, bridges the two:

- ``darkMode`` means ``darkForest`` (either true is enough); ``skinColor`` means
  ``skinColour``, and beside a different ``skinColour`` it is not read (V2 reads
  ``skinColour ?? skinColor``); an empty ``colour`` is the default, ``WHITE``, as V2 draws it
  (``v2_notes`` says so in the answer's diagnostics); an empty ``peltName`` draws no base
  coat and ``skinColour: "none"`` no skin (``CatParams`` reads them so; the layers' notes say
  so);
- ``null``, ``""`` and ``"none"`` entries of ``scars``, ``accessories`` and ``tortie`` are
  skipped, and a scar may be ``{"id": NAME}``;
- names are matched case-insensitively and passed on as the pack spells them
  (``colour: "ginger"`` is ``GINGER``), except ``whitePatchesTint``, where the game's
  lower-case tint names come first (see ``_white_patches_tint``);
- ``source``, ``basePalette``, ``tortiePalette``, ``experimentalColourMode``, ``label`` and
  ``poseName`` are dropped: nothing is drawn from them.

What the params then mean (which of ``scars`` / ``scar`` wins, how ``isTortie`` gates the
tortie fields, ...) is ``CatParams``' own documented behaviour.
"""

from __future__ import annotations

from typing import Any

from renderer_service.renderer import (
    NONE_NAMES,
    AnyVocabulary,
    CatParams,
    InvalidTraitsError,
    TraitError,
    closest,
)
from renderer_service.wire.models.render import RequestParams

IGNORED_FIELDS = frozenset(
    {
        "source",
        "base_palette",
        "tortie_palette",
        "experimental_colour_mode",
        "label",
        "pose_name",
    }
)
"""``RequestParams`` fields that nothing is drawn from."""

FOLDED_FIELDS: dict[str, str] = {
    "pelt_name": "pelts",
    "colour": "colours",
    "tortie_pattern": "pelts",
    "tortie_colour": "colours",
    "tortie_mask": "tortieMasks",
    "tint": "tints",
    "white_patches": "whitePatches",
    "points": "points",
    "vitiligo": "vitiligo",
    "eye_colour": "eyeColours",
    "eye_colour2": "eyeColours2",
    "skin_colour": "skins",
    "scar": "scars",
    "accessory": "accessories",
    "afterlife": "afterlives",
}
"""Single-name fields -> the kind of name they hold (a key of ``Vocabulary.folded``)."""


Note = tuple[str, str]
"""A note for the answer's diagnostics: ``(layer id, sentence)``."""


def v2_notes(given: dict[str, Any]) -> tuple[Note, ...]:
    """Notes on the V2 generator's edge cases the params are drawn by, for the diagnostics
    (``given`` as ``normalise_given`` takes it, before it is normalised)."""
    notes: list[Note] = []
    if given.get("colour") == "":
        notes.append(("base", "colour is empty: the coat is WHITE, as the V2 generator draws it"))
    skin, skin_color = given.get("skin_colour"), given.get("skin_color")
    if skin is not None and skin_color is not None and skin.casefold() != skin_color.casefold():
        notes.append(
            (
                "skin",
                f"skinColor {skin_color!r} is not drawn: skinColour {skin!r} is, as the V2 "
                "generator reads skinColour first",
            )
        )
    return tuple(notes)


def given_of(params: RequestParams) -> dict[str, Any]:
    """The fields ``v2_notes`` reads, as a client sent them."""
    return {
        name: getattr(params, name)
        for name in ("colour", "skin_colour", "skin_color")
        if name in params.model_fields_set and getattr(params, name) is not None
    }


def normalise_params(
    params: RequestParams,
    vocabulary: AnyVocabulary,
    model: type[CatParams] = CatParams,
    *,
    keep_pose: bool = True,
) -> CatParams:
    """``params`` as the renderer reads them. Raises ``InvalidTraitsError`` for a
    ``skinColor`` (alone) that names no skin."""
    given: dict[str, Any] = {
        name: getattr(params, name)
        for name in params.model_fields_set
        if name not in IGNORED_FIELDS and getattr(params, name) is not None
    }
    if params.tortie is not None:
        given["tortie"] = [
            (layer.pattern, layer.colour, layer.mask) if layer is not None else None
            for layer in params.tortie
        ]
    return normalise_given(given, vocabulary, model, keep_pose=keep_pose)


TortieEntry = tuple[str, str | None, str | None] | None
"""A tortie layer as ``normalise_given`` reads it: (pattern, colour, mask), or ``None``."""


def normalise_given(
    given: dict[str, Any],
    vocabulary: AnyVocabulary,
    model: type[CatParams] = CatParams,
    *,
    keep_pose: bool = True,
) -> CatParams:
    """The params a client sent, already of the types ``RequestParams`` checks, as the
    renderer reads them: ``given`` maps ``RequestParams`` field names to the values sent, with
    ``None`` values and ignored fields left out and ``tortie`` as ``TortieEntry`` items. It is
    changed in place. ``model`` is the params type of the pack's renderer. Raises
    ``InvalidTraitsError`` for a ``skinColor`` (alone) that names no skin. With
    ``keep_pose=False`` the params' ``spriteNumber`` is left out: the service reads the pose
    from the request itself, counted in the chosen pack's poses and checked per pack."""
    if not keep_pose:
        given.pop("sprite_number", None)
    dark_mode = given.pop("dark_mode", None)
    if dark_mode is not None:
        given["dark_forest"] = bool(given.get("dark_forest")) or dark_mode
    skin_color = given.pop("skin_color", None)
    if skin_color is not None and "skin_colour" not in given:  # V2: skinColour ?? skinColor
        named = vocabulary.canonical("skins", skin_color)
        if named not in vocabulary.skins and skin_color not in NONE_NAMES:
            hints = closest(skin_color, vocabulary.skins)
            raise InvalidTraitsError([TraitError("skinColor", skin_color, "a skin colour", hints)])
        given["skin_colour"] = skin_color
    if given.get("colour") == "":
        del given["colour"]  # V2 draws an empty colour as its default, WHITE
    for field, value in given.items():  # only values change: the keys stay as they are
        kind = FOLDED_FIELDS.get(field)
        if kind is not None and isinstance(value, str) and value not in NONE_NAMES:
            given[field] = vocabulary.canonical(kind, value)
    if "white_patches_tint" in given:
        given["white_patches_tint"] = _white_patches_tint(given["white_patches_tint"], vocabulary)
    scars = given.get("scars")
    if scars is not None:
        given["scars"] = _names(scars, "scars", vocabulary)
    accessories = given.get("accessories")
    if accessories is not None:
        given["accessories"] = _names(accessories, "accessories", vocabulary)
    tortie: list[TortieEntry] | None = given.get("tortie")
    if tortie is not None:
        given["tortie"] = [
            _tortie_layer(layer, vocabulary) for layer in tortie if layer is not None
        ]
    return model.model_validate(given)


def _tortie_layer(
    layer: tuple[str, str | None, str | None], vocabulary: AnyVocabulary
) -> dict[str, str]:
    pattern, colour, mask = layer
    folded = {"pattern": vocabulary.canonical("pelts", pattern)}
    if colour is not None:
        folded["colour"] = vocabulary.canonical("colours", colour)
    if mask is not None and mask not in NONE_NAMES:
        folded["mask"] = vocabulary.canonical("tortieMasks", mask)
    return folded


def _names(entries: list[str | None], kind: str, vocabulary: AnyVocabulary) -> list[str]:
    """The names of a list's filled slots (``null``, ``""`` and ``none`` are empty ones)."""
    return [
        vocabulary.canonical(kind, name)
        for name in entries
        if name is not None and name not in NONE_NAMES
    ]


def _white_patches_tint(name: str, vocabulary: AnyVocabulary) -> str:
    """The game's tints are the lower-case names (``cream``); any other spelling of a coat or
    palette colour (``CREAM``, ``hotpink``) is that colour, which paints the patches."""
    if name in NONE_NAMES or name in vocabulary.white_patches_tints:
        return name
    return vocabulary.canonical("colours", name)
