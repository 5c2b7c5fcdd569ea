"""Sprite packs: finding the bundled and configured folders, layering mods over them,
naming several packs (``PackSet``) and checking a pack (``cg3 pack check``).

The bundled packs' data sits beside this code: ``lifegen/``, ``palettes/``, ``platforms/``.
"""

from renderer_service.packs.bundled import (
    BUNDLED,
    BUNDLED_MODERN_PACK_NAME,
    BUNDLED_PACK_NAME,
    BUNDLED_PACK_NAMES,
    LAYER_SEPARATOR,
    AnyPack,
    bundled_pack_root,
    default_packs_setting,
    load_sprite_pack,
)
from renderer_service.packs.check import PackReport, check_pack
from renderer_service.packs.check_modern import check_modern_pack
from renderer_service.packs.pack_set import PackSet, load_packs

__all__ = [
    "BUNDLED",
    "BUNDLED_MODERN_PACK_NAME",
    "BUNDLED_PACK_NAME",
    "BUNDLED_PACK_NAMES",
    "LAYER_SEPARATOR",
    "AnyPack",
    "PackReport",
    "PackSet",
    "bundled_pack_root",
    "check_modern_pack",
    "check_pack",
    "default_packs_setting",
    "load_packs",
    "load_sprite_pack",
]
