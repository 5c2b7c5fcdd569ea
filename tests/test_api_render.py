"""POST /render and GET /health over HTTP: shapes, formats and error answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import LAYER_IDS, CatParams, Renderer

from .conftest import PARITY, sprite_root
from .imaging import load_rgba, mismatches

TABBY = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "eyeColour": "GREEN",
    "skinColour": "PINK",
    "whitePatches": "LITTLE",
    "tint": "pink",
    "scars": ["ONE", "NOTAIL"],
    "accessories": ["MAPLE LEAF"],
    "shading": True,
}


def render(client: TestClient, params: dict[str, Any], pose: int | None = 8, **options: Any) -> Any:
    payload: dict[str, Any] = {"params": params}
    if pose is not None:
        payload["spriteNumber"] = pose
    return client.post("/render", json={"payload": payload, "options": options})


def decode_data_url(url: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return load_rgba(base64.b64decode(url[len(prefix) :]))


def test_render_returns_the_picture_as_a_data_url(client: TestClient, renderer: Renderer) -> None:
    response = render(client, TABBY)
    assert response.status_code == 200
    body = response.json()
    image = decode_data_url(body["image"])
    expected = renderer.render(CatParams.model_validate(TABBY), 8).image
    assert not mismatches(image, expected).any()
    assert body["layers"] is None
    meta = body["meta"]
    assert meta["spriteNumber"] == 8
    assert meta["width"] == meta["height"] == 50
    assert meta["finished_at"] >= meta["started_at"]
    assert meta["pack"] == renderer.pack.content_hash


def test_a_public_parity_cat_renders_identically_over_http(client: TestClient) -> None:
    case = json.loads((PARITY / "legacy-public" / "cases.json").read_text())[5]
    response = client.post("/render", json={"payload": {"params": case["params"]}})
    assert response.status_code == 200
    expected = load_rgba(PARITY / "legacy-public" / "expected" / f"{case['id']}.png")
    assert not mismatches(decode_data_url(response.json()["image"]), expected).any()


def test_accept_image_png_returns_the_bytes(client: TestClient) -> None:
    response = client.post(
        "/render",
        json={"payload": {"spriteNumber": 3, "params": TABBY}},
        headers={"Accept": "image/png"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert load_rgba(response.content).shape == (50, 50, 4)


def test_scale_enlarges_with_nearest_neighbour(client: TestClient) -> None:
    small = decode_data_url(render(client, TABBY).json()["image"])
    big = decode_data_url(render(client, TABBY, scale=4).json()["image"])
    assert big.shape == (200, 200, 4)
    np.testing.assert_array_equal(big[::4, ::4], small)


def test_collect_layers_lists_every_stage_in_order(client: TestClient) -> None:
    body = render(client, TABBY, collectLayers=True).json()
    layers = body["layers"]
    assert [layer["id"] for layer in layers] == list(LAYER_IDS)
    assert list(LAYER_IDS) == [
        "base",
        "tint",
        "whitePatches",
        "points",
        "vitiligo",
        "eyes",
        "scarsPrimary",
        "shading",
        "lighting",
        "darkForestTint",
        "lineart",
        "skin",
        "scarsSecondary",
        "accessories",
        "fading",
    ]
    by_id = {layer["id"]: layer for layer in layers}
    assert by_id["base"]["sprites"] == ["tabbyGINGER"]
    assert by_id["scarsPrimary"]["sprites"] == ["scarsONE"]
    assert by_id["scarsSecondary"]["sprites"] == ["scarsNOTAIL"]
    assert by_id["scarsSecondary"]["blendMode"] == "rgba_min"
    assert by_id["accessories"]["sprites"] == ["acc_herbsMAPLE LEAF"]
    assert by_id["tint"]["blendMode"] == "rgb_mult"
    assert by_id["tint"]["drawn"]
    assert not by_id["points"]["drawn"]
    assert by_id["points"]["sprites"] == []
    assert all(layer["duration_ms"] >= 0 for layer in layers)
    assert all(layer["image"] is None for layer in layers)


def test_layer_images_show_each_layer_alone(client: TestClient, renderer: Renderer) -> None:
    body = render(client, TABBY, collectLayers=True, includeLayerImages=True, scale=2).json()
    by_id = {layer["id"]: layer for layer in body["layers"]}
    eyes = decode_data_url(by_id["eyes"]["image"])
    assert eyes.shape == (100, 100, 4)
    expected = renderer.pack.sprite("eyesGREEN", 8)
    assert not mismatches(eyes[::2, ::2], expected).any()
    assert by_id["points"]["image"] is None
    tint = decode_data_url(by_id["tint"]["image"])
    assert (tint[:, :, 3] > 0).any()


def test_diagnostics_false_drops_notes_and_timings(client: TestClient) -> None:
    layers = render(client, TABBY, collectLayers=True, diagnostics=False).json()["layers"]
    assert all(layer["duration_ms"] is None and layer["diagnostics"] == [] for layer in layers)


def test_reverse_mirrors_the_picture(client: TestClient) -> None:
    plain = decode_data_url(render(client, TABBY).json()["image"])
    mirrored = decode_data_url(render(client, {**TABBY, "reverse": True}).json()["image"])
    assert not mismatches(mirrored, plain[:, ::-1]).any()


def test_pose_may_be_given_inside_params(client: TestClient) -> None:
    assert render(client, {**TABBY, "spriteNumber": 4}, pose=None).status_code == 200


def errors_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "detail", "field", "errors"}
    return body


@pytest.mark.parametrize(
    ("field", "value", "suggestion"),
    [
        ("peltName", "Tabbby", "Tabby"),
        ("colour", "GINGR", "GINGER"),
        ("tint", "pinkk", "pink"),
        ("whitePatches", "LITTEL", "LITTLE"),
        ("points", "COLORPOINT", "COLOURPOINT"),
        ("vitiligo", "VITILIGO3", "VITILIGO"),
        ("whitePatchesTint", "creme", "cream"),
        ("eyeColour", "BLEU", "BLUE"),
        ("eyeColour2", "EMERAL", "EMERALD"),
        ("skinColour", "PINC", "PINK"),
        ("accessory", "MAPLE LEAFS", "MAPLE LEAF"),
    ],
)
def test_unknown_trait_names_the_field_value_and_closest_names(
    client: TestClient, field: str, value: str, suggestion: str
) -> None:
    body = errors_of(render(client, {**TABBY, field: value}))
    assert body["error"] == "invalid_params"
    assert body["field"] == f"payload.params.{field}"
    item = body["errors"][0]
    assert item["value"] == value
    assert suggestion in item["suggestions"]
    assert item["expected"]


def test_list_items_are_named_by_position(client: TestClient) -> None:
    body = errors_of(render(client, {**TABBY, "scars": ["ONE", "NOTAL"], "accessories": ["X"]}))
    fields = [item["field"] for item in body["errors"]]
    assert fields == ["payload.params.scars[1]", "payload.params.accessories[0]"]
    assert "NOTAIL" in body["errors"][0]["suggestions"]


def test_a_wrong_tortie_mask_is_refused_even_without_a_pattern(client: TestClient) -> None:
    body = errors_of(render(client, {**TABBY, "isTortie": True, "tortieMask": "ONEE"}))
    assert [item["field"] for item in body["errors"]] == ["payload.params.tortieMask"]


@pytest.mark.parametrize("pose", [-1, 21, 100])
def test_pose_outside_0_to_20_is_refused(client: TestClient, pose: int) -> None:
    body = errors_of(render(client, TABBY, pose=pose))
    assert body["field"] == "payload.spriteNumber"
    assert body["errors"][0]["value"] == pose


def test_a_cat_without_a_pose_is_drawn_in_pose_8(client: TestClient) -> None:
    unposed = render(client, TABBY, pose=None)
    assert unposed.status_code == 200, unposed.text
    assert unposed.json()["meta"]["spriteNumber"] == 8
    posed = render(client, TABBY, pose=8).json()
    assert unposed.json()["image"] == posed["image"]
    assert unposed.json()["code"] == posed["code"]


def test_conflicting_poses_are_refused(client: TestClient) -> None:
    body = errors_of(render(client, {**TABBY, "spriteNumber": 2}, pose=3))
    assert body["field"] == "payload.params.spriteNumber"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"shading": "yes"}, "payload.params.shading"),
        ({"colour": 5}, "payload.params.colour"),
        ({"scars": "ONE"}, "payload.params.scars"),
        ({"spriteNumber": "3"}, "payload.params.spriteNumber"),
    ],
)
def test_wrong_types_are_refused(client: TestClient, params: dict[str, Any], field: str) -> None:
    body = errors_of(render(client, params))
    assert body["error"] == "invalid_request"
    assert body["field"] == field


def test_unknown_fields_are_refused_with_the_closest_field_names(client: TestClient) -> None:
    body = errors_of(render(client, {**TABBY, "eyeColor": "BLUE"}))
    assert body["field"] == "payload.params.eyeColor"
    assert "eyeColour" in body["errors"][0]["suggestions"]
    body = errors_of(render(client, TABBY, colectLayers=True))
    assert "collectLayers" in body["errors"][0]["suggestions"]


def test_scale_outside_1_to_16_is_refused(client: TestClient) -> None:
    assert errors_of(render(client, TABBY, scale=17))["field"] == "options.scale"


def test_a_body_that_is_not_json_is_refused(client: TestClient) -> None:
    response = client.post(
        "/render", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert errors_of(response)["error"] == "invalid_request"


def test_unknown_route_has_the_uniform_error_shape(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_health_reports_the_pack(client: TestClient, renderer: Renderer) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    # the 919 groups of the index, and the unindexed lineartur and aprilfoolslineartur
    assert body["pack"]["groups"] == len(renderer.pack.groups) == 919 + 2
    assert body["pack"]["name"] == "lifegen"
    assert body["pack"]["hash"] == renderer.pack.content_hash


def test_health_and_catalog_show_no_server_file_path(client: TestClient) -> None:
    folder = str(sprite_root().parent)
    for path in ("/health", "/catalog"):
        text = client.get(path).text
        assert folder not in text, path
        assert "/packs/" not in text, path
