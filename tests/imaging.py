"""Helpers for comparing pictures the way the parity rules say."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image


def load_rgba(path: Path | bytes) -> NDArray[np.uint8]:
    source = io.BytesIO(path) if isinstance(path, bytes) else path
    with Image.open(source) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.uint8)


@cache
def _sheet(path: Path) -> NDArray[np.uint8]:
    return load_rgba(path)


@cache
def _index(root: Path) -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = json.loads((root / "spritesIndex.json").read_text())
    return index


def atlas_cell(root: Path, group: str, pose: int) -> NDArray[np.uint8]:
    """``group``'s cell for ``pose``, cut straight from its atlas with Pillow.

    The group's top-left cell is where ``spritesIndex.json`` puts it (a group the index lacks
    is the whole atlas of that name); pose ``i`` is column ``i % 3``, row ``i // 3``.
    """
    entry = _index(root).get(group, {"spritesheet": group, "xOffset": 0, "yOffset": 0})
    sheet = _sheet(root / f"{entry['spritesheet']}.png")
    top = int(entry["yOffset"]) + (pose // 3) * 50
    left = int(entry["xOffset"]) + (pose % 3) * 50
    return sheet[top : top + 50, left : left + 50]


def mismatches(actual: NDArray[np.uint8], expected: NDArray[np.uint8]) -> NDArray[np.bool_]:
    """Pixels that differ: equal means both alpha 0, or all four channels equal."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    same = (actual == expected).all(axis=2) | ((actual[:, :, 3] == 0) & (expected[:, :, 3] == 0))
    return ~same


def write_diff(
    path: Path, actual: NDArray[np.uint8], expected: NDArray[np.uint8], scale: int = 6
) -> Path:
    """Save actual | expected | mismatching pixels in red, side by side, enlarged."""
    bad = mismatches(actual, expected)
    marks = np.zeros_like(actual)
    marks[bad] = (255, 0, 0, 255)
    gap = np.full((actual.shape[0], 2, 4), (128, 128, 128, 255), dtype=np.uint8)
    strip = np.concatenate([actual, gap, expected, gap, marks], axis=1)
    strip = np.repeat(np.repeat(strip, scale, axis=0), scale, axis=1)
    background = Image.new("RGBA", (strip.shape[1], strip.shape[0]), (255, 255, 255, 255))
    background.alpha_composite(Image.fromarray(strip, "RGBA"))
    path.parent.mkdir(parents=True, exist_ok=True)
    background.save(path)
    return path


def check_matches_clangen(
    case_id: str, image: NDArray[np.uint8], expected: NDArray[np.uint8], folder: Path
) -> None:
    """Fail the test when ``image`` differs from ClanGen's ``expected`` picture, naming the
    diff picture (``write_diff``) saved in ``folder``."""
    bad = mismatches(image, expected)
    if bad.any():
        diff = write_diff(folder / f"{case_id}-diff.png", image, expected)
        pytest.fail(
            f"{case_id}: {int(bad.sum())} pixels differ from ClanGen's picture; "
            f"actual | expected | differences: {diff}"
        )
