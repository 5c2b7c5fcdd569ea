"""The modern renderer as a library: pose names and numbers, the legacy numbering, the trait
check's errors, the catalog, the pixel-cat-maker reader and the pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from renderer_service.renderer import (
    CatParams,
    InvalidTraitsError,
    SpritePackError,
    TraitError,
)
from renderer_service.renderer.modern import (
    DEFAULT_MODERN_POSE,
    LEGACY_POSE_NAMES,
    MODERN_LAYER_IDS,
    ModernCatParams,
    ModernRenderer,
    ModernSpritePack,
    bundled_modern_pack_path,
    fields_from_query,
    is_modern_pack,
    legacy_pose_number,
    pcm_params,
    read_pcm,
)

from .conftest import sprite_root
from .imaging import atlas_cell, mismatches

GAME_POSES = (
    *(f"newborn{i}" for i in range(3)),
    *(f"kitten{i}" for i in range(3)),
    *(f"adolescent_short{i}" for i in range(3)),
    *(f"adolescent_long{i}" for i in range(3)),
    *(f"adult_short{i}" for i in range(3)),
    *(f"adult_long{i}" for i in range(3)),
    *(f"senior{i}" for i in range(3)),
    "para_adult_short0",
    "para_adult_long0",
    "para_young0",
    "sick_adult0",
    "sick_young0",
)
"""ClanGen v0.13.2's poses, in cell order."""


@pytest.fixture(scope="module")
def modern() -> ModernRenderer:
    return ModernRenderer.from_folder(bundled_modern_pack_path())


def _cat(**traits: Any) -> ModernCatParams:
    return ModernCatParams.model_validate(traits)


def _errors(modern: ModernRenderer, params: CatParams, pose: Any = None) -> list[TraitError]:
    with pytest.raises(InvalidTraitsError) as caught:
        modern.check_traits(params, pose)
    with pytest.raises(InvalidTraitsError):
        modern.render(params, pose)
    return caught.value.errors


# --- poses ----------------------------------------------------------------------------------


def test_the_pack_names_the_games_26_poses_in_cell_order(modern: ModernRenderer) -> None:
    assert modern.pack.poses == GAME_POSES
    assert modern.pack.sheet_layout == (3, 9)
    assert [entry.name for entry in modern.catalog.poses] == list(GAME_POSES)


@pytest.mark.parametrize("number", range(26))
def test_a_pose_by_name_by_number_and_by_spritenumber_draw_the_same(
    modern: ModernRenderer, number: int
) -> None:
    name = GAME_POSES[number]
    by_name = modern.render(_cat(pose=name, colour="BLACK", eyeColour="BLUE")).image
    by_number = modern.render(_cat(pose=number, colour="BLACK", eyeColour="BLUE")).image
    by_sprite = modern.render(_cat(spriteNumber=number, colour="BLACK", eyeColour="BLUE")).image
    by_argument = modern.render(_cat(colour="BLACK", eyeColour="BLUE"), name).image
    for image in (by_number, by_sprite, by_argument):
        assert (image == by_name).all()
    # the pose is cell ``number`` of the groups: column number % 3, row number // 3
    root = bundled_modern_pack_path()
    assert (modern.pack.sprite("lineart", number) == atlas_cell(root, "lineart", number)).all()


def test_without_a_pose_the_default_adult_is_drawn(modern: ModernRenderer) -> None:
    assert DEFAULT_MODERN_POSE == "adult_short2"
    plain = modern.render(_cat()).image
    assert (plain == modern.render(_cat(pose="adult_short2")).image).all()
    assert (plain == modern.render(CatParams()).image).all()


def test_legacy_numbering_of_modern_pose_names() -> None:
    expected = {
        "kitten0": 0,
        "kitten2": 2,
        "adolescent_short0": 3,
        "adolescent_short2": 5,
        "adult_short0": 6,
        "adult_short2": 8,
        "adult_long0": 9,
        "adult_long2": 11,
        "senior0": 12,
        "senior2": 14,
        "para_adult_short0": 15,
        "para_adult_long0": 16,
        "para_young0": 17,
        "sick_adult0": 18,
        "sick_young0": 19,
        "newborn2": 20,
    }
    for name, number in expected.items():
        assert legacy_pose_number(name) == number, name
    for name in ("newborn0", "newborn1", "adolescent_long0", "adolescent_long2", "adult", ""):
        assert legacy_pose_number(name) is None, name
    # read forwards: legacy 0-5 are modern 3-8, 6-19 are 12-25, 20 is 2
    modern_cells = [GAME_POSES.index(name) for name in LEGACY_POSE_NAMES]
    assert modern_cells == [*range(3, 9), *range(12, 26), 2]


