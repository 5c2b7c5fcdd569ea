"""Pattern colours: palette colours whose coat is a repeating textile, flag or ornament.

A pattern colour's definition names one of 62 generators (``GENERATORS``): 26 compute a small
RGB tile with arithmetic (``computed``), 36 draw an SVG picture and rasterise it (``drawn``).
The tile is repeated over the 50 x 50 sprite cell (``tiles``), and the pelt's WHITE sprite is
multiplied by that field (``coat``). Fields are cached per definition, bounded.

Typical use::

    palettes = load_palettes(folder)          # pattern colours are read with the palettes
    sprite = palettes.patterns.coat("FL_UK", cell, pack.cells[cell])
"""

from renderer_service.renderer.patterns.coat import patterned_sprite
from renderer_service.renderer.patterns.colours import PatternColour, PatternColours
from renderer_service.renderer.patterns.definition import PatternDefinition, Stripe
from renderer_service.renderer.patterns.errors import (
    PatternDefinitionError,
    PatternError,
    PatternGenerationError,
)
from renderer_service.renderer.patterns.tiles import (
    DRAWN_NAMES,
    GENERATOR_NAMES,
    GENERATORS,
    CacheStats,
    Field,
    FieldCache,
    LruCache,
    make_tile,
    tile_field,
)

__all__ = [
    "DRAWN_NAMES",
    "GENERATORS",
    "GENERATOR_NAMES",
    "CacheStats",
    "Field",
    "FieldCache",
    "LruCache",
    "PatternColour",
    "PatternColours",
    "PatternDefinition",
    "PatternDefinitionError",
    "PatternError",
    "PatternGenerationError",
    "Stripe",
    "make_tile",
    "patterned_sprite",
    "tile_field",
]
