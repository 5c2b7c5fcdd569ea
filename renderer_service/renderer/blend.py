"""The blend arithmetic of pygame-ce, exactly, as compiled loops over uint8 RGBA arrays.

Every value is an integer 0-255; ``d`` is the destination pixel, ``s`` the source pixel:

- normal blit (``blit``): if ``dA == 0`` then ``d = s``; otherwise each of R, G, B becomes
  ``(((s - d) * sA + s) >> 8) + d`` and alpha ``sA + dA - (sA * dA) // 255``;
- ``BLEND_RGB_MULT`` (``multiply_rgb``): R, G, B become ``(d * s + 255) >> 8``;
- ``BLEND_RGBA_MULT`` (``multiply_rgba``): the same on all four channels;
- ``BLEND_RGB_ADD`` (``add_rgb``): R, G, B become ``min(255, d + s)``;
- ``BLEND_RGBA_MIN`` (``min_rgba``): all four channels become ``min(d, s)``.

The array functions (``blit``, ``multiply_rgb``...) work in place on a destination array and
are what the tests compare with pygame-ce. ``run_ops`` applies a whole list of operations to
a canvas in one compiled call, since calling into compiled code costs more than blending a
50 x 50 sprite; the layer view calls it stage by stage, then ``finish``. ``compose`` does all
of it for a plain render in one call, from a fresh canvas to the finished picture.
"""

from __future__ import annotations

import struct
import sys
from enum import IntEnum

import numpy as np
from numba import njit
from numpy.typing import NDArray

from renderer_service.renderer.png import compile_row_kernel


class Op(IntEnum):
    """Operation codes of ``run_ops``; an op row is ``[code, a, b, r, g, b]``."""

    BLIT = 0
    """Blit cell ``a``."""
    BLIT_MASKED = 1
    """Blit cell ``a`` after ``BLEND_RGBA_MULT`` with cell ``b`` (tortie patches)."""
    BLIT_TINTED = 2
    """Blit cell ``a`` after ``BLEND_RGB_MULT`` with the colour ``rgb`` (tinted white)."""
    BLIT_LAYERED = 3
    """Blit cell ``a`` after blitting cell ``b`` onto it (heterochromia eyes)."""
    MULTIPLY_COLOUR = 4
    """``BLEND_RGB_MULT`` the canvas with the colour ``rgb`` (tints)."""
    ADD_COLOUR = 5
    """``BLEND_RGB_ADD`` the colour ``rgb`` to the canvas (dilute tints)."""
    MULTIPLY_CELL = 6
    """``BLEND_RGB_MULT`` the canvas with cell ``a`` (shading)."""
    MIN_CELL = 7
    """``BLEND_RGBA_MIN`` the canvas with cell ``a`` (missing-part scars)."""
    MULTIPLY_CELL_RGBA = 8
    """``BLEND_RGBA_MULT`` the canvas with cell ``a`` (fading mask)."""
    UNDERLAY = 9
    """Replace the canvas with cell ``a`` with the canvas blitted over it (fading backdrop)."""
    BLIT_CUT = 10
    """Blit cell ``a`` with its alpha multiplied by cell ``b``'s alpha, its colour kept (a coat
    painted into the shape of white patches, as the CatGenerator's V2 generator does)."""
    OVERLAY_MULTIPLY = 11
    """Draw the canvas' own shape in the colour ``rgb`` at alpha ``a / b`` over the canvas
    with the W3C ``multiply`` blend (the V2 generator's Dark Forest overlay); see
    ``overlay_multiply_pixel``."""


ROW = struct.Struct("=6i")
"""One op row as the kernel reads it: six native int32 values."""


def row(op: Op, a: int = 0, b: int = 0, rgb: tuple[int, int, int] = (0, 0, 0)) -> bytes:
    """The op row ``[op, a, b, r, g, b]`` as bytes (both layouts' planners write these)."""
    return ROW.pack(int(op), a, b, *rgb)


# --- per-pixel arithmetic -------------------------------------------------------------------


@njit(inline="always", cache=True, nogil=True)
def _blend_channel(s: int, d: int, sa: int) -> int:
    return (((s - d) * sa + s) >> 8) + d


