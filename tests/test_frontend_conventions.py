"""Requests shaped as the CatGenerator frontend builds them render, with every field it reads.

Each convention of the V2 contract is pinned here: slot synonyms and empty slots, ignored
fields, case-insensitive names, tortie as V2 reads it, palette colours (against a plain float
implementation of V2's arithmetic), ``whitePatchesTint`` as V2 reads it, and the answer's
``meta`` / ``layers`` fields.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import CatParams, Renderer
from renderer_service.runtime import LRUCache
from renderer_service.service import RenderService
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.reply import Reply

from .conftest import sprite_root
from .imaging import atlas_cell, load_rgba, mismatches
from .reference import blit, palette_recolour_float, tortie
from .test_api_render import decode_data_url

ROOT = sprite_root()

RANDOM_CAT: dict[str, Any] = {
    # as the random generators send it: lists and their first entry in the singular slots,
    # the tortie list and its first layer in the legacy fields, both Dark Forest flags
    "spriteNumber": 9,
    "peltName": "Tabby",
    "colour": "CHARTREUSE",
    "isTortie": True,
    "tortiePattern": "Speckled",
    "tortieColour": "GINGER",
    "tortieMask": "ONE",
    "tortie": [{"pattern": "Speckled", "colour": "GINGER", "mask": "ONE"}, None],
    "eyeColour": "BLUE",
    "skinColour": "PINK",
    "whitePatches": "LITTLE",
    "whitePatchesTint": "none",
    "tint": "none",
    "shading": True,
    "reverse": False,
    "accessories": ["MAPLE LEAF", None],
    "accessory": "MAPLE LEAF",
    "scars": ["ONE", "none"],
    "scar": "ONE",
    "darkForest": False,
    "darkMode": False,
    "dead": False,
    "basePalette": "bold",
    "tortiePalette": "classic",
    "experimentalColourMode": "bold",
}


def post(client: TestClient, params: dict[str, Any], **options: Any) -> Any:
    body: dict[str, Any] = {"payload": {"spriteNumber": 8, "params": params}}
    if options:
        body["options"] = options
    return client.post("/render", json=body)


def image_of(client: TestClient, params: dict[str, Any]) -> Any:
    response = post(client, params)
    assert response.status_code == 200, response.text
    return decode_data_url(response.json()["image"])


def same_picture(client: TestClient, a: dict[str, Any], b: dict[str, Any]) -> bool:
    return not mismatches(image_of(client, a), image_of(client, b)).any()


def lib(renderer: Renderer, **params: Any) -> Any:
    return renderer.render(CatParams.model_validate({"spriteNumber": 8, **params})).image


# --- whole requests as the frontend's tools send them ---------------------------------------


def test_a_random_generator_cat_renders_with_every_field_the_frontend_reads(
    client: TestClient,
) -> None:
    response = client.post(
        "/render",
        json={
            "payload": {"spriteNumber": 9, "params": RANDOM_CAT},
            "options": {"collectLayers": True, "includeLayerImages": True},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["image"].startswith("data:image/png;base64,")
    meta = body["meta"]
    for key in ("started_at", "finished_at", "duration_ms"):
        assert isinstance(meta[key], float)
    assert meta["memory_pressure"] is False
    for layer in body["layers"]:
        assert {"id", "label", "duration_ms", "diagnostics", "blend_mode", "image"} <= set(layer)
        assert layer["blend_mode"] in {"source-over", "multiply", "screen", "add", "replace"}
    modes = {layer["id"]: layer["blend_mode"] for layer in body["layers"]}
    assert modes["base"] == "source-over"
    assert modes["shading"] == "multiply"
    assert modes["darkForestTint"] == "multiply"


def test_the_discord_route_shape_with_the_pose_in_both_places_renders(
    client: TestClient,
) -> None:
    params = {**RANDOM_CAT, "spriteNumber": 9, "source": "discordkitten", "darkMode": True}
    response = client.post("/render", json={"payload": {"spriteNumber": 9, "params": params}})
    assert response.status_code == 200, response.text


def test_a_pose_given_twice_with_different_values_is_still_refused(client: TestClient) -> None:
    response = client.post(
        "/render", json={"payload": {"spriteNumber": 9, "params": {"spriteNumber": 8}}}
    )
    assert response.status_code == 422


def test_ignored_fields_are_accepted_and_change_nothing(client: TestClient) -> None:
    extra = {
        "source": "discordkitten",
        "basePalette": "bold",
        "tortiePalette": "pastel",
        "experimentalColourMode": ["mood", "blackout"],
        "label": "Mossfur",
        "poseName": "adult-sitting",
    }
    assert same_picture(client, {"colour": "GINGER", **extra}, {"colour": "GINGER"})
    response = client.post(
        "/render",
        json={"payload": {"spriteNumber": 8, "poseName": "x", "params": {"colour": "GINGER"}}},
    )
    assert response.status_code == 200


def test_unknown_fields_no_client_sends_are_still_refused(client: TestClient) -> None:
    response = post(client, {"colour": "GINGER", "furLength": "long"})
    assert response.status_code == 422
    assert response.json()["field"] == "payload.params.furLength"


# --- slots -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "same_as"),
    [
        ({"scar": "ONE"}, {"scars": ["ONE"]}),
        ({"scars": [], "scar": "ONE"}, {}),
        ({"scars": ["TWO"], "scar": "ONE"}, {"scars": ["TWO"]}),
        ({"scars": [None, "", "none", {"id": "ONE"}]}, {"scars": ["ONE"]}),
        ({"accessory": "MAPLE LEAF"}, {"accessories": ["MAPLE LEAF"]}),
        ({"accessories": [], "accessory": "MAPLE LEAF"}, {}),
        ({"accessories": ["HOLLY"], "accessory": "MAPLE LEAF"}, {"accessories": ["HOLLY"]}),
        ({"accessories": [None, "none", "", "HOLLY"]}, {"accessories": ["HOLLY"]}),
    ],
)
def test_list_slots_win_over_singular_ones_and_empty_entries_are_skipped(
    client: TestClient, params: dict[str, Any], same_as: dict[str, Any]
) -> None:
    assert same_picture(client, {"colour": "GINGER", **params}, {"colour": "GINGER", **same_as})


def test_dark_mode_means_dark_forest(client: TestClient) -> None:
    forest = image_of(client, {"colour": "GINGER", "darkForest": True})
    assert not mismatches(image_of(client, {"colour": "GINGER", "darkMode": True}), forest).any()
    both = {"colour": "GINGER", "darkForest": False, "darkMode": True}
    assert not mismatches(image_of(client, both), forest).any()
    assert mismatches(image_of(client, {"colour": "GINGER"}), forest).any()


def test_names_are_matched_case_insensitively_and_answered_canonically(
    client: TestClient,
) -> None:
    loose = {
        "peltName": "tabby",
        "colour": "ginger",
        "eyeColour": "blue",
        "skinColor": "pink",
        "tint": "Pink",
        "scars": ["one"],
        "accessories": ["maple leaf"],
        "tortie": [{"pattern": "speckled", "colour": "hotpink", "mask": "one"}],
    }
    exact = {
        "peltName": "Tabby",
        "colour": "GINGER",
        "eyeColour": "BLUE",
        "skinColour": "PINK",
        "tint": "pink",
        "scars": ["ONE"],
        "accessories": ["MAPLE LEAF"],
        "tortie": [{"pattern": "Speckled", "colour": "HOTPINK", "mask": "ONE"}],
    }
    a, b = post(client, loose), post(client, exact)
    assert a.status_code == b.status_code == 200
    assert a.json()["image"] == b.json()["image"]
    assert a.json()["code"] == b.json()["code"]  # the same cat, spelt canonically


def test_skin_colour_wins_over_a_different_skin_color_as_v2_reads_them_with_a_note(
    client: TestClient,
) -> None:
    both = client.post(
        "/render",
        json={
            "payload": {"params": {"skinColour": "PINK", "skinColor": "BLACK"}},
            "options": {"collectLayers": True},
        },
    )
    assert both.status_code == 200, both.text
    alone = post(client, {"skinColour": "PINK"})
    assert both.json()["image"] == alone.json()["image"]
    skin = next(layer for layer in both.json()["layers"] if layer["id"] == "skin")
    assert any("skinColor 'BLACK' is not drawn" in note for note in skin["diagnostics"])
    assert post(client, {"skinColor": "BLAK"}).status_code == 422  # alone, it is still checked


def test_an_empty_colour_is_drawn_white_as_v2_draws_it_with_a_note(client: TestClient) -> None:
    empty = client.post(
        "/render",
        json={"payload": {"params": {"colour": ""}}, "options": {"collectLayers": True}},
    )
    assert empty.status_code == 200, empty.text
    assert empty.json()["image"] == post(client, {"colour": "WHITE"}).json()["image"]
    base = next(layer for layer in empty.json()["layers"] if layer["id"] == "base")
    assert any("colour is empty" in note for note in base["diagnostics"])
    plain = client.post(
        "/render",
        json={"payload": {"params": {"colour": "WHITE"}}, "options": {"collectLayers": True}},
    )
    base = next(layer for layer in plain.json()["layers"] if layer["id"] == "base")
    assert not any("colour is empty" in note for note in base["diagnostics"])  # not cached


def layered(client: TestClient, params: dict[str, Any]) -> dict[str, Any]:
    """The answer with its layers; its picture is the plain (fast path) answer's."""
    answer = post(client, params, collectLayers=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["image"] == post(client, params).json()["image"]
    return dict(answer.json())


def layer_of(answer: dict[str, Any], layer_id: str) -> dict[str, Any]:
    return next(layer for layer in answer["layers"] if layer["id"] == layer_id)


def test_an_empty_pelt_name_draws_no_base_coat_as_v2_draws_it_with_a_note(
    client: TestClient, renderer: Renderer
) -> None:
    answer = layered(client, {"peltName": "", "colour": "GINGER"})
    base = layer_of(answer, "base")
    assert base["sprites"] == []
    assert any("no base coat" in note for note in base["diagnostics"])
    image = decode_data_url(answer["image"])
    coat = atlas_cell(ROOT, "singleGINGER", 8)[:, :, 3] > 0
    drawn_later = sum(
        atlas_cell(ROOT, group, 8)[:, :, 3] > 0 for group in ("lines", "eyesYELLOW", "skinPINK")
    )
    assert (coat & (drawn_later == 0)).any()
    assert (image[coat & (drawn_later == 0)][:, 3] == 0).all()  # only the coat was there
    np.testing.assert_array_equal(lib(renderer, peltName="", colour="GINGER"), image)
    # tortie patches are still drawn over the missing coat, as V2 draws them
    patched = layered(client, {"peltName": "", "isTortie": True, "tortie": [LAYER]})
    assert layer_of(patched, "base")["sprites"] == ["speckledGINGER", "tortiemaskONE"]
    assert patched["image"] != answer["image"]
    # a peltName left out is still the documented default cat's SingleColour coat
    assert same_picture(client, {}, {"peltName": "SingleColour"})
    plain = layered(client, {"peltName": "SingleColour"})
    assert not any("no base coat" in note for note in layer_of(plain, "base")["diagnostics"])


@pytest.mark.parametrize("params", [{"skinColour": "none"}, {"skinColor": "none"}])
def test_skin_colour_none_draws_no_skin_as_v2_draws_it_with_a_note(
    client: TestClient, params: dict[str, Any]
) -> None:
    answer = layered(client, params)
    skin = layer_of(answer, "skin")
    assert skin["sprites"] == []
    assert any("no skin" in note for note in skin["diagnostics"])
    without = decode_data_url(answer["image"])
    with_skin = image_of(client, {"skinColour": "PINK"})
    skin_pixels = atlas_cell(ROOT, "skinPINK", 8)[:, :, 3] > 0
    assert mismatches(without, with_skin).any()
    assert not mismatches(without, with_skin)[~skin_pixels].any()  # only the skin is missing
    pink = layered(client, {"skinColour": "PINK"})
    assert not any("no skin" in note for note in layer_of(pink, "skin")["diagnostics"])


def test_the_code_of_a_cat_without_coat_or_skin_draws_it_again(client: TestClient) -> None:
    answer = post(client, {"peltName": "", "skinColour": "none", "colour": "GINGER"})
    assert answer.status_code == 200, answer.text
    again = client.get(f"/render/{answer.json()['code']}.png")
    assert again.status_code == 200, again.text
    np.testing.assert_array_equal(load_rgba(again.content), decode_data_url(answer.json()["image"]))


# --- tortie as V2 reads it ---------------------------------------------------------------------

BASE = {"peltName": "Tabby", "colour": "BLACK"}
LAYER = {"pattern": "Speckled", "colour": "GINGER", "mask": "ONE"}


@pytest.mark.parametrize(
    ("params", "same_as"),
    [
        ({"isTortie": True}, {}),
        ({"isTortie": True, "tortie": []}, {}),
        ({"isTortie": False, "tortie": [LAYER]}, {}),
        ({"isTortie": False, **{f"tortie{k.title()}": v for k, v in LAYER.items()}}, {}),
        ({"tortie": [LAYER]}, {"isTortie": True, "tortie": [LAYER]}),
        ({"tortie": [{"pattern": "Speckled", "mask": "ONE"}]}, {"tortie": [LAYER]}),
        (
            {"isTortie": True, "tortiePattern": "Speckled", "tortieMask": "ONE"},
            {"tortie": [LAYER]},
        ),
        ({"tortie": [None, LAYER, None]}, {"tortie": [LAYER]}),
        (
            {"tortie": [LAYER], "tortiePattern": "Bengal", "tortieColour": "WHITE"},
            {"tortie": [LAYER]},
        ),
    ],
)
def test_tortie_fields_are_read_as_v2_reads_them(
    client: TestClient, params: dict[str, Any], same_as: dict[str, Any]
) -> None:
    assert same_picture(client, {**BASE, **params}, {**BASE, **same_as})


def test_a_tortie_layer_without_a_mask_covers_the_whole_coat(renderer: Renderer) -> None:
    for mask in ({}, {"mask": "none"}):
        layer = {"pattern": "Speckled", "colour": "GINGER", **mask}
        image = lib(renderer, **BASE, tortie=[layer], eyeColour="BLUE", skinColour="PINK")
        alone = lib(renderer, peltName="Speckled", colour="GINGER")
        body = atlas_cell(ROOT, "lines", 8)[:, :, 3] == 0  # the coat, away from the lineart
        coat = (alone[:, :, 3] == 255) & body & (atlas_cell(ROOT, "eyesBLUE", 8)[:, :, 3] == 0)
        coat &= atlas_cell(ROOT, "skinPINK", 8)[:, :, 3] == 0
        assert (image[coat] == alone[coat]).all()


def test_a_tortie_layer_without_a_pattern_is_refused(client: TestClient) -> None:
    response = post(client, {"tortie": [{"colour": "GINGER", "mask": "ONE"}]})
    assert response.status_code == 422
    assert response.json()["field"].startswith("payload.params.tortie[0]")


def test_a_tortie_list_differing_from_the_single_fields_is_noted(client: TestClient) -> None:
    params = {**BASE, "tortie": [LAYER], "tortieMask": "TWO"}
    response = post(client, params, collectLayers=True)
    assert response.status_code == 200
    base = next(layer for layer in response.json()["layers"] if layer["id"] == "base")
    assert any("tortieMask 'TWO'" in note for note in base["diagnostics"])


# --- palette colours -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "multiply", "screen"),
    [
        ("CHARTREUSE", (184, 255, 80), (210, 255, 120, 0.2)),
        ("HOTPINK", (255, 80, 150), (255, 120, 190, 0.2)),
        ("NEBULA_INDIGO", (11, 10, 26), (36, 30, 84, 0.07)),
        ("CERULEAN", (90, 160, 254), None),
    ],
)
def test_a_flat_palette_colour_recolours_the_white_sprite_as_v2_does(
    renderer: Renderer,
    name: str,
    multiply: tuple[int, int, int],
    screen: tuple[int, int, int, float] | None,
) -> None:
    for pelt, sprite in (("SingleColour", "single"), ("Tabby", "tabby"), ("Bengal", "bengal")):
        for pose in (0, 8, 20):
            white = atlas_cell(ROOT, f"{sprite}WHITE", pose)
            expected = palette_recolour_float(white, multiply, screen)
            cat = CatParams.model_validate({"spriteNumber": pose, "peltName": pelt, "colour": name})
            result = renderer.render(cat, collect_layers=True, layer_images=True)
            assert result.layers is not None
            base = result.layers[0].image
            assert base is not None
            assert not mismatches(base, expected).any(), (name, pelt, pose)


