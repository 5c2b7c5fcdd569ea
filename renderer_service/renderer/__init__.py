"""The ClanGen / Lifegen cat renderer: a library that knows nothing of HTTP.

Typical use::

    pack = SpritePack(Path("sprites/lifegen"))
    renderer = Renderer(pack)
    result = renderer.render(CatParams.model_validate({"spriteNumber": 8, "colour": "GINGER"}))
    png = encode_png(result.image)
"""

from .catalog import Catalog, build_catalog
from .errors import RendererError, SpritePackError, TraitError
from .palettes import Palette, PaletteColour, PaletteError, Palettes, load_palettes
from .params import DEFAULT_POSE, CatParams, InvalidTraitsError, TortieLayer, check_traits
from .pipeline import Layer, Renderer, RenderResult
from .png import encode_png, upscale
from .sprites import CELL_SIZE, SpritePack
from .stages import DEFAULT_DARK_FOREST_OVERLAY, LAYER_IDS, STAGES, DarkForestOverlay
from .vocabulary import Vocabulary

__all__ = [
    "CELL_SIZE",
    "DEFAULT_DARK_FOREST_OVERLAY",
    "DEFAULT_POSE",
    "LAYER_IDS",
    "STAGES",
    "CatParams",
    "Catalog",
    "DarkForestOverlay",
    "InvalidTraitsError",
    "Layer",
    "Palette",
    "PaletteColour",
    "PaletteError",
    "Palettes",
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
    "encode_png",
    "load_palettes",
    "upscale",
]
