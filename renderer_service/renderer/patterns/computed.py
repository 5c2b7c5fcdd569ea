"""The 26 generators that compute their tile with arithmetic.

Each takes a ``PatternDefinition`` and returns an ``(h, w, 3)`` float32 tile of values 0..1.
``B`` and ``F`` are the background and foreground as ``float32(v) / 255``. The float precision
of each step is part of the pattern: where a generator works in single precision (``uroko``,
``same_komon``, ``kanoko``, the 50 % mixes) the edges of its shapes and the rounding of its
mixes depend on it, so the steps below keep the precision (and the order) they are written in.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer.patterns.definition import RGB, PatternDefinition

Tile = NDArray[np.float32]
Generator = Callable[[PatternDefinition], Tile]

CELL = 50
"""Edge of a sprite cell: ``chevron`` and ``diagonal`` always draw one whole cell."""

_F32 = np.float32


def colour(rgb: RGB) -> NDArray[np.float32]:
    """An RGB 0-255 colour as three single-precision values 0..1."""
    return np.array(rgb, dtype=np.float32) / _F32(255.0)


def _bf(defn: PatternDefinition) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    return colour(defn.background), colour(defn.foreground_or_white)


def _grid(size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(y, x)`` integer coordinates of a ``size`` x ``size`` tile."""
    yy, xx = np.mgrid[:size, :size]
    return yy.astype(np.int64), xx.astype(np.int64)


def _pick(mask: NDArray[np.bool_], fg: NDArray[np.float32], bg: NDArray[np.float32]) -> Tile:
    return np.where(mask[..., None], fg, bg).astype(np.float32)


def _centred(ts: int) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """``|x + 0.5 - c|`` and ``|y + 0.5 - c|`` in double, and ``c = ts / 2``."""
    yy, xx = _grid(ts)
    c = ts / 2.0
    return np.abs(xx + 0.5 - c), np.abs(yy + 0.5 - c), c


# --- checks and stripes ----------------------------------------------------------------------


