"""Reading ClanGen / Lifegen saves: the game's load rules, names, poses, errors, ordering."""

from __future__ import annotations

import json
from typing import Any

import pytest

from renderer_service.renderer import CatParams, Renderer
from renderer_service.saves.cats import CatError, DrawOptions, SaveCat
from renderer_service.saves.game import age_for_moons
from renderer_service.saves.read import read_cat, read_save

from .conftest import PARITY
from .imaging import mismatches

SAVE = PARITY / "save-public"
PUBLIC_CATS: list[dict[str, Any]] = json.loads((SAVE / "clan_cats.json").read_text())
META: dict[str, dict[str, Any]] = json.loads((SAVE / "meta.json").read_text())["cats"]


def saved_cat(**changes: Any) -> dict[str, Any]:
    """A plain saved warrior (the keys ClanGen writes that matter to its picture)."""
    cat: dict[str, Any] = {
        "ID": "1",
        "name_prefix": "Sloe",
        "name_suffix": "frost",
        "specsuffix_hidden": False,
        "status": "warrior",
        "moons": 60,
        "dead": False,
        "paralyzed": False,
        "exiled": False,
        "pelt_name": "Tabby",
        "pelt_color": "GINGER",
        "pelt_length": "short",
        "sprite_kitten": 1,
        "sprite_adolescent": 4,
        "sprite_adult": 7,
        "sprite_senior": 13,
        "sprite_para_adult": 15,
        "eye_colour": "GREEN",
        "eye_colour2": None,
        "reverse": False,
        "white_patches": None,
        "vitiligo": None,
        "points": None,
        "white_patches_tint": "none",
        "pattern": None,
        "tortie_base": None,
        "tortie_color": None,
        "tortie_pattern": None,
        "skin": "PINK",
        "tint": "none",
        "scars": [],
        "accessory": None,
        "df": False,
        "outside": False,
        "opacity": 100,
        "prevent_fading": False,
    }
    for key, value in changes.items():
        if value is _MISSING:
            cat.pop(key, None)
        else:
            cat[key] = value
    return cat


_MISSING = object()


HEALTHY = DrawOptions()


def read(renderer: Renderer, options: DrawOptions = HEALTHY, **changes: Any) -> SaveCat:
    result = read_cat(saved_cat(**changes), 0, renderer.vocabulary, options)
    assert isinstance(result, SaveCat), result
    return result


def problems(renderer: Renderer, **changes: Any) -> list[CatError]:
    result = read_cat(saved_cat(**changes), 0, renderer.vocabulary)
    assert isinstance(result, list), result
    return result


# --- the public save ----------------------------------------------------------------------


def test_every_public_cat_reads_without_errors(renderer: Renderer) -> None:
    reading = read_save(PUBLIC_CATS, renderer.vocabulary)
    assert reading.errors == []
    assert [cat.id for cat in reading.cats] == [cat["ID"] for cat in PUBLIC_CATS]


def test_every_public_cat_gets_the_age_and_pose_clangen_used(renderer: Renderer) -> None:
    reading = read_save(PUBLIC_CATS, renderer.vocabulary)
    found = {cat.id: (cat.age, cat.sprite_number) for cat in reading.cats}
    assert found == {cat_id: (meta["age"], meta["sprite"]) for cat_id, meta in META.items()}


def test_the_public_save_is_drawn_pixel_exact_by_the_library(renderer: Renderer) -> None:
    from .imaging import load_rgba

    wrong = []
    for cat in read_save(PUBLIC_CATS, renderer.vocabulary).cats:
        image = renderer.render(CatParams.model_validate(cat.params)).image
        if mismatches(image, load_rgba(SAVE / "expected" / f"{cat.id}.png")).any():
            wrong.append(cat.id)
    assert wrong == []


# --- age, pose, name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moons", "age"),
    [
        (0, "newborn"),
        (1, "kitten"),
        (5, "kitten"),
        (6, "adolescent"),
        (11, "adolescent"),
        (12, "young adult"),
        (47, "young adult"),
        (48, "adult"),
        (95, "adult"),
        (96, "senior adult"),
        (119, "senior adult"),
        (120, "senior"),
        (301, "senior"),
    ],
)
def test_the_age_comes_from_moons(moons: int, age: str) -> None:
    assert age_for_moons(moons) == age