def test_palette_colours_work_as_tortie_patches(renderer: Renderer) -> None:
    layer = {"pattern": "Tabby", "colour": "HOTPINK", "mask": "ONE"}
    cat = CatParams.model_validate({"spriteNumber": 8, **BASE, "tortie": [layer]})
    result = renderer.render(cat, collect_layers=True, layer_images=True)
    assert result.layers is not None
    base = result.layers[0].image
    coat = atlas_cell(ROOT, "tabbyBLACK", 8)
    patches = palette_recolour_float(
        atlas_cell(ROOT, "tabbyWHITE", 8), (255, 80, 150), (255, 120, 190, 0.2)
    )
    mask = atlas_cell(ROOT, "tortiemaskONE", 8)

    assert base is not None
    assert not mismatches(base, tortie(coat, [(patches, mask)])).any()


def test_a_pattern_colour_draws_its_pattern_without_the_plain_coat_note(
    client: TestClient,
) -> None:
    response = post(client, {"colour": "FL_UK"}, collectLayers=True)
    assert response.status_code == 200
    notes = response.json()["layers"][0]["diagnostics"]
    assert not any("pattern is not drawn" in note for note in notes)
    assert any("generator flag_uk" in note for note in notes)
    assert not same_picture(client, {"colour": "FL_UK"}, {"colour": "WHITE"})


