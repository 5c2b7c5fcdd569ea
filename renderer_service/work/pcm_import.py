"""Opening a pixel-cat-maker share link: its URL -> the ``/render`` body that draws the cat on
the ``clangen`` pack, read as pixel-cat-maker's own ``CatData.fromURL`` reads it.

A share URL carries the cat's fields in its query (``peltName=Tabby&colour=GINGER&...``,
``""`` for unset, plus ``version`` and ``backgroundColour``). Its lineart and April Fools'
choices are controls of pixel-cat-maker's page that the URL does not carry; they come beside
it. ``version=v1`` links (the legacy layout) number the pose 0-20 and name collars the old
way; both are converted as pixel-cat-maker converts them (``modern-layout.md``, section 3).

What the link holds that draws nothing (tracking parameters, unknown fields) is dropped and
said in ``warnings``; a value of the wrong type or a lineart pixel-cat-maker does not have is
a 422 naming it. The names themselves are checked when the body is drawn.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from renderer_service.renderer import pcm_params
from renderer_service.wire import ApiError, error_item

PCM_URL_FIELDS: tuple[str, ...] = (
    "spriteNumber",
    "peltName",
    "colour",
    "isTortie",
    "tortieMask",
    "tortiePattern",
    "tortieColour",
    "tint",
    "skinColour",
    "eyeColour",
    "eyeColour2",
    "whitePatches",
    "points",
    "whitePatchesTint",
    "vitiligo",
    "accessory",
    "scar",
    "shading",
    "reverse",
    "backgroundColour",
    "version",
)
"""The fields of pixel-cat-maker's ``CatData`` that its share URL holds, in the order its
``getURL`` writes them."""

PCM_FIELDS = frozenset(PCM_URL_FIELDS)

FLAGS = frozenset({"isTortie", "shading", "reverse"})

MODERN_PACK = "clangen"
"""The pack pixel-cat-maker's cats are drawn on."""

LEGACY_COLLAR_COLOURS = {
    "CRIMSON": "crimson",
    "BLUE": "blue",
    "YELLOW": "yellow",
    "CYAN": "cyan",
    "RED": "orange",
    "LIME": "lime",
    "GREEN": "green",
    "BLACK": "black",
    "WHITE": "white",
    "PINK": "pink",
    "PURPLE": "purple",
    "MULTI": "rose",
    "INDIGO": "indigo",
}
"""Legacy collar colours -> the palette colour pixel-cat-maker gives them."""

LEGACY_COLLAR_STYLES = {"": "LEATHER", "BELL": "LEATHER_BELL", "BOW": "BOW", "NYLON": "NYLON_BELL"}
"""Legacy collar suffixes -> the modern collar style."""

SPECIAL_COLLARS = {
    ("SPIKES", ""): "LEATHER_SPIKE_black_gold",
    ("SPIKES", "BELL"): "LEATHER_BELL_SPIKE_black_gold",
    ("SPIKES", "BOW"): "BOW_FOIL_black_gold",
    ("SPIKES", "NYLON"): "NYLON_BELL_black_gold",
}


def legacy_collar(name: str) -> str | None:
    """The modern collar a legacy collar name (``CRIMSON``, ``BLUEBELL``, ``SPIKESBOW``,
    ``RAINBOWNYLON`` ...) becomes; ``None`` for a name that is no legacy collar."""
    for suffix in ("BELL", "BOW", "NYLON", ""):
        if suffix and not name.endswith(suffix):
            continue
        colour = name[: len(name) - len(suffix)] if suffix else name
        style = LEGACY_COLLAR_STYLES[suffix]
        if (colour, suffix) in SPECIAL_COLLARS:
            return SPECIAL_COLLARS[(colour, suffix)]
        if colour == "RAINBOW":
            return f"{style}_GRADIENT_rainbow"
        if colour in LEGACY_COLLAR_COLOURS:
            return f"{style}_{LEGACY_COLLAR_COLOURS[colour]}"
    return None


def query_of(url: str) -> str:
    """The query of a share URL, or the text itself when it is already one."""
    text = url.strip()
    if "?" in text:
        return urlsplit(text).query if "://" in text else text.split("?", 1)[1]
    return text


def read_share_url(url: str) -> tuple[dict[str, Any], list[str]]:
    """The typed fields of a share URL and the warnings about what it dropped; ``ApiError``
    (422) for a value pixel-cat-maker could not have written."""
    fields: dict[str, Any] = {}
    warnings: list[str] = []
    for key, value in parse_qsl(query_of(url), keep_blank_values=True):
        if key not in PCM_FIELDS:
            if not key.startswith("utm_"):
                warnings.append(f"url: {key!r} is not a pixel-cat-maker field; it was ignored")
            continue
        if value == "":
            fields[key] = None
        elif key in FLAGS:
            if value not in ("true", "false"):
                raise _bad_field(key, value, "true or false")
            fields[key] = value == "true"
        elif key == "spriteNumber":
            if not value.isdigit():
                raise _bad_field(key, value, "a pose number")
            fields[key] = int(value)
        else:
            fields[key] = value
    if not any(key in fields for key in PCM_FIELDS - {"backgroundColour", "version"}):
        detail = "url: it holds no pixel-cat-maker fields (peltName, colour, spriteNumber ...)"
        raise ApiError(
            422,
            "invalid_request",
            detail,
            [error_item("url", url[:200], detail, "a pixel-cat-maker share URL or its query")],
        )
    if fields.get("version") == "v1":
        accessory = fields.get("accessory")
        if isinstance(accessory, str) and (modern := legacy_collar(accessory)) is not None:
            fields["accessory"] = modern
            warnings.append(f"accessory: the legacy collar {accessory!r} is {modern!r} now")
    return fields, warnings


def _bad_field(key: str, value: str, expected: str) -> ApiError:
    detail = f"url: {key}={value!r} is not what pixel-cat-maker writes there; expected {expected}"
    return ApiError(
        422, "invalid_request", detail, [error_item(f"url.{key}", value, detail, expected)]
    )


def import_pcm_link(url: str, lineart: str, april_fools: bool) -> dict[str, Any]:
    """``{"request": <a /render body on clangen>, "warnings": [...]}`` for a share URL."""
    fields, warnings = read_share_url(url)
    if fields.pop("backgroundColour", None) is not None:
        warnings.append("backgroundColour: pixel-cat-maker's page colour is not drawn")
    choice = f"aprilfools-{lineart}" if april_fools else lineart
    try:
        params = pcm_params(fields, choice)
    except ValueError as error:
        raise ApiError(
            422, "invalid_request", str(error), [error_item("lineart", lineart, str(error))]
        ) from None
    pose = params.pop("pose", None)
    payload: dict[str, Any] = {"params": params}
    if isinstance(pose, str):
        payload["pose"] = pose
    elif pose is not None:
        payload["spriteNumber"] = pose
    return {"request": {"payload": payload, "options": {"pack": MODERN_PACK}}, "warnings": warnings}
