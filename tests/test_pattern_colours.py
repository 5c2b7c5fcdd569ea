"""Pattern colours in the renderer and the service: drawn wherever a coat colour is, listed
with their generator, and never drawn as something else when a generator fails."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import CatParams, Renderer
from renderer_service.renderer.patterns import PatternDefinition
from renderer_service.renderer.patterns import tiles as tiles_module
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.frames import FrameTask
from renderer_service.work.render import answer_render
from renderer_service.work.request import parse_render_request

from .imaging import mismatches


def render(renderer: Renderer, **params: object) -> np.ndarray:
    cat = CatParams.model_validate({"spriteNumber": 8, **params})
    image: np.ndarray = renderer.render(cat).image
    return image


def test_every_pattern_colour_draws_without_failing(renderer: Renderer) -> None:
    plain = render(renderer, colour="WHITE")
    patterns = renderer.palettes.patterns
    assert len(patterns) == 536
    for name in patterns.names():
        image = render(renderer, colour=name)
        assert mismatches(image, plain).any(), f"{name} draws the plain WHITE coat"


def test_a_pattern_colour_draws_in_the_coat_and_in_tortie_patches(renderer: Renderer) -> None:
    plain = render(renderer, peltName="Tabby", colour="WHITE")
    coat = render(renderer, peltName="Tabby", colour="TP_STEWART_BOLD")
    layer = {"pattern": "Tabby", "colour": "FL_UK", "mask": "ONE"}
    patched = render(renderer, peltName="Tabby", colour="TP_STEWART_BOLD", tortie=[layer])
    single = render(
        renderer,
        peltName="Tabby",
        colour="TP_STEWART_BOLD",
        isTortie=True,
        tortiePattern="Tabby",
        tortieColour="FL_UK",
        tortieMask="ONE",
    )
    assert mismatches(coat, plain).any()
    assert mismatches(patched, coat).any()
    assert not mismatches(patched, single).any()


def test_the_catalog_lists_each_pattern_colour_with_its_generator(client: TestClient) -> None:
    palettes = client.get("/catalog").json()["palettes"]
    colours = {c["name"]: c for p in palettes for c in p["colours"]}
    assert colours["FL_UK"]["kind"] == "pattern"
    assert colours["FL_UK"]["generator"] == "flag_uk"
    assert colours["FL_UK"]["tileSize"] == 50
    patterned = [c for c in colours.values() if c["kind"] == "pattern"]
    assert len(patterned) == 536
    assert all(c["generator"] for c in patterned)
    assert all(c["generator"] is None for c in colours.values() if c["kind"] == "flat")


def test_palettes_name_each_pattern_colours_generator(client: TestClient) -> None:
    palettes = client.get("/palettes").json()
    flags = next(p for p in palettes if p["id"] == "flag-patterns")
    assert flags["colors"]["FL_UK"]["pattern"]["type"] == "flag_uk"


def _broken(defn: PatternDefinition) -> np.ndarray:
    raise RuntimeError("the rasteriser is gone")


def test_a_failing_generator_is_a_500_naming_the_colour(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(tiles_module.GENERATORS, "flag_uk", _broken)
    renderer.palettes.patterns.clear()
    tortie = [{"pattern": "Tabby", "colour": "FL_UK", "mask": "ONE"}]
    body = json.dumps(
        {"payload": {"spriteNumber": 8, "params": {"colour": "GINGER", "tortie": tortie}}}
    ).encode()
    try:
        reply = answer_render(PackSet.single(renderer), body)
        cat = parse_render_request(body, PackSet.single(renderer))
        frames = FrameTask(((cat.params, cat.pose),) * 2, 50)
        frame = TaskHandler(PackSet.single(renderer))("frame", frames)
    finally:
        renderer.palettes.patterns.clear()
    answer = json.loads(reply.body)
    assert reply.status == 500
    assert answer["error"] == "pattern_failed"
    assert "FL_UK" in answer["detail"]
    assert answer["field"] == "payload.params.tortie[0].colour"
    assert answer["errors"][0]["value"] == "FL_UK"
    assert frame.status == 500
    assert frame.frames == ()  # the first frame failed: the second was not drawn
    assert frame.failure is not None
    assert json.loads(frame.failure.body)["field"] == "payload.params.tortie[0].colour"
