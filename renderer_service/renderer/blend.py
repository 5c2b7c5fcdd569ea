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
a canvas in one compiled call; it is what a render uses, since calling into compiled code
costs more than blending a 50 x 50 sprite.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit
from numpy.typing import NDArray


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
# One loop per operation, so the compiler sees no operation branch inside a pixel loop.


@njit(inline="always", cache=True, nogil=True)
def _blit_cell(canvas, cells, a, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            sa = np.int32(cells[a, y, x, 3])
            if sa != 0:
                _blit_pixel(
                    canvas,
                    y,
                    x,
                    np.int32(cells[a, y, x, 0]),
                    np.int32(cells[a, y, x, 1]),
                    np.int32(cells[a, y, x, 2]),
                    sa,
                )


@njit(inline="always", cache=True, nogil=True)
def _blit_masked(canvas, ca, a, cb, b, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            sa = _mul(np.int32(ca[a, y, x, 3]), np.int32(cb[b, y, x, 3]))
            if sa != 0:
                _blit_pixel(
                    canvas,
                    y,
                    x,
                    _mul(np.int32(ca[a, y, x, 0]), np.int32(cb[b, y, x, 0])),
                    _mul(np.int32(ca[a, y, x, 1]), np.int32(cb[b, y, x, 1])),
                    _mul(np.int32(ca[a, y, x, 2]), np.int32(cb[b, y, x, 2])),
                    sa,
                )


@njit(inline="always", cache=True, nogil=True)
def _blit_cut(canvas, ca, a, cb, b, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            sa = _mul(np.int32(ca[a, y, x, 3]), np.int32(cb[b, y, x, 3]))
            if sa != 0:
                _blit_pixel(
                    canvas,
                    y,
                    x,
                    np.int32(ca[a, y, x, 0]),
                    np.int32(ca[a, y, x, 1]),
                    np.int32(ca[a, y, x, 2]),
                    sa,
                )


@njit(inline="always", cache=True, nogil=True)
def _blit_tinted(canvas, cells, a, r, g, b, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            sa = np.int32(cells[a, y, x, 3])
            if sa != 0:
                _blit_pixel(
                    canvas,
                    y,
                    x,
                    _mul(np.int32(cells[a, y, x, 0]), r),
                    _mul(np.int32(cells[a, y, x, 1]), g),
                    _mul(np.int32(cells[a, y, x, 2]), b),
                    sa,
                )


@njit(inline="always", cache=True, nogil=True)
def _blit_layered(canvas, ca, a, cb, b, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    for y in range(y0, y1):
        for x in range(x0, x1):
            sr = np.int32(ca[a, y, x, 0])
            sg = np.int32(ca[a, y, x, 1])
            sb = np.int32(ca[a, y, x, 2])
            sa = np.int32(ca[a, y, x, 3])
            ta = np.int32(cb[b, y, x, 3])
            if ta != 0:
                tr = np.int32(cb[b, y, x, 0])
                tg = np.int32(cb[b, y, x, 1])
                tb = np.int32(cb[b, y, x, 2])
                if sa == 0:
                    sr, sg, sb, sa = tr, tg, tb, ta
                else:
                    sr = _blend_channel(tr, sr, ta)
                    sg = _blend_channel(tg, sg, ta)
                    sb = _blend_channel(tb, sb, ta)
                    sa = _blend_alpha(ta, sa)
            if sa != 0:
                _blit_pixel(canvas, y, x, sr, sg, sb, sa)


@njit(inline="always", cache=True, nogil=True)
def _underlay(canvas, cells, a, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    backdrop = cells[a].copy()
    for y in range(y0, y1):
        for x in range(x0, x1):
            ca = np.int32(canvas[y, x, 3])
            if ca != 0:
                _blit_pixel(
                    backdrop,
                    y,
                    x,
                    np.int32(canvas[y, x, 0]),
                    np.int32(canvas[y, x, 1]),
                    np.int32(canvas[y, x, 2]),
                    ca,
                )
    canvas[:, :, :] = backdrop


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
def _canvas_op(canvas, cells, code, a, r, g, b, y0, y1, x0, x1):  # type: ignore[no-untyped-def]
    if code == 4:
        for y in range(y0, y1):
            for x in range(x0, x1):
                canvas[y, x, 0] = _mul(np.int32(canvas[y, x, 0]), r)
                canvas[y, x, 1] = _mul(np.int32(canvas[y, x, 1]), g)
                canvas[y, x, 2] = _mul(np.int32(canvas[y, x, 2]), b)
    elif code == 5:
        for y in range(y0, y1):
            for x in range(x0, x1):
                canvas[y, x, 0] = min(255, np.int32(canvas[y, x, 0]) + r)
                canvas[y, x, 1] = min(255, np.int32(canvas[y, x, 1]) + g)
                canvas[y, x, 2] = min(255, np.int32(canvas[y, x, 2]) + b)
    elif code == 6:
        for y in range(y0, y1):
            for x in range(x0, x1):
                for c in range(3):
                    canvas[y, x, c] = _mul(np.int32(canvas[y, x, c]), np.int32(cells[a, y, x, c]))
    elif code == 7:
        for y in range(y0, y1):
            for x in range(x0, x1):
                for c in range(4):
                    canvas[y, x, c] = min(np.int32(canvas[y, x, c]), np.int32(cells[a, y, x, c]))
    elif code == 8:
        for y in range(y0, y1):
            for x in range(x0, x1):
                for c in range(4):
                    canvas[y, x, c] = _mul(np.int32(canvas[y, x, c]), np.int32(cells[a, y, x, c]))


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
    for one render, such as a coat recoloured in a palette colour.
    """
    if extra is None or extra_bboxes is None:
        extra, extra_bboxes = _NO_EXTRA, _NO_EXTRA_BBOXES
    _run_ops(canvas, cells, bboxes, ops, extent, extra, extra_bboxes)


_NO_EXTRA = np.zeros((1, 50, 50, 4), dtype=np.uint8)
_NO_EXTRA_BBOXES = np.zeros((1, 4), dtype=np.int32)


@njit(cache=True, nogil=True)
def _run_ops(canvas, cells, bboxes, ops, extent, extra, extra_bboxes):  # type: ignore[no-untyped-def]
    ey0, ey1, ex0, ex1 = extent[0], extent[1], extent[2], extent[3]
    for i in range(ops.shape[0]):
        code = ops[i, 0]
        a = ops[i, 1]
        b = ops[i, 2]
        r = np.int32(ops[i, 3])
        g = np.int32(ops[i, 4])
        bl = np.int32(ops[i, 5])
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
            if code == 0:
                _blit_cell(canvas, ca, ia, y0, y1, x0, x1)
            elif code == 1:
                _blit_masked(canvas, ca, ia, cb, ib, y0, y1, x0, x1)
            elif code == 2:
                _blit_tinted(canvas, ca, ia, r, g, bl, y0, y1, x0, x1)
            elif code == 3:
                _blit_layered(canvas, ca, ia, cb, ib, y0, y1, x0, x1)
            elif code == 10:
                _blit_cut(canvas, ca, ia, cb, ib, y0, y1, x0, x1)
            else:
                _underlay(canvas, ca, ia, ey0, ey1, ex0, ex1)
            if y1 > y0 and x1 > x0:
                if ey1 <= ey0:
                    ey0, ey1, ex0, ex1 = y0, y1, x0, x1
                else:
                    ey0, ey1 = min(ey0, y0), max(ey1, y1)
                    ex0, ex1 = min(ex0, x0), max(ex1, x1)
        elif code == 11:
            _overlay_multiply(canvas, r, g, bl, a, b, ey0, ey1, ex0, ex1)
        else:
            _canvas_op(canvas, ca, code, ia, r, g, bl, ey0, ey1, ex0, ex1)
    extent[0], extent[1], extent[2], extent[3] = ey0, ey1, ex0, ex1


@njit(cache=True, nogil=True)
def finish(canvas: NDArray[np.uint8], extent: NDArray[np.int32], mirror: bool) -> None:
    """Clear the colour of invisible pixels (so equal pictures encode equally), then mirror."""
    for y in range(canvas.shape[0]):
        for x in range(canvas.shape[1]):
            if y < extent[0] or y >= extent[1] or x < extent[2] or x >= extent[3]:
                canvas[y, x, 0] = 0
                canvas[y, x, 1] = 0
                canvas[y, x, 2] = 0
                canvas[y, x, 3] = 0
            elif canvas[y, x, 3] == 0:
                canvas[y, x, 0] = 0
                canvas[y, x, 1] = 0
                canvas[y, x, 2] = 0
    if mirror:
        width = canvas.shape[1]
        for y in range(canvas.shape[0]):
            for x in range(width // 2):
                for c in range(4):
                    left = np.int32(canvas[y, x, c])
                    canvas[y, x, c] = canvas[y, width - 1 - x, c]
                    canvas[y, width - 1 - x, c] = left


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
    blit(canvas, canvas.copy())
