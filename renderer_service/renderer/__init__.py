"""The ClanGen / Lifegen cat renderer: a library that knows nothing of HTTP.

Typical use::

    pack = SpritePack(Path("sprites/lifegen"))
    renderer = Renderer(pack)
    result = renderer.render(CatParams.model_validate({"spriteNumber": 8, "colour": "GINGER"}))
    png = encode_png(result.image)
"""

from .backgrounds import (
    DEFAULT_BACKGROUND,
    Background,
    PlatformSheet,
    draw_on_background,
    parse_background,
)
from .catalog import Catalog, build_catalog
from .errors import RendererError, SpritePackError, TraitError
from .formats import FORMATS, MEDIA_TYPES, ImageFormat, encode_animation, encode_image
from .palettes import Palette, PaletteColour, PaletteError, Palettes, load_palettes
from .params import DEFAULT_POSE, CatParams, InvalidTraitsError, TortieLayer, check_traits
from .pipeline import Layer, Renderer, RenderResult
from .png import encode_png, upscale
from .sprites import CELL_SIZE, SpritePack
from .stages import DEFAULT_DARK_FOREST_OVERLAY, LAYER_IDS, STAGES, DarkForestOverlay
from .vocabulary import Vocabulary

__all__ = [
    "CELL_SIZE",
    "DEFAULT_BACKGROUND",
    "DEFAULT_DARK_FOREST_OVERLAY",
    "DEFAULT_POSE",
    "FORMATS",
    "LAYER_IDS",
    "MEDIA_TYPES",
    "STAGES",
    "Background",
    "CatParams",
    "Catalog",
    "DarkForestOverlay",
    "ImageFormat",
    "InvalidTraitsError",
    "Layer",
    "Palette",
    "PaletteColour",
    "PaletteError",
    "Palettes",
    "PlatformSheet",
    "RenderResult",
    "Renderer",
    "RendererError",
    "SpritePack",
    "SpritePackError",
    "TortieLayer",
    "TraitError",
    "Vocabulary",
    "build_catalog",
    "check_traits",
    "draw_on_background",
    "encode_animation",
    "encode_image",
    "encode_png",
    "load_palettes",
    "parse_background",
    "upscale",
]