def test_a_pattern_colour_paints_white_patches_plain_with_a_note(client: TestClient) -> None:
    params = {"whitePatches": "LITTLE", "whitePatchesTint": "FL_UK"}
    response = post(client, params, collectLayers=True)
    assert response.status_code == 200
    patches = next(layer for layer in response.json()["layers"] if layer["id"] == "whitePatches")
    assert any("pattern is not drawn" in note for note in patches["diagnostics"])
    assert same_picture(client, params, {**params, "whitePatchesTint": "WHITE"})


def test_palette_colours_are_served_and_listed_apart(client: TestClient) -> None:
    palettes = client.get("/palettes").json()
    assert len(palettes) == 70
    assert sum(len(p["colors"]) for p in palettes) == 1357
    bold = next(p for p in palettes if p["id"] == "bold")
    assert set(bold) == {"id", "label", "description", "colors"}
    assert bold["colors"]["HOTPINK"] == {
        "multiply": [255, 80, 150],
        "screen": [255, 120, 190, 0.2],
    }
    catalog = client.get("/catalog").json()
    assert "HOTPINK" not in {c["name"] for c in catalog["colours"]}
    listed = {c["name"]: c for p in catalog["palettes"] for c in p["colours"]}
    assert len(listed) == 1357
    assert listed["HOTPINK"]["kind"] == "flat"
    assert listed["FL_UK"]["kind"] == "pattern"