@njit(inline="always", cache=True, nogil=True)
def _blend_alpha(sa: int, da: int) -> int:
    return sa + da - (sa * da) // 255


@njit(inline="always", cache=True, nogil=True)
def _mul(d: int, s: int) -> int:
    return (d * s + 255) >> 8


@njit(inline="always", cache=True, nogil=True)
def _blit_pixel(dst: NDArray[np.uint8], y: int, x: int, sr: int, sg: int, sb: int, sa: int) -> None:
    """Normal blit of one source pixel onto ``dst[y, x]``."""
    if sa == 0:
        return
    da = np.int32(dst[y, x, 3])
    if da == 0:
        dst[y, x, 0] = sr
        dst[y, x, 1] = sg
        dst[y, x, 2] = sb
        dst[y, x, 3] = sa
        return
    dst[y, x, 0] = _blend_channel(sr, np.int32(dst[y, x, 0]), sa)
    dst[y, x, 1] = _blend_channel(sg, np.int32(dst[y, x, 1]), sa)
    dst[y, x, 2] = _blend_channel(sb, np.int32(dst[y, x, 2]), sa)
    dst[y, x, 3] = _blend_alpha(sa, da)


# --- array operations (in place on ``dst``) -------------------------------------------------


@njit(cache=True, nogil=True)
def blit(dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
    """Normal alpha blit of ``src`` onto ``dst`` (same shape, RGBA)."""
    for y in range(dst.shape[0]):
        for x in range(dst.shape[1]):
            _blit_pixel(
                dst,
                y,
                x,
                np.int32(src[y, x, 0]),
                np.int32(src[y, x, 1]),
                np.int32(src[y, x, 2]),
                np.int32(src[y, x, 3]),
            )


@njit(cache=True, nogil=True)
def multiply_rgb(dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
    """``BLEND_RGB_MULT``: multiply R, G, B of ``dst`` by ``src``; alpha unchanged."""
    for y in range(dst.shape[0]):
        for x in range(dst.shape[1]):
            for c in range(3):
                dst[y, x, c] = _mul(np.int32(dst[y, x, c]), np.int32(src[y, x, c]))


@njit(cache=True, nogil=True)
def multiply_rgba(dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
    """``BLEND_RGBA_MULT``: multiply all four channels of ``dst`` by ``src``."""
    for y in range(dst.shape[0]):
        for x in range(dst.shape[1]):
            for c in range(4):
                dst[y, x, c] = _mul(np.int32(dst[y, x, c]), np.int32(src[y, x, c]))


@njit(cache=True, nogil=True)
def add_rgb(dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
    """``BLEND_RGB_ADD``: add R, G, B of ``src`` to ``dst``, saturating; alpha unchanged."""
    for y in range(dst.shape[0]):
        for x in range(dst.shape[1]):
            for c in range(3):
                dst[y, x, c] = min(255, np.int32(dst[y, x, c]) + np.int32(src[y, x, c]))


@njit(cache=True, nogil=True)
def min_rgba(dst: NDArray[np.uint8], src: NDArray[np.uint8]) -> None:
    """``BLEND_RGBA_MIN``: the smaller of ``dst`` and ``src`` on all four channels."""
    for y in range(dst.shape[0]):
        for x in range(dst.shape[1]):
            for c in range(4):
                dst[y, x, c] = min(np.int32(dst[y, x, c]), np.int32(src[y, x, c]))


def solid(colour: tuple[int, int, int], shape: tuple[int, int] = (50, 50)) -> NDArray[np.uint8]:
    """A solid surface of ``colour`` with alpha 255, as ClanGen builds for a tint."""
    surface = np.empty((*shape, 4), dtype=np.uint8)
    surface[:, :, :3] = colour
    surface[:, :, 3] = 255
    return surface


# --- the render kernel ----------------------------------------------------------------------
# The kernel reads each pixel as one uint32 word, ``R | G << 8 | B << 16 | A << 24`` (the
# bytes of an RGBA pixel on a little-endian machine), and blends words with plain integer
# arithmetic and selects instead of branches, so the compiler turns each row into SIMD code
# (eight pixels at once with AVX2). Every intermediate is cast back to uint32: numba widens
# integer arithmetic to 64 bits, which would halve the pixels per instruction.

if sys.byteorder != "little":  # pragma: no cover - every supported platform is little-endian
    raise ImportError("the render kernel reads RGBA pixels as little-endian uint32 words")

U32 = np.uint32
_RED_BLUE = U32(0x00FF00FF)
"""The R and B bytes of a pixel word."""
_BYTE = U32(0xFF)
_ALPHA = U32(0xFF000000)
_8 = U32(8)
_16 = U32(16)
_24 = U32(24)


@njit(inline="always", cache=True, nogil=True)
def _byte(word, shift):  # type: ignore[no-untyped-def]
    return U32(U32(word >> shift) & _BYTE)


@njit(inline="always", cache=True, nogil=True)
def _mul_byte(d, s):  # type: ignore[no-untyped-def]
    """``(d * s + 255) >> 8`` of two bytes: pygame-ce's channel multiply."""
    return U32(U32(U32(d * s) + _BYTE) >> _8)


@njit(inline="always", cache=True, nogil=True)
def _div255(x):  # type: ignore[no-untyped-def]
    """``x // 255`` for ``0 <= x <= 65025``, without a division."""
    return U32(U32(U32(x + U32(1)) + U32(x >> _8)) >> _8)


@njit(inline="always", cache=True, nogil=True)
def _over(s, d):  # type: ignore[no-untyped-def]
    """The word ``s`` blitted over ``d`` with pygame-ce's normal blit (see the module doc).

    A colour channel's ``(((s - d) * sA + s) >> 8) + d`` equals
    ``(s * (sA + 1) + d * (256 - sA)) >> 8`` (the ``+ d`` moved inside the shift as
    ``+ 256 d``): never negative and at most 65535, so R and B are blended together, 16 bits
    apart in one word, without carrying into each other. A transparent ``s`` gives ``d``
    back from the same arithmetic (as in pygame), so no select is needed for it: a select that
    may store back the word it read becomes a masked store, which is slow on some CPUs.
    Over a transparent ``d`` the result is ``s`` whole.
    """
    sa = U32(s >> _24)
    da = U32(d >> _24)
    w = U32(sa + U32(1))
    v = U32(U32(256) - sa)
    rb = U32(U32(U32(U32(U32(s & _RED_BLUE) * w) + U32(U32(d & _RED_BLUE) * v)) >> _8) & _RED_BLUE)
    g = U32(U32(U32(_byte(s, _8) * w) + U32(_byte(d, _8) * v)) >> _8)
    a = U32(U32(sa + da) - _div255(U32(sa * da)))
    out = U32(U32(rb | U32(g << _8)) | U32(a << _24))
    return s if da == U32(0) else out


@njit(inline="always", cache=True, nogil=True)
def _mul_rgb(d, s):  # type: ignore[no-untyped-def]
    """``BLEND_RGB_MULT`` of the words ``d`` by ``s``: ``d``'s alpha kept."""
    r = _mul_byte(_byte(d, U32(0)), _byte(s, U32(0)))
    g = _mul_byte(_byte(d, _8), _byte(s, _8))
    b = _mul_byte(_byte(d, _16), _byte(s, _16))
    return U32(U32(U32(r | U32(g << _8)) | U32(b << _16)) | U32(d & _ALPHA))


@njit(inline="always", cache=True, nogil=True)
def _mul_rgba(d, s):  # type: ignore[no-untyped-def]
    """``BLEND_RGBA_MULT`` of the words ``d`` by ``s``."""
    a = _mul_byte(U32(d >> _24), U32(s >> _24))
    return U32(U32(_mul_rgb(d, s) & U32(0x00FFFFFF)) | U32(a << _24))


@njit(inline="always", cache=True, nogil=True)
def _mul_colour(d, r, g, b):  # type: ignore[no-untyped-def]
    """``BLEND_RGB_MULT`` of the word ``d`` by the colour ``(r, g, b)`` (uint32 each)."""
    rr = _mul_byte(_byte(d, U32(0)), r)
    gg = _mul_byte(_byte(d, _8), g)
    bb = _mul_byte(_byte(d, _16), b)
    return U32(U32(U32(rr | U32(gg << _8)) | U32(bb << _16)) | U32(d & _ALPHA))


@njit(inline="always", cache=True, nogil=True)
def _add_colour(d, r, g, b):  # type: ignore[no-untyped-def]
    """``BLEND_RGB_ADD`` of the colour ``(r, g, b)`` to the word ``d``, saturating."""
    rr = min(U32(_byte(d, U32(0)) + r), _BYTE)
    gg = min(U32(_byte(d, _8) + g), _BYTE)
    bb = min(U32(_byte(d, _16) + b), _BYTE)
    return U32(U32(U32(rr | U32(gg << _8)) | U32(bb << _16)) | U32(d & _ALPHA))


@njit(inline="always", cache=True, nogil=True)
def _min_rgba(d, s):  # type: ignore[no-untyped-def]
    """``BLEND_RGBA_MIN`` of the words ``d`` and ``s``."""
    r = min(_byte(d, U32(0)), _byte(s, U32(0)))
    g = min(_byte(d, _8), _byte(s, _8))
    b = min(_byte(d, _16), _byte(s, _16))
    a = min(U32(d >> _24), U32(s >> _24))
    return U32(U32(U32(r | U32(g << _8)) | U32(b << _16)) | U32(a << _24))


@njit(inline="always", cache=True, nogil=True)
def _masked(s, m):  # type: ignore[no-untyped-def]
    """The word ``s`` after ``BLEND_RGBA_MULT`` with the mask word ``m``."""
    return _mul_rgba(s, m)


@njit(inline="always", cache=True, nogil=True)
def _cut(s, m):  # type: ignore[no-untyped-def]
    """The word ``s`` with its alpha multiplied by the alpha of ``m``, its colour kept."""
    a = _mul_byte(U32(s >> _24), U32(m >> _24))
    return U32(U32(s & U32(0x00FFFFFF)) | U32(a << _24))


@njit(inline="always", cache=True, nogil=True)
def _blit_op(canvas, cells, a, cells_b, b, code, r, g, bl, start, stop):  # type: ignore[no-untyped-def]
    """A blit of cell ``a`` (ops 0-3 and 10) over the words ``start:stop``; one loop per op,
    so no branch per pixel."""
    n = stop - start
    dst = canvas[start:stop]
    src = cells[a, start:stop]
    if code == 0:
        for i in range(n):
            dst[i] = _over(src[i], dst[i])
    elif code == 1:
        mask = cells_b[b, start:stop]
        for i in range(n):
            dst[i] = _over(_masked(src[i], mask[i]), dst[i])
    elif code == 2:
        for i in range(n):
            dst[i] = _over(_mul_colour(src[i], r, g, bl), dst[i])
    elif code == 3:
        top = cells_b[b, start:stop]
        for i in range(n):
            dst[i] = _over(_over(top[i], src[i]), dst[i])
    else:
        mask = cells_b[b, start:stop]
        for i in range(n):
            dst[i] = _over(_cut(src[i], mask[i]), dst[i])


@njit(inline="always", cache=True, nogil=True)
def _canvas_op(canvas, cells, code, a, r, g, b, start, stop):  # type: ignore[no-untyped-def]
    """An op that changes the canvas in place (4-8), over the words ``start:stop``."""
    n = stop - start
    dst = canvas[start:stop]
    if code == 4:
        for i in range(n):
            dst[i] = _mul_colour(dst[i], r, g, b)
    elif code == 5:
        for i in range(n):
            dst[i] = _add_colour(dst[i], r, g, b)
    else:
        src = cells[a, start:stop]
        if code == 6:
            for i in range(n):
                dst[i] = _mul_rgb(dst[i], src[i])
        elif code == 7:
            for i in range(n):
                dst[i] = _min_rgba(dst[i], src[i])
        else:
            for i in range(n):
                dst[i] = _mul_rgba(dst[i], src[i])


@njit(inline="always", cache=True, nogil=True)
def _underlay(canvas, cells, a, start, stop):  # type: ignore[no-untyped-def]
    backdrop = cells[a].copy()
    n = stop - start
    dst = canvas[start:stop]
    under = backdrop[start:stop]
    for i in range(n):
        under[i] = _over(dst[i], under[i])
    canvas[:] = backdrop


@njit(inline="always", cache=True, nogil=True)
def overlay_multiply_pixel(
    colour: float, alpha: float, k: float, strength: float
) -> tuple[float, float]:
    """One channel of a pixel under the V2 Dark Forest overlay, in 0..1.

    The overlay is the canvas' shape in colour ``k`` at alpha ``strength * alpha``, drawn with
    ``multiply`` (W3C Compositing: mix ``(1 - alpha) k + alpha C k``, then source-over). Returns the
    new ``(colour, alpha)``; an opaque pixel becomes ``C (1 - strength (1 - k))``.
    """
    out_alpha = alpha * (1.0 + strength - strength * alpha)
    premultiplied = (
        strength * alpha * ((1.0 - alpha) * k + alpha * colour * k)
        + alpha * (1.0 - strength * alpha) * colour
    )
    return premultiplied / out_alpha, out_alpha


@njit(inline="always", cache=True, nogil=True)
def _overlay_multiply(canvas, r, g, b, num, den, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    strength = num / den
    kr, kg, kb = r / 255.0, g / 255.0, b / 255.0
    for y in range(y0, y1):
        for x in range(x0, x1):
            alpha = canvas[y, x, 3] / 255.0
            if alpha == 0.0:
                continue
            red, out_alpha = overlay_multiply_pixel(canvas[y, x, 0] / 255.0, alpha, kr, strength)
            green, _ = overlay_multiply_pixel(canvas[y, x, 1] / 255.0, alpha, kg, strength)
            blue, _ = overlay_multiply_pixel(canvas[y, x, 2] / 255.0, alpha, kb, strength)
            canvas[y, x, 0] = _round8(red)
            canvas[y, x, 1] = _round8(green)
            canvas[y, x, 2] = _round8(blue)
            canvas[y, x, 3] = _round8(out_alpha)


@njit(inline="always", cache=True, nogil=True)
def _round8(value: float) -> int:
    """A 0..1 value as 8 bits, rounded half-up."""
    return min(255, max(0, int(np.floor(value * 255.0 + 0.5))))


@njit(inline="always", cache=True, nogil=True)
def _words(pixels):  # type: ignore[no-untyped-def]
    """A C-contiguous ``(..., height, width, 4)`` uint8 RGBA array as ``(..., height * width)``
    uint32 pixel words."""
    shape = pixels.shape
    return pixels.view(np.uint32).reshape((*shape[:-3], shape[-3] * shape[-2]))


@njit(inline="always", cache=True, nogil=True)
def _span(width, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    """The words from the box's first pixel to its last, as ``(start, stop)``."""
    if y1 <= y0 or x1 <= x0:
        return 0, 0
    return y0 * width + x0, (y1 - 1) * width + x1


@njit(cache=True, nogil=True)
def _apply(canvas8, cells8, bboxes, ops, extent, extra8, extra_bboxes):  # type: ignore[no-untyped-def]
    """``run_ops`` on flat words: an op walks the span of words from its box's first pixel to
    its last, whole rows in between. A pixel of the span outside the box is transparent in
    every source (the box holds all its visible pixels), so a blit leaves it as it is; the
    canvas is transparent outside its extent, and a canvas-wide op keeps transparent pixels
    transparent. One long loop runs as SIMD code where short rows would not."""
    width = canvas8.shape[1]
    canvas = _words(canvas8)
    cells = _words(cells8)
    extra = _words(extra8)
    ey0, ey1, ex0, ex1 = extent[0], extent[1], extent[2], extent[3]
    for i in range(ops.shape[0]):
        code = ops[i, 0]
        a = ops[i, 1]
        b = ops[i, 2]
        r = U32(ops[i, 3])
        g = U32(ops[i, 4])
        bl = U32(ops[i, 5])
        ca, ba, ia = cells, bboxes, a
        if a < 0:
            ca, ba, ia = extra, extra_bboxes, -1 - a
        cb, bb, ib = cells, bboxes, b
        if b < 0:
            cb, bb, ib = extra, extra_bboxes, -1 - b
        if code <= 3 or code == 9 or code == 10:
            # What the op may make visible: the sprite's box (both boxes for a layered copy,
            # their overlap for a masked or cut one).
            y0, y1, x0, x1 = ba[ia, 0], ba[ia, 1], ba[ia, 2], ba[ia, 3]
            if code == 1 or code == 10:
                y0, y1 = max(y0, bb[ib, 0]), min(y1, bb[ib, 1])
                x0, x1 = max(x0, bb[ib, 2]), min(x1, bb[ib, 3])
            elif code == 3 and bb[ib, 1] > bb[ib, 0]:
                if y1 > y0:
                    y0, y1 = min(y0, bb[ib, 0]), max(y1, bb[ib, 1])
                    x0, x1 = min(x0, bb[ib, 2]), max(x1, bb[ib, 3])
                else:
                    y0, y1, x0, x1 = bb[ib, 0], bb[ib, 1], bb[ib, 2], bb[ib, 3]
            if code == 9:
                start, stop = _span(width, ey0, ey1, ex0, ex1)
                _underlay(canvas, ca, ia, start, stop)
            elif y1 > y0 and x1 > x0:
                start, stop = _span(width, y0, y1, x0, x1)
                _blit_op(canvas, ca, ia, cb, ib, code, r, g, bl, start, stop)
            if y1 > y0 and x1 > x0:
                if ey1 <= ey0:
                    ey0, ey1, ex0, ex1 = y0, y1, x0, x1
                else:
                    ey0, ey1 = min(ey0, y0), max(ey1, y1)
                    ex0, ex1 = min(ex0, x0), max(ex1, x1)
        elif code == 11:
            _overlay_multiply(canvas8, r, g, bl, a, b, ey0, ey1, ex0, ex1)
        else:
            start, stop = _span(width, ey0, ey1, ex0, ex1)
            _canvas_op(canvas, ca, code, ia, r, g, bl, start, stop)
    extent[0], extent[1], extent[2], extent[3] = ey0, ey1, ex0, ex1


def run_ops(
    canvas: NDArray[np.uint8],
    cells: NDArray[np.uint8],
    bboxes: NDArray[np.int32],
    ops: NDArray[np.int32],
    extent: NDArray[np.int32],
    extra: NDArray[np.uint8] | None = None,
    extra_bboxes: NDArray[np.int32] | None = None,
) -> None:
    """Apply ``ops`` in order to ``canvas`` (50 x 50 RGBA), reading sprites from ``cells``.

    ``bboxes[i]`` is ``(top, bottom, left, right)`` of cell ``i``'s visible pixels. ``extent``
    is the same box for the canvas; it is read and updated, so a caller can apply ops in
    several calls. Canvas-wide operations only visit the canvas' extent: outside it every
    pixel has alpha 0, and the colour of a pixel with alpha 0 never reaches the picture
    (a later blit replaces it whole, multiplies and adds leave its alpha at 0).

    A negative cell id ``-1 - i`` names ``extra[i]`` (boxes in ``extra_bboxes``): cells made
    for one render, such as a coat recoloured in a palette colour. ``canvas``, ``cells`` and
    ``extra`` must be C-contiguous.
    """
    if extra is None or extra_bboxes is None:
        extra, extra_bboxes = _NO_EXTRA, _NO_EXTRA_BBOXES
    _apply(canvas, cells, bboxes, ops, extent, extra, extra_bboxes)


_NO_EXTRA = np.zeros((1, 50, 50, 4), dtype=np.uint8)
_NO_EXTRA_BBOXES = np.zeros((1, 4), dtype=np.int32)


@njit(inline="always", cache=True, nogil=True)
def _finish(canvas, width, mirror):  # type: ignore[no-untyped-def]
    """Clear every pixel word with alpha 0, then mirror the rows of ``width`` words."""
    for i in range(canvas.shape[0]):
        word = canvas[i]
        canvas[i] = word if word >= U32(0x01000000) else U32(0)
    if mirror:
        for start in range(0, canvas.shape[0], width):
            row = canvas[start : start + width]
            for x in range(width // 2):
                left = row[x]
                row[x] = row[width - 1 - x]
                row[width - 1 - x] = left


@njit(cache=True, nogil=True)
def finish(canvas: NDArray[np.uint8], extent: NDArray[np.int32], mirror: bool) -> None:
    """Clear the colour of invisible pixels (so equal pictures encode equally), then mirror.

    Pixels outside ``extent`` are cleared whole."""
    y0, y1, x0, x1 = extent[0], extent[1], extent[2], extent[3]
    for y in range(canvas.shape[0]):
        for x in range(canvas.shape[1]):
            if y < y0 or y >= y1 or x < x0 or x >= x1:
                canvas[y, x, 3] = 0
    _finish(_words(canvas), canvas.shape[1], mirror)


def compose(
    cells: NDArray[np.uint8],
    bboxes: NDArray[np.int32],
    ops: bytes,
    mirror: bool,
    extra: NDArray[np.uint8] | None = None,
    extra_bboxes: NDArray[np.int32] | None = None,
) -> NDArray[np.uint8]:
    """A new 50 x 50 RGBA picture: ``ops`` applied to a transparent canvas, then finished.

    ``ops`` holds the op rows as native int32 values, six per row (``bytes`` of an int32
    array): ``run_ops`` and ``finish`` in one compiled call, without the canvas' extent.
    Negative cell ids name ``extra`` cells, as in ``run_ops``.
    """
    if extra is None or extra_bboxes is None:
        extra, extra_bboxes = _NO_EXTRA, _NO_EXTRA_BBOXES
    canvas = np.empty((50, 50, 4), dtype=np.uint8)
    _compose(canvas, cells, bboxes, ops, mirror, extra, extra_bboxes)
    return canvas


@njit(cache=True, nogil=True)
def _compose(picture, cells, bboxes, ops, mirror, extra, extra_bboxes):  # type: ignore[no-untyped-def]
    height, width = picture.shape[0], picture.shape[1]
    canvas = np.zeros(height * width, dtype=np.uint32)
    rows = len(ops) // 24
    table = np.empty((rows, 6), dtype=np.int32)
    for i in range(rows):
        for j in range(6):
            k = 24 * i + 4 * j
            table[i, j] = np.int32(
                np.uint32(ops[k])
                | np.uint32(ops[k + 1]) << np.uint32(8)
                | np.uint32(ops[k + 2]) << np.uint32(16)
                | np.uint32(ops[k + 3]) << np.uint32(24)
            )
    extent = np.zeros(4, dtype=np.int32)
    # One compiled _apply serves run_ops and this (compiling it twice doubled start-up).
    _apply(
        canvas.view(np.uint8).reshape(picture.shape),
        cells,
        bboxes,
        table,
        extent,
        extra,
        extra_bboxes,
    )
    # Finished into the picture, not in place: the canvas is transparent outside its extent,
    # and a word is kept or cleared by a select stored elsewhere (no masked store).
    out = _words(picture)
    if not mirror:
        for i in range(height * width):
            word = canvas[i]
            out[i] = word if word >= U32(0x01000000) else U32(0)
    else:
        for y in range(height):
            src = canvas[y * width : (y + 1) * width]
            dst = out[y * width : (y + 1) * width]
            for x in range(width):
                word = src[width - 1 - x]
                dst[x] = word if word >= U32(0x01000000) else U32(0)


def compile_kernels() -> None:
    """Compile (or read from numba's on-disk cache) the kernels a render calls, on arrays of
    the types a loaded pack has, so it can run before, or while, a pack loads.

    Compiling is mostly LLVM work, which releases the GIL: in a thread it overlaps loading
    the pack's atlases.
    """
    canvas = np.zeros((50, 50, 4), dtype=np.uint8)
    cells = np.zeros((1, 50, 50, 4), dtype=np.uint8)
    bboxes = np.zeros((1, 4), dtype=np.int32)
    extent = np.zeros(4, dtype=np.int32)
    run_ops(canvas, cells, bboxes, np.zeros((0, 6), dtype=np.int32), extent)
    finish(canvas, extent, False)
    compose(cells, bboxes, b"", False)
    blit(canvas, canvas.copy())
    compile_row_kernel()