def test_the_status_plays_no_part_in_the_age(renderer: Renderer) -> None:
    elder = read(renderer, status="elder", moons=30)
    assert (elder.age, elder.sprite_number) == ("young adult", 7)


@pytest.mark.parametrize(
    ("moons", "pose"), [(0, 20), (3, 1), (8, 4), (20, 7), (60, 7), (100, 7), (150, 13)]
)
def test_each_age_draws_its_own_sprite(renderer: Renderer, moons: int, pose: int) -> None:
    assert read(renderer, moons=moons).sprite_number == pose


@pytest.mark.parametrize(
    ("status", "hidden", "name"),
    [
        ("warrior", False, "Sloefrost"),
        ("newborn", False, "Sloekit"),
        ("kitten", False, "Sloekit"),
        ("apprentice", False, "Sloepaw"),
        ("medicine cat apprentice", False, "Sloepaw"),
        ("mediator apprentice", False, "Sloepaw"),
        ("leader", False, "Sloestar"),
        ("leader", True, "Sloefrost"),
        ("deputy", False, "Sloefrost"),
        ("elder", False, "Sloefrost"),
    ],
)
def test_the_name_is_shown_as_the_game_shows_it(
    renderer: Renderer, status: str, hidden: bool, name: str
) -> None:
    assert read(renderer, status=status, specsuffix_hidden=hidden).name == name


def test_old_saves_sprite_keys_are_read(renderer: Renderer) -> None:
    cat = read(
        renderer,
        moons=130,
        sprite_senior=_MISSING,
        spirit_elder=14,
        sprite_adult=_MISSING,
        spirit_adult=8,
    )
    assert cat.sprite_number == 14


@pytest.mark.parametrize(("saved", "pose"), [(0, 9), (1, 10), (2, 11), (10, 10), (6, 6)])
def test_long_haired_adults_map_short_sprites_0_to_2(
    renderer: Renderer, saved: int, pose: int
) -> None:
    assert read(renderer, pelt_length="long", sprite_adult=saved).sprite_number == pose


@pytest.mark.parametrize(("saved", "pose"), [(3, 12), (4, 13), (5, 14), (13, 13), (7, 7)])
def test_old_senior_sprites_3_to_5_are_mapped(renderer: Renderer, saved: int, pose: int) -> None:
    assert read(renderer, moons=150, sprite_senior=saved).sprite_number == pose


@pytest.mark.parametrize(
    ("moons", "length", "pose"),
    [
        (0, "short", 20),
        (3, "short", 17),
        (8, "long", 17),
        (60, "short", 15),
        (60, "medium", 15),
        (60, "long", 16),
        (150, "long", 16),
        (150, "short", 15),
    ],
)
def test_paralysed_cats_get_the_paralysed_pose(
    renderer: Renderer, moons: int, length: str, pose: int
) -> None:
    cat = read(renderer, paralyzed=True, moons=moons, pelt_length=length, sprite_adult=10)
    assert cat.sprite_number == pose


@pytest.mark.parametrize(("moons", "pose"), [(3, 19), (8, 19), (20, 18), (150, 18)])
def test_sick_cats_get_the_sick_pose_before_the_paralysed_one(
    renderer: Renderer, moons: int, pose: int
) -> None:
    options = DrawOptions(sick=frozenset({"1"}))
    assert read(renderer, options, moons=moons).sprite_number == pose
    assert read(renderer, options, moons=moons, paralyzed=True).sprite_number == pose


def test_newborns_are_never_drawn_sick(renderer: Renderer) -> None:
    cat = read(renderer, DrawOptions(sick=frozenset({"1"})), moons=0)
    assert cat.sprite_number == 20
    assert any("never drawn sick" in warning for warning in cat.warnings)


def test_only_the_listed_cats_are_sick(renderer: Renderer) -> None:
    assert read(renderer, DrawOptions(sick=frozenset({"2"}))).sprite_number == 7


def test_sickness_draws_the_sick_sprite(renderer: Renderer) -> None:
    healthy = read(renderer)
    sick = read(renderer, DrawOptions(sick=frozenset({"1"})))
    assert sick.params == {**healthy.params, "spriteNumber": 18}
    image = renderer.render(CatParams.model_validate(sick.params)).image
    assert mismatches(image, renderer.render(CatParams.model_validate(healthy.params)).image).any()


