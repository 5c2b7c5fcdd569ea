"""POST /save/params and /save/sheet: a save in, every cat out, as ClanGen draws it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings, SettingsError, load_settings
from renderer_service.renderer import CatParams, Renderer
from renderer_service.wire import MAX_BATCH_FRAMES

from .conftest import PARITY
from .imaging import load_rgba, mismatches
from .test_limits import uniform
from .test_saves import saved_cat

SAVE = PARITY / "save-public"
SAVE_BYTES = (SAVE / "clan_cats.json").read_bytes()
PUBLIC_CATS: list[dict[str, Any]] = json.loads(SAVE_BYTES)


@pytest.fixture(scope="module")
def public_params(client: TestClient) -> dict[str, Any]:
    response = client.post("/save/params", content=SAVE_BYTES)
    assert response.status_code == 200, response.text[:300]
    body: dict[str, Any] = response.json()
    return body


def decode(url: str) -> np.ndarray:
    return load_rgba(base64.b64decode(url.split(",", 1)[1]))


# --- /save/params -------------------------------------------------------------------------


def test_every_public_cat_converts_in_the_order_given(public_params: dict[str, Any]) -> None:
    assert public_params["errors"] == []
    assert [cat["ID"] for cat in public_params["cats"]] == [cat["ID"] for cat in PUBLIC_CATS]
    assert public_params["total"] == len(PUBLIC_CATS) == 150
    first = public_params["cats"][0]
    assert set(first) == {
        "index",
        "ID",
        "name",
        "status",
        "age",
        "moons",
        "spriteNumber",
        "pack",
        "params",
        "request",
        "warnings",
    }
    assert (first["name"], first["age"], first["moons"]) == ("Sloefrost", "adult", 60)
    assert public_params["saveFormat"] == "legacy"
    assert first["pack"] == "default"  # the service's legacy pack, by the name it serves it
    assert first["request"] == {
        "payload": {"spriteNumber": first["spriteNumber"], "params": first["params"]},
        "options": {"pack": "default"},
    }


@pytest.mark.parametrize("index", range(len(PUBLIC_CATS)), ids=[c["ID"] for c in PUBLIC_CATS])
def test_every_public_cat_is_pixel_exact_through_save_params_then_render(
    client: TestClient, public_params: dict[str, Any], index: int
) -> None:
    cat = public_params["cats"][index]
    response = client.post(
        "/render",
        json={"payload": {"params": cat["params"]}},
        headers={"Accept": "image/png"},
    )
    assert response.status_code == 200, response.text[:300]
    expected = load_rgba(SAVE / "expected" / f"{cat['ID']}.png")
    assert int(mismatches(load_rgba(response.content), expected).sum()) == 0


def test_the_wrapped_form_with_sick_cats(client: TestClient) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", moons=3)]
    body = client.post("/save/params", json={"cats": cats, "sick": ["b", "zz"]}).json()
    assert [cat["spriteNumber"] for cat in body["cats"]] == [7, 19]
    assert body["warnings"] == ["sick: no cat has the ID 'zz'"]


def test_without_sick_every_cat_is_healthy(client: TestClient) -> None:
    body = client.post("/save/params", json=[saved_cat(moons=3)]).json()
    assert body["cats"][0]["spriteNumber"] == 1


def test_a_bad_cat_is_listed_and_the_others_still_convert(client: TestClient) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", pelt_color="GINGR"), saved_cat(ID="c")]
    body = client.post("/save/params", json=cats).json()
    assert [cat["ID"] for cat in body["cats"]] == ["a", "c"]
    [error] = body["errors"]
    assert {key: error[key] for key in ("index", "ID", "field", "value")} == {
        "index": 1,
        "ID": "b",
        "field": "pelt_color",
        "value": "GINGR",
    }
    assert "GINGER" in error["detail"]


def test_paging_keeps_each_cats_index_in_the_whole_save(client: TestClient) -> None:
    cats = [saved_cat(ID=str(n)) for n in range(5)]
    cats[3]["skin"] = "PLAID"
    body = client.post("/save/params?offset=2&limit=2", json=cats).json()
    assert [(cat["index"], cat["ID"]) for cat in body["cats"]] == [(2, "2")]
    assert [(error["index"], error["ID"]) for error in body["errors"]] == [(3, "3")]
    assert (body["total"], body["offset"], body["limit"]) == (5, 2, 2)


def test_life_stage_draws_every_cat_at_that_age(client: TestClient) -> None:
    body = client.post("/save/params?lifeStage=kitten", json=[saved_cat()]).json()
    assert body["cats"][0]["spriteNumber"] == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "invalid_request"),
        (b"[{]", "invalid_request"),
        (b'"clan"', "invalid_request"),
        (b'{"cats": 3}', "invalid_request"),
        (b'{"cats": [], "kits": []}', "invalid_request"),
    ],
)
@pytest.mark.parametrize("path", ["/save/params", "/save/sheet"])
def test_a_body_that_is_not_a_save_is_a_422(
    client: TestClient, path: str, body: bytes, error: str
) -> None:
    assert uniform(client.post(path, content=body), 422)["error"] == error


@pytest.mark.parametrize(
    "query", ["lifeStage=elder", "offset=-1", "limit=0", "tilesize=100", "order=age"]
)
def test_bad_options_are_a_422_naming_them(client: TestClient, query: str) -> None:
    body = uniform(client.post(f"/save/sheet?{query}", content=SAVE_BYTES), 422)
    assert query.split("=")[0] in body["detail"]


# --- /save/sheet --------------------------------------------------------------------------


def test_the_sheet_holds_the_living_clan_by_default(
    client: TestClient, renderer: Renderer, public_params: dict[str, Any]
) -> None:
    response = client.post("/save/sheet?tileSize=50", content=SAVE_BYTES)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    living = [
        cat
        for cat in PUBLIC_CATS
        if not cat["dead"] and not cat["outside"] and not cat.get("exiled")
    ]
    assert [frame["id"] for frame in body["frames"]] == [cat["ID"] for cat in living]
    names = {cat["ID"]: cat["name"] for cat in public_params["cats"]}
    assert all(frame["label"] == names[frame["id"]] for frame in body["frames"])
    assert (body["total"], body["errors"]) == (len(living), [])
    sheet = decode(body["sheet"])
    for frame in body["frames"][:10]:
        tile = sheet[frame["y"] : frame["y"] + 50, frame["x"] : frame["x"] + 50]
        expected = load_rgba(SAVE / "expected" / f"{frame['id']}.png")
        assert not mismatches(tile, expected).any(), frame["id"]


def test_the_sheet_can_hold_the_dead_in_rank_order(client: TestClient) -> None:
    body = client.post("/save/sheet?include=dead&order=moons", content=SAVE_BYTES).json()
    dead = sorted((c for c in PUBLIC_CATS if c["dead"]), key=lambda c: c["moons"])
    assert [frame["id"] for frame in body["frames"]] == [cat["ID"] for cat in dead]


def test_rank_order_starts_with_the_leader_and_deputy(client: TestClient) -> None:
    body = client.post("/save/sheet?include=all&order=rank", content=SAVE_BYTES).json()
    assert [frame["group"] for frame in body["frames"][:2]] == ["leader", "deputy"]
    assert body["frames"][0]["label"].endswith("star")
    assert len(body["frames"]) == 150


def test_sources_and_tiles_on_request(client: TestClient) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", moons=0)]
    response = client.post("/save/sheet?tileSize=100&columns=1&includeSources=true", json=cats)
    body = response.json()
    assert (body["width"], body["height"], body["columns"]) == (100, 200, 1)
    assert [source["id"] for source in body["sources"]] == ["a", "b"]
    assert body["frames"][1]["spriteNumber"] == 20


def test_a_sick_cat_is_drawn_sick_on_the_sheet(client: TestClient, renderer: Renderer) -> None:
    body = client.post(
        "/save/sheet?includeSources=true", json={"cats": [saved_cat()], "sick": ["1"]}
    ).json()
    assert body["frames"][0]["spriteNumber"] == 18
    params = {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN"}
    expected = renderer.render(CatParams.model_validate(params), 18).image
    assert not mismatches(decode(body["sources"][0]["image"]), expected).any()


def test_a_clan_larger_than_a_sheet_is_a_413_suggesting_include_or_paging(
    client: TestClient,
) -> None:
    cats = [saved_cat(ID=str(n)) for n in range(MAX_BATCH_FRAMES + 1)]
    body = uniform(client.post("/save/sheet", json=cats), 413)
    assert body["error"] == "too_many_frames"
    assert str(MAX_BATCH_FRAMES) in body["detail"]
    for word in ("include", "offset", "limit"):
        assert word in body["detail"]
    second = client.post(f"/save/sheet?offset={MAX_BATCH_FRAMES}", json=cats).json()
    assert [frame["id"] for frame in second["frames"]] == [str(MAX_BATCH_FRAMES)]
    assert second["total"] == MAX_BATCH_FRAMES + 1


def test_no_cat_left_to_draw_is_a_422(client: TestClient) -> None:
    body = uniform(client.post("/save/sheet?include=dead", json=[saved_cat()]), 422)
    assert body["field"] == "include"


def test_bad_cats_are_listed_beside_the_sheet(client: TestClient) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", moons="old")]
    body = client.post("/save/sheet", json=cats).json()
    assert [frame["id"] for frame in body["frames"]] == ["a"]
    assert [(error["ID"], error["field"]) for error in body["errors"]] == [("b", "moons")]


# --- limits -------------------------------------------------------------------------------


def test_the_save_routes_take_bodies_larger_than_the_render_limit(client: TestClient) -> None:
    big = json.dumps(PUBLIC_CATS * 4).encode()
    assert len(big) > 3 * 262_144
    body = client.post("/save/params?limit=1", content=big).json()
    assert body["total"] == 600
    assert uniform(client.post("/render", content=big), 413)["error"] == "body_too_large"


def test_the_save_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().save_max_body_bytes == 16 * 1024 * 1024
    monkeypatch.setenv("CG3_SAVE_MAX_BODY_BYTES", "lots")
    with pytest.raises(SettingsError, match="CG3_SAVE_MAX_BODY_BYTES"):
        load_settings()


@pytest.fixture(scope="module")
def small_save_client(renderer: Renderer) -> Iterator[TestClient]:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, save_max_body_bytes=4096)
    with TestClient(create_app(settings, renderer)) as client:
        yield client


@pytest.mark.parametrize("path", ["/save/params", "/save/sheet"])
def test_a_save_over_its_limit_is_a_413(small_save_client: TestClient, path: str) -> None:
    body = uniform(small_save_client.post(path, content=SAVE_BYTES), 413)
    assert body["error"] == "body_too_large"
    assert "4096" in body["detail"]
    small = json.dumps([saved_cat()]).encode()
    assert small_save_client.post(path, content=small).status_code == 200


def test_the_catalog_describes_the_save_routes(client: TestClient) -> None:
    saves = client.get("/catalog").json()["saves"]
    assert set(saves["routes"]) == {"/save/params", "/save/sheet"}
    assert saves["include"] == ["living", "dead", "all"]
    assert saves["order"] == ["given", "rank", "name", "moons"]
    assert saves["lifeStages"] == ["newborn", "kitten", "adolescent", "adult", "senior"]
    assert saves["ages"][0] == {"age": "newborn", "moons": [0, 0]}


def test_a_save_of_broken_cats_lists_a_bounded_number_of_problems(client: TestClient) -> None:
    from renderer_service.work.save_sheets import MAX_LISTED_ERRORS

    cats = [{"ID": str(n)} for n in range(200)]  # about a dozen problems each
    body = client.post("/save/params", json=cats).json()
    assert len(body["errors"]) == MAX_LISTED_ERRORS
    assert body["errors"][0]["index"] == 0
    [warning] = body["warnings"]
    assert warning.endswith("more problems are not listed")
