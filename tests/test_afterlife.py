"""Afterlife linearts, the Dark Forest overlay of living cats, and the fading of dead ones."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import (
    DEFAULT_DARK_FOREST_OVERLAY,
    STAGES,
    CatParams,
    DarkForestOverlay,
    Layer,
    Renderer,
    SpritePack,
)
from renderer_service.renderer.stages import dark_forest_overlay

from .conftest import sprite_root
from .imaging import atlas_cell, mismatches
from .reference import blit, dark_forest_overlay_float, fade

ROOT = sprite_root()
CAT = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "eyeColour": "GREEN",
    "skinColour": "PINK",
    "whitePatches": "LITTLE",
    "scars": ["ONE"],
    "accessories": ["MAPLE LEAF"],
    "shading": True,
}


def render(renderer: Renderer, pose: int = 8, **params: Any) -> tuple[Any, dict[str, Layer]]:
    cat = CatParams.model_validate({**CAT, "spriteNumber": pose, **params})
    result = renderer.render(cat, collect_layers=True, layer_images=True)
    assert result.layers is not None
    return result.image, {layer.id: layer for layer in result.layers}


@pytest.mark.parametrize(
    ("params", "group"),
    [
        ({}, "lines"),
        ({"darkForest": True}, "lineartdf"),
        ({"dead": True}, "lineartdead"),
        ({"dead": True, "darkForest": True}, "lineartdf"),
        ({"dead": True, "afterlife": "starclan"}, "lineartdead"),
        ({"dead": True, "afterlife": "darkForest"}, "lineartdf"),
        ({"dead": True, "darkForest": True, "afterlife": "darkForest"}, "lineartdf"),
        ({"dead": True, "afterlife": "unknownResidence"}, "lineartur"),
        ({"aprilFools": True}, "aprilfoolslineart"),
        ({"darkForest": True, "aprilFools": True}, "aprilfoolslineartdf"),
        ({"dead": True, "aprilFools": True}, "aprilfoolslineartdead"),
        ({"dead": True, "darkForest": True, "aprilFools": True}, "aprilfoolslineartdf"),
        (
            {"dead": True, "afterlife": "unknownResidence", "aprilFools": True},
            "aprilfoolslineartur",
        ),
    ],
)
def test_lineart_follows_life_afterlife_and_april_fools(
    renderer: Renderer, params: dict[str, Any], group: str
) -> None:
    for pose in (0, 8, 17):
        _, layers = render(renderer, pose, **params)
        assert layers["lineart"].sprites == [group]
        image = layers["lineart"].image
        assert image is not None
        cell = atlas_cell(ROOT, group, pose)
        assert cell[:, :, 3].any()
        assert not mismatches(image, cell).any(), (group, pose)


def test_a_living_dark_forest_cat_gets_the_v2_overlay_then_the_dark_forest_lineart(
    renderer: Renderer,
) -> None:
    before = Renderer(renderer.pack, stages=STAGES[: STAGES.index(dark_forest_overlay)])
    plain = {**CAT, "accessories": [], "scars": [], "darkForest": True}
    for pose in (3, 10, 15):
        cat = CatParams.model_validate({**plain, "spriteNumber": pose})
        coat = before.render(cat).image
        expected = blit(
            dark_forest_overlay_float(coat, (120, 30, 30), 0.5),
            atlas_cell(ROOT, "lineartdf", pose),
            atlas_cell(ROOT, "skinPINK", pose),
        )
        result = renderer.render(cat, collect_layers=True)
        assert not mismatches(result.image, expected).any(), pose
        assert result.layers is not None
        layer = next(layer for layer in result.layers if layer.id == "darkForestTint")
        assert layer.drawn
        assert layer.blend_mode == "multiply"


def test_the_overlay_multiplies_opaque_pixels_by_187_5_142_5_142_5(renderer: Renderer) -> None:
    coat = renderer.render(CatParams.model_validate({"spriteNumber": 8, "colour": "WHITE"}))
    opaque = coat.image[:, :, 3] == 255
    after = dark_forest_overlay_float(coat.image, (120, 30, 30), 0.5)
    factors = (187.5 / 255, 142.5 / 255, 142.5 / 255)
    for channel, factor in enumerate(factors):
        wanted = coat.image[:, :, channel][opaque] * factor
        assert (abs(after[:, :, channel][opaque] - wanted) <= 0.5 + 1e-9).all()
    assert (after[:, :, 3][opaque] == 255).all()


def test_the_dark_forest_overlay_is_a_renderer_setting(
    renderer: Renderer, pack: SpritePack
) -> None:
    assert renderer.dark_forest_overlay == DEFAULT_DARK_FOREST_OVERLAY
    assert DarkForestOverlay((120, 30, 30), 0.5) == DEFAULT_DARK_FOREST_OVERLAY
    living, _ = render(renderer, scars=[], accessories=[])
    default, _ = render(renderer, darkForest=True, scars=[], accessories=[])
    other, _ = render(
        Renderer(pack, dark_forest_overlay=DarkForestOverlay((90, 90, 160), 0.8)),
        darkForest=True,
        scars=[],
        accessories=[],
    )
    clear_overlay = Renderer(pack, dark_forest_overlay=DarkForestOverlay((0, 0, 0), 0.0))
    no_overlay, _ = render(clear_overlay, darkForest=True, scars=[], accessories=[])
    lineart_only, _ = render(
        Renderer(pack, stages=tuple(s for s in STAGES if s is not dark_forest_overlay)),
        darkForest=True,
        scars=[],
        accessories=[],
    )
    assert mismatches(default, living).any()
    assert mismatches(default, other).any()
    assert not mismatches(no_overlay, lineart_only).any()
    with pytest.raises(ValueError, match="overlay colour"):
        DarkForestOverlay((256, 0, 0))
    with pytest.raises(ValueError, match="overlay alpha"):
        DarkForestOverlay((1, 2, 3), 1.5)


def test_dead_dark_forest_cats_are_drawn_as_the_game_draws_them(renderer: Renderer) -> None:
    _, layers = render(renderer, dead=True, darkForest=True)
    assert not layers["darkForestTint"].drawn
    assert layers["lineart"].sprites == ["lineartdf"]
    _, layers = render(renderer)
    assert not layers["darkForestTint"].drawn


@pytest.mark.parametrize(
    ("opacity", "stage"),
    [(100, None), (98, None), (97, 0), (81, 0), (80, 1), (46, 1), (45, 2), (0, 2)],
)
@pytest.mark.parametrize(
    ("afterlife", "backdrop"),
    [
        ({"dead": True}, "fadestarclan"),
        ({"dead": True, "darkForest": True}, "fadedf"),
        ({"dead": True, "afterlife": "darkForest"}, "fadedf"),
        ({"dead": True, "afterlife": "unknownResidence"}, "fadestarclan"),
    ],
)
def test_dead_cats_fade_as_clangen_fades_them(
    renderer: Renderer, opacity: int, stage: int | None, afterlife: dict[str, Any], backdrop: str
) -> None:
    for pose in (1, 8, 16, 19):
        whole, _ = render(renderer, pose, **afterlife)
        image, layers = render(renderer, pose, opacity=opacity, **afterlife)
        if stage is None:
            assert not layers["fading"].drawn
            assert not mismatches(image, whole).any()
            continue
        mask, fog = f"fademask{stage}", f"{backdrop}{stage}"
        assert layers["fading"].sprites == [mask, fog]
        fog_cell = atlas_cell(ROOT, fog, pose)
        expected = fade(whole, atlas_cell(ROOT, mask, pose), fog_cell)
        assert not mismatches(image, expected).any(), (opacity, pose)
        if fog_cell[:, :, 3].any():  # the pack has no fog for the sick poses 18 and 19
            assert mismatches(image, whole).any()


def test_living_cats_never_fade(renderer: Renderer) -> None:
    whole, _ = render(renderer, darkForest=True)
    image, layers = render(renderer, darkForest=True, opacity=10)
    assert not layers["fading"].drawn
    assert layers["fading"].notes == ["only dead cats fade"]
    assert not mismatches(image, whole).any()


def test_a_faded_cat_is_mirrored_after_fading(renderer: Renderer) -> None:
    image, _ = render(renderer, dead=True, opacity=50)
    mirrored, _ = render(renderer, dead=True, opacity=50, reverse=True)
    assert not mismatches(mirrored, image[:, ::-1]).any()


def post(client: TestClient, **params: Any) -> Any:
    return client.post(
        "/render", json={"payload": {"spriteNumber": 8, "params": {**CAT, **params}}}
    )


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"dead": True, "afterlife": "heaven"}, "afterlife", "heaven"),
        ({"afterlife": "starclan"}, "afterlife", "starclan"),
        ({"dead": True, "darkForest": True, "afterlife": "starclan"}, "afterlife", "starclan"),
    ],
)
def test_an_afterlife_that_cannot_be_drawn_is_refused(
    client: TestClient, params: dict[str, Any], field: str, value: str
) -> None:
    response = post(client, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_params"
    assert body["field"] == f"payload.params.{field}"
    item = body["errors"][0]
    assert item["value"] == value
    assert item["expected"]


def test_an_unknown_afterlife_lists_the_accepted_ones(client: TestClient) -> None:
    item = post(client, dead=True, afterlife="unknownresidense").json()["errors"][0]
    for name in ("starclan", "darkForest", "unknownResidence"):
        assert name in item["expected"]
    assert item["suggestions"] == ["unknownResidence"]


@pytest.mark.parametrize("opacity", [-1, 101, "50", 50.5])
def test_opacity_outside_0_to_100_is_refused(client: TestClient, opacity: object) -> None:
    body = post(client, dead=True, opacity=opacity).json()
    assert body["error"] == "invalid_request"
    assert body["field"] == "payload.params.opacity"


def test_afterlife_april_fools_and_opacity_render_over_http(client: TestClient) -> None:
    response = post(client, dead=True, afterlife="unknownResidence", aprilFools=True, opacity=30)
    assert response.status_code == 200