# --- whitePatchesTint ------------------------------------------------------------------------


def test_lower_case_white_patch_tints_tint_patches_and_points_as_the_game(
    renderer: Renderer,
) -> None:
    cat = {"whitePatches": "LITTLE", "points": "COLOURPOINT", "whitePatchesTint": "cream"}
    result = renderer.render(
        CatParams.model_validate({"spriteNumber": 8, **cat}), collect_layers=True
    )
    assert result.layers is not None
    layers = {layer.id: layer for layer in result.layers}
    assert any("tinted cream" in note for note in layers["whitePatches"].notes)
    assert any("tinted cream" in note for note in layers["points"].notes)


@pytest.mark.parametrize("colour", ["CREAM", "BLACK", "HOTPINK"])
def test_an_upper_case_colour_paints_the_patches_and_leaves_points_untinted(
    renderer: Renderer, colour: str
) -> None:
    pose = 8
    params = {
        "spriteNumber": pose,
        "whitePatches": "LITTLE",
        "whitePatchesTint": colour,
        "points": "COLOURPOINT",
        "vitiligo": "VITILIGO",
    }
    result = renderer.render(
        CatParams.model_validate(params), collect_layers=True, layer_images=True
    )
    assert result.layers is not None
    layers = {layer.id: layer for layer in result.layers}
    if colour == "HOTPINK":
        paint = palette_recolour_float(
            atlas_cell(ROOT, "singleWHITE", pose), (255, 80, 150), (255, 120, 190, 0.2)
        )
    else:
        paint = atlas_cell(ROOT, f"single{colour}", pose)
    patch = atlas_cell(ROOT, "whiteLITTLE", pose)
    cut = paint.copy()
    cut[:, :, 3] = (paint[:, :, 3].astype(int) * patch[:, :, 3] + 255) >> 8
    painted = layers["whitePatches"].image
    assert painted is not None
    assert not mismatches(painted, blit(cut * 0, cut)).any()
    points = layers["points"].image
    assert points is not None
    assert not mismatches(points, atlas_cell(ROOT, "whiteCOLOURPOINT", pose)).any()


