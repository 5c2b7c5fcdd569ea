"""ClanGen's own drawing steps, done with pygame-ce, to check renders against.

Importing this module skips the importing test module when pygame-ce is not installed.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from numpy.typing import NDArray

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
pygame = pytest.importorskip("pygame")

Array = NDArray[np.uint8]


def to_surface(image: Array) -> object:
    height, width = image.shape[:2]
    return pygame.image.frombytes(image.tobytes(), (width, height), "RGBA").copy()


def from_surface(surface: object) -> Array:
    width, height = surface.get_size()  # type: ignore[attr-defined]
    data = pygame.image.tobytes(surface, "RGBA")
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4).copy()


def blit(image: Array, *sprites: Array, flags: int = 0) -> Array:
    """``image`` with each sprite blitted onto it in order (``new_sprite.blit(sprite)``)."""
    surface = to_surface(image)
    for sprite in sprites:
        surface.blit(to_surface(sprite), (0, 0), special_flags=flags)  # type: ignore[attr-defined]
    return from_surface(surface)


def multiply_colour(image: Array, colour: tuple[int, int, int]) -> Array:
    """A tint: ``BLEND_RGB_MULT`` with a solid surface of ``colour``."""
    tint = pygame.Surface(image.shape[1::-1], pygame.SRCALPHA)
    tint.fill((*colour, 255))
    surface = to_surface(image)
    surface.blit(tint, (0, 0), special_flags=pygame.BLEND_RGB_MULT)  # type: ignore[attr-defined]
    return from_surface(surface)


def tortie(base: Array, layers: list[tuple[Array, Array]]) -> Array:
    """The base coat with each ``(patches, mask)`` layer: the patches cut by the mask, blitted."""
    surface = to_surface(base)
    for patches, mask in layers:
        cut = to_surface(patches)
        cut.blit(to_surface(mask), (0, 0), special_flags=pygame.BLEND_RGBA_MULT)  # type: ignore[attr-defined]
        surface.blit(cut, (0, 0))  # type: ignore[attr-defined]
    return from_surface(surface)


def fade(image: Array, mask: Array, backdrop: Array) -> Array:
    """ClanGen's fading fog: multiply by the mask, then draw the result over the backdrop."""
    surface = to_surface(image)
    surface.blit(to_surface(mask), (0, 0), special_flags=pygame.BLEND_RGBA_MULT)  # type: ignore[attr-defined]
    temp = to_surface(backdrop)
    temp.blit(surface, (0, 0))  # type: ignore[attr-defined]
    return from_surface(temp)
