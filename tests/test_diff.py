"""POST /diff and the diff library: which pixels differ, by how much, and which stage drew them."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from numpy.typing import NDArray
from PIL import Image

from renderer_service.renderer import CatParams, Renderer, encode_png, upscale
from renderer_service.renderer.diff import compare, diff_cat

from .conftest import PARITY
from .imaging import load_rgba, mismatches

CASE: dict[str, Any] = json.loads((PARITY / "legacy-public" / "cases.json").read_text())[1]
EXPECTED = load_rgba(PARITY / "legacy-public" / "expected" / f"{CASE['id']}.png")


def _url(picture: NDArray[np.uint8]) -> str:
    return "data:image/png;base64," + base64.b64encode(encode_png(picture)).decode()


def _body(reference: str, **extra: Any) -> dict[str, Any]:
    return {"payload": {"params": CASE["params"]}, "reference": reference, **extra}


def _decode(url: str) -> NDArray[np.uint8]:
    data = base64.b64decode(url.split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as picture:
        return np.asarray(picture.convert("RGBA"))


def _visible_pixel(picture: NDArray[np.uint8], stage_pixels: NDArray[np.bool_]) -> tuple[int, int]:
    ys, xs = np.nonzero(stage_pixels & (picture[:, :, 3] == 255))
    return int(ys[len(ys) // 2]), int(xs[len(xs) // 2])


def test_the_parity_picture_diffs_clean(client: TestClient) -> None:
    answer = client.post("/diff", json=_body(_url(EXPECTED)))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["differing"] == 0
    assert body["bbox"] is None
    assert body["maxChannelDelta"] == 0
    assert body["layers"] == []
    assert not mismatches(_decode(body["image"]), EXPECTED).any()


def test_one_pixel_off_is_that_pixel_and_the_stage_that_drew_it(
    client: TestClient, renderer: Renderer
) -> None:
    drawn = renderer.render(
        CatParams.model_validate(CASE["params"]), collect_layers=True, layer_images=True
    )
    eyes = next(layer for layer in drawn.layers or [] if layer.id == "eyes")
    assert eyes.image is not None
    y, x = _visible_pixel(drawn.image, eyes.image[:, :, 3] > 0)
    # a pixel only the eyes and what is drawn over them (lineart, ...) may cover
    reference = EXPECTED.copy()
    reference[y, x, 0] ^= 0x10
    body = client.post("/diff", json=_body(_url(reference))).json()
    assert body["differing"] == 1
    assert body["bbox"] == [x, y, x + 1, y + 1]
    assert body["maxChannelDelta"] == 16
    ids = [layer["id"] for layer in body["layers"]]
    assert "eyes" in ids
    assert all(layer["pixels"] == 1 for layer in body["layers"])
    covering = {
        layer.id
        for layer in drawn.layers or []
        if layer.image is not None and layer.image[y, x, 3] > 0
    }
    assert set(ids) == covering


def test_layers_are_listed_most_pixels_first(renderer: Renderer) -> None:
    reference = EXPECTED.copy()
    reference[:, :, :3] //= 2  # every visible pixel darker: many stages touch them
    found = diff_cat(renderer, CatParams.model_validate(CASE["params"]), reference)
    counts = [item.pixels for item in found.layers]
    assert len(counts) > 2
    assert counts == sorted(counts, reverse=True)
    assert found.layers[0].id == "base"  # the coat covers most of a cat
    assert found.layers[0].pixels <= found.difference.differing


def test_an_enlarged_reference_is_compared_at_its_size(client: TestClient) -> None:
    reference = upscale(EXPECTED, 4).copy()
    reference[0:4, 0:4] = (9, 9, 9, 255)  # one cat pixel, four times four picture pixels
    body = client.post("/diff", json=_body(_url(reference))).json()
    assert (body["width"], body["height"], body["scale"]) == (200, 200, 4)
    assert body["differing"] == 16
    assert body["bbox"] == [0, 0, 4, 4]
    side = _decode(body["sideBySide"])
    assert side.shape[0] == 200
    assert side.shape[1] > 3 * 200


def test_tolerance_counts_small_differences_as_equal(client: TestClient) -> None:
    reference = EXPECTED.copy()
    visible = reference[:, :, 3] > 0
    reference[visible, 1] = np.where(reference[visible, 1] > 2, reference[visible, 1] - 2, 2)
    exact = client.post("/diff", json=_body(_url(reference))).json()
    loose = client.post("/diff", json=_body(_url(reference), tolerance=2)).json()
    assert exact["differing"] > 0
    assert exact["maxChannelDelta"] == 2
    assert loose["differing"] == 0
    assert loose["maxChannelDelta"] == 2


def test_transparent_pixels_are_equal_whatever_their_colour() -> None:
    ours = np.zeros((50, 50, 4), dtype=np.uint8)
    other = ours.copy()
    other[:, :, :3] = 200  # colour, but alpha 0
    assert compare(ours, other).differing == 0


@pytest.mark.parametrize(
    ("reference", "needle"),
    [
        ("iVBORw0KGgo=", "data:image/png;base64,"),
        ("data:image/png;base64,@@@", "base64"),
        ("data:image/png;base64," + base64.b64encode(b"not a png").decode(), "not a readable PNG"),
        (_url(np.zeros((40, 40, 4), dtype=np.uint8)), "40 x 40"),
        (_url(np.zeros((50, 100, 4), dtype=np.uint8)), "100 x 50"),
        (_url(np.zeros((75, 75, 4), dtype=np.uint8)), "75 x 75"),
    ],
    ids=["no-data-url", "bad-base64", "not-png", "too-small", "not-square", "not-whole-scale"],
)
def test_a_bad_reference_is_a_422_saying_what_was_received(
    client: TestClient, reference: str, needle: str
) -> None:
    answer = client.post("/diff", json=_body(reference))
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "reference"
    assert needle in body["detail"]


def test_a_scale_that_contradicts_the_reference_is_a_422(client: TestClient) -> None:
    answer = client.post("/diff", json=_body(_url(EXPECTED), options={"scale": 2}))
    assert answer.status_code == 422
    assert answer.json()["field"] == "options.scale"
    assert "50 x 50" in answer.json()["detail"]


def test_bad_params_are_a_422_before_any_comparison(client: TestClient) -> None:
    body = _body(_url(EXPECTED))
    body["payload"] = {"params": {**CASE["params"], "colour": "GINGR"}}
    answer = client.post("/diff", json=body)
    assert answer.status_code == 422
    assert answer.json()["field"] == "payload.params.colour"


def test_a_missing_reference_is_a_422(client: TestClient) -> None:
    answer = client.post("/diff", json={"payload": {"params": CASE["params"]}})
    assert answer.status_code == 422
    assert answer.json()["field"] == "reference"
