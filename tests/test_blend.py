"""The blend functions equal pygame-ce's blitters on random pictures, bit for bit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from renderer_service.renderer import blend
from renderer_service.renderer.blend import Op

from .reference import Array, from_surface, pygame, to_surface


def random_rgba(rng: np.random.Generator, shape: tuple[int, int] = (50, 50)) -> Array:
    """Random pixels, with plenty of the edge cases: alpha 0 and alpha 255."""
    image = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    alpha = image[:, :, 3]
    choice = rng.integers(0, 4, shape)
    alpha[choice == 0] = 0
    alpha[choice == 1] = 255
    return image


def pygame_blend(dst: Array, src: Array, flags: int) -> Array:
    surface = to_surface(dst)
    surface.blit(to_surface(src), (0, 0), special_flags=flags)  # type: ignore[attr-defined]
    return from_surface(surface)


CASES: list[tuple[str, Callable[[Array, Array], None], int]] = [
    ("blit", blend.blit, 0),
    ("multiply_rgb", blend.multiply_rgb, pygame.BLEND_RGB_MULT),
    ("multiply_rgba", blend.multiply_rgba, pygame.BLEND_RGBA_MULT),
    ("add_rgb", blend.add_rgb, pygame.BLEND_RGB_ADD),
    ("min_rgba", blend.min_rgba, pygame.BLEND_RGBA_MIN),
]


@pytest.mark.parametrize(("name", "function", "flags"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("seed", range(8))
def test_blend_function_equals_pygame(
    name: str, function: Callable[[Array, Array], None], flags: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    dst, src = random_rgba(rng), random_rgba(rng)
    expected = pygame_blend(dst, src, flags)
    ours = dst.copy()
    function(ours, src)
    if name == "blit":
        # Where both are transparent pygame keeps whatever colour; only alpha 0 matters.
        visible = (ours[:, :, 3] != 0) | (expected[:, :, 3] != 0)
        np.testing.assert_array_equal(ours[visible], expected[visible])
        np.testing.assert_array_equal(ours[:, :, 3], expected[:, :, 3])
    else:
        np.testing.assert_array_equal(ours, expected)


def test_solid_tint_surface_is_opaque_colour() -> None:
    surface = blend.solid((1, 2, 3), (4, 5))
    assert surface.shape == (4, 5, 4)
    assert (surface.reshape(-1, 4) == (1, 2, 3, 255)).all()


# --- the kernel agrees with the array functions ---------------------------------------------


def run(cells: Array, ops: list[tuple[int, ...]], start: Array | None = None) -> Array:
    canvas = np.zeros((50, 50, 4), np.uint8) if start is None else start.copy()
    bboxes = np.array(
        [
            (
                *(lambda r: (r[0], r[-1] + 1) if len(r) else (0, 0))(
                    np.flatnonzero(cell[:, :, 3].any(axis=1))
                ),
                *(lambda c: (c[0], c[-1] + 1) if len(c) else (0, 0))(
                    np.flatnonzero(cell[:, :, 3].any(axis=0))
                ),
            )
            for cell in cells
        ],
        dtype=np.int32,
    )
    extent = np.array([0, 50, 0, 50] if start is not None else [0, 0, 0, 0], dtype=np.int32)
    blend.run_ops(canvas, cells, bboxes, np.array(ops, dtype=np.int32).reshape(-1, 6), extent)
    return canvas


def visible_equal(a: Array, b: Array, label: str = "") -> None:
    mask = (a[:, :, 3] != 0) | (b[:, :, 3] != 0)
    np.testing.assert_array_equal(a[mask], b[mask], err_msg=label)
    np.testing.assert_array_equal(a[:, :, 3], b[:, :, 3], err_msg=label)


@pytest.mark.parametrize("seed", range(4))
def test_kernel_ops_equal_pygame_sequences(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    cells = np.stack([np.zeros((50, 50, 4), np.uint8)] + [random_rgba(rng) for _ in range(3)])
    cells[2, :10] = 0  # a cell with a smaller visible box
    start = random_rgba(rng)
    colour = tuple(int(c) for c in rng.integers(0, 256, 3))
    solid = blend.solid(colour)  # type: ignore[arg-type]

    def pg(*steps: tuple[Array, int]) -> Array:
        surface = to_surface(start)
        for image, flags in steps:
            surface.blit(to_surface(image), (0, 0), special_flags=flags)  # type: ignore[attr-defined]
        return from_surface(surface)

    masked = from_surface(
        (
            lambda s: (
                s.blit(to_surface(cells[3]), (0, 0), special_flags=pygame.BLEND_RGBA_MULT),
                s,
            )[1]
        )(to_surface(cells[2]))
    )
    tinted = pygame_blend(cells[1], solid, pygame.BLEND_RGB_MULT)
    layered = pygame_blend(cells[1], cells[2], 0)
    expectations = {
        Op.BLIT: ([(Op.BLIT, 1, 0, 0, 0, 0)], pg((cells[1], 0))),
        Op.BLIT_MASKED: ([(Op.BLIT_MASKED, 2, 3, 0, 0, 0)], pg((masked, 0))),
        Op.BLIT_TINTED: ([(Op.BLIT_TINTED, 1, 0, *colour)], pg((tinted, 0))),
        Op.BLIT_LAYERED: ([(Op.BLIT_LAYERED, 1, 2, 0, 0, 0)], pg((layered, 0))),
        Op.MULTIPLY_COLOUR: (
            [(Op.MULTIPLY_COLOUR, 0, 0, *colour)],
            pg((solid, pygame.BLEND_RGB_MULT)),
        ),
        Op.ADD_COLOUR: ([(Op.ADD_COLOUR, 0, 0, *colour)], pg((solid, pygame.BLEND_RGB_ADD))),
        Op.MULTIPLY_CELL: (
            [(Op.MULTIPLY_CELL, 1, 0, 0, 0, 0)],
            pg((cells[1], pygame.BLEND_RGB_MULT)),
        ),
        Op.MIN_CELL: ([(Op.MIN_CELL, 1, 0, 0, 0, 0)], pg((cells[1], pygame.BLEND_RGBA_MIN))),
        Op.MULTIPLY_CELL_RGBA: (
            [(Op.MULTIPLY_CELL_RGBA, 1, 0, 0, 0, 0)],
            pg((cells[1], pygame.BLEND_RGBA_MULT)),
        ),
    }
    for op, (ops, expected) in expectations.items():
        visible_equal(run(cells, ops, start), expected, op.name)

    # UNDERLAY: the canvas drawn over a copy of the cell.
    backdrop = to_surface(cells[1])
    backdrop.blit(to_surface(start), (0, 0))
    visible_equal(run(cells, [(Op.UNDERLAY, 1, 0, 0, 0, 0)], start), from_surface(backdrop))


def test_kernel_on_an_empty_canvas_blits_the_first_sprite_whole() -> None:
    rng = np.random.default_rng(7)
    cells = np.stack([np.zeros((50, 50, 4), np.uint8), random_rgba(rng)])
    result = run(cells, [(Op.BLIT, 1, 0, 0, 0, 0)])
    visible_equal(result, cells[1])


def test_finish_clears_invisible_colour_and_mirrors() -> None:
    rng = np.random.default_rng(3)
    canvas = random_rgba(rng)
    extent = np.array([0, 50, 0, 50], dtype=np.int32)
    original = canvas.copy()
    blend.finish(canvas, extent, True)
    mirrored = original[:, ::-1]
    visible = mirrored[:, :, 3] != 0
    np.testing.assert_array_equal(canvas[visible], mirrored[visible])
    assert (canvas[~visible] == 0).all()


@pytest.mark.parametrize("seed", range(6))
def test_compose_equals_run_ops_then_finish(seed: int) -> None:
    """The fused call (canvas, ops, finish and mirror in one) draws what the general one does,
    on random sprites and random op sequences of every kind."""
    rng = np.random.default_rng(200 + seed)
    cells = np.stack([np.zeros((50, 50, 4), np.uint8)] + [random_rgba(rng) for _ in range(5)])
    cells[2, :12] = 0
    cells[3, :, 30:] = 0
    cells[4, 20:] = 0
    bboxes = np.array(
        [
            (
                *(lambda r: (r[0], r[-1] + 1) if len(r) else (0, 0))(
                    np.flatnonzero(cell[:, :, 3].any(axis=1))
                ),
                *(lambda c: (c[0], c[-1] + 1) if len(c) else (0, 0))(
                    np.flatnonzero(cell[:, :, 3].any(axis=0))
                ),
            )
            for cell in cells
        ],
        dtype=np.int32,
    )
    for _ in range(10):
        rows = []
        for code in rng.integers(0, 12, 8):
            a, b = (int(i) for i in rng.integers(0, len(cells), 2))
            rgb = [int(c) for c in rng.integers(0, 256, 3)]
            if code == Op.OVERLAY_MULTIPLY:
                a, b = 1, int(rng.integers(1, 4))
            rows.append((int(code), a, b, *rgb))
        ops = np.array(rows, dtype=np.int32)
        mirror = bool(rng.integers(0, 2))
        expected = np.zeros((50, 50, 4), np.uint8)
        extent = np.zeros(4, np.int32)
        blend.run_ops(expected, cells, bboxes, ops, extent)
        blend.finish(expected, extent, mirror)
        np.testing.assert_array_equal(blend.compose(cells, bboxes, ops.tobytes(), mirror), expected)
