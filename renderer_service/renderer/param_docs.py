"""What each V2 render param means, with an example, for the request schema (``/docs``).

``document_params`` is ``CatParams``' ``json_schema_extra``: it gives every field of the
schema a description (where the field has none of its own) and an example. The examples are
names the bundled pack accepts; ``GET /catalog`` lists every accepted value.
"""

from __future__ import annotations

from typing import Any

CAT_EXAMPLE: dict[str, Any] = {
    "spriteNumber": 8,
    "peltName": "Tabby",
    "colour": "GINGER",
    "eyeColour": "GREEN",
    "skinColour": "PINK",
    "whitePatches": "LITTLE",
    "shading": True,
}
"""A whole cat, as the schema's example."""

TORTIE_EXAMPLE: dict[str, Any] = {"pattern": "Tabby", "colour": "BLACK", "mask": "ONE"}
"""One tortie layer, as the schema's example."""

PARAM_DOCS: dict[str, tuple[str, object]] = {
    "spriteNumber": ("Pose 0-20; default 8, an adult pose.", 8),
    "peltName": ("Coat pattern (`GET /catalog` → `pelts`); default `SingleColour`.", "Tabby"),
    "colour": ("Coat colour (`GET /catalog` → `colours`); default `WHITE`.", "GINGER"),
    "isTortie": (
        "Draw tortie patches from `tortiePattern`, `tortieColour` and `tortieMask`.",
        True,
    ),
    "tortiePattern": ("Pelt pattern of the tortie patches (a `pelts` name).", "Tabby"),
    "tortieColour": ("Colour of the tortie patches (a `colours` name).", "BLACK"),
    "tortieMask": ("Mask that cuts the tortie patches (`tortieMasks`).", "ONE"),
    "tortie": (
        "Tortie patch layers, drawn in order over the base coat.",
        [TORTIE_EXAMPLE],
    ),
    "tint": ("Coat tint (`tints` or `diluteTints`), or `none` (the default).", "pink"),
    "whitePatches": ("White patches (`whitePatches`), or none (the default).", "LITTLE"),
    "points": ("Point markings (`points`), or none (the default).", "COLOURPOINT"),
    "vitiligo": ("Vitiligo markings (`vitiligo`), or none (the default).", "VITILIGO"),
    "whitePatchesTint": (
        "Tint of the white patches (`whitePatchesTints`), or `none` (the default).",
        "cream",
    ),
    "eyeColour": ("Eye colour (`eyeColours`); default `YELLOW`.", "GREEN"),
    "eyeColour2": (
        "Second eye colour for heterochromia (`eyeColours2`), or none (the default).",
        "BLUE",
    ),
    "skinColour": ("Skin colour: nose, paw pads (`skins`); default `PINK`.", "PINK"),
    "scars": ("Scars in drawing order (`scars`), at most 16.", ["ONE"]),
    "accessories": ("Accessories in drawing order (`accessories`), at most 16.", ["MAPLE LEAF"]),
    "accessory": ("A single accessory, drawn after `accessories`.", "MAPLE LEAF"),
    "shading": ("Shading and lighting (living cats only).", True),
    "dead": ("Draw the afterlife lineart, without shading; dead cats may fade.", False),
    "darkForest": (
        "Dead: the Dark Forest lineart. Living: the Dark Forest tint over the coat.",
        False,
    ),
    "afterlife": (
        "Where a dead cat is: `starclan`, `darkForest` or `unknownResidence`.",
        "starclan",
    ),
    "aprilFools": ("Draw the April Fools version of the lineart.", False),
    "opacity": ("How faded a dead cat is, 0-100; default 100 (not faded).", 100),
    "reverse": ("Mirror the picture left to right.", False),
    # the fields of one tortie layer
    "pattern": ("Pelt pattern of the patches (a `pelts` name).", "Tabby"),
    "mask": ("Tortie mask that cuts the patches (`tortieMasks`).", "ONE"),
}
"""Description and example of each param, by the name clients send."""

TORTIE_LAYER_COLOUR = ("Colour of the patches (a `colours` name).", "BLACK")
"""``colour`` means the patches' colour inside a tortie layer, not the coat's."""


def _document(schema: dict[str, Any], docs: dict[str, tuple[str, object]]) -> None:
    for name, field in schema.get("properties", {}).items():
        if name not in docs:
            continue
        description, example = docs[name]
        field.setdefault("description", description)
        field.setdefault("examples", [example])


def document_params(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of ``CatParams``: the example cat, and every field documented."""
    schema["examples"] = [CAT_EXAMPLE]
    _document(schema, PARAM_DOCS)


def document_tortie_layer(schema: dict[str, Any]) -> None:
    """``json_schema_extra`` of ``TortieLayer``."""
    schema["examples"] = [TORTIE_EXAMPLE]
    _document(schema, {**PARAM_DOCS, "colour": TORTIE_LAYER_COLOUR})
