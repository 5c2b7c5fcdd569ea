"""Backgrounds: colours and ClanGen's profile platforms, drawn the way the game draws them."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from renderer_service.renderer import CatParams, Renderer, parse_background
from renderer_service.renderer.backgrounds import (
    CAT_OFFSET,
    auto_platform_names,
    bundled_platforms_path,
    platform_names,
)
from renderer_service.renderer.errors import TraitError

from .imaging import load_rgba, mismatches
from .reference import from_surface, to_surface

SHADED = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "shading": True,
    "accessories": ["MAPLE LEAF"],
    "dead": True,
    "opacity": 60,  # fading: many translucent pixels, which show how they blend
}


def sheet() -> np.ndarray:
    return load_rgba(bundled_platforms_path())


def cell(column: int, row: int) -> np.ndarray:
    return sheet()[row * 70 : row * 70 + 70, column * 80 : column * 80 + 80]


def game_profile(platform: np.ndarray, cat: np.ndarray) -> np.ndarray:
    """What ClanGen shows: the platform surface with the cat surface blitted at (15, 0)."""
    surface = to_surface(platform)
    surface.blit(to_surface(cat), CAT_OFFSET)  # type: ignore[attr-defined]
    return from_surface(surface)


def decode(url: str, media_type: str = "image/png") -> np.ndarray:
    prefix = f"data:{media_type};base64,"
    assert url.startswith(prefix)
    return load_rgba(base64.b64decode(url[len(prefix) :]))


def render(client: TestClient, params: dict[str, Any], pose: int = 8, **options: Any) -> Any:
    body = {"payload": {"spriteNumber": pose, "params": params}, "options": options}
    return client.post("/render", json=body)


@pytest.mark.parametrize(
    ("name", "column", "row"),
    [
        ("platform:beach:greenleaf:dark", 0, 0),
        ("platform:forest:greenleaf:light", 1, 1),
        ("platform:mountainous:leafbare:dark", 2, 2),
        ("platform:nest:leaffall:light", 5, 3),
        ("platform:plains:newleaf:light", 7, 4),
        ("platform:darkforest:dark", 0, 5),
        ("platform:darkforest:light", 1, 5),
        ("platform:starclan:dark", 2, 5),
        ("platform:starclan:light", 3, 5),
    ],
)
def test_a_platform_answer_is_the_platform_with_the_games_cat_at_15_0(
    client: TestClient, renderer: Renderer, name: str, column: int, row: int
) -> None:
    params = CatParams.model_validate(SHADED)
    cat = renderer.render(params, 8).image
    answer = render(client, SHADED, background=name)
    assert answer.status_code == 200, answer.text
    picture = decode(answer.json()["image"])
    expected = game_profile(cell(column, row), cat)
    assert picture.shape == (70, 80, 4)
    assert not mismatches(picture, expected).any()
    assert answer.json()["meta"]["background"] == name
    assert (answer.json()["meta"]["width"], answer.json()["meta"]["height"]) == (80, 70)


def test_a_platform_answer_is_scaled_whole(client: TestClient) -> None:
    small = decode(
        render(client, SHADED, background="platform:forest:newleaf:dark").json()["image"]
    )
    big = render(client, SHADED, background="platform:forest:newleaf:dark", scale=3).json()
    assert (big["meta"]["width"], big["meta"]["height"]) == (240, 210)
    enlarged = np.repeat(np.repeat(small, 3, axis=0), 3, axis=1)
    assert not mismatches(decode(big["image"]), enlarged).any()


@pytest.mark.parametrize("colour", ["#336699", "#33669980", "#FFFFFF00"])
def test_a_colour_background_is_the_cat_blitted_onto_that_colour(
    client: TestClient, renderer: Renderer, colour: str
) -> None:
    params = CatParams.model_validate(SHADED)
    cat = renderer.render(params, 8).image
    digits = colour[1:] if len(colour) == 9 else colour[1:] + "ff"
    rgba = [int(digits[i : i + 2], 16) for i in (0, 2, 4, 6)]
    filled = np.empty((50, 50, 4), dtype=np.uint8)
    filled[:] = rgba
    surface = to_surface(filled)
    surface.blit(to_surface(cat), (0, 0))  # type: ignore[attr-defined]
    answer = render(client, SHADED, background=colour)
    assert answer.status_code == 200, answer.text
    assert not mismatches(decode(answer.json()["image"]), from_surface(surface)).any()
    assert answer.json()["meta"]["background"] == colour.lower().removesuffix("ff")


@pytest.mark.parametrize(
    ("params", "pose", "chosen"),
    [
        ({}, 8, "platform:plains:leaffall:light"),
        ({}, 20, "platform:nest:leaffall:light"),
        ({}, 18, "platform:nest:leaffall:light"),
        ({"dead": True}, 8, "platform:starclan:light"),
        ({"dead": True}, 20, "platform:starclan:light"),
        ({"dead": True, "afterlife": "unknownResidence"}, 8, "platform:starclan:light"),
        ({"dead": True, "darkForest": True}, 8, "platform:darkforest:light"),
        ({"dead": True, "afterlife": "darkForest"}, 8, "platform:darkforest:light"),
        ({"darkForest": True}, 8, "platform:darkforest:light"),
        ({"darkForest": True}, 20, "platform:darkforest:light"),
    ],
)
def test_the_auto_platform_chooses_as_the_game_does(
    client: TestClient, params: dict[str, Any], pose: int, chosen: str
) -> None:
    answer = render(client, params, pose, background="platform:auto:plains:leaffall:light")
    assert answer.status_code == 200, answer.text
    assert answer.json()["meta"]["background"] == chosen
    fixed = render(client, params, pose, background=chosen).json()["image"]
    assert answer.json()["image"] == fixed


@pytest.mark.parametrize(
    ("value", "suggestion"),
    [
        ("platform:forst:greenleaf:light", "platform:forest:greenleaf:light"),
        ("platform:starclan:dim", "platform:starclan:dark"),
        ("#12345", "#rrggbb"),
        ("blue", None),
        ("platform:auto:nest:greenleaf", None),
    ],
)
def test_an_unknown_background_is_a_422_naming_the_field_and_what_is_accepted(
    client: TestClient, value: str, suggestion: str | None
) -> None:
    answer = render(client, {}, background=value)
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "options.background"
    item = body["errors"][0]
    assert item["value"] == value
    assert "platform:<biome>:<season>:<light|dark>" in item["expected"]
    if suggestion is not None:
        assert suggestion in item["suggestions"]


def test_every_listed_background_parses_and_every_platform_is_a_distinct_cell() -> None:
    for name in [*platform_names(), *auto_platform_names()]:
        assert parse_background(name).name == name
    with pytest.raises(TraitError):
        parse_background("platform:auto:starclan:light")
    assert len(platform_names()) == 5 * 4 * 2 + 4
    assert len(auto_platform_names()) == 5 * 4 * 2


def test_the_catalog_lists_every_background(client: TestClient) -> None:
    listed = client.get("/catalog").json()["backgrounds"]
    names = [entry["name"] for entry in listed["entries"]]
    assert set(platform_names()) <= set(names)
    assert set(auto_platform_names()) <= set(names)
    assert "transparent" in names
    assert listed["colourSyntax"] == ["#rrggbb", "#rrggbbaa"]
    for entry in listed["entries"]:
        assert parse_background(entry["name"]).name == entry["name"]
        if entry["kind"] == "platform":
            assert (entry["x"] % 80, entry["y"] % 70) == (0, 0)
            drawn = render(client, {"dead": True, "opacity": 0}, background=entry["name"])
            assert drawn.status_code == 200
            assert drawn.json()["meta"]["width"] == 80


@pytest.mark.parametrize("suffix", ["png", "webp", "gif"])
def test_a_code_url_takes_background_and_scale_and_its_suffix_chooses_the_format(
    client: TestClient, suffix: str
) -> None:
    code = render(client, SHADED).json()["code"]
    answer = client.get(
        f"/render/{code}.{suffix}",
        params={"scale": 2, "background": "platform:auto:forest:greenleaf:dark"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == f"image/{suffix}"
    with Image.open(io.BytesIO(answer.content)) as picture:
        assert picture.format == suffix.upper()
        assert picture.size == (160, 140)
    via_json = render(
        client, SHADED, scale=2, background="platform:starclan:dark", format=suffix
    ).json()
    assert base64.b64decode(via_json["image"].split(",", 1)[1]) == answer.content


def test_a_bad_background_on_a_code_url_is_a_422_naming_the_query_parameter(
    client: TestClient,
) -> None:
    code = render(client, {}).json()["code"]
    answer = client.get(f"/render/{code}.png", params={"background": "platform:moon:dark"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "background"
