"""The PNG writer produces files any reader decodes to the same pixels."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from renderer_service.renderer import encode_png, upscale
from renderer_service.renderer.png import (
    PNG_SIGNATURE,
    DeflatedRows,
    deflate_rows,
    deflate_whole_rows,
    encode_png_gathered,
    encode_png_resized,
    gather,
    png_from_rows,
    resize_nearest,
)

from .imaging import load_rgba


@pytest.mark.parametrize("shape", [(50, 50), (1, 1), (7, 13), (800, 800)])
def test_encoded_png_decodes_to_the_same_pixels(shape: tuple[int, int]) -> None:
    image = np.random.default_rng(1).integers(0, 256, (*shape, 4), dtype=np.uint8)
    data = encode_png(image)
    assert data.startswith(PNG_SIGNATURE)
    np.testing.assert_array_equal(load_rgba(data), image)


def test_encode_rejects_arrays_that_are_not_rgba() -> None:
    with pytest.raises(ValueError, match="uint8"):
        encode_png(np.zeros((5, 5, 3), dtype=np.uint8))


def test_upscale_repeats_each_pixel_in_a_square() -> None:
    image = np.arange(2 * 2 * 4, dtype=np.uint8).reshape(2, 2, 4)
    big = upscale(image, 3)
    assert big.shape == (6, 6, 4)
    np.testing.assert_array_equal(big[0:3, 3:6], np.broadcast_to(image[0, 1], (3, 3, 4)))
    assert upscale(image, 1) is image


@pytest.mark.parametrize("scale", [0, 17, -1])
def test_upscale_refuses_scales_outside_1_to_16(scale: int) -> None:
    with pytest.raises(ValueError, match="1-16"):
        upscale(np.zeros((1, 1, 4), np.uint8), scale)


def _nearest(image: np.ndarray, width: int, height: int) -> np.ndarray:
    rows = np.arange(height) * image.shape[0] // height
    columns = np.arange(width) * image.shape[1] // width
    return image[rows][:, columns]


def _cat_like(seed: int) -> np.ndarray:
    """Transparent margins, flat runs and noise, like a drawn cat."""
    rng = np.random.default_rng(seed)
    image = np.zeros((50, 50, 4), dtype=np.uint8)
    image[10:40, 12:38] = rng.integers(0, 256, (30, 26, 4), dtype=np.uint8)
    image[20:25] = image[19]  # identical rows in a row
    image[30:33, :] = (200, 100, 50, 255)
    return image


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (800, 800),
        (150, 150),
        (1024, 1024),
        (1000, 1000),
        (77, 333),
        (640, 50),
        (32, 32),
        (100, 100),
    ],
)
def test_resized_png_has_the_pixels_of_the_nearest_neighbour_resize(
    width: int, height: int
) -> None:
    for seed in range(3):
        image = _cat_like(seed)
        data = encode_png_resized(image, width, height)
        np.testing.assert_array_equal(load_rgba(data), _nearest(image, width, height))


@pytest.mark.parametrize("scale", [1, 2, 3, 5, 16])
def test_resized_png_of_a_whole_multiple_matches_upscale(scale: int) -> None:
    image = np.random.default_rng(scale).integers(0, 256, (50, 50, 4), dtype=np.uint8)
    data = encode_png_resized(image, 50 * scale)
    np.testing.assert_array_equal(load_rgba(data), upscale(image, scale))


def test_resized_png_of_a_blank_picture_compresses_over_a_hundredfold() -> None:
    data = encode_png_resized(np.zeros((50, 50, 4), dtype=np.uint8), 1024)
    np.testing.assert_array_equal(load_rgba(data), np.zeros((1024, 1024, 4), dtype=np.uint8))
    assert len(data) < 1024 * 1024 * 4 // 100


@pytest.mark.parametrize(("width", "height"), [(0, 5), (5, 0), (-3, 3)])
def test_resized_png_refuses_empty_sizes(width: int, height: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        encode_png_resized(np.zeros((2, 2, 4), np.uint8), width, height)


@pytest.mark.parametrize("size", [10, 77, 177])  # shrunk, resized at once, row by row
def test_a_sheet_resized_whole_has_the_pixels_of_its_tiles_resized_one_by_one(size: int) -> None:
    """Tile ``k``'s pixel ``u`` shows ``(k * size + u) * 50 // size = 50 * k + u * 50 // size``
    of the whole sheet: the same source pixel as the tile resized alone, for any size."""
    rng = np.random.default_rng(7)
    sheet = rng.integers(0, 256, (100, 150, 4), dtype=np.uint8)
    sheet[50:] = sheet[:50]  # a repeated row is still written where its tile shows it
    expected = np.concatenate(
        [
            np.concatenate(
                [resize_nearest(sheet[r : r + 50, c : c + 50], size) for c in (0, 50, 100)],
                axis=1,
            )
            for r in (0, 50)
        ]
    )
    decoded = load_rgba(encode_png_resized(sheet, 3 * size, 2 * size))
    assert decoded.shape == (2 * size, 3 * size, 4)
    assert (decoded == expected).all()


def test_gathered_png_has_the_pixels_of_any_index_maps() -> None:
    rng = np.random.default_rng(8)
    image = rng.integers(0, 256, (60, 40, 4), dtype=np.uint8)
    rows = np.repeat(rng.integers(0, 60, 90), 5)  # 450 rows in any order, repeats included
    columns = np.repeat(rng.integers(0, 40, 100), 3)
    decoded = load_rgba(encode_png_gathered(image, rows, columns))
    assert (decoded == image[rows][:, columns]).all()
    assert (gather(image, rows, columns) == image[rows][:, columns]).all()


def test_bands_compressed_apart_join_into_the_whole_picture() -> None:
    rng = np.random.default_rng(9)
    image = rng.integers(0, 256, (30, 20, 4), dtype=np.uint8)
    image[10:20] = 0  # runs of equal rows across a band's edge
    rows, columns = np.arange(90) // 3, np.arange(60) // 3
    bands = [deflate_rows(image, rows[start : start + 25], columns) for start in range(0, 90, 25)]
    decoded = load_rgba(png_from_rows(60, 90, bands))
    assert (decoded == upscale(image, 3)).all()
    with pytest.raises(ValueError, match="90 rows"):
        png_from_rows(60, 90, bands[:-1])


@pytest.mark.parametrize("deflate", [deflate_rows, deflate_whole_rows])
def test_both_row_writers_give_the_pixels_of_any_index_maps(
    deflate: Callable[..., DeflatedRows],
) -> None:
    rng = np.random.default_rng(10)
    image = rng.integers(0, 256, (30, 20, 4), dtype=np.uint8)
    image[5:12] = 0  # equal rows next to each other: written as repeats
    rows = np.concatenate([np.arange(60) // 2, rng.integers(0, 30, 20), [7, 7, 8, 8, 8]])
    columns = np.concatenate([np.arange(40) // 2, [19, 0, 3]])
    width = len(columns)
    halves = [rows[:41], rows[41:]]
    bands = [deflate(image, half, columns) for half in halves]
    decoded = load_rgba(png_from_rows(width, len(rows), bands))
    assert (decoded == image[rows][:, columns]).all()


def test_whole_rows_and_reused_repeats_are_the_same_rows_and_checksum() -> None:
    rng = np.random.default_rng(11)
    image = rng.integers(0, 256, (25, 16, 4), dtype=np.uint8)
    image[:4] = 0
    rows, columns = np.arange(75) // 3, np.arange(32) // 2
    whole, reused = deflate_whole_rows(image, rows, columns), deflate_rows(image, rows, columns)
    assert (whole.adler, whole.size) == (reused.adler, reused.size)
    assert len(whole.data) < len(reused.data)  # one flush, level 1: smaller data
