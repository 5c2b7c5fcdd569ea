"""The PNG writer produces files any reader decodes to the same pixels."""

from __future__ import annotations

import numpy as np
import pytest

from renderer_service.renderer import encode_png, upscale
from renderer_service.renderer.png import PNG_SIGNATURE

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
