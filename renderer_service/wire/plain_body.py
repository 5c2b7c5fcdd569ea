"""The plain /render body, read without the request models.

Almost every body the CatGenerator clients send is plain: a ``payload`` whose ``params`` are
names, booleans and small integers spelt as the V2 frontend spells them, and perhaps an
``options`` object. ``read_plain_body`` reads such a body in a fraction of the time the
request models take (they build four models and check every field the general way, which
is a third of an uncached render's time).

It accepts only what ``models.RenderRequest`` accepts, and reads it to the same values:
anything it is not sure of returns ``None``, and the models read the body instead (and
give the error answer, when there is one):

- a body that is not a JSON object with a ``payload`` object, or has other keys;
- a field spelt by its Python name (``pelt_name``) rather than as the frontend spells it;
- a value of another type than the field's plain one, a name over ``NAME_MAX_LENGTH``
  characters, a number out of range, a list over ``MAX_LIST_LENGTH`` entries;
- a scar given as ``{"id": NAME}``, a list of palette modes.

``tests/test_plain_body.py`` checks, on the public cats and on generated bodies, that each
body this reads gives the job the models give.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from renderer_service.renderer import MAX_LIST_LENGTH
from renderer_service.wire.models.common import IGNORED_MAX_LENGTH, MAX_POSES, NAME_MAX_LENGTH
from renderer_service.wire.models.render import RequestParams

_NAME, _BOOL, _POSE, _OPACITY, _IGNORED, _NAMES, _TORTIE = range(7)

_KINDS: dict[str, int] = {
    "sprite_number": _POSE,
    "pelt_name": _NAME,
    "colour": _NAME,
    "is_tortie": _BOOL,
    "tortie_pattern": _NAME,
    "tortie_colour": _NAME,
    "tortie_mask": _NAME,
    "tortie": _TORTIE,
    "tint": _NAME,
    "white_patches": _NAME,
    "points": _NAME,
    "vitiligo": _NAME,
    "white_patches_tint": _NAME,
    "eye_colour": _NAME,
    "eye_colour2": _NAME,
    "skin_colour": _NAME,
    "skin_color": _NAME,
    "scars": _NAMES,
    "scar": _NAME,
    "accessories": _NAMES,
    "accessory": _NAME,
    "shading": _BOOL,
    "dead": _BOOL,
    "dark_forest": _BOOL,
    "dark_mode": _BOOL,
    "afterlife": _NAME,
    "april_fools": _BOOL,
    "opacity": _OPACITY,
    "reverse": _BOOL,
    "source": _IGNORED,
    "base_palette": _IGNORED,
    "tortie_palette": _IGNORED,
    "experimental_colour_mode": _IGNORED,
    "label": _IGNORED,
    "pose_name": _IGNORED,
}
"""Every ``RequestParams`` field -> the plain shape of its value."""

_FIELDS: dict[str, tuple[str, int]] = {
    (info.alias or name): (name, _KINDS[name]) for name, info in RequestParams.model_fields.items()
}
"""Each params key as the frontend spells it -> (the field, its kind)."""

_PAYLOAD_IGNORED: dict[str, type] = {
    "poseName": str,
    "collectLayers": bool,
    "includeLayerImages": bool,
}
"""Payload keys besides ``params`` and ``spriteNumber``: accepted, nothing drawn from them."""

_TORTIE_KEYS = frozenset({"pattern", "colour", "mask"})


class PlainBody(NamedTuple):
    """What a plain body says, of the types the request models check."""

    pose: int | None
    """``payload.spriteNumber``."""
    params_pose: int | None
    """``payload.params.spriteNumber``."""
    given: dict[str, Any]
    """The params sent, as ``normalise.normalise_given`` reads them."""
    options: dict[str, Any] | None
    """The ``options`` object as sent (``None`` when left out), for the options model."""
    pose_name: str | None = None
    """``payload.pose``: the pose by name."""


def _name(value: Any) -> bool:
    return type(value) is str and len(value) <= NAME_MAX_LENGTH


def _optional_name(value: Any) -> bool:
    return value is None or (type(value) is str and len(value) <= NAME_MAX_LENGTH)


def read_plain_body(body: bytes) -> PlainBody | None:
    """What ``body`` says when it is plain (see the module), else ``None``."""
    try:
        request = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(request) is not dict:
        return None
    payload = request.get("payload")
    if type(payload) is not dict or len(request) != 1 + ("options" in request):
        return None
    options = request.get("options")
    if "options" in request and type(options) is not dict:
        return None  # an explicit null too: the models refuse it
    pose = None
    pose_name = None
    params: Any = {}
    for key, value in payload.items():
        if key == "params":
            params = value
        elif key == "pose":
            if value is not None and not _name(value):
                return None
            pose_name = value
        elif key == "spriteNumber":
            if value is not None and not (type(value) is int and 0 <= value < MAX_POSES):
                return None
            pose = value
        else:
            kind = _PAYLOAD_IGNORED.get(key)
            if kind is None:
                return None
            if value is not None and (
                type(value) is not kind or (type(value) is str and len(value) > IGNORED_MAX_LENGTH)
            ):
                return None
    if type(params) is not dict:
        return None
    given = _given(params)
    if given is None:
        return None
    return PlainBody(pose, given.get("sprite_number"), given, options, pose_name)


def _given(params: dict[str, Any]) -> dict[str, Any] | None:
    """The params as ``normalise_given`` reads them, or ``None`` when one is not plain."""
    given: dict[str, Any] = {}
    for key, value in params.items():
        field = _FIELDS.get(key)
        if field is None:
            return None
        name, kind = field
        if value is None:
            continue
        if kind == _NAME:
            if type(value) is not str or len(value) > NAME_MAX_LENGTH:
                return None
        elif kind == _BOOL:
            if type(value) is not bool:
                return None
        elif kind == _NAMES:
            if (
                type(value) is not list
                or len(value) > MAX_LIST_LENGTH
                or not all(map(_optional_name, value))
            ):
                return None
        elif kind == _IGNORED:
            if type(value) is not str or len(value) > IGNORED_MAX_LENGTH:
                return None
            continue
        elif kind == _POSE:
            if type(value) is not int or not 0 <= value < MAX_POSES:
                return None
        elif kind == _OPACITY:
            if type(value) is not int or not 0 <= value <= 100:
                return None
        else:  # _TORTIE
            layers = _tortie(value)
            if layers is None:
                return None
            value = layers
        given[name] = value
    return given


def _tortie(value: Any) -> list[tuple[str, str | None, str | None] | None] | None:
    """Tortie layers as ``normalise_given`` reads them, or ``None`` when one is not plain."""
    if type(value) is not list or len(value) > MAX_LIST_LENGTH:
        return None
    layers: list[tuple[str, str | None, str | None] | None] = []
    for layer in value:
        if layer is None:
            layers.append(None)
            continue
        if type(layer) is not dict or not _TORTIE_KEYS.issuperset(layer):
            return None
        pattern: Any = layer.get("pattern")
        colour: Any = layer.get("colour")
        mask: Any = layer.get("mask")
        if not (_name(pattern) and _optional_name(colour) and _optional_name(mask)):
            return None
        layers.append((pattern, colour, mask))
    return layers