@pytest.mark.parametrize(
    ("stage", "paralysed", "pose"),
    [
        ("newborn", False, 20),
        ("kitten", False, 1),
        ("adolescent", False, 4),
        ("adult", False, 7),
        ("senior", False, 13),
        ("newborn", True, 20),
        ("kitten", True, 17),
        ("adult", True, 15),
        ("senior", True, 15),
    ],
)
def test_a_life_stage_draws_every_cat_with_its_own_sprite_for_that_age(
    renderer: Renderer, stage: Any, paralysed: bool, pose: int
) -> None:
    cat = read(renderer, DrawOptions(life_stage=stage), paralyzed=paralysed)
    assert cat.sprite_number == pose
    assert cat.age == "adult"  # the cat's own age is still reported


# --- the loader's conversions -------------------------------------------------------------


def test_missing_optional_keys_take_the_games_defaults(renderer: Renderer) -> None:
    cat = read(
        renderer,
        white_patches="LITTLE",
        white_patches_tint=_MISSING,
        tint=_MISSING,
        opacity=_MISSING,
        scars=_MISSING,
        vitiligo=_MISSING,
        points=_MISSING,
        eye_colour2=_MISSING,
        df=_MISSING,
        outside=_MISSING,
        prevent_fading=_MISSING,
    )
    params = cat.params
    assert params["whitePatchesTint"] == "offwhite"
    assert params["tint"] == "none"
    assert params["scars"] == []
    assert "opacity" not in params
    assert {"vitiligo", "points", "eyeColour2", "darkForest"}.isdisjoint(params)
    assert cat.warnings == []


@pytest.mark.parametrize(
    ("saved", "eyes"),
    [
        ({"eye_colour": "BLUE2"}, ("COBALT", None)),
        ({"eye_colour": "GREEN", "eye_colour2": "BLUE2"}, ("GREEN", "COBALT")),
        ({"eye_colour": "BLUEYELLOW"}, ("BLUE", "YELLOW")),
        ({"eye_colour": "BLUEGREEN", "eye_colour2": "AMBER"}, ("BLUE", "GREEN")),
    ],
)
def test_old_eye_colours_are_converted(
    renderer: Renderer, saved: dict[str, Any], eyes: tuple[str, str | None]
) -> None:
    params = read(renderer, **saved).params
    assert (params["eyeColour"], params.get("eyeColour2")) == eyes


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        ({"white_patches": "POINTMARK"}, {"points": "SEALPOINT"}),
        ({"white_patches": "PANTS2"}, {"whitePatches": "PANTSTWO"}),
        ({"white_patches": "ANY2"}, {"whitePatches": "ANYTWO"}),
        ({"white_patches": "VITILIGO2"}, {"vitiligo": "VITILIGOTWO"}),
        ({"vitiligo": "VITILIGO2"}, {"vitiligo": "VITILIGOTWO"}),
        ({"white_patches": "MOON"}, {"vitiligo": "MOON"}),
        ({"white_patches": "KARPATI"}, {"vitiligo": "KARPATI"}),
        ({"white_patches": "RAGDOLL"}, {"points": "RAGDOLL"}),
        (
            {"white_patches": "LITTLECREAMY"},
            {"whitePatches": "LITTLE", "whitePatchesTint": "darkcream"},
        ),
        (
            {"white_patches": "COLOURPOINTCREAMY"},
            {"whitePatches": "COLOURPOINT", "whitePatchesTint": "darkcream"},
        ),
    ],
)
def test_old_white_patch_names_are_converted(
    renderer: Renderer, saved: dict[str, Any], expected: dict[str, str]
) -> None:
    params = read(renderer, **saved).params
    assert {key: params.get(key) for key in expected} == expected
    if "whitePatches" not in expected:
        assert "whitePatches" not in params


def tortie(**changes: Any) -> dict[str, Any]:
    return {
        "pelt_name": "Tortie",
        "pelt_color": "BLACK",
        "tortie_base": "tabby",
        "tortie_pattern": "mackerel",
        "tortie_color": "GINGER",
        "pattern": "ONE",
        **changes,
    }


