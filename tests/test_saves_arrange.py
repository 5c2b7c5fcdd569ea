"""Reading a save document, and choosing and ordering a save's cats for a sheet."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from renderer_service.renderer import CatParams, Renderer
from renderer_service.saves.arrange import arrange
from renderer_service.saves.cats import SaveCat, SaveFormatError
from renderer_service.saves.read import read_save, save_cats

from .test_saves import read, saved_cat

# --- documents, selection and order -------------------------------------------------------


def test_a_save_document_is_a_list_or_an_object_with_cats() -> None:
    assert save_cats([{"ID": "1"}]) == ([{"ID": "1"}], [])
    assert save_cats({"cats": [], "sick": ["1", 2]}) == ([], ["1", "2"])
    for bad in ({"kats": []}, {"cats": {}}, {"cats": [], "sick": "1"}, "cats", 3):
        with pytest.raises(SaveFormatError):
            save_cats(bad)


def clan(renderer: Renderer) -> list[SaveCat]:
    cats = [
        saved_cat(ID="w", status="warrior", name_prefix="Ash"),
        saved_cat(ID="dead", status="warrior", dead=True, name_prefix="Zed"),
        saved_cat(ID="k", status="kitten", moons=3, name_prefix="Bee"),
        saved_cat(ID="l", status="leader", moons=80, name_prefix="Oak"),
        saved_cat(ID="rogue", status="rogue", outside=True, name_prefix="Fox"),
        saved_cat(ID="e", status="elder", moons=130, name_prefix="Elm"),
        saved_cat(ID="a", status="mediator apprentice", moons=7, name_prefix="Cub"),
        saved_cat(ID="x", status="warrior", exiled=True, name_prefix="Yew"),
        saved_cat(ID="m", status="medicine cat", moons=40, name_prefix="Moss"),
    ]
    reading = read_save(cats, renderer.vocabulary)
    assert reading.errors == []
    return reading.cats


@pytest.mark.parametrize(
    ("include", "ids"),
    [
        ("living", ["w", "k", "l", "e", "a", "m"]),
        ("dead", ["dead"]),
        ("all", ["w", "dead", "k", "l", "rogue", "e", "a", "x", "m"]),
    ],
)
def test_include_selects_the_living_the_dead_or_all(
    renderer: Renderer, include: Any, ids: list[str]
) -> None:
    assert [cat.id for cat in arrange(clan(renderer), include, "given")] == ids


@pytest.mark.parametrize(
    ("order", "ids"),
    [
        ("rank", ["l", "m", "w", "a", "k", "e", "dead", "rogue", "x"]),
        ("name", ["w", "k", "a", "e", "rogue", "m", "l", "x", "dead"]),
        ("moons", ["k", "a", "m", "w", "dead", "rogue", "x", "l", "e"]),
    ],
)
def test_order_sorts_by_rank_name_or_moons(renderer: Renderer, order: Any, ids: list[str]) -> None:
    assert [cat.id for cat in arrange(clan(renderer), "all", order)] == ids


def test_the_library_draws_what_the_params_say(renderer: Renderer) -> None:
    cat = read(renderer, reverse=True)
    image = renderer.render(CatParams.model_validate(cat.params)).image
    unflipped = renderer.render(CatParams.model_validate({**cat.params, "reverse": False})).image
    assert np.array_equal(image, unflipped[:, ::-1])
