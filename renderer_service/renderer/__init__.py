"""The ClanGen / Lifegen cat renderer: a library that knows nothing of HTTP.

Typical use::

    pack = SpritePack(Path("sprites/lifegen"))
    renderer = Renderer(pack)
    result = renderer.render(CatParams.model_validate({"spriteNumber": 8, "colour": "GINGER"}))
    png = encode_png(result.image)

The modern ClanGen layout (v0.13, named poses) is drawn by ``ModernRenderer`` (subpackage
``modern``), with the same interface.
"""

from renderer_service.renderer.backgrounds import (
    DEFAULT_BACKGROUND,
    Background,
    PlatformSheet,
    draw_on_background,
    parse_background,
)
from renderer_service.renderer.catalog import Catalog, build_catalog
from renderer_service.renderer.diff import (
    LayerBlame,
    ReferenceError,
    decode_picture,
    diff_cat,
    display_scale_for,
    heatmap,
    reference_scale,
    side_by_side,
)
from renderer_service.renderer.errors import RendererError, SpritePackError, TraitError
from renderer_service.renderer.formats import (
    ANIMATED_FORMATS,
    FORMATS,
    MEDIA_TYPES,
    ImageFormat,
    encode_animation,
    encode_image,
)
from renderer_service.renderer.layouts import check_params, params_model_for
from renderer_service.renderer.modern import (
    DEFAULT_MODERN_POSE,
    LEGACY_POSE_NAMES,
    ModernCatalog,
    ModernCatParams,
    ModernRenderer,
    ModernSpritePack,
    ModernVocabulary,
    bundled_modern_pack_path,
    is_modern_pack,
    legacy_pose_number,
    pcm_params,
)
from renderer_service.renderer.palettes import (
    Palette,
    PaletteColour,
    PaletteError,
    Palettes,
    load_palettes,
)
from renderer_service.renderer.param_docs import document_request_params, document_tortie_layer
from renderer_service.renderer.params import (
    DEFAULT_POSE,
    MAX_LIST_LENGTH,
    POSE_COUNT,
    CatParams,
    InvalidTraitsError,
    TortieLayer,
    check_traits,
)
from renderer_service.renderer.patterns import PatternGenerationError
from renderer_service.renderer.pipeline import Image, Layer, Renderer, RenderResult
from renderer_service.renderer.png import (
    MAX_SCALE,
    DeflatedRows,
    deflate_rows,
    deflate_whole_rows,
    encode_png,
    encode_png_gathered,
    encode_png_resized,
    gather,
    nearest_index,
    png_from_rows,
    resize_nearest,
    upscale,
)
from renderer_service.renderer.sprites import CELL_SIZE, EMPTY_CELL, SpritePack
from renderer_service.renderer.stages import (
    DEFAULT_DARK_FOREST_OVERLAY,
    LAYER_IDS,
    STAGES,
    DarkForestOverlay,
)
from renderer_service.renderer.vocabulary import (
    ACCESSORY_LISTS,
    AFTERLIFE_LINEARTS,
    APRIL_FOOLS_LINEARTS,
    LIVING_LINEART,
    NONE_NAMES,
    PELT_SPRITE_NAMES,
    POINT_MARKINGS,
    VITILIGO_MARKINGS,
    Vocabulary,
    closest,
)

AnyRenderer = Renderer | ModernRenderer
"""A renderer of either layout: the two share one interface (``render``, ``picture``,
``check_traits``, ``vocabulary``, ``catalog``, ``pack``, ``warm_up``)."""

AnyVocabulary = Vocabulary | ModernVocabulary
"""The names a pack of either layout accepts (both fold names the same way: ``canonical``)."""

__all__ = [
    "ACCESSORY_LISTS",
    "AFTERLIFE_LINEARTS",
    "ANIMATED_FORMATS",
    "APRIL_FOOLS_LINEARTS",
    "CELL_SIZE",
    "DEFAULT_BACKGROUND",
    "DEFAULT_DARK_FOREST_OVERLAY",
    "DEFAULT_MODERN_POSE",
    "DEFAULT_POSE",
    "EMPTY_CELL",
    "FORMATS",
    "LAYER_IDS",
    "LEGACY_POSE_NAMES",
    "LIVING_LINEART",
    "MAX_LIST_LENGTH",
    "MAX_SCALE",
    "MEDIA_TYPES",
    "NONE_NAMES",
    "PELT_SPRITE_NAMES",
    "POINT_MARKINGS",
    "POSE_COUNT",
    "STAGES",
    "VITILIGO_MARKINGS",
    "AnyRenderer",
    "AnyVocabulary",
    "Background",
    "CatParams",
    "Catalog",
    "DarkForestOverlay",
    "DeflatedRows",
    "Image",
    "ImageFormat",
    "InvalidTraitsError",
    "Layer",
    "LayerBlame",
    "ModernCatParams",
    "ModernCatalog",
    "ModernRenderer",
    "ModernSpritePack",
    "ModernVocabulary",
    "Palette",
    "PaletteColour",
    "PaletteError",
    "Palettes",
    "PatternGenerationError",
    "PlatformSheet",
    "ReferenceError",
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
    "check_params",
    "check_traits",
    "closest",
    "decode_picture",
    "deflate_rows",
    "deflate_whole_rows",
    "diff_cat",
    "display_scale_for",
    "document_request_params",
    "document_tortie_layer",
    "draw_on_background",
    "encode_animation",
    "encode_image",
    "encode_png",
    "encode_png_gathered",
    "encode_png_resized",
    "gather",
    "heatmap",
    "is_modern_pack",
    "legacy_pose_number",
    "load_palettes",
    "nearest_index",
    "params_model_for",
    "parse_background",
    "pcm_params",
    "png_from_rows",
    "reference_scale",
    "resize_nearest",
    "side_by_side",
    "upscale",
]
