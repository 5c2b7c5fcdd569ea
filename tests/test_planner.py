"""The flat planner plans exactly the stages' ops, and the render uses it."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer_service.renderer import (
    CatParams,
    InvalidTraitsError,
    Renderer,
    SpritePack,
    pipeline,
)
from renderer_service.renderer.params import POSE_COUNT

from .conftest import PARITY
from .test_render_properties import PROPERTY_SETTINGS, cats, maybe, names

PARITY_CASES = [
    case
    for folder in ("legacy-public", "legacy-features")
    for case in json.loads((PARITY / folder / "cases.json").read_text())
]


def stage_ops(renderer: Renderer, cat: CatParams, pose: int) -> np.ndarray:
    rows = [row for stage in renderer.plan(cat, pose) for row in stage.ops]
    return np.array(rows, dtype=np.int32).reshape(-1, 6)


def flat_ops(renderer: Renderer, cat: CatParams, pose: int) -> np.ndarray | None:
    ops = renderer.planner.ops(cat, pose)
    return None if ops is None else np.frombuffer(ops, dtype=np.int32).reshape(-1, 6)


def test_the_flat_planner_plans_every_parity_cat_as_its_stages_do(renderer: Renderer) -> None:
    assert len(PARITY_CASES) == 120 + 559
    for case in PARITY_CASES:
        cat = CatParams.model_validate(case["params"])
        pose = cat.sprite_number if cat.sprite_number is not None else 8
        flat = flat_ops(renderer, cat, pose)
        assert flat is not None, f"{case['id']} was left to the stage route"
        np.testing.assert_array_equal(flat, stage_ops(renderer, cat, pose), err_msg=case["id"])


@st.composite
def varied_cats(draw: st.DrawFn, renderer: Renderer) -> dict[str, Any]:
    """Valid cats with every trait the planner reads: tortie layers, tints of white patches
    (game tints and coat colours), afterlives, April Fools, fading, palette colours."""
    v = renderer.vocabulary
    params = draw(cats(v))
    colours = names(v.coat_colours) if draw(st.integers(0, 4)) == 0 else names(v.colours)
    params["colour"] = draw(colours)
    params["whitePatchesTint"] = draw(
        st.just("none") | names(v.white_patches_tints) | names(v.colours) | names(v.palette_colours)
    )
    params["opacity"] = draw(st.integers(0, 100))
    params["aprilFools"] = draw(st.booleans())
    if params["dead"] and not params["darkForest"]:
        params["afterlife"] = draw(st.none() | names(v.afterlives))
    if draw(st.booleans()):
        params.pop("accessories")
    scars = params.pop("scars")
    if draw(st.booleans()):
        params["scar"] = draw(maybe(v.all_scars))
    else:
        params["scars"] = scars
    for name in ("isTortie", "tortiePattern", "tortieColour", "tortieMask"):
        params.pop(name, None)
    params["isTortie"] = draw(st.none() | st.booleans())
    if draw(st.booleans()):
        params["tortiePattern"] = draw(names(v.pelts))
        params["tortieColour"] = draw(st.none() | colours)
        params["tortieMask"] = draw(maybe(v.tortie_masks))
    if draw(st.booleans()):
        layer = st.fixed_dictionaries(
            {"pattern": names(v.pelts), "colour": colours, "mask": maybe(v.tortie_masks)}
        )
        params["tortie"] = draw(st.lists(layer, max_size=3))
    return params


@PROPERTY_SETTINGS
@given(data=st.data(), pose=st.integers(0, POSE_COUNT - 1))
def test_the_flat_planner_plans_generated_cats_as_their_stages_do(
    renderer: Renderer, data: st.DataObject, pose: int
) -> None:
    cat = CatParams.model_validate(data.draw(varied_cats(renderer)))
    try:
        expected = stage_ops(renderer, cat, pose)
    except InvalidTraitsError:  # e.g. April Fools without such a lineart: nothing to plan
        return
    flat = flat_ops(renderer, cat, pose)
    v = renderer.vocabulary
    colours = [cat.colour] + [layer.colour for layer in cat.tortie_layers]
    game_colours = all(colour in v.colours for colour in colours)
    painted = cat.white_patches is not None and cat.white_patches_tint in v.coat_colours
    if game_colours and not painted:
        assert flat is not None, "a cat in game colours was left to the stage route"
    if flat is not None:
        np.testing.assert_array_equal(flat, expected)


@pytest.mark.parametrize(
    "params",
    [
        {"peltName": "", "colour": "GINGER"},
        {"peltName": "", "isTortie": True, "tortiePattern": "Tabby", "tortieMask": "ONE"},
        {"skinColour": "none"},
        {"peltName": "", "skinColour": "none", "shading": True, "whitePatches": "LITTLE"},
    ],
)
def test_no_coat_and_no_skin_are_planned_flat_as_their_stages_do(
    renderer: Renderer, params: dict[str, Any]
) -> None:
    cat = CatParams.model_validate(params)
    flat = flat_ops(renderer, cat, 8)
    assert flat is not None, "left to the stage route"
    np.testing.assert_array_equal(flat, stage_ops(renderer, cat, 8))
    plain, staged = renderer.render(cat), renderer.render(cat, collect_layers=True)
    np.testing.assert_array_equal(plain.image, staged.image)


def test_a_palette_colour_takes_the_stage_route_and_draws_the_same(renderer: Renderer) -> None:
    palette = next(iter(renderer.vocabulary.palette_colours))
    cat = CatParams.model_validate({"colour": palette, "peltName": "Tabby"})
    assert renderer.planner.ops(cat, 8) is None
    layered = renderer.render(cat, collect_layers=True).image
    np.testing.assert_array_equal(renderer.render(cat).image, layered)


def test_render_checks_the_traits_unless_told_they_are_checked(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = CatParams.model_validate({"colour": "NOT A COLOUR"})
    with pytest.raises(InvalidTraitsError, match="colour"):
        renderer.render(bad)
    cat = CatParams.model_validate({"colour": "GINGER", "eyeColour": "GREEN"})
    expected = renderer.render(cat).image

    def refuse(*args: object) -> None:
        raise AssertionError("checked twice")

    monkeypatch.setattr(pipeline, "check_traits", refuse)
    np.testing.assert_array_equal(renderer.render(cat, checked=True).image, expected)
    with pytest.raises(AssertionError, match="checked twice"):
        renderer.render(cat)


def test_the_flat_route_draws_what_the_stage_route_draws(renderer: Renderer) -> None:
    for case in PARITY_CASES[:120]:
        cat = CatParams.model_validate(case["params"])
        flat = renderer.render(cat)
        staged = renderer.render(cat, collect_layers=True)
        assert flat.layers is None
        np.testing.assert_array_equal(flat.image, staged.image, err_msg=case["id"])


def test_warm_up_makes_the_tables_of_every_pose_before_workers_fork(pack: SpritePack) -> None:
    fresh = Renderer(pack)
    assert not fresh.planner.ready
    fresh.warm_up()
    assert fresh.planner.ready