def tartan(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    tile = np.empty((ts, ts, 3), dtype=np.float32)
    tile[:] = colour(defn.background)
    half = _F32(0.5)
    for stripe in defn.stripes:
        sc = colour(stripe.colour)
        for i in range(stripe.width):
            k = (stripe.offset + i) % ts
            tile[k, :] = half * tile[k, :] + half * sc
            tile[:, k] = half * tile[:, k] + half * sc
    return np.clip(tile, 0.0, 1.0).astype(np.float32)


def _mix(bg: NDArray[np.float32], fg: NDArray[np.float32]) -> NDArray[np.float32]:
    half = _F32(0.5)
    return (half * bg + half * fg).astype(np.float32)


def _quarters(
    ts: int,
    top_left: NDArray[np.float32],
    off: NDArray[np.float32],
    bottom_right: NDArray[np.float32],
) -> Tile:
    """A ``ts`` tile in four quarters: ``top_left``, ``off`` on the other diagonal, and
    ``bottom_right``."""
    h = ts // 2
    tile = np.empty((ts, ts, 3), dtype=np.float32)
    tile[:h, :h] = top_left
    tile[:h, h:] = off
    tile[h:, :h] = off
    tile[h:, h:] = bottom_right
    return tile


def gingham(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    return _quarters(defn.tile_size, bg, _mix(bg, fg), fg)


def buffalo(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    dark = _F32(0.3) * bg + _F32(0.15) * fg
    tile = _quarters(defn.tile_size, bg, fg, dark)
    return np.clip(tile, 0.0, 1.0).astype(np.float32)


def checkerboard(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    h = max(defn.tile_size // 2, 1)
    yy, xx = _grid(defn.tile_size)
    return _pick((yy // h + xx // h) % 2 == 0, bg, fg)


def windowpane(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    yy, xx = _grid(defn.tile_size)
    return _pick((yy == 0) | (xx == 0), fg, bg)


def pinstripe(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    spacing = max(defn.spacing, 2)
    _, xx = _grid(defn.tile_size)
    return _pick(xx % spacing == 0, fg, bg)


def houndstooth(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    h = max(defn.tile_size // 2, 2)
    step = max(h // 4, 1)
    yy, xx = _grid(defn.tile_size)
    dark = (xx % h // step) * step <= yy % h
    quadrant = 2 * (yy // h % 2) + xx // h % 2
    inverted = (quadrant == 1) | (quadrant == 2)
    return _pick(np.where(inverted, ~dark, dark), fg, bg)


def basketweave(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    h = max(defn.tile_size // 2, 1)
    yy, xx = _grid(defn.tile_size)
    horizontal = (yy // h + xx // h) % 2 == 0
    th = ((xx % h) / max(h - 1, 1) * 0.15)[..., None]
    tv = ((yy % h) / max(h - 1, 1) * 0.15)[..., None]
    bg64, fg64 = bg.astype(np.float64), fg.astype(np.float64)
    across = (1 - th) * bg64 + th * fg64
    down = (1 - tv) * fg64 + tv * bg64
    return np.clip(np.where(horizontal[..., None], across, down), 0.0, 1.0).astype(np.float32)


def kente(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    mix = _mix(bg, fg)
    h = max(defn.tile_size // 2, 2)
    w = max(h // 3, 2)
    yy, xx = _grid(defn.tile_size)
    block = (yy // h + xx // h) % 2
    stripe = np.where(block == 0, yy % w < w // 2, xx % w < w // 2)
    return np.clip(_pick(stripe, fg, mix), 0.0, 1.0).astype(np.float32)


def argyle(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    yy, xx = _grid(ts)
    c = ts / 2.0
    diamond = np.abs(xx + 0.5 - c) / c + np.abs(yy + 0.5 - c) / c <= 1.0
    tile = _pick(diamond, fg, bg)
    line = ((xx + yy) % ts == 0) | ((xx - yy) % ts == 0)
    if defn.stripes:
        half = _F32(0.5)
        for stripe in defn.stripes:
            tile[line] = half * tile[line] + half * colour(stripe.colour)
    else:
        tile[line] = _mix(bg, fg)
    return np.clip(tile, 0.0, 1.0).astype(np.float32)


# --- whole-cell generators -------------------------------------------------------------------


def chevron(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    w = max(defn.spacing, 2)
    yy, xx = _grid(CELL)
    mirrored = np.where(xx < CELL // 2, xx, CELL - 1 - xx)
    return _pick((yy + mirrored) % w < w // 2, fg, bg)


def diagonal(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    w = max(defn.spacing, 2)
    yy, xx = _grid(CELL)
    return _pick((xx + yy) % (2 * w) < w, fg, bg)


# --- banded flags ----------------------------------------------------------------------------


def flag(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    tile = np.empty((ts, ts, 3), dtype=np.float32)
    tile[:] = colour(defn.background)
    if not defn.stripes:
        tile[ts // 2 :] = colour(defn.foreground_or_white)
        return tile
    total = sum(s.width for s in defn.stripes)
    y = 0
    last = len(defn.stripes) - 1
    for i, stripe in enumerate(defn.stripes):
        # round() is half-to-even, which decides bands such as 50 x 1 / 4 = 12.5 -> 12.
        h = ts - y if i == last else max(round(ts * stripe.width / total), 1)
        end = min(y + h, ts)
        tile[y:end] = colour(stripe.colour)
        y = end
        if y >= ts:
            break
    return tile


# --- motifs centred in the tile (double precision) ------------------------------------------


def polkadot(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, _ = _centred(ts)
    d = np.sqrt(dx**2 + dy**2)
    t = np.clip((ts / 3.0 - d) / 0.8, 0.0, 1.0)[..., None]
    return ((1 - t) * bg + t * fg).astype(np.float32)


def eight_point_star(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, _ = _centred(ts)
    side = ts * 0.22
    return _pick(((dx <= side) & (dy <= side)) | (dx + dy <= ts * 0.4), fg, bg)


def chinese_coin(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, _ = _centred(ts)
    hole = ts * 0.12
    disc = np.sqrt(dx**2 + dy**2) <= ts * 0.42
    return _pick(disc & ~((dx <= hole) & (dy <= hole)), fg, bg)


def dancheong(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, _ = _centred(ts)
    ring = (np.maximum(dx, dy) / max(ts / 6, 1.5)).astype(np.int64)
    return _pick(ring % 2 == 0, fg, bg)


def hishi(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    dx, dy, c = _centred(defn.tile_size)
    e = dx / c + dy / c
    return _pick((np.abs(e - 0.6) < 0.08) | (np.abs(e - 0.85) < 0.06), fg, bg)


def nordic_snowflake(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, c = _centred(ts)
    a = ts * 0.08
    g = ts * 0.06
    s = dx + dy
    arms = ((dx < a) | (dy < a)) & (s < 0.9 * c)
    diagonals = (np.abs(dx - dy) < g) & (s < 0.85 * c)
    ring = (s > 0.6 * c) & (s < 0.75 * c) & ((dx < 2 * a) | (dy < 2 * a))
    return _pick(arms | diagonals | ring, fg, bg)


def nordic_diamond(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, c = _centred(ts)
    e = dx / c + dy / c
    centre = (dx < ts * 0.06) & (dy < ts * 0.06)
    return _pick((np.abs(e - 0.7) < 0.1) | centre, fg, bg)


def native_step(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    dx, dy, c = _centred(ts)
    st = max(ts // 6, 1)
    return _pick(np.floor(dx / st) * st + np.floor(dy / st) * st <= 0.7 * c, fg, bg)


# --- small repeats on a grid -----------------------------------------------------------------


def uroko(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    h = max(defn.tile_size // 2, 2)
    yy, xx = _grid(defn.tile_size)
    u = (xx % h).astype(np.float32) / _F32(h)
    v = (yy % h).astype(np.float32) / _F32(h)
    inside = v < _F32(1.0) - np.abs(_F32(2.0) * u - _F32(1.0))
    flipped = (yy // h + xx // h) % 2 == 1
    return _pick(np.where(flipped, ~inside, inside), fg, bg)


def shweshwe(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    p = max(defn.tile_size // 4, 3)
    h = p // 2
    yy, xx = _grid(defn.tile_size)
    first = np.abs(yy % p - h) + np.abs(xx % p - h) <= h * 0.7
    second = np.abs((yy + h) % p - h) + np.abs((xx + h) % p - h) <= h * 0.5
    return _pick(first | second, fg, bg)


def _staggered_distance(defn: PatternDefinition, cells: int) -> tuple[Tile, int]:
    """Each pixel's distance from the centre of its cell, on square cells of
    ``tile_size // cells`` pixels (at least 2) with every other row shifted by half a cell;
    and that half cell."""
    p = max(defn.tile_size // cells, 2)
    h = p // 2
    yy, xx = _grid(defn.tile_size)
    row = yy // p
    cy = (yy % p - h).astype(np.float32)
    cx = ((xx + row % 2 * h) % p - h).astype(np.float32)
    return np.sqrt(cx**2 + cy**2), h


def same_komon(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    d, h = _staggered_distance(defn, 4)
    return _pick(d < _F32(0.6 * h), fg, bg)


def kanoko(defn: PatternDefinition) -> Tile:
    bg, fg = _bf(defn)
    d, h = _staggered_distance(defn, 3)
    return _pick((d > _F32(0.25 * h)) & (d < _F32(0.7 * h)), fg, bg)


def camouflage(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _bf(defn)
    yy, xx = _grid(ts)
    f1 = 2 * np.pi / ts
    f2 = 2 * np.pi * 2 / ts
    f3 = 2 * np.pi * 3 / ts
    v1 = np.sin(xx * f1) + np.sin(yy * f2)
    v2 = np.sin((xx + yy) * f1) + np.cos((xx - yy) * f2)
    v3 = np.sin(xx * f3 + 1) + np.cos(yy * f2 + 2)
    return _pick(v1 + 0.7 * v2 + 0.5 * v3 > 0.5, fg, bg)


COMPUTED: dict[str, Generator] = {
    "tartan": tartan,
    "gingham": gingham,
    "buffalo": buffalo,
    "checkerboard": checkerboard,
    "windowpane": windowpane,
    "pinstripe": pinstripe,
    "houndstooth": houndstooth,
    "basketweave": basketweave,
    "kente": kente,
    "argyle": argyle,
    "chevron": chevron,
    "diagonal": diagonal,
    "flag": flag,
    "polkadot": polkadot,
    "eight_point_star": eight_point_star,
    "chinese_coin": chinese_coin,
    "dancheong": dancheong,
    "hishi": hishi,
    "nordic_snowflake": nordic_snowflake,
    "nordic_diamond": nordic_diamond,
    "native_step": native_step,
    "uroko": uroko,
    "shweshwe": shweshwe,
    "same_komon": same_komon,
    "kanoko": kanoko,
    "camouflage": camouflage,
}
"""The computed generators by name."""
