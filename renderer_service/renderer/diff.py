"""Comparing a render with a reference picture: which pixels differ, by how much, and why.

Two pixels are equal when both are fully transparent (alpha 0, whatever their RGB) or when no
channel differs by more than the tolerance (0: all four channels equal). That is the rule the
parity sets are checked by.

``compare`` finds the differing pixels; ``blame`` names the compositing stages whose own
pixels cover them (so a difference reads as "the tint" or "the shading"); ``heatmap`` and
``side_by_side`` draw them for people.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from renderer_service.renderer.modern import ModernRenderer
from renderer_service.renderer.params import CatParams
from renderer_service.renderer.pipeline import Image, Layer, Renderer
from renderer_service.renderer.png import MAX_SCALE, upscale
from renderer_service.renderer.sprites import CELL_SIZE

MAX_REFERENCE_SIDE = CELL_SIZE * MAX_SCALE
"""The largest reference accepted: the cat at the largest scale a render can have."""

_GAP = 2
_GAP_COLOUR = (128, 128, 128, 255)
_SAME_COLOUR = (0, 0, 0, 40)
"""Heat map colour of a pixel that is equal: a faint shadow, so the cat's outline shows."""


class ReferenceError(ValueError):
    """A reference picture that cannot be compared: not a PNG, or not a cat's size."""


@dataclass(frozen=True, slots=True)
class Difference:
    """How a picture differs from its reference (both at the reference's size)."""

    mask: NDArray[np.bool_]
    """True where the pixels differ."""
    delta: NDArray[np.uint8]
    """Largest channel difference of each pixel (0 where both are transparent)."""
    present: NDArray[np.bool_]
    """True where either picture has a visible pixel."""
    scale: int
    """The reference's enlargement of the 50 x 50 cat."""

    @property
    def differing(self) -> int:
        return int(self.mask.sum())

    @property
    def bbox(self) -> tuple[int, int, int, int] | None:
        """``(x0, y0, x1, y1)`` of the differing pixels, ends exclusive; ``None`` if none."""
        if not self.mask.any():
            return None
        rows = np.flatnonzero(self.mask.any(axis=1))
        columns = np.flatnonzero(self.mask.any(axis=0))
        return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1

    @property
    def max_channel_delta(self) -> int:
        return int(self.delta.max(initial=0))


@dataclass(frozen=True, slots=True)
class LayerBlame:
    """A stage and how many differing pixels its own pixels cover."""

    id: str
    pixels: int


def decode_picture(data: bytes) -> Image:
    """A PNG as a ``(h, w, 4)`` RGBA array (only PNG: no other decoder is ever loaded)."""
    try:
        with PILImage.open(io.BytesIO(data), formats=["PNG"]) as picture:
            if picture.width > MAX_REFERENCE_SIDE or picture.height > MAX_REFERENCE_SIDE:
                raise ReferenceError(
                    f"the picture is {picture.width} x {picture.height} px, larger than "
                    f"{MAX_REFERENCE_SIDE} x {MAX_REFERENCE_SIDE}"
                )
            rgba: Image = np.asarray(picture.convert("RGBA"), dtype=np.uint8)
    except ReferenceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, PILImage.DecompressionBombError) as error:
        raise ReferenceError(f"not a readable PNG ({error})") from None
    return rgba


def reference_scale(reference: Image) -> int:
    """The integer enlargement of a 50 x 50 cat the reference is; ``ReferenceError`` if none."""
    height, width = reference.shape[:2]
    if width != height or width % CELL_SIZE or not 1 <= width // CELL_SIZE <= MAX_SCALE:
        raise ReferenceError(
            f"the picture is {width} x {height} px; a cat is {CELL_SIZE} x {CELL_SIZE} px "
            f"or a whole multiple of that up to {MAX_REFERENCE_SIDE} x {MAX_REFERENCE_SIDE}"
        )
    return int(width) // CELL_SIZE


