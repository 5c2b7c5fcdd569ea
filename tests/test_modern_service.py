"""The modern pack through the service: POST /render with options.pack "clangen" draws what
ClanGen v0.13.2 draws, poses go by name on both packs, and codes, catalog, batches and diffs
work for either layout."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import LEGACY_POSE_NAMES, ModernRenderer, Renderer
from renderer_service.renderer.modern import bundled_modern_pack_path, pcm_params
from renderer_service.wire import decode_cat_code

from .conftest import PARITY
from .imaging import load_rgba, mismatches

CASES: list[dict[str, Any]] = json.loads((PARITY / "modern-public" / "cases.json").read_text())


@pytest.fixture(scope="session")
def modern() -> ModernRenderer:
    return ModernRenderer.from_folder(bundled_modern_pack_path())


@pytest.fixture(scope="module")
def both(renderer: Renderer, modern: ModernRenderer) -> Iterator[TestClient]:
    """A service with the two bundled packs, as ``cg3 serve`` starts with no pack settings."""
    app = create_app(Settings(worker_count=1), PackSet({"lifegen": renderer, "clangen": modern}))
    with TestClient(app) as client:
        yield client


def render_body(case: dict[str, Any]) -> dict[str, Any]:
    """A modern-public case as the /render body a client sends: the pose beside the params."""
    params = pcm_params(case["params"], case["lineart"])
    pose = params.pop("pose")
    return {"payload": {"spriteNumber": pose, "params": params}, "options": {"pack": "clangen"}}


def png_of(client: TestClient, body: dict[str, Any]) -> Any:
    answer = client.post("/render", json=body, headers={"Accept": "image/png"})
    assert answer.status_code == 200, answer.text
    return load_rgba(answer.content)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_modern_public_cats_render_pixel_exact_through_post_render(
    both: TestClient, case: dict[str, Any]
) -> None:
    picture = png_of(both, render_body(case))
    expected = load_rgba(PARITY / "modern-public" / "expected" / f"{case['id']}.png")
    assert not mismatches(picture, expected).any(), f"{case['id']} differs from the game"


def test_a_pose_name_wins_over_the_pose_number(both: TestClient) -> None:
    body = render_body(CASES[0])
    named = {**body, "payload": {**body["payload"], "spriteNumber": 3, "pose": "senior1"}}
    by_number = {**body, "payload": {**body["payload"], "spriteNumber": 19}}
    assert (png_of(both, named) == png_of(both, by_number)).all()


@pytest.mark.parametrize("number", range(len(LEGACY_POSE_NAMES)))
def test_a_pose_name_on_lifegen_means_the_game_s_legacy_cell(both: TestClient, number: int) -> None:
    params = {"peltName": "Tabby", "colour": "GINGER"}
    named = png_of(both, {"payload": {"pose": LEGACY_POSE_NAMES[number], "params": params}})
    numbered = png_of(both, {"payload": {"spriteNumber": number, "params": params}})
    assert (named == numbered).all()


def test_a_pose_name_with_no_legacy_cell_is_a_422_listing_the_pack_s_names(
    both: TestClient,
) -> None:
    answer = both.post("/render", json={"payload": {"pose": "adolescent_long1"}})
    assert answer.status_code == 422
    (item,) = answer.json()["errors"]
    assert item["field"] == "payload.pose"
    assert "legacy layout has no cell" in item["detail"]
    assert "adult_short2" in item["expected"]
    assert "adolescent_long1" not in item["expected"]


def test_an_unknown_pose_name_suggests_close_ones(both: TestClient) -> None:
    answer = both.post(
        "/render", json={"payload": {"pose": "adult_shrt2"}, "options": {"pack": "clangen"}}
    )
    assert answer.status_code == 422
    assert "adult_short2" in answer.json()["errors"][0]["suggestions"]


def test_sprite_numbers_count_in_each_pack_s_own_pose_list(both: TestClient) -> None:
    sick_young = {"payload": {"spriteNumber": 25}, "options": {"pack": "clangen"}}
    assert both.post("/render", json=sick_young).status_code == 200
    answer = both.post("/render", json={"payload": {"spriteNumber": 25}})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "payload.spriteNumber"
    assert "0-20" in answer.json()["errors"][0]["expected"]


def test_a_code_names_its_pack_whichever_pack_is_the_default(both: TestClient) -> None:
    for pack in (None, "lifegen", "clangen"):
        body: dict[str, Any] = {"payload": {"params": {"colour": "GINGER"}}}
        if pack:
            body["options"] = {"pack": pack}
        code = both.post("/render", json=body).json()["code"]
        assert decode_cat_code(code)["pack"] == (pack or "lifegen")


def test_a_modern_cat_s_code_draws_the_same_picture(both: TestClient) -> None:
    body = render_body(CASES[5])
    drawn = both.post("/render", json=body).json()
    picture = both.get(f"/render/{drawn['code']}.png")
    assert picture.status_code == 200
    expected = load_rgba(base64.b64decode(drawn["image"].split(",", 1)[1]))
    assert (load_rgba(picture.content) == expected).all()


def test_codes_made_before_packs_were_named_keep_the_default_pack(both: TestClient) -> None:
    from renderer_service.wire import encode_cat_code

    old = encode_cat_code({"colour": "GINGER", "spriteNumber": 8})
    now = both.post(
        "/render", json={"payload": {"spriteNumber": 8, "params": {"colour": "GINGER"}}}
    ).json()
    picture = both.get(f"/render/{old}.png")
    assert picture.status_code == 200
    expected = load_rgba(base64.b64decode(now["image"].split(",", 1)[1]))
    assert (load_rgba(picture.content) == expected).all()


def test_the_catalog_of_clangen_lists_the_modern_vocabulary(both: TestClient) -> None:
    catalog = both.get("/catalog", params={"pack": "clangen"}).json()
    text = json.dumps(catalog)
    for name in ("adult_long0", "para_young0", "NYLON_BELL", "cyan", "ORANGE"):
        assert name in text, name


def test_layers_batches_and_diffs_work_on_the_modern_pack(both: TestClient) -> None:
    body = render_body(CASES[7])
    layered = {**body, "options": {"pack": "clangen", "collectLayers": True}}
    answer = both.post("/render", json=layered).json()
    assert [layer["id"] for layer in answer["layers"]][:2] == ["base", "tint"]
    batch = both.post(
        "/render/batch",
        json={
            "payload": body["payload"],
            "variants": [{"id": "senior", "pose": "senior0"}, {"id": "kit", "spriteNumber": 4}],
            "options": {"pack": "clangen"},
        },
    )
    assert batch.status_code == 200, batch.text
    picture = both.post("/render", json=body).json()["image"]
    diff = both.post("/diff", json={**body, "reference": picture})
    assert diff.status_code == 200, diff.text
    assert diff.json()["differing"] == 0


def test_clangen_draws_no_coat_and_no_skin_as_v2_does_with_notes(
    both: TestClient, modern: ModernRenderer
) -> None:
    body = render_body(CASES[7])
    params = {**body["payload"]["params"], "peltName": "", "skinColour": "none"}
    edge = {"payload": {**body["payload"], "params": params}}
    layered = both.post(
        "/render", json={**edge, "options": {"pack": "clangen", "collectLayers": True}}
    )
    assert layered.status_code == 200, layered.text
    layers = {layer["id"]: layer for layer in layered.json()["layers"]}
    assert not any(group.startswith("skin") for group in layers["skin"]["sprites"])
    assert any("no skin" in note for note in layers["skin"]["diagnostics"])
    assert any("no base coat" in note for note in layers["base"]["diagnostics"])
    plain = both.post("/render", json={**edge, "options": {"pack": "clangen"}})
    assert plain.json()["image"] == layered.json()["image"]  # the table planner draws the same
    assert plain.json()["image"] != both.post("/render", json=body).json()["image"]
    cat = modern.params_model.model_validate(
        {**params, "spriteNumber": body["payload"]["spriteNumber"]}
    )
    pose = modern.pose_number(cat)
    assert modern.planner.ops(cat, pose) == modern.plan(cat).ops
