"""POST /render/batch: merge semantics, layer frames, expansion and limits."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageSequence

from renderer_service.renderer import LAYER_IDS, CatParams, Renderer, upscale
from renderer_service.renderer.formats import gif_alpha
from renderer_service.wire import MAX_BATCH_FRAMES
from renderer_service.work.batch_plan import EXPANSIONS

from .imaging import load_rgba, mismatches

BASE = {
    "spriteNumber": 8,
    "params": {
        "peltName": "Tabby",
        "colour": "GINGER",
        "eyeColour": "GREEN",
        "accessories": ["MAPLE LEAF"],
        "shading": True,
    },
}


def batch(client: TestClient, variants: list[dict[str, Any]], **options: Any) -> Any:
    return client.post(
        "/render/batch", json={"payload": BASE, "variants": variants, "options": options}
    )


def decode(url: str) -> np.ndarray:
    return load_rgba(base64.b64decode(url.split(",", 1)[1]))


def tiles(body: dict[str, Any]) -> dict[str, np.ndarray]:
    sheet = decode(body["sheet"])
    return {
        frame["id"]: sheet[
            frame["y"] : frame["y"] + frame["height"], frame["x"] : frame["x"] + frame["width"]
        ]
        for frame in body["frames"]
    }


def drawn(renderer: Renderer, pose: int, **params: Any) -> np.ndarray:
    return renderer.render(CatParams.model_validate(params), pose).image


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return not mismatches(a, b).any()


def test_variants_merge_over_the_base_and_overrides_win(
    client: TestClient, renderer: Renderer
) -> None:
    response = batch(
        client,
        [
            {"id": "as-base"},
            {"id": "blue", "params": {"eyeColour": "BLUE"}},
            {"id": "override", "params": {"eyeColour": "BLUE"}, "overrides": {"eyeColour": "SAGE"}},
            {"id": "cleared", "params": {"accessories": [], "shading": False}},
            {"id": "kitten", "spriteNumber": 1},
        ],
    )
    assert response.status_code == 200, response.text
    got = tiles(response.json())
    base = BASE["params"]
    assert same(got["as-base"], drawn(renderer, 8, **base))
    assert same(got["blue"], drawn(renderer, 8, **{**base, "eyeColour": "BLUE"}))
    assert same(got["override"], drawn(renderer, 8, **{**base, "eyeColour": "SAGE"}))
    cleared = drawn(renderer, 8, **{**base, "accessories": [], "shading": False})
    assert same(got["cleared"], cleared)
    assert not same(got["cleared"], got["as-base"])
    assert same(got["kitten"], drawn(renderer, 1, **base))


def test_frames_describe_their_place_on_the_sheet(client: TestClient) -> None:
    variants = [{"id": f"f{i}", "label": f"Frame {i}", "group": "g"} for i in range(5)]
    body = batch(client, variants, tileSize=100, columns=2, includeSources=True).json()
    assert (body["width"], body["height"], body["tileSize"]) == (200, 300, 100)
    assert (body["columns"], body["rows"]) == (2, 3)
    third = body["frames"][2]
    assert third == {
        "id": "f2",
        "label": "Frame 2",
        "group": "g",
        "index": 2,
        "column": 0,
        "row": 1,
        "x": 0,
        "y": 100,
        "width": 100,
        "height": 100,
        "spriteNumber": 8,
        "drawn": True,
    }
    assert [source["id"] for source in body["sources"]] == [f"f{i}" for i in range(5)]
    assert same(decode(body["sources"][2]["image"]), tiles(body)["f2"])


def test_tiles_are_nearest_neighbour_enlargements(client: TestClient, renderer: Renderer) -> None:
    body = batch(client, [{"id": "x"}], tileSize=150).json()
    assert same(tiles(body)["x"], upscale(drawn(renderer, 8, **BASE["params"]), 3))


def test_include_base_adds_the_base_as_first_frame(client: TestClient) -> None:
    body = batch(client, [{"id": "v", "params": {"colour": "BLACK"}}], includeBase=True).json()
    assert [frame["id"] for frame in body["frames"]] == ["base", "v"]


def test_layer_frames_hold_only_that_layer(client: TestClient, renderer: Renderer) -> None:
    body = batch(
        client,
        [{"id": "green"}, {"id": "none", "params": {"accessories": []}}],
        frameMode="layer",
        layerId="accessories",
    ).json()
    got = tiles(body)
    assert same(got["green"], renderer.pack.sprite("acc_herbsMAPLE LEAF", 8))
    assert not got["none"][:, :, 3].any()
    assert [frame["drawn"] for frame in body["frames"]] == [True, False]


def test_expand_variants_walks_every_eye_colour(client: TestClient, renderer: Renderer) -> None:
    body = batch(client, [], expandVariants=True, layerId="eyes").json()
    colours = list(renderer.vocabulary.eye_colours)
    assert [frame["id"] for frame in body["frames"]] == colours
    assert all(frame["group"] == "eyes" for frame in body["frames"])
    got = tiles(body)
    for colour in colours[:4]:
        assert same(got[colour], drawn(renderer, 8, **{**BASE["params"], "eyeColour": colour}))


def test_expand_tortie_masks_for_a_tortie_base(client: TestClient, renderer: Renderer) -> None:
    payload = {
        "spriteNumber": 8,
        "params": {
            "isTortie": True,
            "tortiePattern": "Tabby",
            "tortieColour": "BLACK",
            "tortieMask": "ONE",
        },
    }
    response = client.post(
        "/render/batch",
        json={
            "payload": payload,
            "options": {"expandVariants": True, "layerId": "base", "frameMode": "layer"},
        },
    )
    assert response.status_code == 200, response.text
    assert [frame["id"] for frame in response.json()["frames"]] == list(
        renderer.vocabulary.tortie_masks
    )


def test_expanding_an_unknown_layer_names_the_choices(client: TestClient) -> None:
    body = batch(client, [], expandVariants=True, layerId="wings").json()
    assert body["field"] == "options.layerId"
    assert "eyes" in body["errors"][0]["expected"]


def test_more_frames_than_the_limit_is_refused(client: TestClient) -> None:
    response = batch(client, [], expandVariants=True, layerId="accessories")
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "too_many_frames"
    assert str(MAX_BATCH_FRAMES) in body["detail"]
    assert body["errors"][0]["value"] > MAX_BATCH_FRAMES
    response = batch(client, [{"id": str(i)} for i in range(MAX_BATCH_FRAMES + 1)])
    assert response.status_code == 422
    assert "256" in response.json()["detail"]


def test_tiles_over_1024_pixels_are_refused(client: TestClient) -> None:
    response = batch(client, [{"id": "x"}], tileSize=1025)
    assert response.status_code == 422
    assert response.json()["field"] == "options.tileSize"


def test_the_pixel_budget_counts_sheet_and_sources(client: TestClient) -> None:
    # 64 tiles of 400 px: the sheet alone is 10.24 million pixels, sources double it.
    variants = [{"id": str(i)} for i in range(64)]
    assert batch(client, variants, tileSize=400).status_code == 200
    response = batch(client, variants, tileSize=400, includeSources=True)
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "pixel_budget"
    assert "20,480,000" in body["detail"]
    assert "16,000,000" in body["detail"]


def test_bad_variant_params_name_the_variant(client: TestClient) -> None:
    body = batch(client, [{"id": "a"}, {"id": "b", "params": {"eyeColour": "BLU"}}]).json()
    assert body["field"] == "variants[1].params.eyeColour"
    assert "BLUE" in body["errors"][0]["suggestions"]
    body = batch(client, [{"id": "a", "params": {"shading": "yes"}}]).json()
    assert body["field"] == "variants[0].params.shading"
    body = batch(client, [{"id": "a", "params": {"eyeColor": "BLUE"}}]).json()
    assert body["field"] == "variants[0].params.eyeColor"
    assert "eyeColour" in body["errors"][0]["suggestions"]


def test_duplicate_ids_and_empty_batches_are_refused(client: TestClient) -> None:
    assert batch(client, [{"id": "a"}, {"id": "a"}]).json()["field"] == "variants[1].id"
    assert batch(client, []).status_code == 422


@pytest.mark.parametrize("mode", ["composed", "layer"])
def test_repeated_frames_come_from_the_cache(client: TestClient, mode: str) -> None:
    variants = [
        {"id": "a", "params": {"colour": "CREAM"}},
        {"id": "b", "params": {"colour": "LILAC"}},
    ]
    first = batch(client, variants, frameMode=mode, layerId="base", tileSize=77).json()
    second = batch(client, variants, frameMode=mode, layerId="base", tileSize=77).json()
    assert second["meta"]["cached"] == 2
    assert second["meta"]["rendered"] == 0
    assert second["sheet"] == first["sheet"]


@pytest.mark.parametrize("layer", sorted(set(EXPANSIONS) - {"accessories"}))
def test_every_expandable_layer_expands_to_distinct_valid_frames(
    client: TestClient, layer: str
) -> None:
    response = batch(client, [], expandVariants=True, layerId=layer, tileSize=10)
    assert response.status_code == 200, response.text
    ids = [frame["id"] for frame in response.json()["frames"]]
    assert len(ids) == len(set(ids)) >= 2


def test_expansions_name_real_layers() -> None:
    assert set(EXPANSIONS) <= set(LAYER_IDS)


# --- backgrounds, formats and animations ----------------------------------------------------


def _data(url: str, media_type: str = "image/png") -> bytes:
    prefix = f"data:{media_type};base64,"
    assert url.startswith(prefix), url[:40]
    return base64.b64decode(url[len(prefix) :])


def _single(client: TestClient, params: dict[str, Any], pose: int, **options: Any) -> Any:
    body = {"payload": {"spriteNumber": pose, "params": params}, "options": options}
    answer = client.post("/render", json=body)
    assert answer.status_code == 200, answer.text
    return load_rgba(_data(answer.json()["image"]))


LIFE = [
    {"id": "newborn", "spriteNumber": 20},
    {"id": "kit", "spriteNumber": 0},
    {"id": "adult", "spriteNumber": 8},
    {"id": "elder", "spriteNumber": 12},
]


def _life_batch(client: TestClient, payload: dict[str, Any], options: dict[str, Any]) -> Any:
    """The answer to a batch of ``payload`` at each ``LIFE`` stage."""
    return client.post(
        "/render/batch", json={"payload": payload, "variants": LIFE, "options": options}
    )


def test_a_platform_batch_has_80_by_70_tiles_times_the_scale_each_its_own_platform(
    client: TestClient,
) -> None:
    answer = _life_batch(
        client,
        {"params": {"colour": "GINGER"}},
        {"background": "platform:auto:forest:newleaf:light", "scale": 2},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["tileWidth"], body["tileHeight"], body["tileSize"]) == (160, 140, None)
    sheet = load_rgba(_data(body["sheet"]))
    for frame, variant in zip(body["frames"], LIFE, strict=True):
        tile = sheet[frame["y"] : frame["y"] + 140, frame["x"] : frame["x"] + 160]
        alone = _single(
            client,
            {"colour": "GINGER"},
            variant["spriteNumber"],
            background="platform:auto:forest:newleaf:light",
            scale=2,
        )
        assert not mismatches(tile, alone).any(), variant["id"]


def test_tile_size_on_a_platform_is_refused_naming_the_field(client: TestClient) -> None:
    answer = _life_batch(
        client, {"spriteNumber": 8}, {"background": "platform:starclan:dark", "tileSize": 100}
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "options.tileSize"
    assert "80 x 70" in answer.json()["errors"][0]["detail"]


def test_a_colour_batch_in_webp_decodes_to_the_cats_on_that_colour(client: TestClient) -> None:
    answer = client.post(
        "/render/batch",
        json={
            "payload": {"params": {"peltName": "Tabby"}},
            "variants": LIFE[:2],
            "options": {"background": "#223344", "format": "webp", "scale": 2, "columns": 2},
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["format"] == "webp"
    sheet = load_rgba(_data(body["sheet"], "image/webp"))
    assert sheet.shape == (100, 200, 4)
    for frame, variant in zip(body["frames"], LIFE, strict=False):
        alone = _single(
            client, {"peltName": "Tabby"}, variant["spriteNumber"], background="#223344", scale=2
        )
        tile = sheet[frame["y"] : frame["y"] + 100, frame["x"] : frame["x"] + 100]
        assert not mismatches(tile, alone).any()


@pytest.mark.parametrize("image_format", ["png", "gif"])
def test_an_animated_batch_plays_every_frame_in_order(
    client: TestClient, image_format: str
) -> None:
    answer = _life_batch(
        client,
        {"params": {"colour": "BLACK"}},
        {"animate": {"frameMs": 250, "loop": 0}, "format": image_format},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["animation"] == {"frameMs": 250, "loop": 0}
    assert (body["width"], body["height"]) == (50, 50)
    encoded = _data(body["sheet"], f"image/{image_format}")
    with Image.open(io.BytesIO(encoded)) as animation:
        assert animation.n_frames == len(LIFE)
        assert animation.info["duration"] == 250
        decoded = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(animation)]
    for got, variant in zip(decoded, LIFE, strict=True):
        alone = _single(client, {"colour": "BLACK"}, variant["spriteNumber"])
        if image_format == "gif":  # a black cat has few colours: only the alpha rule applies
            alone = gif_alpha(alone)
        assert not mismatches(got, alone).any(), variant["id"]


def test_an_animated_webp_is_refused_naming_the_format(client: TestClient) -> None:
    answer = _life_batch(client, {"spriteNumber": 8}, {"animate": {}, "format": "webp"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "options.format"


def test_webp_gif_and_animations_have_a_smaller_pixel_budget(client: TestClient) -> None:
    body: dict[str, Any] = {
        "payload": {"spriteNumber": 8},
        "options": {"layerId": "eyes", "expandVariants": True, "tileSize": 500},
    }  # 21 eye colours at 500 px: 5.25 million pixels
    assert client.post("/render/batch", json=body).status_code == 200
    for extra in ({"format": "webp"}, {"format": "gif"}, {"animate": {}}):
        answer = client.post(
            "/render/batch", json={**body, "options": {**body["options"], **extra}}
        )
        assert answer.status_code == 413, extra
        assert answer.json()["error"] == "pixel_budget"
        assert "4,000,000" in answer.json()["detail"]
