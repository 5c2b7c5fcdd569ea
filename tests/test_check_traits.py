"""``check_traits`` answers quickly for a drawable cat and exactly as before for any other."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer_service.renderer import CatParams, InvalidTraitsError, Renderer, check_traits
from renderer_service.renderer.params import _all_drawable, trait_errors

from .test_planner import varied_cats
from .test_render_properties import PROPERTY_SETTINGS

BREAKABLE = (
    "peltName",
    "colour",
    "eyeColour",
    "eyeColour2",
    "skinColour",
    "whitePatches",
    "points",
    "vitiligo",
    "tint",
    "whitePatchesTint",
    "tortiePattern",
    "tortieColour",
    "tortieMask",
    "scar",
    "accessory",
    "afterlife",
)


@st.composite
def maybe_broken_cats(draw: st.DrawFn, renderer: Renderer) -> dict[str, Any]:
    """Drawable cats, half of them with one thing the pack cannot draw."""
    params = draw(varied_cats(renderer))
    kind = draw(st.sampled_from(("none", "field", "list", "afterlife")))
    if kind == "field":
        field = draw(st.sampled_from(BREAKABLE))
        params[field] = draw(st.sampled_from(["NOPE", "tabby", "white"]))
    elif kind == "list":
        name = draw(st.sampled_from(("scars", "accessories", "tortie")))
        if name == "tortie":
            layer = {"pattern": "Tabby", "colour": "GINGER", "mask": "NOPE"}
            params["tortie"] = [layer, *(params.get("tortie") or [])][:3]
        else:
            params.pop(name[:-1], None)
            params[name] = [*(params.get(name) or [])[:3], "NOPE"]
    elif kind == "afterlife":
        params["dead"] = draw(st.booleans())
        params["afterlife"] = draw(st.sampled_from(["starclan", "darkForest", "x"]))
    return params


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_quick_answer_agrees_with_the_full_check(
    renderer: Renderer, data: st.DataObject
) -> None:
    cat = CatParams.model_validate(data.draw(maybe_broken_cats(renderer)))
    errors = trait_errors(cat, renderer.vocabulary)
    assert _all_drawable(cat, renderer.vocabulary) is (not errors)
    if errors:
        with pytest.raises(InvalidTraitsError):
            check_traits(cat, renderer.vocabulary)
    else:
        check_traits(cat, renderer.vocabulary)


BASE = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "isTortie": True,
    "tortiePattern": "Speckled",
    "tortieColour": "BLACK",
    "tortieMask": "ONE",
    "whitePatches": "LITTLE",
    "points": "COLOURPOINT",
    "vitiligo": "MOON",
    "whitePatchesTint": "cream",
    "eyeColour2": "BLUE",
    "tint": "pink",
    "scar": "ONE",
    "accessory": "MAPLE LEAF",
}


@pytest.mark.parametrize("field", BREAKABLE)
def test_each_trait_the_pack_cannot_draw_is_noticed(renderer: Renderer, field: str) -> None:
    assert not trait_errors(CatParams.model_validate(BASE), renderer.vocabulary)
    broken = CatParams.model_validate({**BASE, field: "NOPE", "dead": field == "afterlife"})
    assert trait_errors(broken, renderer.vocabulary)
    assert not _all_drawable(broken, renderer.vocabulary)


def test_a_bad_trait_is_still_reported_with_its_field(renderer: Renderer) -> None:
    cat = CatParams.model_validate({"colour": "GINGER", "scars": ["ONE", "NOT A SCAR"]})
    with pytest.raises(InvalidTraitsError, match=r"scars\[1\]"):
        check_traits(cat, renderer.vocabulary)
