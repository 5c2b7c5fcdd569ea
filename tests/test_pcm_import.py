"""POST /import/pixel-cat-maker: a share link opens as the same cat pixel-cat-maker shows,
drawn as the game draws it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import ModernRenderer, Renderer
from renderer_service.renderer.modern import bundled_modern_pack_path
from renderer_service.work.pcm_import import PCM_URL_FIELDS, legacy_collar

from .conftest import PARITY
from .imaging import load_rgba, mismatches

CASES: list[dict[str, Any]] = json.loads((PARITY / "modern-public" / "cases.json").read_text())


def share_query(fields: dict[str, Any]) -> str:
    """A pixel-cat-maker share link's query, as its ``getURL`` writes it ("" for unset)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return urlencode({name: text(value) for name, value in fields.items()})


def share_url(fields: dict[str, Any]) -> str:
    """The link pixel-cat-maker's ``getURL`` writes: every field, "" for unset."""
    query = {name: fields.get(name) for name in PCM_URL_FIELDS}
    query["backgroundColour"] = query["backgroundColour"] or "rgb(255 255 255)"
    query["version"] = query["version"] or "v2"
    return "https://pixelcatmaker.example/?" + share_query(query)


def linkable(case: dict[str, Any]) -> bool:
    """Whether a share URL can hold the case: no scar or accessory list, and no white-patch
    tint on a cat without white patches (``getURL`` drops it)."""
    fields = case["params"]
    if isinstance(fields.get("accessory"), list) or isinstance(fields.get("scar"), list):
        return False
    tint = fields.get("whitePatchesTint")
    return not (tint not in (None, "none") and fields.get("whitePatches") is None)


LINKABLE = [case for case in CASES if linkable(case)]


def choices(case: dict[str, Any]) -> dict[str, Any]:
    """The page's choices beside the link: the lineart, and April Fools' as its own switch
    (the cases write it as an ``aprilfools-`` prefix of the lineart)."""
    lineart: str = case["lineart"]
    april_fools = lineart.startswith("aprilfools-")
    return {"lineart": lineart.removeprefix("aprilfools-"), "aprilFools": april_fools}


@pytest.fixture(scope="module")
def both(renderer: Renderer) -> Iterator[TestClient]:
    modern = ModernRenderer.from_folder(bundled_modern_pack_path())
    app = create_app(Settings(worker_count=1), PackSet({"lifegen": renderer, "clangen": modern}))
    with TestClient(app) as client:
        yield client


def test_most_public_cats_fit_in_a_share_url() -> None:
    assert len(LINKABLE) >= 60


@pytest.mark.parametrize("case", LINKABLE, ids=[case["id"] for case in LINKABLE])
def test_a_share_link_draws_the_game_s_picture(both: TestClient, case: dict[str, Any]) -> None:
    answer = both.post(
        "/import/pixel-cat-maker",
        json={"url": share_url(case["params"]), **choices(case)},
        headers={"Accept": "image/png"},
    )
    assert answer.status_code == 200, answer.text
    expected = load_rgba(PARITY / "modern-public" / "expected" / f"{case['id']}.png")
    assert not mismatches(load_rgba(answer.content), expected).any()


def test_the_answer_is_a_render_body_that_post_render_takes_as_it_is(both: TestClient) -> None:
    case = LINKABLE[0]
    url = share_url(case["params"]) + "&utm_source=discord"
    answer = both.post("/import/pixel-cat-maker", json={"url": url, **choices(case)})
    assert answer.status_code == 200, answer.text
    imported = answer.json()
    assert imported["request"]["options"] == {"pack": "clangen"}
    assert not any("utm_source" in warning for warning in imported["warnings"])
    drawn = both.post("/render", json=imported["request"], headers={"Accept": "image/png"})
    expected = load_rgba(PARITY / "modern-public" / "expected" / f"{case['id']}.png")
    assert not mismatches(load_rgba(drawn.content), expected).any()


def test_the_query_string_alone_is_enough(both: TestClient) -> None:
    query = share_url(LINKABLE[1]["params"]).split("?", 1)[1]
    answer = both.post("/import/pixel-cat-maker", json={"url": query})
    assert answer.status_code == 200, answer.text


def test_a_v1_link_converts_its_legacy_pose_and_collar(both: TestClient) -> None:
    url = "?" + urlencode(
        {"version": "v1", "spriteNumber": "6", "peltName": "Tabby", "colour": "GINGER",
         "accessory": "CRIMSONBELL", "shading": "false"}
    )  # fmt: skip
    imported = both.post("/import/pixel-cat-maker", json={"url": url}).json()
    payload = imported["request"]["payload"]
    assert payload["pose"] == "adult_short0"  # legacy 6 is modern cell 12
    assert payload["params"]["accessory"] == "LEATHER_BELL_crimson"
    assert any("CRIMSONBELL" in warning for warning in imported["warnings"])


@pytest.mark.parametrize(
    ("legacy", "modern"),
    [
        ("CRIMSON", "LEATHER_crimson"),
        ("RED", "LEATHER_orange"),
        ("MULTI", "LEATHER_rose"),
        ("SPIKES", "LEATHER_SPIKE_black_gold"),
        ("RAINBOW", "LEATHER_GRADIENT_rainbow"),
        ("BLUEBELL", "LEATHER_BELL_blue"),
        ("SPIKESBELL", "LEATHER_BELL_SPIKE_black_gold"),
        ("PINKBOW", "BOW_pink"),
        ("SPIKESBOW", "BOW_FOIL_black_gold"),
        ("LIMENYLON", "NYLON_BELL_lime"),
        ("SPIKESNYLON", "NYLON_BELL_black_gold"),
        ("RAINBOWNYLON", "NYLON_BELL_GRADIENT_rainbow"),
        ("MAPLE LEAF", None),
    ],
)
def test_legacy_collar_names_convert_as_pixel_cat_maker_converts_them(
    legacy: str, modern: str | None
) -> None:
    assert legacy_collar(legacy) == modern


def test_every_converted_legacy_collar_is_one_the_modern_pack_draws() -> None:
    modern = ModernRenderer.from_folder(bundled_modern_pack_path())
    colours = [
        *[
            "CRIMSON",
            "BLUE",
            "YELLOW",
            "CYAN",
            "RED",
            "LIME",
            "GREEN",
            "BLACK",
            "WHITE",
            "PINK",
            "PURPLE",
        ]
    ]
    colours += ["MULTI", "INDIGO", "SPIKES", "RAINBOW"]
    names = [colour + suffix for colour in colours for suffix in ("", "BELL", "BOW", "NYLON")]
    assert len(names) == 60
    for name in names:
        assert legacy_collar(name) in modern.vocabulary.accessories, name


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "?peltName=Tabby", "lineart": "ghostly"}, "lineart"),
        ({"url": "?peltName=Tabby&shading=yes"}, "url.shading"),
        ({"url": "?peltName=Tabby&spriteNumber=big"}, "url.spriteNumber"),
        ({"url": "https://example.org/?q=cats"}, "url"),
        ({"url": "?peltName=Tabbby"}, "payload.params.peltName"),
    ],
)
def test_a_link_that_cannot_be_a_cat_is_a_422_naming_the_field(
    both: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = both.post("/import/pixel-cat-maker", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def test_unknown_fields_are_dropped_and_said(both: TestClient) -> None:
    imported = both.post(
        "/import/pixel-cat-maker", json={"url": "?peltName=Tabby&colour=GINGER&mood=happy"}
    ).json()
    assert any("'mood'" in warning for warning in imported["warnings"])
