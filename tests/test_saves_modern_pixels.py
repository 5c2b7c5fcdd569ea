"""The 150 cats of modern-save-public drawn through POST /save/params then POST /render, each
with the ``request`` the save answer gives it, against the game's own pictures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import ModernRenderer, Renderer
from renderer_service.renderer.modern import bundled_modern_pack_path

from .imaging import load_rgba, mismatches
from .test_save_zip import zipped_folder
from .test_saves_modern import MODERN, MODERN_CATS


@pytest.fixture(scope="module")
def modern_client(renderer: Renderer) -> Iterator[TestClient]:
    drawing = ModernRenderer.from_folder(bundled_modern_pack_path())
    packs = PackSet({"lifegen": renderer, "clangen": drawing})
    with TestClient(create_app(Settings(worker_count=1), packs)) as client:
        yield client


@pytest.fixture(scope="module")
def requests(modern_client: TestClient) -> dict[str, Any]:
    answer = modern_client.post(
        "/save/params", content=zipped_folder(), headers={"Content-Type": "application/zip"}
    )
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    assert body["saveFormat"] == "v0.13"
    assert body["errors"] == []
    return {cat["ID"]: cat["request"] for cat in body["cats"]}


@pytest.mark.parametrize("cat_id", [cat["ID"] for cat in MODERN_CATS])
def test_every_modern_cat_is_pixel_exact_through_save_params_then_render(
    modern_client: TestClient, requests: dict[str, Any], cat_id: str
) -> None:
    answer = modern_client.post("/render", json=requests[cat_id], headers={"Accept": "image/png"})
    assert answer.status_code == 200, answer.text[:300]
    expected = load_rgba(MODERN / "expected" / f"{cat_id}.png")
    wrong = int(mismatches(load_rgba(answer.content), expected).sum())
    assert wrong == 0, f"cat {cat_id}: {wrong} pixels differ ({json.dumps(requests[cat_id])})"


def test_a_zipped_v013_save_is_drawn_on_one_sheet_with_the_clangen_pack(
    modern_client: TestClient,
) -> None:
    answer = modern_client.post(
        "/save/sheet?include=all&order=rank&tileSize=50",
        content=zipped_folder(),
        headers={"Content-Type": "application/x-zip-compressed"},
    )
    assert answer.status_code == 200, answer.text[:300]
    sheet = answer.json()
    assert len(sheet["frames"]) == len(MODERN_CATS)
    assert sheet["errors"] == []
