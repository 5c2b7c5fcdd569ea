"""Finding the sprite packs a service should draw from.

Two packs ship inside the package as package data, so a checkout, an installed wheel and
``uv run`` all find them the same way: ``lifegen`` (the legacy ClanGen layout, 3 x 7 cells,
poses 0-20; the default) and ``clangen`` (ClanGen v0.13's modern layout, 3 x 9 cells, 26 named
poses). ``CG3_SPRITE_ROOT`` and ``CG3_PACKS`` name folders: several separated by ``:`` are
looked up in order, atlas by atlas, and ``bundled:lifegen`` / ``bundled:clangen`` name the
packaged packs (``bundled`` alone is ``bundled:lifegen``): ``mymod:bundled`` is a mod over
the Lifegen pack.

A folder is a modern pack if and only if it holds ``pose_sprite_data.json``; a modern pack is
read from its one folder. The Lifegen pack is every legacy pack's layout: a folder of atlases
without ``spritesIndex.json`` (or without the game data) loads with its index and data standing
in.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from renderer_service.renderer import (
    ModernSpritePack,
    Palettes,
    SpritePack,
    SpritePackError,
    is_modern_pack,
    load_palettes,
)

BUNDLED_PACK_NAME = "lifegen"
"""The bundled pack a request draws with when it names none (the legacy layout)."""

BUNDLED_MODERN_PACK_NAME = "clangen"
"""The bundled pack in ClanGen v0.13's modern layout."""

BUNDLED_PACK_NAMES = (BUNDLED_PACK_NAME, BUNDLED_MODERN_PACK_NAME)
"""Every pack that ships with the package, the default first."""

PALETTES_FOLDER_NAME = "palettes"
"""The folder of the CatGenerator's palette colours, beside the bundled pack."""

BUNDLED = "bundled"
"""How ``CG3_SPRITE_ROOT`` and ``CG3_PACKS`` name a packaged pack among their folders:
``bundled:<name>``, or ``bundled`` alone for ``bundled:lifegen``."""

LAYER_SEPARATOR = ":"


def packs_folder() -> Path:
    """The package-data folder holding the bundled pack, its platforms, palettes and licences."""
    return Path(str(resources.files("renderer_service") / "packs"))


def bundled_pack_root(name: str = BUNDLED_PACK_NAME) -> Path:
    """The folder of a bundled pack (the Lifegen pack by default) inside the installed package."""
    return packs_folder() / name


def default_packs_setting() -> str:
    """What ``CG3_PACKS`` is when neither it nor ``CG3_SPRITE_ROOT`` is set: every bundled
    pack by its own name, the Lifegen pack first (the default)."""
    return ",".join(f"{name}={BUNDLED}{LAYER_SEPARATOR}{name}" for name in BUNDLED_PACK_NAMES)


def find_sprite_root(configured: Path | None, bundled: str = BUNDLED_PACK_NAME) -> Path:
    """The configured folder, or (``None``) the bundled pack named ``bundled``;
    ``SpritePackError`` if the folder is absent."""
    if configured is None:
        root = bundled_pack_root(bundled)
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
    parts = [part.strip() for part in str(configured).split(LAYER_SEPARATOR)]
    while parts:
        name = parts.pop(0)
        if not name:
            raise SpritePackError(
                str(configured), f"CG3_SPRITE_ROOT has an empty folder name in {configured!r}"
            )
        if name != BUNDLED:
            roots.append(find_sprite_root(Path(name)))
        elif parts and parts[0] in BUNDLED_PACK_NAMES:
            roots.append(find_sprite_root(None, parts.pop(0)))
        else:
            roots.append(find_sprite_root(None))
    return roots


AnyPack = SpritePack | ModernSpritePack
"""A loaded pack of either layout."""


def load_sprite_pack(configured: str | Path | None) -> AnyPack:
    """Find and load the pack (modern if its folder holds ``pose_sprite_data.json``); any
    problem raises ``SpritePackError`` saying what is wrong."""
    roots = find_sprite_roots(configured)
    modern = [root for root in roots if is_modern_pack(root)]
    if not modern:
        return SpritePack(roots, layout=find_sprite_root(None))
    if len(roots) > 1:
        raise SpritePackError(
            str(modern[0]),
            "a modern pack (one with pose_sprite_data.json) is read from its one folder; "
            f"layering folders over one is for legacy packs, and {configured!s} names "
            f"{len(roots)}",
        )
    return ModernSpritePack(modern[0])


def palettes_folder() -> Path:
    """The bundled palettes' folder inside the installed package."""
    return packs_folder() / PALETTES_FOLDER_NAME


def load_bundled_palettes(pack: SpritePack) -> Palettes:
    """The bundled palettes, checked against ``pack``: no palette colour may share a name
    with one of its coat colours (``PaletteError`` saying which otherwise)."""
    reserved = (name.removeprefix("single") for name in pack.groups if name.startswith("single"))
    return load_palettes(palettes_folder(), reserved=reserved)
