"""Packs people have: atlases without an index, and mods layered over another pack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer_service.packs.bundled import bundled_pack_root, load_sprite_pack
from renderer_service.renderer import CatParams, Renderer, SpritePack, SpritePackError

from .conftest import PARITY
from .imaging import load_rgba, mismatches

PUBLIC: list[dict[str, Any]] = json.loads((PARITY / "legacy-public" / "cases.json").read_text())
MOD_SHEET = "scars"
"""The atlas the mod pack redraws: some public cats use it, most do not."""


def _expected(case: dict[str, Any]) -> np.ndarray:  # type: ignore[type-arg]
    return load_rgba(PARITY / "legacy-public" / "expected" / f"{case['id']}.png")


def _atlases_only(target: Path) -> Path:
    """The bundled pack's atlases in a folder of their own: no index, no game data."""
    target.mkdir()
    for sheet in bundled_pack_root().glob("*.png"):
        shutil.copy(sheet, target / sheet.name)
    return target


def _recoloured_mod(target: Path) -> Path:
    """A mod of one atlas: the bundled ``MOD_SHEET`` with its colours inverted."""
    target.mkdir()
    with Image.open(bundled_pack_root() / f"{MOD_SHEET}.png") as sheet:
        pixels = np.asarray(sheet.convert("RGBA")).copy()
    pixels[:, :, :3] = 255 - pixels[:, :, :3]
    Image.fromarray(pixels, "RGBA").save(target / f"{MOD_SHEET}.png")
    return target


def test_a_folder_of_atlases_alone_renders_the_public_set_pixel_exact(
    pack: SpritePack, tmp_path: Path
) -> None:
    bare = load_sprite_pack(str(_atlases_only(tmp_path / "bare")))
    assert not (bare.root / "spritesIndex.json").exists()
    assert set(bare.groups) == set(pack.groups)
    assert len(bare.derived_groups) == len(pack.groups) - len(pack.extra_groups)
    assert bare.content_hash == pack.content_hash  # the same atlases, placed the same way
    renderer = Renderer(bare)
    for case in PUBLIC:
        image = renderer.render(CatParams.model_validate(case["params"])).image
        assert not mismatches(image, _expected(case)).any(), case["id"]


def test_a_mod_over_the_bundled_pack_changes_only_the_cats_using_its_sheet(
    renderer: Renderer, tmp_path: Path
) -> None:
    mod = _recoloured_mod(tmp_path / "mymod")
    layered = load_sprite_pack(f"{mod}:bundled")
    assert layered.layers == (mod, bundled_pack_root())
    assert layered.sheets[MOD_SHEET] == mod / f"{MOD_SHEET}.png"
    assert layered.sheets["lineart"] == bundled_pack_root() / "lineart.png"
    assert layered.content_hash != renderer.pack.content_hash
    modded = Renderer(layered)
    changed, using = set(), set()
    for case in PUBLIC:
        params = CatParams.model_validate(case["params"])
        sheets = {
            layered.groups[group].sheet for stage in modded.plan(params) for group in stage.sprites
        }
        if MOD_SHEET in sheets:
            using.add(case["id"])
        if mismatches(modded.render(params).image, _expected(case)).any():
            changed.add(case["id"])
    assert len(changed) > 1  # the set has cats with scars on that atlas...
    assert changed <= using  # ...and only they change (a scar may be hidden in some pose)


def test_a_packs_own_index_wins_over_the_layout(tmp_path: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(bundled_pack_root() / "lineart.png", mod / "mylines.png")
    (mod / "spritesIndex.json").write_text(
        json.dumps({"lines": {"spritesheet": "mylines", "xOffset": 0, "yOffset": 0}})
    )
    layered = SpritePack([mod, bundled_pack_root()])
    assert layered.groups["lines"].sheet == "mylines"
    assert layered.sheets["mylines"] == mod / "mylines.png"
    assert "lines" not in layered.derived_groups


def test_an_own_index_naming_a_missing_atlas_is_refused(tmp_path: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "spritesIndex.json").write_text(
        json.dumps({"lines": {"spritesheet": "nowhere", "xOffset": 0, "yOffset": 0}})
    )
    with pytest.raises(SpritePackError, match=r"nowhere\.png"):
        SpritePack([mod], layout=bundled_pack_root())


def test_a_folder_without_atlases_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SpritePackError, match="no atlas"):
        SpritePack([tmp_path / "empty"], layout=bundled_pack_root())


@pytest.mark.parametrize(
    ("setting", "needle"),
    [("bundled::bundled", "empty folder name"), ("{tmp}/absent:bundled", "absent")],
)
def test_bad_layered_settings_say_what_is_wrong(tmp_path: Path, setting: str, needle: str) -> None:
    with pytest.raises(SpritePackError, match="CG3_SPRITE_ROOT") as info:
        load_sprite_pack(setting.format(tmp=tmp_path))
    assert needle in str(info.value)
