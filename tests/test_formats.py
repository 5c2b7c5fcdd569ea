"""Image formats: PNG and lossless WebP keep every pixel; GIF follows its documented rule."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageSequence

from renderer_service.renderer import encode_animation, encode_image
from renderer_service.renderer.formats import gif_alpha

from .imaging import load_rgba, mismatches

FADED = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "shading": True,
    "dead": True,
    "opacity": 60,  # translucent pixels of every alpha, the hard case for GIF
}


def render(client: TestClient, params: dict[str, Any], **options: Any) -> Any:
    body = {"payload": {"spriteNumber": 8, "params": params}, "options": options}
    answer = client.post("/render", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def data(url: str, media_type: str) -> bytes:
    prefix = f"data:{media_type};base64,"
    assert url.startswith(prefix), url[:40]
    return base64.b64decode(url[len(prefix) :])


def random_picture(seed: int, colours: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picture = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    if colours is not None:
        palette = rng.integers(0, 256, (colours, 4), dtype=np.uint8)
        picture = palette[rng.integers(0, colours, (30, 40))]
    return picture


@pytest.mark.parametrize("background", ["transparent", "#102030", "platform:beach:newleaf:light"])
@pytest.mark.parametrize("image_format", ["webp", "png"])
def test_png_and_webp_answers_decode_to_exactly_the_png_pixels(
    client: TestClient, image_format: str, background: str
) -> None:
    png = load_rgba(data(render(client, FADED, background=background)["image"], "image/png"))
    answer = render(client, FADED, background=background, format=image_format, scale=2)
    decoded = load_rgba(data(answer["image"], f"image/{image_format}"))
    assert answer["meta"]["format"] == image_format
    assert not mismatches(decoded, np.repeat(np.repeat(png, 2, axis=0), 2, axis=1)).any()


def test_lossless_webp_keeps_random_pixels_of_every_alpha() -> None:
    picture = random_picture(1)
    assert not mismatches(load_rgba(encode_image(picture, "webp")), picture).any()


def test_gif_makes_alpha_below_128_transparent_and_the_rest_opaque_unchanged() -> None:
    picture = random_picture(2, colours=200)
    picture[0, 0] = (10, 20, 30, 127)
    picture[0, 1] = (10, 20, 30, 128)
    decoded = load_rgba(encode_image(picture, "gif"))
    opaque = picture[:, :, 3] >= 128
    assert (decoded[:, :, 3] == np.where(opaque, 255, 0)).all()
    assert (decoded[opaque][:, :3] == picture[opaque][:, :3]).all()  # <= 255 colours: exact
    assert decoded[0, 0, 3] == 0
    assert tuple(decoded[0, 1]) == (10, 20, 30, 255)


def test_gif_of_more_than_255_colours_keeps_the_alpha_rule_and_close_colours() -> None:
    picture = random_picture(3)
    decoded = load_rgba(encode_image(picture, "gif"))
    opaque = picture[:, :, 3] >= 128
    assert (decoded[:, :, 3] == np.where(opaque, 255, 0)).all()
    error = np.abs(decoded[opaque][:, :3].astype(int) - picture[opaque][:, :3].astype(int))
    assert error.mean() < 24


def colour_count(picture: np.ndarray) -> int:
    return len(np.unique(picture[picture[:, :, 3] == 255][:, :3], axis=0))


@pytest.mark.parametrize(
    ("params", "exact"), [({"peltName": "Tabby", "colour": "GINGER"}, True), (FADED, False)]
)
def test_a_gif_answer_is_the_picture_on_its_background_then_the_alpha_rule(
    client: TestClient, params: dict[str, Any], exact: bool
) -> None:
    for background in ("transparent", "#336699", "platform:forest:leaffall:dark"):
        png = load_rgba(data(render(client, params, background=background)["image"], "image/png"))
        gif = load_rgba(
            data(render(client, params, background=background, format="gif")["image"], "image/gif")
        )
        ruled = gif_alpha(png)
        assert (gif[:, :, 3] == ruled[:, :, 3]).all(), background
        assert (colour_count(ruled) <= 255) == exact or background != "transparent"
        if colour_count(ruled) <= 255:
            assert not mismatches(gif, ruled).any(), background
        else:  # past 255 colours: the nearest of 255
            opaque = ruled[:, :, 3] == 255
            error = np.abs(gif[opaque][:, :3].astype(int) - ruled[opaque][:, :3].astype(int))
            assert error.mean() < 8, background
    flat = load_rgba(
        data(render(client, FADED, background="#336699", format="gif")["image"], "image/gif")
    )
    assert (flat[:, :, 3] == 255).all()  # on an opaque colour nothing is transparent


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("image/webp", "image/webp"),
        ("image/gif", "image/gif"),
        ("image/png", "image/png"),
        ("image/*", "image/png"),
        ("image/webp, application/json", "image/webp"),
    ],
)
def test_the_accept_header_chooses_the_image_type(
    client: TestClient, accept: str, media_type: str
) -> None:
    body = {"payload": {"spriteNumber": 3, "params": {}}}
    answer = client.post("/render", json=body, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == media_type
    with Image.open(io.BytesIO(answer.content)) as picture:
        assert picture.format == media_type.split("/")[1].upper()


def test_options_format_wins_when_the_accept_header_allows_it_and_is_refused_when_not(
    client: TestClient,
) -> None:
    body: dict[str, Any] = {"payload": {"spriteNumber": 3, "params": {}}}
    both = client.post(
        "/render",
        json={**body, "options": {"format": "gif"}},
        headers={"Accept": "image/webp, image/gif"},
    )
    assert both.headers["content-type"] == "image/gif"
    clash = client.post(
        "/render", json={**body, "options": {"format": "gif"}}, headers={"Accept": "image/png"}
    )
    assert clash.status_code == 422
    assert clash.json()["field"] == "options.format"
    bad = client.post("/render", json={**body, "options": {"format": "jpeg"}})
    assert bad.status_code == 422
    assert bad.json()["field"] == "options.format"


def frames_of(encoded: bytes) -> list[np.ndarray]:
    with Image.open(io.BytesIO(encoded)) as animation:
        return [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(animation)]


def test_apng_frames_decode_to_exactly_the_pictures_given() -> None:
    frames = [random_picture(seed) for seed in range(4)]
    encoded = encode_animation(frames, "png", 150, 0)
    with Image.open(io.BytesIO(encoded)) as animation:
        assert animation.is_animated
        assert animation.info["duration"] == 150
        assert animation.info["loop"] == 0
    decoded = frames_of(encoded)
    assert len(decoded) == 4
    for got, want in zip(decoded, frames, strict=True):
        assert not mismatches(got, want).any()


def test_gif_animation_frames_follow_the_alpha_rule_each() -> None:
    frames = [random_picture(seed, colours=100) for seed in range(3)]
    decoded = frames_of(encode_animation(frames, "gif", 200, 2))
    assert len(decoded) == 3
    for got, want in zip(decoded, frames, strict=True):
        assert not mismatches(got, gif_alpha(want)).any()


def test_an_enlarged_gif_is_the_small_gif_enlarged_pixel_for_pixel() -> None:
    for picture in (random_picture(4, colours=50), random_picture(5)):
        small = load_rgba(encode_image(picture, "gif"))
        big = load_rgba(encode_image(picture, "gif", 3))
        assert (big == np.repeat(np.repeat(small, 3, axis=0), 3, axis=1)).all()


def test_past_255_colours_a_gif_keeps_the_255_commonest_exactly() -> None:
    rng = np.random.default_rng(6)
    palette = rng.integers(0, 256, (300, 4), dtype=np.uint8)
    palette[:, 3] = 255
    weights = np.r_[np.full(255, 30), np.ones(45)]  # 255 common colours, 45 rare ones
    choice = rng.choice(300, size=(60, 60), p=weights / weights.sum())
    picture = palette[choice]
    decoded = load_rgba(encode_image(picture, "gif"))
    common = choice < 255
    present = np.unique(choice[common])
    assert len(np.unique(choice)) > 255
    assert len(present) == 255
    assert (decoded[common] == picture[common]).all()
