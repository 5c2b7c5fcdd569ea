"""Properties of every render, over random valid cats drawn from the pack's own vocabulary:
the picture is 50 x 50 times ``scale``, the same params always give the same bytes, and
``reverse`` is exactly the mirror image of the unreversed cat."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from renderer_service.renderer import CELL_SIZE, CatParams, Renderer, Vocabulary
from renderer_service.renderer.params import MAX_LIST_LENGTH, POSE_COUNT
from renderer_service.renderer.png import MAX_SCALE
from renderer_service.wire import RenderOptions
from renderer_service.work.job import RenderJob
from renderer_service.work.render import run_render_job

PROPERTY_SETTINGS = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def names(collection: Any) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted(collection))


def maybe(collection: Any) -> st.SearchStrategy[str | None]:
    return st.none() | names(collection)


@st.composite
def cats(draw: st.DrawFn, v: Vocabulary) -> dict[str, Any]:
    """V2 render params naming only what the pack (its ``Vocabulary``) can draw."""
    params: dict[str, Any] = {
        "peltName": draw(names(v.pelts)),
        "colour": draw(names(v.colours)),
        "tint": draw(st.just("none") | names(v.all_tints)),
        "whitePatches": draw(maybe(v.white_patches)),
        "points": draw(maybe(v.points)),
        "vitiligo": draw(maybe(v.vitiligo)),
        "whitePatchesTint": draw(names(v.white_patches_tints)),
        "eyeColour": draw(names(v.eye_colours)),
        "eyeColour2": draw(maybe(v.eye_colours2)),
        "skinColour": draw(names(v.skins)),
        "scars": draw(st.lists(names(v.all_scars), max_size=MAX_LIST_LENGTH)),
        "accessories": draw(st.lists(names(v.accessories), max_size=MAX_LIST_LENGTH)),
        "accessory": draw(maybe(v.accessories)),
        "shading": draw(st.booleans()),
        "dead": draw(st.booleans()),
        "darkForest": draw(st.booleans()),
    }
    if draw(st.booleans()):
        params |= {
            "isTortie": True,
            "tortiePattern": draw(names(v.pelts)),
            "tortieColour": draw(names(v.colours)),
            "tortieMask": draw(names(v.tortie_masks)),
        }
    return params


poses = st.integers(0, POSE_COUNT - 1)
scales = st.integers(1, MAX_SCALE)


def decode(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.mode == "RGBA"
        return np.asarray(image)


@PROPERTY_SETTINGS
@given(data=st.data(), pose=poses, scale=scales, reverse=st.booleans())
def test_every_render_is_50_by_50_times_scale_and_repeatable(
    renderer: Renderer, data: st.DataObject, pose: int, scale: int, reverse: bool
) -> None:
    params = data.draw(cats(renderer.vocabulary))
    cat = CatParams.model_validate({**params, "reverse": reverse})
    job = RenderJob(cat, pose, RenderOptions(scale=scale), "image")
    first = run_render_job(renderer, job)
    again = run_render_job(renderer, job)
    assert first.body == again.body
    picture = decode(first.body)
    assert picture.shape == (CELL_SIZE * scale, CELL_SIZE * scale, 4)
    small = renderer.render(cat, pose).image
    np.testing.assert_array_equal(picture[::scale, ::scale], small)
    np.testing.assert_array_equal(picture, np.repeat(np.repeat(small, scale, 0), scale, 1))


@PROPERTY_SETTINGS
@given(data=st.data(), pose=poses)
def test_reverse_is_exactly_the_mirror_image(
    renderer: Renderer, data: st.DataObject, pose: int
) -> None:
    params = data.draw(cats(renderer.vocabulary))
    plain = renderer.render(CatParams.model_validate(params), pose).image
    mirrored = renderer.render(CatParams.model_validate({**params, "reverse": True}), pose)
    np.testing.assert_array_equal(mirrored.image, plain[:, ::-1])
    assert (plain[:, :, 3] > 0).any()  # a cat, not an empty canvas


@PROPERTY_SETTINGS
@given(data=st.data(), pose=poses)
def test_layers_and_layer_pictures_do_not_change_the_cat(
    renderer: Renderer, data: st.DataObject, pose: int
) -> None:
    params = data.draw(cats(renderer.vocabulary))
    cat = CatParams.model_validate(params)
    plain = renderer.render(cat, pose).image
    layered = renderer.render(cat, pose, collect_layers=True, layer_images=True)
    np.testing.assert_array_equal(layered.image, plain)
    assert layered.layers is not None
    for layer in layered.layers:
        if layer.image is not None:
            assert layer.image.shape == (CELL_SIZE, CELL_SIZE, 4)
