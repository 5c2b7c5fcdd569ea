"""Loading a sprite pack: cells, lookups, and clear errors for broken packs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import renderer_service
from renderer_service.packs.bundled import bundled_pack_root, find_sprite_root, load_sprite_pack
from renderer_service.renderer import (
    CatParams,
    InvalidTraitsError,
    SpritePack,
    SpritePackError,
    Vocabulary,
    check_traits,
)
from renderer_service.renderer.sprites import EMPTY_CELL, GroupLocation

from .imaging import load_rgba, mismatches


def test_cells_are_the_atlas_crops_of_each_pose(pack: SpritePack) -> None:
    for group, pose in [
        ("singleGINGER", 0),
        ("eyesBLUE", 8),
        ("acc_herbsMAPLE LEAF", 20),
        ("lines", 13),
    ]:
        location = pack.groups[group]
        column, row = pack.poses[pose].column, pack.poses[pose].row
        sheet = load_rgba(pack.root / f"{location.sheet}.png")
        top, left = location.y + row * 50, location.x + column * 50
        crop = sheet[top : top + 50, left : left + 50]
        assert not mismatches(pack.sprite(group, pose), crop).any(), (group, pose)


def test_transparent_cells_share_the_empty_cell(pack: SpritePack) -> None:
    assert not pack.cells[EMPTY_CELL].any()
    assert len(pack.cells) < len(pack.groups) * pack.pose_count
    for cell in range(1, len(pack.cells), 997):
        top, bottom, left, right = pack.bboxes[cell]
        alpha = pack.cells[cell][:, :, 3]
        assert alpha[top:bottom, left:right].sum() == alpha.sum() > 0


def test_pack_knows_its_groups_and_poses(pack: SpritePack) -> None:
    assert pack.pose_count == 21
    assert pack.has_group("singleWHITE")
    assert not pack.has_group("singleNOPE")
    with pytest.raises(KeyError):
        pack.cell_id("singleNOPE", 0)
    assert len(pack.content_hash) == 32


def _copy_pack_metadata(source: Path, target: Path) -> Path:
    """A small pack: the JSON files and only the atlases a handful of groups need."""
    target.mkdir()
    (target / "dicts").mkdir()
    for name in [
        "spritesOffsetMap.json",
        "peltInfo.json",
        "dicts/tint.json",
        "dicts/white_patches_tint.json",
    ]:
        shutil.copy(source / name, target / name)
    index = json.loads((source / "spritesIndex.json").read_text())
    keep = {name: entry for name, entry in index.items() if entry["spritesheet"] == "lineart"}
    (target / "spritesIndex.json").write_text(json.dumps(keep))
    shutil.copy(source / "lineart.png", target / "lineart.png")
    return target


def test_a_small_valid_pack_loads(pack: SpritePack, tmp_path: Path) -> None:
    small = SpritePack(_copy_pack_metadata(pack.root, tmp_path / "small"))
    assert list(small.groups) == ["lines"]
    assert small.extra_groups == ()
    assert not mismatches(small.sprite("lines", 4), pack.sprite("lines", 4)).any()


def test_unindexed_linearts_are_registered_when_their_atlas_is_there(pack: SpritePack) -> None:
    assert pack.extra_groups == ("lineartur", "aprilfoolslineartur")
    for group in pack.extra_groups:
        assert pack.groups[group] == GroupLocation(group, 0, 0)
        sheet = load_rgba(pack.root / f"{group}.png")
        for pose in (0, 13, 20):
            top, left = (pose // 3) * 50, (pose % 3) * 50
            crop = sheet[top : top + 50, left : left + 50]
            assert not mismatches(pack.sprite(group, pose), crop).any()
    assert "aprilfoolslineart" not in pack.extra_groups  # the index has it


def test_an_indexed_group_is_never_replaced_by_an_unindexed_atlas(
    pack: SpritePack, tmp_path: Path
) -> None:
    root = _copy_pack_metadata(pack.root, tmp_path / "small")
    shutil.copy(pack.root / "lineartur.png", root / "lineartur.png")
    assert SpritePack(root).extra_groups == ("lineartur",)
    index = json.loads((root / "spritesIndex.json").read_text())
    index["lineartur"] = {"spritesheet": "lineart", "xOffset": 0, "yOffset": 0}
    (root / "spritesIndex.json").write_text(json.dumps(index))
    small = SpritePack(root)
    assert small.extra_groups == ()
    assert small.groups["lineartur"].sheet == "lineart"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dead": True}, "dead"),
        ({"dead": True, "afterlife": "unknownResidence"}, "afterlife"),
        ({"aprilFools": True}, "aprilFools"),
    ],
)
def test_a_pack_without_a_lineart_refuses_cats_that_need_it(
    pack: SpritePack, tmp_path: Path, params: dict[str, object], field: str
) -> None:
    small = SpritePack(_copy_pack_metadata(pack.root, tmp_path / "small"))
    vocabulary = Vocabulary.from_pack(small)
    assert dict(vocabulary.afterlives) == {}

    def refused(params: dict[str, object]) -> set[str]:
        with pytest.raises(InvalidTraitsError) as info:  # the pack has no coats either
            check_traits(CatParams.model_validate({"spriteNumber": 1, **params}), vocabulary)
        return {error.field for error in info.value.errors}

    assert refused(params) - refused({}) == {field}


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda root: (root / "spritesIndex.json").unlink(), "missing spritesIndex.json"),
        (lambda root: (root / "peltInfo.json").unlink(), "missing peltInfo.json"),
        (lambda root: (root / "dicts" / "tint.json").unlink(), "missing dicts/tint.json"),
        (
            lambda root: (root / "spritesIndex.json").write_text("{not json"),
            "cannot read spritesIndex.json",
        ),
        (lambda root: (root / "spritesIndex.json").write_text("[]"), "non-empty object"),
        (lambda root: (root / "lineart.png").unlink(), "lineart.png"),
        (lambda root: (root / "spritesOffsetMap.json").write_text('[{"x": 0}]'), "list of {x, y}"),
        (
            lambda root: (root / "spritesIndex.json").write_text(
                '{"lines": {"spritesheet": "lineart"}}'
            ),
            "lacks spritesheet/xOffset/yOffset",
        ),
    ],
)
def test_a_broken_pack_says_what_is_missing(
    pack: SpritePack, tmp_path: Path, breakage: object, message: str
) -> None:
    root = _copy_pack_metadata(pack.root, tmp_path / "broken")
    breakage(root)  # type: ignore[operator]
    with pytest.raises(SpritePackError, match="broken") as info:
        SpritePack(root)
    assert message in str(info.value)


def test_a_missing_folder_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(SpritePackError, match="no such directory"):
        SpritePack(tmp_path / "nowhere")


def test_without_a_setting_the_bundled_pack_is_used() -> None:
    root = find_sprite_root(None)
    assert root == bundled_pack_root()
    assert root.is_relative_to(Path(renderer_service.__file__).parent)
    assert (root / "spritesIndex.json").is_file()


def test_the_setting_wins_over_the_bundled_pack(tmp_path: Path) -> None:
    assert find_sprite_root(tmp_path) == tmp_path


def test_a_setting_naming_no_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(SpritePackError, match="CG3_SPRITE_ROOT") as info:
        load_sprite_pack(tmp_path / "configured-but-absent")
    assert "configured-but-absent" in str(info.value)