def test_white_patch_tint_case_decides_between_tint_and_paint(client: TestClient) -> None:
    cat = {"whitePatches": "LITTLE", "colour": "BLACK"}
    tinted = image_of(client, {**cat, "whitePatchesTint": "cream"})
    painted = image_of(client, {**cat, "whitePatchesTint": "CREAM"})
    assert mismatches(tinted, painted).any()
    response = post(client, {**cat, "whitePatchesTint": "CHARTREUSE"})
    assert response.status_code == 200
    response = post(client, {**cat, "whitePatchesTint": "creme"})
    assert response.status_code == 422
    assert "cream" in response.json()["errors"][0]["suggestions"]


# --- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"outputFormat": "png"},
        {"format": "png"},
        {"format": "png", "outputFormat": "png"},
        {"outputFormat": "webp"},
    ],
)
def test_output_format_and_its_old_spelling_are_accepted(
    client: TestClient, options: dict[str, Any]
) -> None:
    assert post(client, {"colour": "GINGER"}, **options).status_code == 200


@pytest.mark.parametrize(
    ("options", "field"),
    [({"outputFormat": "jpeg"}, "outputFormat"), ({"format": "tiff"}, "format")],
)
def test_an_unknown_output_format_is_refused(
    client: TestClient, options: dict[str, Any], field: str
) -> None:
    response = post(client, {"colour": "GINGER"}, **options)
    assert response.status_code == 422
    assert field in response.json()["field"]


