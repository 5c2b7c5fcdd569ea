"""Exact colour replacement on sprite cells: collar palettes and the afterlife's lineart.

ClanGen replaces colours with ``pygame.PixelArray.replace`` at distance 0, which compares whole
pixel values, alpha included: only a pixel equal to the colour in all four channels changes.

- Collars (``Sprites.apply_palettes``): one collar type's uncoloured sprite gets, for each
  colour of its palette, every base colour replaced one after another on the same pixels. A
  replacement equal to a later base colour is therefore replaced again (``NYLON_white``'s grey
  turns white and then blue-grey); that chaining is kept.
- Dead StarClan and Dark Forest cats (``generate_sprite``'s ``_recolor_lineart``): every
  opaque black pixel of a missing-part mask or an accessory becomes the afterlife's lineart
  colour, on a copy.
- Dead Unknown Residence cats: the same black pixels are meant to take the colour of
  ``line_ur_gradient`` under them, but the game writes that into the shared sprite and draws
  the copy it took before. A sprite's first draw keeps its black pixels; every later draw of it
  shows the gradient (``ur_gradient``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

RGBA = tuple[int, int, int, int]

OPAQUE_BLACK: RGBA = (0, 0, 0, 255)


def word(colour: Sequence[int]) -> int:
    """An RGBA colour as the uint32 word its four bytes make on a little-endian machine."""
    r, g, b, a = colour
    return int(r) | int(g) << 8 | int(b) << 16 | int(a) << 24


def _words(cells: NDArray[np.uint8]) -> NDArray[np.uint32]:
    """The pixels of C-contiguous RGBA ``cells`` as uint32 words (a view)."""
    return cells.view(np.uint32)[..., 0]


def replace_in_order(
    cells: NDArray[np.uint8], pairs: Sequence[tuple[RGBA, RGBA]]
) -> NDArray[np.uint8]:
    """A copy of ``cells`` (any leading shape, RGBA last) with each ``(old, new)`` of ``pairs``
    replaced in turn, exact matches only: later pairs see earlier replacements."""
    out = np.ascontiguousarray(cells).copy()
    words = _words(out)
    for old, new in pairs:
        words[words == np.uint32(word(old))] = np.uint32(word(new))
    return out


def palette_rows(palette: NDArray[np.uint8]) -> list[list[RGBA]]:
    """The rows of a collar palette image (height, width, RGBA) as lists of colours: row 0
    holds the sprite's base colours, row ``k + 1`` their replacements for colour ``k``."""
    return [
        [(int(p[0]), int(p[1]), int(p[2]), int(p[3])) for p in palette[row]]
        for row in range(palette.shape[0])
    ]


def lineart_colour(cell: NDArray[np.uint8], rgb: tuple[int, int, int]) -> NDArray[np.uint8]:
    """``cell`` with every opaque black pixel painted ``rgb`` (a dead StarClan or Dark Forest
    cat's accessory or missing-part mask)."""
    return replace_in_order(cell, [(OPAQUE_BLACK, (*rgb, 255))])


def ur_gradient(cell: NDArray[np.uint8], gradient: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """``cell`` with every opaque black pixel taken from ``gradient`` (the same pose's
    ``line_ur_gradient``): what a dead Unknown Residence cat shows from a sprite's second
    draw on."""
    out = np.ascontiguousarray(cell).copy()
    black = _words(out) == np.uint32(word(OPAQUE_BLACK))
    out[black] = gradient[black]
    return out
