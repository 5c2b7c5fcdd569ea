"""Sprite packs: finding the bundled and configured folders, layering mods over them,
naming several packs (``PackSet``) and checking a pack (``cg3 pack check``).

The bundled packs' data sits beside this code: ``lifegen/``, ``palettes/``, ``platforms/``.
"""

from renderer_service.packs.bundled import (
    BUNDLED,
    BUNDLED_PACK_NAME,
    LAYER_SEPARATOR,
    bundled_pack_root,
    load_sprite_pack,
)
from renderer_service.packs.check import PackReport, check_pack
from renderer_service.packs.pack_set import PackSet, load_packs

__all__ = [
    "BUNDLED",
    "BUNDLED_PACK_NAME",
    "LAYER_SEPARATOR",
    "PackReport",
    "PackSet",
    "bundled_pack_root",
    "check_pack",
    "load_packs",
    "load_sprite_pack",
]
