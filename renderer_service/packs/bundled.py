"""Finding the sprite pack a service should draw from.

The default pack (Lifegen, legacy ClanGen layout) ships inside the package as package data, so a
checkout, an installed wheel and ``uv run`` all find it the same way; ``CG3_SPRITE_ROOT`` names
another folder instead, or several separated by ``:`` (looked up in order, atlas by atlas),
where ``bundled`` names the packaged pack: ``mymod:bundled`` is a mod over the default pack.

The bundled pack is also every pack's layout: a folder of atlases without ``spritesIndex.json``
(or without the game data) loads with the bundled index and data standing in.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from renderer_service.renderer import Palettes, SpritePack, SpritePackError, load_palettes

BUNDLED_PACK_NAME = "lifegen"
"""The name of the pack that ships with the package."""

PALETTES_FOLDER_NAME = "palettes"
"""The folder of the CatGenerator's palette colours, beside the bundled pack."""

BUNDLED = "bundled"
"""How ``CG3_SPRITE_ROOT`` names the packaged pack among its folders."""

LAYER_SEPARATOR = ":"


def packs_folder() -> Path:
    """The package-data folder holding the bundled pack, its platforms, palettes and licences."""
    return Path(str(resources.files("renderer_service") / "packs"))


def bundled_pack_root() -> Path:
    """The bundled Lifegen pack's folder inside the installed package."""
    return packs_folder() / BUNDLED_PACK_NAME


def find_sprite_root(configured: Path | None) -> Path:
    """The configured folder, or the bundled pack; ``SpritePackError`` if the folder is absent."""
    if configured is None:
        root = bundled_pack_root()
        if not root.is_dir():
            raise SpritePackError(
                str(root), "the bundled sprite pack is missing from the installed package"
            )
        return root
    if not configured.is_dir():
        raise SpritePackError(
            str(configured), f"CG3_SPRITE_ROOT names no folder: {configured} does not exist"
        )
    return configured


def find_sprite_roots(configured: str | Path | None) -> list[Path]:
    """The folders a ``CG3_SPRITE_ROOT`` value names, in lookup order (``bundled``: the
    packaged pack); ``SpritePackError`` naming the first one that is not a folder."""
    if configured is None or not str(configured).strip():
        return [find_sprite_root(None)]
    roots = []
    for part in str(configured).split(LAYER_SEPARATOR):
        name = part.strip()
        if not name:
            raise SpritePackError(
                str(configured), f"CG3_SPRITE_ROOT has an empty folder name in {configured!r}"
            )
        roots.append(find_sprite_root(None if name == BUNDLED else Path(name)))
    return roots


def load_sprite_pack(configured: str | Path | None) -> SpritePack:
    """Find and load the pack; any problem raises ``SpritePackError`` saying what is wrong."""
    return SpritePack(find_sprite_roots(configured), layout=find_sprite_root(None))


def palettes_folder() -> Path:
    """The bundled palettes' folder inside the installed package."""
    return packs_folder() / PALETTES_FOLDER_NAME


def load_bundled_palettes(pack: SpritePack) -> Palettes:
    """The bundled palettes, checked against ``pack``: no palette colour may share a name
    with one of its coat colours (``PaletteError`` saying which otherwise)."""
    reserved = (name.removeprefix("single") for name in pack.groups if name.startswith("single"))
    return load_palettes(palettes_folder(), reserved=reserved)