def compare(ours: Image, reference: Image, tolerance: int = 0) -> Difference:
    """Compare a 50 x 50 render with a reference of the same cat at any integer scale.

    ``ours`` is enlarged (nearest neighbour) to the reference's size, so a reference drawn
    at 4x is compared pixel for pixel at 4x. ``tolerance`` is the largest channel difference
    still counted as equal.
    """
    if not 0 <= tolerance <= 255:
        raise ValueError(f"tolerance must be 0-255, not {tolerance}")
    scale = reference_scale(reference)
    enlarged = upscale(ours, scale)
    if enlarged.shape != reference.shape:
        raise ReferenceError(
            f"the render is {enlarged.shape[1]} x {enlarged.shape[0]} px at scale {scale}, "
            f"the reference {reference.shape[1]} x {reference.shape[0]} px"
        )
    delta = np.abs(enlarged.astype(np.int16) - reference.astype(np.int16)).max(axis=2)
    both_clear = (enlarged[:, :, 3] == 0) & (reference[:, :, 3] == 0)
    delta[both_clear] = 0
    delta_u8 = delta.astype(np.uint8)
    return Difference(delta_u8 > tolerance, delta_u8, ~both_clear, scale)


def blame(layers: Sequence[Layer], difference: Difference) -> list[LayerBlame]:
    """The stages whose own pixels cover differing pixels, most first.

    A layer's own pixels are those of its layer image (``Renderer.render`` with
    ``layer_images=True``): the sprites it drew, or for a stage that changes the canvas in
    place (tint, shading), the cat it changed.
    """
    found: list[LayerBlame] = []
    for layer in layers:
        if layer.image is None:
            continue
        covered = upscale(layer.image, difference.scale)[:, :, 3] > 0
        pixels = int((covered & difference.mask).sum())
        if pixels:
            found.append(LayerBlame(layer.id, pixels))
    found.sort(key=lambda item: -item.pixels)  # stable: ties keep the drawing order
    return found


@dataclass(frozen=True, slots=True)
class CatDiff:
    """A cat rendered and compared with its reference."""

    image: Image
    """Our 50 x 50 render."""
    difference: Difference
    layers: list[LayerBlame]


def diff_cat(
    renderer: Renderer | ModernRenderer,
    params: CatParams,
    reference: Image,
    pose: int | None = None,
    tolerance: int = 0,
) -> CatDiff:
    """Render a cat with its layers and compare it with ``reference``.

    Raises ``InvalidTraitsError`` for params the pack cannot draw and ``ReferenceError``
    for a reference of the wrong size.
    """
    reference_scale(reference)  # a wrong size is refused before anything is drawn
    result = renderer.render(params, pose, collect_layers=True, layer_images=True)
    difference = compare(result.image, reference, tolerance)
    return CatDiff(result.image, difference, blame(result.layers or [], difference))


def heatmap(difference: Difference) -> Image:
    """The differing pixels coloured by how far off they are (yellow: a little, red: a lot)
    over a faint shadow of the pixels that are equal, on a transparent canvas."""
    height, width = difference.mask.shape
    picture = np.zeros((height, width, 4), dtype=np.uint8)
    picture[difference.present & ~difference.mask] = _SAME_COLOUR
    strength = difference.delta.astype(np.float32) / 255.0
    green = np.round(220 * (1.0 - strength) ** 2).astype(np.uint8)
    picture[difference.mask, 0] = 255
    picture[difference.mask, 1] = green[difference.mask]
    picture[difference.mask, 2] = 0
    picture[difference.mask, 3] = 255
    return picture


def side_by_side(
    reference: Image, ours: Image, difference: Difference, display_scale: int = 1
) -> Image:
    """Reference | ours | heat map, with grey gaps, enlarged by ``display_scale``.

    ``ours`` is the 50 x 50 render; it is enlarged to the reference's size first.
    """
    enlarged = upscale(ours, difference.scale)
    height = reference.shape[0]
    gap = np.empty((height, _GAP, 4), dtype=np.uint8)
    gap[:] = _GAP_COLOUR
    strip = np.concatenate([reference, gap, enlarged, gap, heatmap(difference)], axis=1)
    if display_scale > 1:
        strip = np.repeat(np.repeat(strip, display_scale, axis=0), display_scale, axis=1)
    return np.ascontiguousarray(strip)


def display_scale_for(difference: Difference, target: int = 200) -> int:
    """An enlargement that makes the reference about ``target`` px wide (at least 1x)."""
    return max(1, target // (CELL_SIZE * difference.scale))