@pytest.mark.parametrize("pelt", ["Tortie", "Calico"])
def test_torties_draw_the_base_then_the_patches_through_the_mask(
    renderer: Renderer, pelt: str
) -> None:
    params = read(renderer, **tortie(pelt_name=pelt)).params
    assert {
        key: params[key]
        for key in ("peltName", "colour", "isTortie", "tortiePattern", "tortieColour", "tortieMask")
    } == {
        "peltName": "Tabby",
        "colour": "BLACK",
        "isTortie": True,
        "tortiePattern": "Mackerel",
        "tortieColour": "GINGER",
        "tortieMask": "ONE",
    }


@pytest.mark.parametrize(
    ("saved", "pattern"),
    [("tortietabby", "Tabby"), ("tortiesolid", "SingleColour"), ("single", "SingleColour")],
)
def test_old_tortie_patterns_are_converted(renderer: Renderer, saved: str, pattern: str) -> None:
    assert read(renderer, **tortie(tortie_pattern=saved)).params["tortiePattern"] == pattern


def test_an_old_tortie_patch_name_sets_the_mask_and_swaps_the_colours(renderer: Renderer) -> None:
    params = read(renderer, **tortie(pattern="GINGERONE", tortie_color="DARKBROWN")).params
    assert (params["tortieMask"], params["colour"], params["tortieColour"]) == (
        "ONE",
        "DARKBROWN",
        "GINGER",
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("MINIMAL1", "MINIMALONE"),
        ("MINIMAL2", "MINIMALTWO"),
        ("MINIMAL3", "MINIMALTHREE"),
        ("MINIMAL4", "MINIMALFOUR"),
    ],
)
def test_old_minimal_masks_are_renamed(renderer: Renderer, old: str, new: str) -> None:
    assert read(renderer, **tortie(pattern=old)).params["tortieMask"] == new


@pytest.mark.parametrize("pelt", ["SingleColour", "TwoColour"])
def test_single_coats_draw_the_single_sprite(renderer: Renderer, pelt: str) -> None:
    params = read(renderer, pelt_name=pelt, tortie_base="tabby").params
    assert params["peltName"] == pelt
    assert "isTortie" not in params


def test_old_specialty_keys_add_scars_only_when_both_are_present(renderer: Renderer) -> None:
    both = read(renderer, scars=["ONE"], specialty="SNOUT", specialty2=None)
    assert both.params["scars"] == ["ONE", "SNOUT"]
    one = read(renderer, scars=["ONE"], specialty="SNOUT")
    assert one.params["scars"] == ["ONE"]


# --- the afterlife ------------------------------------------------------------------------


def test_a_dead_cat_draws_the_starclan_lineart_and_fades_by_its_saved_opacity(
    renderer: Renderer,
) -> None:
    params = read(renderer, dead=True, opacity=60).params
    assert (params["dead"], params["darkForest"], params["opacity"]) == (True, False, 60)


def test_a_dead_dark_forest_cat_draws_the_dark_forest_lineart(renderer: Renderer) -> None:
    params = read(renderer, dead=True, df=True, opacity=30).params
    assert (params["dead"], params["darkForest"], params["opacity"]) == (True, True, 30)


def test_a_dead_cat_outside_the_clan_is_drawn_as_starclan(renderer: Renderer) -> None:
    params = read(renderer, dead=True, outside=True).params
    assert (params["dead"], params["darkForest"]) == (True, False)


def test_prevent_fading_keeps_a_dead_cat_whole(renderer: Renderer) -> None:
    assert "opacity" not in read(renderer, dead=True, opacity=20, prevent_fading=True).params


def test_a_living_cat_never_fades_nor_gets_the_dark_forest_tint(renderer: Renderer) -> None:
    params = read(renderer, df=True, opacity=20).params
    assert {"dead", "darkForest", "opacity"}.isdisjoint(params)


# --- Lifegen ------------------------------------------------------------------------------


def test_a_lifegen_accessory_list_draws_every_accessory_in_order(renderer: Renderer) -> None:
    cat = read(renderer, accessory=["MAPLE LEAF", "ACORN", "CRIMSONBELL"])
    assert cat.params["accessories"] == ["MAPLE LEAF", "ACORN", "CRIMSONBELL"]
    both = renderer.render(CatParams.model_validate(cat.params)).image
    first = renderer.render(CatParams.model_validate({**cat.params, "accessories": ["MAPLE LEAF"]}))
    assert mismatches(both, first.image).any()


