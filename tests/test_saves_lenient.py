"""The 2024 reader is as lenient as the game with real-world saves: an opacity outside 0-100,
a scar name the game does not know, a cat paralysed only in its conditions file. Each is a
repair noted in the cat's ``warnings``, never a refusal. And each cat's ``request`` is a body
``POST /render`` takes as it is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import CatParams, Renderer
from renderer_service.saves import DrawOptions, SaveCat
from renderer_service.saves.read import read_cat

from .imaging import load_rgba, mismatches
from .test_save_zip import make_zip
from .test_saves import SAVE, saved_cat

PARALYSED = {"permanent conditions": {"paralyzed": {"severity": "major", "born_with": False}}}


HEALTHY = DrawOptions()


def read(renderer: Renderer, options: DrawOptions = HEALTHY, **changes: Any) -> SaveCat:
    result = read_cat(saved_cat(**changes), 0, renderer.vocabulary, options)
    assert isinstance(result, SaveCat), result
    return result


def draw(renderer: Renderer, cat: SaveCat) -> np.ndarray:
    return renderer.render(CatParams.model_validate(cat.params)).image


@pytest.mark.parametrize("opacity", [130, 101, -5])
def test_a_living_cat_with_an_opacity_out_of_range_draws_plain(
    renderer: Renderer, opacity: int
) -> None:
    cat = read(renderer, opacity=opacity)
    plain = read(renderer)
    assert cat.params == plain.params
    assert "opacity" in cat.warnings[0]
    assert "0-100" in cat.warnings[0]
    assert not mismatches(draw(renderer, cat), draw(renderer, plain)).any()


def test_a_dead_cat_with_an_opacity_out_of_range_is_clamped(renderer: Renderer) -> None:
    above = read(renderer, dead=True, opacity=130)
    assert "opacity" not in above.params  # 100: no fog
    below = read(renderer, dead=True, opacity=-20)
    assert below.params["opacity"] == 0
    assert len(below.warnings) == 1


def test_an_unknown_scar_is_dropped_as_the_game_drops_it(renderer: Renderer) -> None:
    cat = read(renderer, scars=["FACEFROST", "ONE"])
    assert cat.params["scars"] == ["ONE"]
    assert "FACEFROST" in cat.warnings[0]
    known = read(renderer, scars=["ONE"])
    assert not mismatches(draw(renderer, cat), draw(renderer, known)).any()


def test_a_cat_paralysed_only_in_its_conditions_is_drawn_paralysed(renderer: Renderer) -> None:
    options = DrawOptions(conditions={"1": PARALYSED})
    cat = read(renderer, options)
    assert cat.sprite_number == read(renderer, paralyzed=True).sprite_number
    assert "conditions" in cat.warnings[0]
    assert read(renderer).sprite_number != cat.sprite_number


def test_a_zipped_legacy_folder_brings_its_conditions(client: TestClient) -> None:
    cats = [saved_cat(ID="1"), saved_cat(ID="2")]
    body = make_zip(
        {
            "Thunder/clan_cats.json": json.dumps(cats).encode(),
            "Thunder/conditions/1_conditions.json": json.dumps(PARALYSED).encode(),
        }
    )
    answer = client.post("/save/params", content=body).json()
    assert answer["saveFormat"] == "legacy"
    first, second = answer["cats"]
    assert first["spriteNumber"] != second["spriteNumber"]
    assert first["warnings"]
    assert second["warnings"] == []


@pytest.fixture(scope="module")
def lifegen_client(renderer: Renderer) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(worker_count=1), PackSet({"lifegen": renderer}))) as c:
        yield c


def test_each_legacy_cats_request_draws_it_through_render(
    client: TestClient, lifegen_client: TestClient
) -> None:
    body = client.post("/save/params?limit=12", content=(SAVE / "clan_cats.json").read_bytes())
    for cat in body.json()["cats"]:
        answer = lifegen_client.post(
            "/render", json=cat["request"], headers={"Accept": "image/png"}
        )
        assert answer.status_code == 200, answer.text[:300]
        expected = load_rgba(SAVE / "expected" / f"{cat['ID']}.png")
        assert not mismatches(load_rgba(answer.content), expected).any(), cat["ID"]