def test_a_legacy_pose_number_names_the_same_art_as_its_modern_pose(
    modern: ModernRenderer,
) -> None:
    """Coats are the same art in both layouts: legacy cell ``n`` of ``singleGINGER`` is the
    modern cell of the pose ``LEGACY_POSE_NAMES[n]`` names."""
    legacy_root = sprite_root()
    for number, name in enumerate(LEGACY_POSE_NAMES):
        legacy = _legacy_cell(legacy_root, "singleGINGER", number)
        cell = modern.pack.sprite("colours_singleGINGER", GAME_POSES.index(name))
        assert not mismatches(legacy, cell).any(), (number, name)


def _legacy_cell(root: Path, group: str, pose: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
    import json

    from .imaging import load_rgba

    entry = json.loads((root / "spritesIndex.json").read_text())[group]
    cell = json.loads((root / "spritesOffsetMap.json").read_text())[pose]
    sheet = load_rgba(root / f"{entry['spritesheet']}.png")
    top = int(entry["yOffset"]) + 50 * int(cell["y"])
    left = int(entry["xOffset"]) + 50 * int(cell["x"])
    return sheet[top : top + 50, left : left + 50]


def test_the_modern_params_reach_poses_the_legacy_params_refuse() -> None:
    assert ModernCatParams.model_validate({"spriteNumber": 25}).sprite_number == 25
    with pytest.raises(ValidationError):
        CatParams.model_validate({"spriteNumber": 25})
    assert ModernCatParams.model_validate({"pose": "none"}).pose is None


# --- the trait check --------------------------------------------------------------------------


def test_a_misspelt_pose_name_is_refused_with_the_closest_names(modern: ModernRenderer) -> None:
    (error,) = _errors(modern, _cat(pose="adult_shrt2"))
    assert (error.field, error.value) == ("pose", "adult_shrt2")
    assert "adult_short2" in error.suggestions
    assert "newborn0" in error.expected
    (error,) = _errors(modern, _cat(), "sick_adlt0")
    assert error.field == "pose"
    assert error.suggestions[0] == "sick_adult0"


def test_pose_numbers_outside_the_pack_are_refused(modern: ModernRenderer) -> None:
    (error,) = _errors(modern, _cat(pose=26))
    assert (error.field, error.value) == ("pose", 26)
    (error,) = _errors(modern, _cat(spriteNumber=30))
    assert (error.field, error.value) == ("spriteNumber", 30)
    assert "0-25" in error.expected


def test_a_pose_name_must_agree_with_spritenumber(modern: ModernRenderer) -> None:
    (error,) = _errors(modern, _cat(pose="kitten0", spriteNumber=14))
    assert error.field == "pose"
    assert error.suggestions == ["adult_short2"]
    modern.check_traits(_cat(pose="adult_short2", spriteNumber=14))


def test_every_bad_trait_is_named_with_its_value_and_what_is_accepted(
    modern: ModernRenderer,
) -> None:
    cat = _cat(
        colour="GINGR",
        peltName="Tabbby",
        eyeColour="BLUEE",
        skinColour="PINKK",
        whitePatches="TUXEDOO",
        accessories=["MAPLE LEAF", "LEATHER_crimsn"],
        scars=["NOTAIL", "ONEE"],
        tint="pinkk",
        whitePatchesTint="GINGER",
    )
    errors = {error.field: error for error in _errors(modern, cat)}
    assert set(errors) == {
        "colour",
        "peltName",
        "eyeColour",
        "skinColour",
        "whitePatches",
        "accessories[1]",
        "scars[1]",
        "tint",
        "whitePatchesTint",
    }
    assert errors["colour"].value == "GINGR"
    assert "GINGER" in errors["colour"].suggestions
    assert "Tabby" in errors["peltName"].suggestions
    assert errors["accessories[1]"].value == "LEATHER_crimsn"
    (alone,) = _errors(modern, _cat(accessories=["MAPLE LEAF", "LEATHER_crimsn"]))
    assert "LEATHER_crimson" in alone.suggestions
    assert "tint" in errors["tint"].expected
    message = str(InvalidTraitsError(list(errors.values())))
    assert "colour: 'GINGR' is not valid" in message


def test_legacy_only_values_are_refused(modern: ModernRenderer) -> None:
    """Palette colours, legacy collars and living Dark Forest cats are the legacy renderer's;
    the game's modern layout has none of them."""
    (error,) = _errors(modern, _cat(colour="CHARTREUSE"))
    assert error.field == "colour"
    (error,) = _errors(modern, _cat(accessory="CRIMSON"))
    assert error.field == "accessory"
    (error,) = _errors(modern, _cat(darkForest=True))
    assert error.field == "darkForest"
    (error,) = _errors(modern, _cat(afterlife="starclan"))
    assert (error.field, error.expected) == ("afterlife", "null unless dead is true")
    (error,) = _errors(modern, _cat(dead=True, afterlife="heaven"))
    assert error.field == "afterlife"
    (error,) = _errors(modern, _cat(dead=True, darkForest=True, afterlife="starclan"))
    assert error.suggestions == ["darkForest"]


def test_dark_forest_true_on_a_dead_cat_is_the_dark_forest(modern: ModernRenderer) -> None:
    one = modern.render(_cat(dead=True, darkForest=True)).image
    other = modern.render(_cat(dead=True, afterlife="darkForest")).image
    assert (one == other).all()


def test_a_plain_catparams_is_drawn_and_checked_too(modern: ModernRenderer) -> None:
    cat = CatParams.model_validate({"spriteNumber": 3, "colour": "GINGER", "accessory": "HOLLY"})
    assert (
        modern.render(cat).image
        == modern.render(_cat(pose="kitten0", colour="GINGER", accessory="HOLLY")).image
    ).all()
    (error,) = _errors(modern, CatParams.model_validate({"colour": "GINGR"}))
    assert error.field == "colour"


# --- layers, catalog, pack --------------------------------------------------------------------


def test_layers_are_named_and_say_what_they_drew(modern: ModernRenderer) -> None:
    cat = _cat(
        pose="adult_long0",
        isTortie=True,
        tortiePattern="Tabby",
        tortieColour="BLACK",
        tortieMask="ONE",
        tint="pink",
        accessories=["MAPLE LEAF", "NYLON_rose"],
        scars=["NOTAIL"],
        shading=True,
    )
    result = modern.render(cat, collect_layers=True, layer_images=True)
    assert result.layers is not None
    layers = {layer.id: layer for layer in result.layers}
    assert list(layers) == list(MODERN_LAYER_IDS)
    assert layers["base"].sprites == [
        "colours_singleWHITE",
        "colours_tabbyBLACK",
        "patches_tortieONE",
    ]
    assert layers["accessories"].sprites == ["acc_collarsNYLON_rose", "acc_plantsMAPLE LEAF"]
    assert layers["lineart"].sprites == ["lineart"]
    assert not layers["afterlife"].drawn
    assert layers["shading"].drawn
    assert not mismatches(result.image, modern.render(cat).image).any()


def test_the_catalog_lists_the_modern_vocabulary(modern: ModernRenderer) -> None:
    catalog = modern.catalog
    data = catalog.model_dump(by_alias=True)
    assert data["layout"] == "modern"
    poses = {entry.name: entry for entry in catalog.poses}
    assert poses["newborn0"].life_stage == "newborn"
    assert poses["adolescent_long1"].life_stage == "adolescentLongFur"
    assert poses["adolescent_long1"].legacy_number is None
    assert poses["para_adult_long0"].legacy_number == 16
    assert len(catalog.eye_colours) == 22
    assert len(catalog.skins) == 18
    assert len(catalog.colours) == 19
    assert len(catalog.tints) == 11
    assert {entry.name for entry in catalog.white_patches_tints} == {
        "darkcream",
        "cream",
        "offwhite",
        "gray",
        "pink",
    }
    assert [c.name for c in catalog.white_patch_categories] == ["little", "mid", "high", "mostly"]
    assert "FULLWHITE" in catalog.white_patch_categories[3].names
    collars = {entry.type: entry.colours for entry in catalog.collar_types}
    assert len(collars) == 13
    assert "black_gold" in collars["NYLON_BELL"]
    assert sum(len(colours) for colours in collars.values()) == 99
    kinds = {entry.name: (entry.kind, entry.category) for entry in catalog.accessories}
    assert kinds["WISTERIA"] == ("plant", "tail")
    assert kinds["MAPLE LEAF"] == ("plant", "head")
    assert kinds["LEATHER_BELL_GRADIENT_rainbow"] == ("collar", "collar")
    assert {a.name for a in catalog.afterlives} == {"starclan", "darkForest", "unknownResidence"}
    assert catalog.fading_stages == [0, 1, 2]
    assert data["pack"]["name"] == "clangen"


def test_a_modern_pack_is_one_with_pose_sprite_data(tmp_path: Path) -> None:
    assert is_modern_pack(bundled_modern_pack_path())
    assert not is_modern_pack(sprite_root())
    with pytest.raises(SpritePackError, match=r"pose_sprite_data\.json"):
        ModernSpritePack(sprite_root())
    (tmp_path / "pose_sprite_data.json").write_text('{"poses": ["a", "a"]}')
    with pytest.raises(SpritePackError, match="distinct"):
        ModernSpritePack(tmp_path)


def test_the_bundled_pack_ships_only_what_the_renderer_reads() -> None:
    root = bundled_modern_pack_path()
    assert not (root / "symbols.png").exists()
    for name in ("README.md", "LICENSE-CCBYNC.md", "LICENSE-MPL.md", "pose_sprite_data.json"):
        assert (root / name).is_file(), name


# --- pixel-cat-maker's fields ---------------------------------------------------------------


def test_pcm_fields_become_params() -> None:
    fields = {
        "spriteNumber": 21,
        "peltName": "Masked",
        "colour": "GINGER",
        "isTortie": True,
        "tortieMask": "SMOKE",
        "tortiePattern": "Mackerel",
        "tortieColour": "GOLDEN-BROWN",
        "tint": "none",
        "skinColour": "RED",
        "eyeColour": "GREY",
        "eyeColour2": None,
        "whitePatches": "MIA",
        "points": None,
        "whitePatchesTint": "none",
        "vitiligo": None,
        "accessory": ["JAY FEATHERS", "DRY CATMINT"],
        "scar": "NOTAIL",
        "shading": False,
        "reverse": True,
        "version": "v2",
    }
    params = pcm_params(fields, "aprilfools-unknown residence")
    assert params["pose"] == 21
    assert params["accessories"] == ["JAY FEATHERS", "DRY CATMINT"]
    assert params["scar"] == "NOTAIL"
    assert (params["dead"], params["afterlife"], params["aprilFools"]) == (
        True,
        "unknownResidence",
        True,
    )
    assert params["tortiePattern"] == "Mackerel"
    assert "eyeColour2" not in params
    cat = read_pcm(fields, "dead")
    assert cat.resolved_afterlife == "starclan"
    assert not cat.april_fools
    assert "tortieMask" not in pcm_params({**fields, "isTortie": False})


def test_pcm_share_url_queries_are_read() -> None:
    fields = fields_from_query(
        "?shading=true&reverse=false&isTortie=false&backgroundColour=rgb(0,0,0)&tortieMask="
        "&peltName=Tabby&spriteNumber=8&colour=GINGER&tint=none&skinColour=PINK&eyeColour=BLUE"
        "&eyeColour2=&whitePatches=&points=&whitePatchesTint=&vitiligo=&accessory=MAPLE%20LEAF"
        "&scar=&version=v1"
    )
    params = pcm_params(fields)
    assert params["pose"] == "adult_short2"  # legacy pose 8 of a v1 URL
    assert params["shading"] is True
    assert params["accessory"] == "MAPLE LEAF"
    assert "whitePatches" not in params
    assert params["whitePatchesTint"] == "none"


def test_pcm_reader_refuses_what_pixel_cat_maker_has_not() -> None:
    with pytest.raises(ValueError, match="lineart"):
        pcm_params({}, "ghost")
    with pytest.raises(ValueError, match="not pixel-cat-maker fields: pose"):
        pcm_params({"pose": 3})


def test_layer_notes_say_where_the_game_draws_otherwise_than_asked(
    modern: ModernRenderer,
) -> None:
    cat = _cat(
        dead=True,
        afterlife="starclan",
        shading=True,
        accessories=["MAPLE LEAF", "LEATHER_crimson"],
        scars=["NOTAIL"],
    )
    layers = modern.render(cat, collect_layers=True).layers
    assert layers is not None
    notes = {layer.id: " ".join(layer.notes) for layer in layers}
    assert "living cats only" in notes["shading"]
    assert "by category" in notes["accessories"]
    assert "(47, 51, 64)" in notes["accessories"]
    assert "(47, 51, 64)" in notes["scarsSecondary"]
    ur = modern.render(
        _cat(dead=True, afterlife="unknownResidence", accessory="DAISY"), collect_layers=True
    ).layers
    assert ur is not None
    assert "first draw" in " ".join(next(la for la in ur if la.id == "accessories").notes)


def test_recoloured_cells_outgrow_their_first_array(modern: ModernRenderer) -> None:
    """The store of a dead cat's recoloured cells grows as cats need more, and every render
    still draws what a fresh renderer draws."""
    fresh = ModernRenderer(modern.pack)
    fresh.planner.derived = type(fresh.planner.derived)(modern.pack, capacity=1)
    accessories = ["MAPLE LEAF", "HOLLY", "BLUE BERRIES", "SNAPDRAGON", "JUNIPER"]
    for pose in range(0, 26, 5):
        cat = _cat(pose=pose, dead=True, afterlife="darkForest", accessories=accessories)
        assert (fresh.render(cat).image == modern.render(cat).image).all()
    assert len(fresh.planner.derived.cells) >= 6
