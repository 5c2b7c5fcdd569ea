"""Finding the sprite pack a service should draw from."""

from __future__ import annotations

from pathlib import Path

from .renderer import SpritePack, SpritePackError

CHECKOUT = Path(__file__).resolve().parent.parent
"""The folder that holds the ``renderer_service`` package (the repository checkout)."""


def candidate_roots(configured: Path | None, checkout: Path = CHECKOUT) -> list[Path]:
    """Where to look for the pack, in order: the setting, ``./sprites``, the shared pack."""
    if configured is not None:
        return [configured]
    return [checkout / "sprites", checkout.parent / "shared" / "sprites" / "lifegen"]


def find_sprite_root(configured: Path | None, checkout: Path = CHECKOUT) -> Path:
    """The first candidate that exists; ``SpritePackError`` naming every path tried if none."""
    candidates = candidate_roots(configured, checkout)
    for root in candidates:
        if root.is_dir():
            return root
    tried = ", ".join(str(root) for root in candidates)
    source = "CG3_SPRITE_ROOT" if configured is not None else "the default locations"
    raise SpritePackError(tried, f"no sprite pack folder at {source} (tried {tried})")


def load_sprite_pack(configured: Path | None, checkout: Path = CHECKOUT) -> SpritePack:
    """Find and load the pack; any problem raises ``SpritePackError`` saying what is wrong."""
    return SpritePack(find_sprite_root(configured, checkout))
