"""Which palette colours are pattern colours, and their definitions.

Palettes are JSON files ``{"id", "label", "colors": {NAME: {...}}}``; an entry with a
``pattern`` object is a pattern colour (its ``screen`` / ``overlay``, if any, apply after the
pattern; a ``multiply`` beside a ``pattern`` is never used). Names are upper-cased, so
``fl_uk`` and ``FL_UK`` are the same colour. Files are read in sorted name order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .coat import Sprite, patterned_sprite
from .definition import PatternDefinition
from .errors import PatternDefinitionError
from .tiles import DRAWN_NAMES, GENERATOR_NAMES, Field, FieldCache, LruCache

DEFAULT_SPRITE_CACHE_SIZE = 4096
"""Patterned coat sprites kept by default (10 kB each, so about 40 MB when full)."""


@dataclass(frozen=True, slots=True)
class PatternColour:
    name: str
    palette: str
    definition: PatternDefinition
    screen: tuple[float, ...] | None = None
    overlay: tuple[float, ...] | None = None

    @property
    def generator(self) -> str:
        return self.definition.type

    @property
    def drawn(self) -> bool:
        """Whether the generator rasterises an SVG picture."""
        return self.definition.type in DRAWN_NAMES


def _operand(name: str, key: str, value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if (
        isinstance(value, list)
        and len(value) in (3, 4)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return tuple(float(v) for v in value)
    raise PatternDefinitionError(f"{name}.{key}", value, "[r, g, b] or [r, g, b, strength]")


def read_pattern_colours(folder: Path) -> dict[str, PatternColour]:
    """Every pattern colour of the palettes in ``folder``, by upper-case name.

    Raises ``PatternDefinitionError`` naming the palette and colour of a malformed definition,
    so a broken palette stops the service at start rather than drawing something wrong.
    """
    colours: dict[str, PatternColour] = {}
    for path in sorted(Path(folder).glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        palette = str(raw.get("id", path.stem))
        entries: Mapping[str, Any] = raw.get("colors", {})
        for name, entry in entries.items():
            if not isinstance(entry, Mapping) or "pattern" not in entry:
                continue
            key = name.upper()
            try:
                definition = PatternDefinition.from_dict(entry["pattern"], GENERATOR_NAMES)
            except PatternDefinitionError as error:
                raise PatternDefinitionError(
                    f"{palette}/{name}: {error.field}", error.value, error.expected
                ) from error
            colours.setdefault(
                key,
                PatternColour(
                    key,
                    palette,
                    definition,
                    _operand(key, "screen", entry.get("screen")),
                    _operand(key, "overlay", entry.get("overlay")),
                ),
            )
    return colours


class PatternColours:
    """The pattern colours of a set of palettes, with bounded caches of their fields and of
    the patterned coat sprites made from them (per colour and WHITE sprite cell)."""

    def __init__(
        self,
        colours: Mapping[str, PatternColour],
        cache: FieldCache | None = None,
        sprite_cache_size: int = DEFAULT_SPRITE_CACHE_SIZE,
    ):
        self.colours: dict[str, PatternColour] = dict(colours)
        self.cache = cache if cache is not None else FieldCache()
        self.sprites: LruCache[tuple[str, int], Sprite] = LruCache(sprite_cache_size)

    @classmethod
    def from_folder(cls, folder: Path, cache: FieldCache | None = None) -> PatternColours:
        return cls(read_pattern_colours(folder), cache)

    def get(self, name: str) -> PatternColour | None:
        """The pattern colour called ``name`` (any case), or None."""
        return self.colours.get(name.upper())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.upper() in self.colours

    def __len__(self) -> int:
        return len(self.colours)

    def names(self) -> Sequence[str]:
        return sorted(self.colours)

    def field(self, name: str) -> Field:
        """The 50 x 50 field of the colour ``name``. ``KeyError`` if it is no pattern colour;
        ``PatternGenerationError`` naming it if its generator fails."""
        colour = self.colours[name.upper()]
        return self.cache.field(colour.definition, colour.name)

    def coat(self, name: str, cell: int, white: Sprite) -> Sprite:
        """``white`` (the WHITE coat sprite of cell id ``cell``) in the pattern colour ``name``,
        screened and overlaid as the colour says. Cached per ``(name, cell)``: ``cell`` must
        identify ``white`` (a sprite pack's cell id does)."""
        colour = self.colours[name.upper()]

        def make() -> Sprite:
            sprite = patterned_sprite(white, self.field(name), colour.screen, colour.overlay)
            sprite.flags.writeable = False
            return sprite

        return self.sprites.get((colour.name, cell), make)

    def clear(self) -> None:
        """Forget every cached field and sprite."""
        self.cache.clear()
        self.sprites.clear()