def test_the_health_metrics_report_memory_pressure(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["metrics"]["memory_pressure"] is False


class _QueueUnderPressure:
    """A render queue stand-in that draws in-process and reports pressure as told."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.under_pressure = False

    async def submit(self, kind: str, payload: Any, arrived: float | None = None) -> Reply:
        reply = TaskHandler(PackSet.single(self.renderer))(kind, payload)
        assert isinstance(reply, Reply)
        return reply


def test_memory_pressure_is_set_while_the_queue_is_under_pressure_even_from_the_cache(
    renderer: Renderer,
) -> None:
    queue = _QueueUnderPressure(renderer)
    service = RenderService(renderer, queue, LRUCache(16, 1 << 20))  # type: ignore[arg-type]
    body = json.dumps({"payload": {"spriteNumber": 8, "params": {"colour": "GINGER"}}}).encode()

    def pressure() -> bool:
        reply = asyncio.run(service.render(body))
        assert reply.status == 200
        flag: bool = json.loads(reply.body)["meta"]["memory_pressure"]
        return flag

    assert pressure() is False
    queue.under_pressure = True
    assert pressure() is True  # a cached answer, flagged now
    queue.under_pressure = False
    assert pressure() is False


def test_a_batch_in_the_frontends_shape_renders(client: TestClient) -> None:
    response = client.post(
        "/render/batch",
        json={
            "payload": {
                "spriteNumber": 8,
                "poseName": "adult",
                "collectLayers": False,
                "params": {**RANDOM_CAT, "spriteNumber": 8},
            },
            "variants": [
                {"id": "kit", "spriteNumber": 2, "poseName": "kit", "params": {"scar": "TWO"}},
                {"id": "pal", "overrides": {"colour": "hotpink", "darkMode": True}},
            ],
            "options": {"tileSize": 50, "includeSources": True, "includeBase": False},
        },
    )
    assert response.status_code == 200, response.text
    assert [frame["id"] for frame in response.json()["frames"]] == ["kit", "pal"]
