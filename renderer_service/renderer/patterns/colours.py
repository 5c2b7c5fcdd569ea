"""The pattern colours of the palettes, and the caches that draw them.

A palette entry with a ``pattern`` object is a pattern colour (``palettes.load_palettes``
reads them); its ``screen`` / ``overlay``, if any, apply after the pattern, and a ``multiply``
beside a ``pattern`` is never used. Names are looked up in any case: ``fl_uk`` is ``FL_UK``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from renderer_service.renderer.patterns.coat import Sprite, patterned_sprite
from renderer_service.renderer.patterns.definition import PatternDefinition
from renderer_service.renderer.patterns.tiles import DRAWN_NAMES, Field, FieldCache, LruCache

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


class PatternColours:
    """The pattern colours of a set of palettes, with bounded caches of their fields and of
    the patterned coat sprites made from them (per colour and WHITE sprite cell)."""

    def __init__(
        self,
        colours: Mapping[str, PatternColour],
        cache: FieldCache | None = None,
        sprite_cache_size: int = DEFAULT_SPRITE_CACHE_SIZE,
    ):
        self.colours: dict[str, PatternColour] = {k.upper(): v for k, v in colours.items()}
        self.cache = cache if cache is not None else FieldCache()
        self.sprites: LruCache[tuple[str, int], Sprite] = LruCache(sprite_cache_size)

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
