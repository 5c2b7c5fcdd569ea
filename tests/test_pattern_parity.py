"""Every cat of the pattern parity set equals the pattern engine's picture, pixel for pixel.

A pixel counts as right when it equals that pixel in ``expected-clangen-blend/`` (the
engine's coat finished with ClanGen's blit, as this renderer blends) or in ``expected/`` (the
engine's own floating-point stacking, which differs on a few translucent pixels).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from renderer_service.assets import packs_folder
from renderer_service.renderer import Renderer
from renderer_service.renderer.patterns import PatternColours
from renderer_service.renderer.patterns.compose import plain_params, render_pattern_cat

from .conftest import PARITY
from .imaging import load_rgba, mismatches, write_diff

SET = PARITY / "pattern-public"
CASES: list[dict[str, Any]] = json.loads((SET / "cases.json").read_text())


@pytest.fixture(scope="module")
def colours() -> PatternColours:
    return PatternColours.from_folder(packs_folder() / "palettes")


def test_the_set_covers_every_generator(colours: PatternColours) -> None:
    meta = json.loads((SET / "meta.json").read_text())
    used = {p["generator"] for case in meta.values() for p in case["patterns"]}
    assert len(CASES) == 70
    assert used == {c.generator for c in colours.colours.values()}
    assert len(used) == 62


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pattern_cat_matches_the_engine(
    renderer: Renderer, colours: PatternColours, case: dict[str, Any], tmp_path: Path
) -> None:
    image = render_pattern_cat(renderer, colours, case["params"])
    clangen = load_rgba(SET / "expected-clangen-blend" / f"{case['id']}.png")
    engine = load_rgba(SET / "expected" / f"{case['id']}.png")
    bad = mismatches(image, clangen) & mismatches(image, engine)
    if bad.any():
        diff = write_diff(tmp_path / f"{case['id']}-diff.png", image, clangen)
        worst = int(np.abs(image.astype(int) - clangen.astype(int)).max())
        pytest.fail(
            f"{case['id']}: {int(bad.sum())} pixels differ from both pictures (worst {worst}); "
            f"actual | expected | differences: {diff}"
        )


def test_a_cat_drawn_plain_white_instead_fails_the_comparison(
    renderer: Renderer, colours: PatternColours
) -> None:
    for case in CASES:
        plain, _ = plain_params(case["params"], colours)
        image = render_pattern_cat(renderer, colours, plain)
        clangen = load_rgba(SET / "expected-clangen-blend" / f"{case['id']}.png")
        engine = load_rgba(SET / "expected" / f"{case['id']}.png")
        assert (mismatches(image, clangen) & mismatches(image, engine)).any(), case["id"]
