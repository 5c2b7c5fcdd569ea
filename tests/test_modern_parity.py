"""The modern layout: every cat of modern-public equals what ClanGen v0.13.2 draws, pixel for
pixel, and the game's behaviours the public cats cannot show on their own are pinned here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from renderer_service.renderer.modern import (
    MODERN_LAYER_IDS,
    ModernRenderer,
    bundled_modern_pack_path,
    read_pcm,
)

from .conftest import PARITY
from .imaging import check_matches_clangen, load_rgba, mismatches

FOLDER = "modern-public"


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((PARITY / FOLDER / "cases.json").read_text())
    return cases


PUBLIC = _cases()


@pytest.fixture(scope="session")
def modern() -> ModernRenderer:
    return ModernRenderer.from_folder(bundled_modern_pack_path())


def _expected(case_id: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    return load_rgba(PARITY / FOLDER / "expected" / f"{case_id}.png")


def test_the_parity_set_is_present() -> None:
    assert len(PUBLIC) == 100
    assert len(list((PARITY / FOLDER / "expected").glob("*.png"))) == 100


@pytest.mark.parametrize("case", PUBLIC, ids=[c["id"] for c in PUBLIC])
def test_public_cat_matches_clangen(
    modern: ModernRenderer, case: dict[str, Any], tmp_path: Path
) -> None:
    image = modern.render(read_pcm(case["params"], case["lineart"])).image
    expected = _expected(case["id"])
    check_matches_clangen(case["id"], image, expected, tmp_path)


def test_the_layer_view_and_the_table_planner_draw_the_same_cats(modern: ModernRenderer) -> None:
    """Every public cat: the plain render's ops (from the per-pose tables) are the described
    plan's, row for row, and drawing stage by stage gives the same picture."""
    for case in PUBLIC:
        cat = read_pcm(case["params"], case["lineart"])
        pose = modern.pose_number(cat)
        assert modern.planner.ops(cat, pose) == modern.plan(cat).ops, case["id"]
        layered = modern.render(cat, collect_layers=True, layer_images=True)
        assert not mismatches(layered.image, _expected(case["id"])).any(), case["id"]
        assert layered.layers is not None
        assert [layer.id for layer in layered.layers] == list(MODERN_LAYER_IDS)
        assert all(layer.image is not None for layer in layered.layers if layer.drawn)
