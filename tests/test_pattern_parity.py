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

from renderer_service.renderer import CatParams, Renderer
from renderer_service.wire import RequestParams
from renderer_service.wire.normalise import normalise_params

from .conftest import PARITY
from .imaging import load_rgba, mismatches, write_diff

SET = PARITY / "pattern-public"
CASES: list[dict[str, Any]] = json.loads((SET / "cases.json").read_text())
META: dict[str, Any] = json.loads((SET / "meta.json").read_text())


def cat(renderer: Renderer, params: dict[str, Any]) -> CatParams:
    """The case's V2 params as the service reads them (names in any case)."""
    return normalise_params(RequestParams.model_validate(params), renderer.vocabulary)


def wrong_pixels(image: np.ndarray, case_id: str) -> np.ndarray:
    clangen = load_rgba(SET / "expected-clangen-blend" / f"{case_id}.png")
    engine = load_rgba(SET / "expected" / f"{case_id}.png")
    result: np.ndarray = mismatches(image, clangen) & mismatches(image, engine)
    return result


def test_the_set_covers_every_generator(renderer: Renderer) -> None:
    used = {p["generator"] for case in META.values() for p in case["patterns"]}
    assert len(CASES) == 70
    assert len(used) == 62
    assert used == {c.generator for c in renderer.palettes.patterns.colours.values()}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_pattern_cat_matches_the_engine(
    renderer: Renderer, case: dict[str, Any], tmp_path: Path
) -> None:
    image = renderer.render(cat(renderer, case["params"])).image
    bad = wrong_pixels(image, case["id"])
    if bad.any():
        clangen = load_rgba(SET / "expected-clangen-blend" / f"{case['id']}.png")
        diff = write_diff(tmp_path / f"{case['id']}-diff.png", image, clangen)
        worst = int(np.abs(image.astype(int) - clangen.astype(int)).max())
        pytest.fail(
            f"{case['id']}: {int(bad.sum())} pixels differ from both pictures (worst {worst}); "
            f"actual | expected | differences: {diff}"
        )


def test_a_cat_drawn_plain_white_instead_fails_the_comparison(renderer: Renderer) -> None:
    patterns = renderer.palettes.patterns
    for case in CASES:
        params = dict(case["params"])
        for key in ("colour", "tortieColour"):
            if params.get(key) in patterns:
                params[key] = "WHITE"
        if "tortie" in params:
            params["tortie"] = [
                {**layer, "colour": "WHITE"} if layer["colour"] in patterns else layer
                for layer in params["tortie"]
            ]
        image = renderer.render(cat(renderer, params)).image
        assert wrong_pixels(image, case["id"]).any(), case["id"]
