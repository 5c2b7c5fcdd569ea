"""Applying a pattern to a pelt's WHITE sprite: the coat layer of a pattern colour.

Unlike a flat palette colour, a pattern multiplies **every** pixel of the sprite, whatever its
alpha, with no alpha weighting, in single precision, rounded half-to-even to 8 bits; alpha is
left alone. A translucent sprite pixel keeps its alpha and gets ``s x field`` in its colour.
A colour may add a ``screen`` and then an ``overlay`` after the pattern, before the clip.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer.patterns.tiles import Field

Sprite = NDArray[np.uint8]
"""A ``(50, 50, 4)`` uint8 RGBA sprite cell."""

_F32 = np.float32


def blend_operand(value: Sequence[float]) -> tuple[NDArray[np.float32], float]:
    """A ``screen`` / ``overlay`` value ``[r, g, b(, strength)]``: the colour as singles 0..1
    and the strength 0..1 (a strength above 1 is on the 0-255 scale; default 1)."""
    k = np.array(value[:3], dtype=np.float32) / _F32(255.0)
    strength = float(value[3]) if len(value) > 3 else 1.0
    if strength > 1:
        strength /= 255.0
    return k, min(max(strength, 0.0), 1.0)


def patterned_sprite(
    white: Sprite,
    field: Field,
    screen: Sequence[float] | None = None,
    overlay: Sequence[float] | None = None,
) -> Sprite:
    """``white`` (a WHITE coat sprite) multiplied by ``field``, then screened and overlaid."""
    rgb = white[:, :, :3].astype(np.float32) / _F32(255.0)
    p = rgb * field
    if screen is not None:
        k, a = blend_operand(screen)
        mixed = 1 - (1 - p) * (1 - k)
        p = ((1 - a) * p.astype(np.float64) + a * mixed).astype(np.float32)
    if overlay is not None:
        k, a = blend_operand(overlay)
        mixed = np.where(p <= 0.5, 2 * p * k, 1 - 2 * (1 - p) * (1 - k))
        p = ((1 - a) * p.astype(np.float64) + a * mixed).astype(np.float32)
    p = np.clip(p, _F32(0.0), _F32(1.0))
    out = np.empty_like(white)
    out[:, :, :3] = np.clip(np.rint(p * _F32(255.0)), 0, 255).astype(np.uint8)
    out[:, :, 3] = white[:, :, 3]
    return out
