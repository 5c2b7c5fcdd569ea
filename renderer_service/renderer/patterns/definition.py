"""A pattern colour's definition: the ``pattern`` object of a palette entry, checked and typed.

The fields, their defaults and their checks are those of the pattern engine the CatGenerator
site's colours were designed with, so every palette colour reads the same way here:

- ``type``: the generator (one of ``GENERATOR_NAMES``), required;
- ``tileSize``: tile edge in pixels, an int 1-256, default 8 (``chevron`` and ``diagonal``
  always draw a whole 50 x 50 cell and ignore it);
- ``background`` / ``foreground``: RGB 0-255; background defaults to grey 128, a missing
  foreground means white to the generators that need one;
- ``stripes``: ``{color, width = 1, offset = 0}`` items (``flag``, ``tartan``, ``argyle``);
- ``spacing``: an int, default 6 (``chevron``, ``diagonal``, ``pinstripe``; below 2 counts as 2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from renderer_service.renderer.patterns.errors import PatternDefinitionError

RGB = tuple[int, int, int]

MAX_TILE_SIZE = 256
DEFAULT_TILE_SIZE = 8
DEFAULT_BACKGROUND: RGB = (128, 128, 128)
DEFAULT_SPACING = 6
WHITE: RGB = (255, 255, 255)


@dataclass(frozen=True, slots=True)
class Stripe:
    colour: RGB
    width: int = 1
    offset: int = 0


@dataclass(frozen=True, slots=True)
class PatternDefinition:
    """One pattern: hashable, so tiles can be cached by it."""

    type: str
    tile_size: int = DEFAULT_TILE_SIZE
    background: RGB = DEFAULT_BACKGROUND
    foreground: RGB | None = None
    stripes: tuple[Stripe, ...] = ()
    spacing: int = DEFAULT_SPACING

    @property
    def foreground_or_white(self) -> RGB:
        return self.foreground if self.foreground is not None else WHITE

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], known_types: frozenset[str]) -> PatternDefinition:
        """Read a palette's ``pattern`` object. Raises ``PatternDefinitionError`` naming the
        field, the value and what would be accepted."""
        if not isinstance(raw, Mapping):
            raise PatternDefinitionError("pattern", raw, "an object")
        kind = raw.get("type")
        if kind not in known_types:
            raise PatternDefinitionError(
                "type", kind, f"one of the {len(known_types)} generators: {sorted(known_types)}"
            )
        tile_size = raw.get("tileSize", DEFAULT_TILE_SIZE)
        if (
            not isinstance(tile_size, int)
            or isinstance(tile_size, bool)
            or not 1 <= tile_size <= MAX_TILE_SIZE
        ):
            raise PatternDefinitionError("tileSize", tile_size, f"an integer 1-{MAX_TILE_SIZE}")
        spacing = raw.get("spacing", DEFAULT_SPACING)
        if not isinstance(spacing, int) or isinstance(spacing, bool):
            raise PatternDefinitionError("spacing", spacing, "an integer")
        background = _rgb("background", raw.get("background", DEFAULT_BACKGROUND))
        foreground_raw = raw.get("foreground")
        # An empty or absent foreground means white, as in the palettes' original engine.
        foreground = _rgb("foreground", foreground_raw) if foreground_raw else None
        stripes_raw = raw.get("stripes", [])
        if not isinstance(stripes_raw, list):
            raise PatternDefinitionError("stripes", stripes_raw, "a list of stripes")
        stripes = tuple(_stripe(i, s) for i, s in enumerate(stripes_raw))
        return cls(kind, tile_size, background, foreground, stripes, spacing)


def _rgb(field: str, value: Any) -> RGB:
    if (
        isinstance(value, list | tuple)
        and len(value) == 3
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in value)
    ):
        return (value[0], value[1], value[2])
    raise PatternDefinitionError(field, value, "three integers 0-255")


def _stripe(index: int, raw: Any) -> Stripe:
    field = f"stripes[{index}]"
    if not isinstance(raw, Mapping):
        raise PatternDefinitionError(field, raw, "an object with color, width, offset")
    if "color" not in raw:
        raise PatternDefinitionError(f"{field}.color", None, "three integers 0-255")
    width = raw.get("width", 1)
    offset = raw.get("offset", 0)
    for name, value in (("width", width), ("offset", offset)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise PatternDefinitionError(f"{field}.{name}", value, "an integer")
    return Stripe(_rgb(f"{field}.color", raw["color"]), width, offset)
