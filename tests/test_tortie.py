"""Tortie patches as a list of layers, drawn in order over the base coat."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import CatParams, Layer, Renderer

from .conftest import sprite_root
from .imaging import atlas_cell, mismatches
from .reference import tortie

ROOT = sprite_root()
CAT = {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN", "shading": True}
LAYERS = [
    {"pattern": "Smoke", "colour": "BLACK", "mask": "ONE"},
    {"pattern": "SingleColour", "colour": "WHITE", "mask": "FOUR"},
    {"pattern": "Speckled", "colour": "CREAM", "mask": "MOTTLED"},
]


def base_layer(renderer: Renderer, params: dict[str, Any], pose: int = 8) -> tuple[Any, Layer]:
    cat = CatParams.model_validate({**CAT, "spriteNumber": pose, **params})
    result = renderer.render(cat, collect_layers=True, layer_images=True)
    assert result.layers is not None
    return result.image, result.layers[0]


@pytest.mark.parametrize("layer", LAYERS)
def test_one_layer_draws_what_the_single_tortie_fields_draw(
    renderer: Renderer, layer: dict[str, str]
) -> None:
    single = {
        "isTortie": True,
        "tortiePattern": layer["pattern"],
        "tortieColour": layer["colour"],
        "tortieMask": layer["mask"],
    }
    for pose in (0, 8, 15):
        listed, listed_base = base_layer(renderer, {"tortie": [layer]}, pose)
        fields, fields_base = base_layer(renderer, single, pose)
        assert not mismatches(listed, fields).any()
        assert listed_base.sprites == fields_base.sprites


def test_every_layer_is_cut_by_its_mask_and_drawn_in_order(renderer: Renderer) -> None:
    sprite = {"SingleColour": "single", "Smoke": "smoke", "Speckled": "speckled"}
    for pose in (2, 8, 13):
        _, layer = base_layer(renderer, {"tortie": LAYERS}, pose)
        groups = [
            (f"{sprite[item['pattern']]}{item['colour']}", f"tortiemask{item['mask']}")
            for item in LAYERS
        ]
        assert layer.sprites == ["tabbyGINGER", *(group for pair in groups for group in pair)]
        expected = tortie(
            atlas_cell(ROOT, "tabbyGINGER", pose),
            [(atlas_cell(ROOT, p, pose), atlas_cell(ROOT, m, pose)) for p, m in groups],
        )
        assert layer.image is not None
        assert not mismatches(layer.image, expected).any(), pose


def test_the_order_of_layers_matters(renderer: Renderer) -> None:
    forward, _ = base_layer(renderer, {"tortie": LAYERS})
    backward, _ = base_layer(renderer, {"tortie": LAYERS[::-1]})
    assert mismatches(forward, backward).any()


def test_tortie_fields_equal_to_the_first_layer_are_accepted(renderer: Renderer) -> None:
    first = LAYERS[0]
    params = {
        "isTortie": True,
        "tortiePattern": first["pattern"],
        "tortieColour": first["colour"],
        "tortieMask": first["mask"],
        "tortie": LAYERS,
    }
    both, _ = base_layer(renderer, params)
    listed, _ = base_layer(renderer, {"tortie": LAYERS})
    assert not mismatches(both, listed).any()


def post(client: TestClient, **params: Any) -> Any:
    return client.post(
        "/render", json={"payload": {"spriteNumber": 8, "params": {**CAT, **params}}}
    )


def test_each_layer_name_is_checked_and_named_by_its_path(client: TestClient) -> None:
    layers = [LAYERS[0], {"pattern": "Tabbby", "colour": "GINGR", "mask": "ONEE"}]
    response = post(client, tortie=layers)
    assert response.status_code == 422
    items = {item["field"]: item for item in response.json()["errors"]}
    assert set(items) == {
        "payload.params.tortie[1].pattern",
        "payload.params.tortie[1].colour",
        "payload.params.tortie[1].mask",
    }
    assert "Tabby" in items["payload.params.tortie[1].pattern"]["suggestions"]
    assert "GINGER" in items["payload.params.tortie[1].colour"]["suggestions"]
    assert "ONE" in items["payload.params.tortie[1].mask"]["suggestions"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tortieMask": "TWO"}, "tortieMask"),
        ({"tortiePattern": "Tabby"}, "tortiePattern"),
        ({"isTortie": True, "tortieColour": "WHITE"}, "tortieColour"),
        ({"isTortie": False}, "isTortie"),
    ],
)
def test_single_fields_that_differ_from_the_layers_are_noted_not_refused(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/render",
        json={
            "payload": {"spriteNumber": 8, "params": {**CAT, "tortie": LAYERS, **params}},
            "options": {"collectLayers": True},
        },
    )
    assert response.status_code == 200
    base = response.json()["layers"][0]
    assert base["id"] == "base"
    assert any(field in note for note in base["diagnostics"]), base["diagnostics"]


@pytest.mark.parametrize(
    "tortie",
    [
        [LAYERS[0]] * 17,
        [{"colour": "GINGER", "mask": "ONE"}],
        [{**LAYERS[0], "opacity": 3}],
        LAYERS[0],
    ],
)
def test_malformed_layer_lists_are_refused(client: TestClient, tortie: object) -> None:
    response = post(client, tortie=tortie)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["field"].startswith("payload.params.tortie")


def test_an_empty_list_is_the_same_as_no_list(renderer: Renderer) -> None:
    empty, _ = base_layer(renderer, {"tortie": []})
    none, _ = base_layer(renderer, {})
    assert not mismatches(empty, none).any()
