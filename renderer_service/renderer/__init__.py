"""The ClanGen / Lifegen cat renderer: a library that knows nothing of HTTP.

Typical use::

    pack = SpritePack(Path("sprites/lifegen"))
    renderer = Renderer(pack)
    result = renderer.render(CatParams.model_validate({"spriteNumber": 8, "colour": "GINGER"}))
    png = encode_png(result.image)

The modern ClanGen layout (v0.13, named poses) is drawn by ``ModernRenderer`` (subpackage
``modern``), with the same interface.
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

# After the legacy names: the modern layout builds on them.
from .modern import (
    ModernCatParams,
    ModernRenderer,
    ModernSpritePack,
    bundled_modern_pack_path,
    is_modern_pack,
    legacy_pose_number,
)
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
    "ModernCatParams",
    "ModernRenderer",
    "ModernSpritePack",
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
    "bundled_modern_pack_path",
    "check_traits",
    "draw_on_background",
    "encode_animation",
    "encode_image",
    "encode_png",
    "is_modern_pack",
    "legacy_pose_number",
    "load_palettes",
    "parse_background",
    "upscale",
]
