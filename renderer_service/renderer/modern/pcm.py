"""pixel-cat-maker's cat description -> modern render params.

pixel-cat-maker (cgen-tools) shares a cat as the fields of its ``CatData`` in a URL query:
``spriteNumber peltName colour isTortie tortieMask tortiePattern tortieColour tint skinColour
eyeColour eyeColour2 whitePatches points whitePatchesTint vitiligo accessory scar shading
reverse backgroundColour version``, empty meaning unset. Its lineart choice is a separate
control: ``regular``, ``dead`` (StarClan), ``dark forest``, ``unknown residence``, or one of
those prefixed ``aprilfools-``.

``pcm_params(fields, lineart)`` turns such fields (already typed, as JSON holds them, or as
``fields_from_query`` reads a URL's query) into a ``ModernCatParams``-shaped dict:

- ``spriteNumber`` -> ``pose`` (a number of the modern pose list, 0-25); with ``version: v1``
  (pixel-cat-maker's legacy URLs) the legacy pose 0-20 -> the modern pose of the same cell;
- the pelt and tortie fields as they are (``isTortie`` false drops the tortie fields), the
  tints with ``none`` for unset;
- ``accessory`` / ``scar``: one name -> ``accessory`` / ``scar``, a list -> ``accessories`` /
  ``scars`` (the game then draws accessories by category, whatever the order);
- the lineart -> ``dead``, ``afterlife`` and ``aprilFools``;
- ``backgroundColour`` and ``version`` draw nothing and are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .params import ModernCatParams
from .poses import LEGACY_POSE_NAMES

LINEARTS: Mapping[str, tuple[bool, str | None]] = {
    "regular": (False, None),
    "dead": (True, "starclan"),
    "dark forest": (True, "darkForest"),
    "unknown residence": (True, "unknownResidence"),
}
"""pixel-cat-maker's lineart choices (without ``aprilfools-``) -> ``(dead, afterlife)``."""

APRIL_FOOLS_PREFIX = "aprilfools-"

_NAMES = (
    "peltName",
    "colour",
    "tortieMask",
    "tortiePattern",
    "tortieColour",
    "skinColour",
    "eyeColour",
    "eyeColour2",
    "whitePatches",
    "points",
    "vitiligo",
)
_TINTS = ("tint", "whitePatchesTint")
_FLAGS = ("isTortie", "shading", "reverse")
_IGNORED = ("backgroundColour", "version")


def fields_from_query(query: str) -> dict[str, Any]:
    """The fields of a share URL's query (after ``?``), typed as ``pcm_params`` takes them:
    booleans from ``true``/``false``, ``spriteNumber`` as a number, empty values unset."""
    fields: dict[str, Any] = {}
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if value == "":
            fields[key] = None
        elif key in _FLAGS:
            fields[key] = value.lower() == "true"
        elif key == "spriteNumber":
            fields[key] = int(value)
        else:
            fields[key] = value
    return fields


def pcm_params(fields: Mapping[str, Any], lineart: str = "regular") -> dict[str, Any]:
    """``ModernCatParams`` fields for a pixel-cat-maker cat (see the module doc).

    ``ValueError`` for a field or lineart pixel-cat-maker does not have.
    """
    unknown = sorted(
        set(fields) - {*_NAMES, *_TINTS, *_FLAGS, *_IGNORED, "spriteNumber", "accessory", "scar"}
    )
    if unknown:
        raise ValueError(f"not pixel-cat-maker fields: {', '.join(unknown)}")
    april_fools = lineart.startswith(APRIL_FOOLS_PREFIX)
    choice = lineart[len(APRIL_FOOLS_PREFIX) :] if april_fools else lineart
    if choice not in LINEARTS:
        raise ValueError(
            f"lineart {lineart!r}: expected one of {', '.join(LINEARTS)}, optionally prefixed "
            f"{APRIL_FOOLS_PREFIX!r}"
        )
    params: dict[str, Any] = {name: fields[name] for name in _NAMES if fields.get(name) is not None}
    for name in _TINTS:
        params[name] = fields.get(name) or "none"
    for name in _FLAGS:
        if fields.get(name) is not None:
            params[name] = bool(fields[name])
    if not params.get("isTortie"):
        for name in ("tortieMask", "tortiePattern", "tortieColour"):
            params.pop(name, None)
    number = fields.get("spriteNumber")
    if number is not None:
        params["pose"] = (
            LEGACY_POSE_NAMES[int(number)] if fields.get("version") == "v1" else int(number)
        )
    for single, plural in (("accessory", "accessories"), ("scar", "scars")):
        value = fields.get(single)
        if isinstance(value, list | tuple):
            params[plural] = [str(item) for item in value]
        elif value is not None:
            params[single] = str(value)
    dead, afterlife = LINEARTS[choice]
    if dead:
        params["dead"] = True
        params["afterlife"] = afterlife
    if april_fools:
        params["aprilFools"] = True
    return params


def read_pcm(fields: Mapping[str, Any], lineart: str = "regular") -> ModernCatParams:
    """The ``ModernCatParams`` of a pixel-cat-maker cat (pydantic's ``ValidationError`` if a
    field has the wrong type; the names are checked by the renderer)."""
    return ModernCatParams.model_validate(pcm_params(fields, lineart))
