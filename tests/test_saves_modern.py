"""Reading ClanGen v0.13 saves: the 150 cats of modern-save-public against what the game drew
(meta.json), the game's load rules one by one, and how a save's format is recognised."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from renderer_service.saves import (
    DrawOptions,
    SaveCat,
    SaveFormatError,
    open_document,
    read_modern_save,
    save_format,
)
from renderer_service.saves.formats import check_clan_file
from renderer_service.saves.modern_game import POSES, fog_stage

from .conftest import PARITY

MODERN = PARITY / "modern-save-public"
MODERN_CATS: list[dict[str, Any]] = json.loads((MODERN / "clan_cats.json").read_text())
META: dict[str, dict[str, Any]] = json.loads((MODERN / "meta.json").read_text())["cats"]
CLAN: dict[str, Any] = json.loads((MODERN / "Publicclan.json").read_text())
CONDITIONS: dict[str, Any] = {
    path.name.split("_")[0]: json.loads(path.read_text())
    for path in (MODERN / "conditions").glob("*_conditions.json")
}
FOLDER = DrawOptions(conditions=CONDITIONS, group_ids=CLAN["used_group_IDs"])
LINEARTS = {
    None: "alive",
    "starclan": "starclan",
    "darkForest": "dark_forest",
    "unknownResidence": "unknown_residence",
}


def read_all(options: DrawOptions = FOLDER, cats: list[Any] | None = None) -> dict[str, SaveCat]:
    reading = read_modern_save(MODERN_CATS if cats is None else cats, options)
    assert reading.errors == []
    return {cat.id: cat for cat in reading.cats}


PUBLIC = read_all()


def layer_names(meta: dict[str, Any], prefixes: tuple[str, ...]) -> list[str]:
    """The names of the layers the game drew from these sheets (pose number cut off)."""
    pose = str(meta["pose_index"])
    names = []
    for layer in meta["layers"]:
        for prefix in prefixes:
            if layer.startswith(prefix) and layer.endswith(pose):
                names.append(layer[len(prefix) : -len(pose)])
                break
    return names


FIELDS: dict[str, tuple[Callable[[SaveCat], Any], Callable[[dict[str, Any]], Any]]] = {
    "pose": (lambda cat: cat.pose, lambda meta: meta["pose"]),
    "pose cell": (lambda cat: cat.sprite_number, lambda meta: meta["pose_index"]),
    "lineart": (
        lambda cat: LINEARTS[cat.params.get("afterlife")],
        lambda meta: meta["lineart"],
    ),
    "dead": (lambda cat: cat.dead, lambda meta: meta["dead"]),
    "fog stage": (
        lambda cat: fog_stage(cat.params["opacity"]) if "opacity" in cat.params else None,
        lambda meta: meta["fog_stage"],
    ),
    "tint": (
        lambda cat: None if cat.params["tint"] == "none" else cat.params["tint"],
        lambda meta: meta["tint"]["name"],
    ),
    "white patches tint": (
        lambda cat: (
            None if cat.params["whitePatchesTint"] == "none" else cat.params["whitePatchesTint"]
        ),
        lambda meta: meta["white_patches_tint"]["name"],
    ),
    "accessories": (
        lambda cat: cat.params["accessories"],
        lambda meta: layer_names(meta, ("acc_collars", "acc_plants", "acc_wilds")),
    ),
    "scars": (
        lambda cat: sorted(cat.params["scars"]),
        lambda meta: sorted(layer_names(meta, ("scars_missing_part", "scars"))),
    ),
}


def test_every_modern_cat_reads_without_errors_or_warnings_but_one() -> None:
    assert len(PUBLIC) == len(MODERN_CATS) == len(META) == 150
    assert [cat for cat in PUBLIC.values() if cat.warnings and cat.id != "58"] == []


@pytest.mark.parametrize("field", FIELDS)
def test_every_modern_cat_agrees_with_what_the_game_drew(field: str) -> None:
    ours, theirs = FIELDS[field]
    wrong = [
        (cat_id, ours(cat), theirs(META[cat_id]))
        for cat_id, cat in PUBLIC.items()
        if ours(cat) != theirs(META[cat_id])
    ]
    assert wrong == [], f"{len(PUBLIC) - len(wrong)}/150 agree on {field}"


def test_the_appearance_is_the_games_after_its_load() -> None:
    for cat_id, cat in PUBLIC.items():
        look, params = META[cat_id]["appearance"], cat.params
        tortie = look["name"] in ("Tortie", "Calico")
        assert params.get("isTortie", False) == tortie
        assert params["colour"] == look["colour"]
        assert params["eyeColour"] == look["eye_colour"]
        assert params.get("eyeColour2") == look["eye_colour2"]
        assert params["skinColour"] == look["skin"]
        assert params.get("whitePatches") == look["white_patches"]
        assert params.get("points") == look["points"]
        assert params.get("vitiligo") == look["vitiligo"]
        assert params["reverse"] == look["reverse"]
        if tortie:
            assert params["tortieMask"] == look["tortie_marking"]
            assert params["tortieColour"] == look["tortie_colour"]


def test_each_cat_carries_the_request_that_draws_it() -> None:
    cat = PUBLIC["1"]
    assert cat.pack == "clangen"
    assert cat.as_dict()["request"] == {
        "payload": {"pose": "adult_short0", "params": cat.params},
        "options": {"pack": "clangen"},
    }
    assert cat.as_dict()["pose"] == "adult_short0"
    assert "spriteNumber" not in cat.params


# --- the game's rules, case by case -------------------------------------------------------


def modern_cat(cat_id: str, **changes: Any) -> dict[str, Any]:
    cat = copy.deepcopy(next(c for c in MODERN_CATS if c["ID"] == cat_id))
    cat.update(changes)
    return cat


def read_one(raw: dict[str, Any], options: DrawOptions = FOLDER) -> SaveCat:
    [cat] = read_all(options, [raw]).values()
    return cat


def errors_of(raw: dict[str, Any], options: DrawOptions = FOLDER) -> list[Any]:
    reading = read_modern_save([raw], options)
    assert reading.cats == []
    return reading.errors


def test_a_living_cat_paralysed_only_by_its_flag_loses_its_tail_accessories() -> None:
    cat = PUBLIC["58"]
    assert cat.pose == META["58"]["pose"]
    assert "GULL FEATHERS" not in cat.params["accessories"]
    assert "DAISY" not in cat.params["accessories"]
    assert "GULL FEATHERS" in modern_cat("58")["accessory"]
    assert "tail accessories" in cat.warnings[0]


def test_paralysis_and_sickness_come_from_the_conditions_files() -> None:
    assert [PUBLIC[i].pose.startswith("para") for i in ("66", "84")] == [True, True]
    assert [PUBLIC[i].pose.startswith("sick") for i in ("31", "106")] == [True, True]
    assert PUBLIC["35"].pose.startswith("newborn")  # a paralysed newborn
    assert PUBLIC["143"].pose.startswith("newborn")  # a sick newborn
    assert not PUBLIC["99"].pose.startswith("sick")  # minor conditions only
    assert not PUBLIC["86"].pose.startswith(("sick", "para"))  # blind, no tail
    without = read_all(DrawOptions(group_ids=CLAN["used_group_IDs"]))
    assert not without["66"].pose.startswith("para")
    assert not without["31"].pose.startswith("sick")


def test_the_sick_list_still_sickens_a_cat() -> None:
    cat = read_one(modern_cat("1"), DrawOptions(sick=frozenset({"1"})))
    assert cat.pose == "sick_adult0"


def test_dead_cats_paralysed_by_their_flag_keep_their_accessories() -> None:
    for cat_id in ("73", "134"):
        assert PUBLIC[cat_id].pose == META[cat_id]["pose"]
        assert PUBLIC[cat_id].dead


def test_fog_only_for_dead_cats_at_97_or_less_that_may_fade() -> None:
    assert "opacity" not in PUBLIC["148"].params  # prevent_fading
    assert "opacity" not in PUBLIC["48"].params  # living, opacity 60
    assert "opacity" not in PUBLIC["125"].params  # living, opacity 130
    assert "opacity" not in PUBLIC["11"].params  # the guide, opacity 100
    faded = [cat for cat in PUBLIC.values() if "opacity" in cat.params]
    assert faded
    assert all(cat.dead and cat.params["opacity"] <= 97 for cat in faded)


def test_without_the_clan_file_other_clans_are_no_group_and_1_to_4_stay() -> None:
    cats = read_all(DrawOptions(conditions=CONDITIONS))
    for cat_id, cat in cats.items():
        meta = META[cat_id]
        if meta["group"] == "other_clan":
            assert cat.outside
            assert not cat.dead
        else:
            assert LINEARTS[cat.params.get("afterlife")] == meta["lineart"]


def test_a_group_saved_by_name_is_read() -> None:
    raw = modern_cat("1")
    raw["status"]["group_history"][-1]["group"] = "dark_forest"
    assert read_one(raw).params["afterlife"] == "darkForest"


def test_an_old_string_status_and_old_booleans_give_the_group() -> None:
    assert read_one(modern_cat("1", status="warrior", dead=True, df=True)).params["afterlife"] == (
        "darkForest"
    )
    assert (
        read_one(modern_cat("1", status="warrior", dead=True, outside=True)).params["afterlife"]
        == "unknownResidence"
    )
    rogue = read_one(modern_cat("1", status="rogue"))
    assert rogue.outside
    assert not rogue.dead


def test_old_pose_numbers_convert_as_the_game_converts_them() -> None:
    raw = modern_cat(
        "1",
        sprite_newborn=None,
        sprite_kitten=1,
        sprite_adolescent=4,
        sprite_adult=10,
        sprite_senior=13,
        sprite_para_adult=15,
    )
    assert read_one(raw).pose == "adult_long1"
    assert read_one({**raw, "moons": 0}).pose == "newborn2"
    assert read_one({**raw, "moons": 3}).pose == "kitten1"
    assert read_one({**raw, "moons": 8}).pose == "adolescent_short1"
    assert read_one({**raw, "moons": 150}).pose == "senior1"
    assert read_one({**raw, "paralyzed": True}).pose == "para_adult_short0"
    random = read_one({**raw, "sprite_adult": 5})
    assert random.pose == "adult_short0"
    assert "at random" in random.warnings[0]


def test_a_paralysed_adult_with_a_null_para_pose_cannot_be_drawn() -> None:
    raw = modern_cat("1", sprite_newborn=None, sprite_para_adult=None, paralyzed=True)
    assert [error.field for error in errors_of(raw)] == ["sprite_para_adult"]


def test_unknown_pose_names_are_replaced_by_the_stages_first() -> None:
    cat = read_one(modern_cat("1", sprite_adult="adult_wide7"))
    assert cat.pose == "adult_short0"
    assert "adult_wide7" in cat.warnings[0]
    assert read_one(modern_cat("1", moons=8, sprite_adolescent="adolescent2")).pose == (
        "adolescent_short2"
    )


def test_unknown_scars_accessories_and_tints_are_dropped_with_a_warning() -> None:
    raw = modern_cat(
        "1",
        scars=["FACEFROST", "ONE"],
        accessory=["MAPLE LEAF", "TOP HAT", "CRIMSON"],
        tint="sparkly",
        white_patches_tint="glitter",
    )
    cat = read_one(raw)
    assert cat.params["scars"] == ["ONE"]
    assert cat.params["accessories"] == ["LEATHER_crimson", "MAPLE LEAF"]  # collars first
    assert (cat.params["tint"], cat.params["whitePatchesTint"]) == ("none", "none")
    assert len(cat.warnings) == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pelt_color": "PLAID"}, "pelt_color"),
        ({"pelt_name": "Stripy"}, "pelt_name"),
        ({"eye_colour": "PURPLE"}, "eye_colour"),
        ({"skin": "GREEN"}, "skin"),
        ({"white_patches": "NOPE"}, "white_patches"),
        ({"moons": -1}, "moons"),
        ({"pelt_name": "Tortie", "tortie_base": "single", "tortie_pattern": "Single"}, None),
    ],
)
def test_values_the_game_cannot_draw_are_errors_naming_the_field(
    change: dict[str, Any], field: str | None
) -> None:
    raw = modern_cat("1", **change)
    if raw["pelt_name"] == "Tortie":
        raw.update(tortie_color="BLACK", tortie_marking="ONE")
        field = "tortie_pattern"
    assert field in [error.field for error in errors_of(raw)]


def test_a_sickness_without_severity_is_an_error_of_that_cat() -> None:
    options = DrawOptions(conditions={"1": {"illnesses": {"cold": {"duration": 2}}}})
    [error] = errors_of(modern_cat("1"), options)
    assert "severity" in error.detail
    assert error.field is not None
    assert error.field.startswith("conditions/1_conditions.json")


def test_old_values_are_converted() -> None:
    cat = read_one(
        modern_cat("1", eye_colour="BLUEYELLOW", tint="none", white_patches="ANY2", vitiligo=None)
    )
    assert (cat.params["eyeColour"], cat.params["eyeColour2"]) == ("BLUE", "YELLOW")
    assert cat.params["tint"] == "none"
    assert cat.params["whitePatches"] == "ANYTWO"
    assert read_one(modern_cat("1", eye_colour="BLUE2")).params["eyeColour"] == "COBALT"
    assert read_one(modern_cat("1", accessory="BLUEBELL")).params["accessories"] == [
        "LEATHER_BELL_blue"
    ]


def test_every_pose_is_a_cell_of_the_modern_layout() -> None:
    assert len(POSES) == 26
    assert {cat.pose for cat in PUBLIC.values()} == set(POSES)


# --- which save it is ---------------------------------------------------------------------


def test_the_format_is_told_from_the_cats() -> None:
    legacy = json.loads((PARITY / "save-public" / "clan_cats.json").read_text())
    assert save_format(legacy) == "legacy"
    assert save_format(MODERN_CATS) == "v0.13"
    assert open_document({"cats": MODERN_CATS, "sick": ["1"]}).format == "v0.13"


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (CLAN, "Clan file (Publicclan.json)"),
        (CONDITIONS["31"], "conditions file"),
        ([{"cat_from_id": "1", "cat_to_id": "2", "romantic_love": 0}], "relationships file"),
        (["1", "2", "3"], "list of cat IDs"),
        ([{"name": "Fluffy"}, {"name": "Mittens"}], "list of something"),
        (MODERN_CATS[0], "one cat"),
        ([{"ID": "1", "pelt": {"name": "Tabby"}, "status": "warrior"}], "forks"),
        ([{"ID": "1", "status": {"groups": []}}], "newer than v0.13"),
    ],
)
def test_other_files_forks_and_newer_saves_are_named(document: Any, words: str) -> None:
    with pytest.raises(SaveFormatError) as caught:
        open_document(document)
    assert words in caught.value.detail
    assert caught.value.expected
    assert "." in caught.value.detail


def test_a_clan_file_from_a_newer_clangen_is_refused() -> None:
    assert check_clan_file(CLAN) is CLAN
    with pytest.raises(SaveFormatError, match=r"newer than v0\.13"):
        check_clan_file({**CLAN, "version_name": 5})


def test_the_test_data_is_a_copy_inside_the_repository() -> None:
    assert Path(MODERN).is_relative_to(Path(__file__).parent)
    assert len(list((MODERN / "expected").glob("*.png"))) == 150
