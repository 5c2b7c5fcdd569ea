"""Palette files, and the V2 generator's float arithmetic on random pictures: palette
recolouring and the Dark Forest overlay, checked against a plain pixel-by-pixel
implementation of the formulas (translucent pixels included)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from renderer_service.renderer import PaletteColour, PaletteError, blend, load_palettes
from renderer_service.renderer.blend import Op
from renderer_service.renderer.palettes import recolour

from .reference import dark_forest_overlay_float, palette_recolour_float


def random_rgba(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picture = rng.integers(0, 256, (50, 50, 4), dtype=np.uint8)
    picture[:10, :, 3] = 255  # some opaque rows, some clear ones, the rest anything
    picture[10:15, :, 3] = 0
    return picture


@pytest.mark.parametrize(
    ("multiply", "screen"),
    [
        ((184, 255, 80), (210, 255, 120, 0.2)),
        ((11, 10, 26), (36, 30, 84, 0.07)),
        ((90, 160, 254), None),
        (None, (255, 0, 128, 0.5)),
    ],
)
@pytest.mark.parametrize("seed", range(3))
def test_recolouring_equals_the_float_formula_on_every_pixel(
    multiply: tuple[int, int, int] | None,
    screen: tuple[int, int, int, float] | None,
    seed: int,
) -> None:
    sprite = random_rgba(seed)
    colour = PaletteColour("X", "test", multiply=multiply, screen=screen)
    np.testing.assert_array_equal(
        recolour(sprite, colour), palette_recolour_float(sprite, multiply, screen)
    )


@pytest.mark.parametrize(
    ("colour", "alpha"), [((120, 30, 30), 0.5), ((0, 200, 90), 0.25), ((255, 255, 255), 1.0)]
)
@pytest.mark.parametrize("seed", range(3))
def test_the_overlay_kernel_equals_the_float_formula_on_every_pixel(
    colour: tuple[int, int, int], alpha: float, seed: int
) -> None:
    canvas = random_rgba(10 + seed)
    expected = dark_forest_overlay_float(canvas, colour, alpha)
    cells = np.zeros((1, 50, 50, 4), np.uint8)
    bboxes = np.zeros((1, 4), np.int32)
    numerator, denominator = {0.5: (1, 2), 0.25: (1, 4), 1.0: (1, 1)}[alpha]
    ops = np.array([(Op.OVERLAY_MULTIPLY, numerator, denominator, *colour)], np.int32)
    extent = np.array([0, 50, 0, 50], np.int32)
    blend.run_ops(canvas, cells, bboxes, ops, extent)
    visible = expected[:, :, 3] > 0
    np.testing.assert_array_equal(canvas[visible], expected[visible])
    assert (canvas[:, :, 3][~visible] == 0).all()


def write(folder: Path, name: str, colors: object) -> None:
    folder.mkdir(exist_ok=True)
    data = {"id": name, "label": name.title(), "description": "", "colors": colors}
    (folder / f"{name}.json").write_text(json.dumps(data))


def test_palettes_load_in_file_order_with_their_colours(tmp_path: Path) -> None:
    write(tmp_path, "b", {"BLUEISH": {"multiply": [1, 2, 3]}})
    write(tmp_path, "a", {"FLAG": {"pattern": {"type": "flag_uk"}}})
    palettes = load_palettes(tmp_path)
    assert [palette.id for palette in palettes.palettes] == ["a", "b"]
    assert palettes.colours["FLAG"].is_pattern
    assert not palettes.colours["FLAG"].is_flat
    assert palettes.colours["BLUEISH"].multiply == (1, 2, 3)


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"a": {"X": {"multiply": [1, 2]}}}, "3 numbers"),
        ({"a": {"X": {"multiply": [1, 2, 300]}}}, "0-255"),
        ({"a": {"X": {"screen": [1, 2, 3, 2]}}}, "alpha"),
        ({"a": {"X": {}}}, "multiply, a screen or a pattern"),
        ({"a": {"X": {"multiply": [1, 2, 3]}}, "b": {"X": {"multiply": [1, 2, 3]}}}, "already"),
        ({"a": {"GINGER": {"multiply": [1, 2, 3]}}}, "already"),
    ],
)
def test_malformed_or_ambiguous_palettes_are_refused(
    tmp_path: Path, files: dict[str, object], problem: str
) -> None:
    for name, colors in files.items():
        write(tmp_path, name, colors)
    with pytest.raises(PaletteError, match=problem):
        load_palettes(tmp_path, reserved=["GINGER"])