@pytest.mark.parametrize("accessory", ["ACORN", "BAMBOO", "BEE", "BILBY", "BELLFLOWERS"])
def test_lifegen_only_accessories_draw_as_render_draws_them(
    renderer: Renderer, accessory: str
) -> None:
    cat = read(renderer, accessory=accessory)
    assert cat.params["accessories"] == [accessory]
    with_it = renderer.render(CatParams.model_validate(cat.params)).image
    direct = renderer.render(
        CatParams.model_validate(
            {"spriteNumber": 7, "peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN"}
            | {"skinColour": "PINK", "accessories": [accessory]}
        )
    ).image
    bare = renderer.render(CatParams.model_validate({**cat.params, "accessories": []})).image
    assert not mismatches(with_it, direct).any()
    assert mismatches(with_it, bare).any()


def test_a_sick_lifegen_cat_with_accessories_still_reads(renderer: Renderer) -> None:
    cat = read(renderer, DrawOptions(sick=frozenset({"1"})), accessory=["ACORN", "BEE"])
    assert (cat.sprite_number, cat.params["accessories"]) == (18, ["ACORN", "BEE"])
    assert renderer.render(CatParams.model_validate(cat.params)).image.shape == (50, 50, 4)


# --- bad cats -----------------------------------------------------------------------------


def test_a_missing_required_key_names_the_key(renderer: Renderer) -> None:
    [error] = problems(renderer, pelt_color=_MISSING)
    assert (error.index, error.id, error.field, error.value) == (0, "1", "pelt_color", None)
    assert "missing" in error.detail


def test_an_unknown_name_is_named_with_its_value_and_suggestions(renderer: Renderer) -> None:
    [error] = problems(renderer, pelt_color="GINGR")
    assert (error.field, error.value) == ("pelt_color", "GINGR")
    assert "GINGER" in error.detail


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"moons": "ten"}, "moons"),
        ({"moons": -1}, "moons"),
        ({"sprite_adult": 21}, "sprite_adult"),
        ({"dead": "yes"}, "dead"),
        ({"scars": "ONE"}, "scars"),
        ({"scars": [3]}, "scars[0]"),
        ({"opacity": "full"}, "opacity"),
        ({"pelt_length": "huge"}, "pelt_length"),
        ({"pelt_name": "Stripy"}, "pelt_name"),
        ({"eye_colour": "PURPLE"}, "eye_colour"),
        ({"accessory": ["NOT A THING"]}, "accessory[0]"),
        ({"pelt_name": "Tortie", "tortie_base": None}, "tortie_base"),
        (
            {"pelt_name": "Tortie", "tortie_base": "stripy", "tortie_pattern": "tabby"},
            "tortie_base",
        ),
    ],
)
def test_wrong_types_and_values_are_errors_naming_the_field(
    renderer: Renderer, change: dict[str, Any], field: str
) -> None:
    base = tortie() if change.get("pelt_name") == "Tortie" else {}
    errors = problems(renderer, **{**base, **change})
    assert field in [error.field for error in errors], errors


def test_a_bad_cat_does_not_stop_the_others(renderer: Renderer) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", skin="PLAID"), "not a cat", saved_cat(ID="c")]
    reading = read_save(cats, renderer.vocabulary)
    assert [cat.id for cat in reading.cats] == ["a", "c"]
    assert [(error.index, error.id, error.field) for error in reading.errors] == [
        (1, "b", "skin"),
        (2, None, None),
    ]


def test_a_repeated_id_is_an_error(renderer: Renderer) -> None:
    reading = read_save([saved_cat(), saved_cat()], renderer.vocabulary)
    assert len(reading.cats) == 1
    assert [(error.index, error.field) for error in reading.errors] == [(1, "ID")]


def test_unknown_and_non_appearance_keys_are_ignored(renderer: Renderer) -> None:
    plain = read(renderer)
    extra = read(renderer, some_future_key={"x": 1}, trait="wise", experience="lots")
    assert extra.params == plain.params


def test_keys_the_game_requires_but_can_default_are_warned_about(renderer: Renderer) -> None:
    cat = read(renderer, reverse=_MISSING)
    assert cat.params["reverse"] is False
    assert cat.warnings == ["reverse is missing: taken as false"]
