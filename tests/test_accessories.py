"""Every accessory of the pack draws its own atlas cell, in the order given."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from renderer_service.renderer import CatParams, Renderer
from renderer_service.renderer.vocabulary import ACCESSORY_PREFIXES

from .conftest import PARITY, sprite_root
from .imaging import atlas_cell, load_rgba, mismatches
from .reference import blit

ROOT = sprite_root()
PELT_INFO = json.loads((ROOT / "peltInfo.json").read_text())
INDEX = json.loads((ROOT / "spritesIndex.json").read_text())
CLASSIC_LISTS = ("plant_accessories", "wild_accessories", "tail_accessories", "collars")
CLASSIC = {name for key in CLASSIC_LISTS for name in PELT_INFO[key]}
ALL = sorted(CLASSIC | set(PELT_INFO["extra_accessories"]))
LIFEGEN_ONLY = sorted(set(PELT_INFO["extra_accessories"]) - CLASSIC)
PLAIN = {"peltName": "SingleColour", "colour": "GINGER", "eyeColour": "YELLOW"}


def group_of(name: str) -> str:
    """The group ClanGen draws ``name`` from, read from the index alone."""
    if name == "LAVENDER":
        return "acc_herbsRASPBERRY"  # ClanGen's own quirk, which its pictures show
    matches = [prefix + name for prefix in ACCESSORY_PREFIXES if prefix + name in INDEX]
    assert len(matches) == 1, (name, matches)
    return matches[0]


def test_the_pack_names_350_accessories_and_every_one_is_accepted(renderer: Renderer) -> None:
    assert len(ALL) == 350
    assert len(LIFEGEN_ONLY) == 242
    assert sorted(renderer.vocabulary.accessories) == ALL


@pytest.mark.parametrize("name", ALL)
def test_each_accessory_draws_its_atlas_cell(renderer: Renderer, name: str) -> None:
    group = group_of(name)
    for pose in (2, 9, 16):
        cat = CatParams.model_validate({**PLAIN, "spriteNumber": pose, "accessories": [name]})
        result = renderer.render(cat, collect_layers=True, layer_images=True)
        assert result.layers is not None
        layer = next(layer for layer in result.layers if layer.id == "accessories")
        assert layer.sprites == [group]
        assert layer.drawn
        assert layer.image is not None
        cell = atlas_cell(ROOT, group, pose)
        assert cell[:, :, 3].any(), f"{group} is empty at pose {pose}"
        assert not mismatches(layer.image, cell).any(), (name, pose)
        opaque = cell[:, :, 3] == 255
        np.testing.assert_array_equal(result.image[opaque], cell[opaque], err_msg=name)


def test_several_accessories_draw_in_the_given_order(renderer: Renderer) -> None:
    names = ["CRIMSON", "CRIMSONBELL", "ACORN"]
    cat = {**PLAIN, "spriteNumber": 8}
    bare = renderer.render(CatParams.model_validate(cat)).image
    result = renderer.render(
        CatParams.model_validate({**cat, "accessories": names}), collect_layers=True
    )
    assert result.layers is not None
    layer = next(layer for layer in result.layers if layer.id == "accessories")
    assert layer.sprites == [group_of(name) for name in names]
    expected = blit(bare, *(atlas_cell(ROOT, group_of(name), 8) for name in names))
    assert not mismatches(result.image, expected).any()
    swapped = renderer.render(
        CatParams.model_validate({**cat, "accessories": [names[1], names[0], names[2]]})
    ).image
    assert mismatches(result.image, swapped).any()


def _plain_public_cases() -> list[dict[str, Any]]:
    """Public parity cats without accessories or mirroring, in poses where Lifegen draws them."""
    cases = json.loads((PARITY / "legacy-public" / "cases.json").read_text())
    return [
        case
        for case in cases
        if not case["params"].get("accessories")
        and not case["params"].get("accessory")
        and not case["params"].get("reverse")
        and case["params"]["spriteNumber"] < 18
    ]


PLAIN_CASES = _plain_public_cases()
CHUNKS = [LIFEGEN_ONLY[i : i + 16] for i in range(0, len(LIFEGEN_ONLY), 16)]


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_lifegen_only_accessories_keep_the_classic_layers_below_them(
    renderer: Renderer, chunk: int
) -> None:
    """A ClanGen picture with the Lifegen accessories blitted on, as ClanGen blits them."""
    case = PLAIN_CASES[chunk * 7 % len(PLAIN_CASES)]
    names = CHUNKS[chunk]
    pose = case["params"]["spriteNumber"]
    classic = load_rgba(PARITY / "legacy-public" / "expected" / f"{case['id']}.png")
    expected = blit(classic, *(atlas_cell(ROOT, group_of(name), pose) for name in names))
    image = renderer.render(CatParams.model_validate({**case["params"], "accessories": names}))
    bad = mismatches(image.image, expected)
    assert not bad.any(), f"{case['id']} with {names}: {int(bad.sum())} pixels differ"
    assert mismatches(image.image, classic).any()
