"""Every cat of the parity sets equals what ClanGen's own code draws, pixel for pixel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from renderer_service.renderer import CatParams, Renderer

from .conftest import PARITY
from .imaging import check_matches_clangen, load_rgba


def _cases(name: str) -> list[dict[str, Any]]:
    path = PARITY / name / "cases.json"
    if not path.is_file():
        return []
    cases: list[dict[str, Any]] = json.loads(path.read_text())
    return cases


PUBLIC = _cases("legacy-public")
FEATURES = _cases("legacy-features")


def _check(renderer: Renderer, case: dict[str, Any], folder: str, tmp_path: Path) -> None:
    image = renderer.render(CatParams.model_validate(case["params"])).image
    expected = load_rgba(PARITY / folder / "expected" / f"{case['id']}.png")
    check_matches_clangen(case["id"], image, expected, tmp_path)


def test_parity_sets_are_present() -> None:
    assert len(PUBLIC) == 120
    assert len(FEATURES) == 559


@pytest.mark.parametrize("case", PUBLIC, ids=[c["id"] for c in PUBLIC])
def test_public_cat_matches_clangen(
    renderer: Renderer, case: dict[str, Any], tmp_path: Path
) -> None:
    _check(renderer, case, "legacy-public", tmp_path)


@pytest.mark.parametrize("case", FEATURES, ids=[c["id"] for c in FEATURES])
def test_single_feature_matches_clangen(
    renderer: Renderer, case: dict[str, Any], tmp_path: Path
) -> None:
    _check(renderer, case, "legacy-features", tmp_path)


def test_a_wrong_picture_fails_with_a_diff_image(renderer: Renderer, tmp_path: Path) -> None:
    case = dict(
        PUBLIC[0], params={**PUBLIC[0]["params"], "reverse": not PUBLIC[0]["params"].get("reverse")}
    )
    with pytest.raises(pytest.fail.Exception, match=r"pixels differ.*-diff\.png"):
        _check(renderer, case, "legacy-public", tmp_path)
    assert (tmp_path / f"{case['id']}-diff.png").is_file()
