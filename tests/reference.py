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


# --- the CatGenerator V2 generator's float arithmetic, pixel by pixel ---------------------


def _round8(value: float) -> int:
    """A 0..1 value as 8 bits, rounded half-up."""
    return max(0, min(255, int(value * 255 + 0.5)))


def dark_forest_overlay_float(image: Array, colour: tuple[int, int, int], alpha: float) -> Array:
    """The overlay as the V2 contract states it: on a pixel of alpha ``a`` and colour ``C``,
    the new alpha is ``a (1 + A - A a)`` and the colour
    ``[A a ((1 - a) k + a C k) + a (1 - A a) C] / new alpha``, for overlay colour ``k`` and
    overlay alpha ``A`` (opaque pixels: ``C (1 - A (1 - k))``)."""
    out = image.copy()
    big_a = alpha
    for y in range(image.shape[0]):
        for x in range(image.shape[1]):
            a = image[y, x, 3] / 255
            if a == 0:
                continue
            new_alpha = a * (1 + big_a - big_a * a)
            for c in range(3):
                k = colour[c] / 255
                value = image[y, x, c] / 255
                mixed = big_a * a * ((1 - a) * k + a * value * k) + a * (1 - big_a * a) * value
                out[y, x, c] = _round8(mixed / new_alpha)
            out[y, x, 3] = _round8(new_alpha)
    return out


def palette_recolour_float(
    sprite: Array,
    multiply: tuple[int, int, int] | None,
    screen: tuple[int, int, int, float] | None,
) -> Array:
    """A palette colour as the V2 contract states it: per channel, ``x = m (1 - a + a c)``,
    then ``y = x + s_a s (1 - x)`` with a screen ``[s, s_a]``; alpha kept."""
    out = sprite.copy()
    for y in range(sprite.shape[0]):
        for x in range(sprite.shape[1]):
            a = sprite[y, x, 3] / 255
            for c in range(3):
                m = (multiply[c] if multiply is not None else 255) / 255
                value = m * (1 - a + a * sprite[y, x, c] / 255)
                if screen is not None:
                    value = value + screen[3] * (screen[c] / 255) * (1 - value)
                out[y, x, c] = _round8(value)
    return out
