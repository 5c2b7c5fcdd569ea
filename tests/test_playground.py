"""The playground in a real browser: headless Chromium (Debian's package) drives the page
against the service on a loopback port, and what it shows is compared with ``POST /render``.

Chromium is the system one (``/usr/bin/chromium``, installed by ``.ci/run``); Playwright's own
browser download is not used.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from renderer_service.harness import HEADLESS_CHROMIUM_ARGS, running_service

from .conftest import sprite_root
from .imaging import load_rgba

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path(os.environ.get("CG3_TEST_CHROMIUM", "/usr/bin/chromium"))
START_TIMEOUT_S = 120
WAIT_MS = 30_000

if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The service as the README starts it (``cg3 serve``), on a free loopback port."""
    env = {"CG3_WORKER_COUNT": "1", "CG3_SPRITE_ROOT": str(sprite_root())}
    with running_service(
        ["--log-level", "warning"], env=env, ready_seconds=START_TIMEOUT_S
    ) as service:
        yield service.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=HEADLESS_CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """The playground, loaded, with every request it makes recorded in ``page.requested``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.requested = requested
    tab.goto(base_url + "/")
    wait_ready(tab, 0)
    yield tab
    context.close()
    assert not errors, errors


def renders(page: Any) -> int:
    return int(page.get_attribute("#preview", "data-renders"))


def wait_ready(page: Any, after: int) -> None:
    """Wait until the preview shows a picture drawn after ``after`` renders."""
    page.wait_for_function(
        "after => { const p = document.querySelector('#preview');"
        " return p.dataset.status === 'ready' && Number(p.dataset.renders) > after; }",
        arg=after,
        timeout=WAIT_MS,
    )


def wait_for_params(page: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """Wait until the preview was drawn from ``expected`` params; the body it was drawn from."""
    page.wait_for_function(
        "expected => { const p = document.querySelector('#preview');"
        " if (p.dataset.status !== 'ready' || !p.dataset.body) return false;"
        " const params = JSON.parse(p.dataset.body).payload.params;"
        " return Object.entries(expected).every("
        "   ([k, v]) => JSON.stringify(params[k]) === JSON.stringify(v)); }",
        arg=expected,
        timeout=WAIT_MS,
    )
    body: dict[str, Any] = json.loads(page.get_attribute("#preview", "data-body"))
    return body


def shown_pixels(page: Any) -> np.ndarray:
    """The preview's pixels as the browser decoded them (drawn on a canvas)."""
    data = page.evaluate(
        """() => {
        const img = document.querySelector('#preview');
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        return [canvas.width, canvas.height, Array.from(pixels.data)];
    }"""
    )
    width, height, values = data
    return np.array(values, dtype=np.uint8).reshape(height, width, 4)


def rendered(base_url: str, body: dict[str, Any]) -> np.ndarray:
    """What ``POST /render`` answers for the same cat, scale and background."""
    plain = {"payload": body["payload"], "options": dict(body["options"])}
    for key in ("collectLayers", "includeLayerImages"):
        plain["options"].pop(key, None)
    answer = httpx.post(f"{base_url}/render", json=plain, timeout=30)
    assert answer.status_code == 200, answer.text
    image = answer.json()["image"]
    return load_rgba(base64.b64decode(image.split(",", 1)[1]))


def assert_same_picture(shown: np.ndarray, expected: np.ndarray) -> None:
    """Opaque and transparent pixels exactly; translucent ones within the browser's
    premultiplied-alpha rounding (a canvas stores colours multiplied by alpha)."""
    assert shown.shape == expected.shape
    alpha = expected[:, :, 3]
    assert (shown[:, :, 3] == alpha).all()
    opaque = alpha == 255
    assert (shown[opaque] == expected[opaque]).all()
    translucent = (alpha > 0) & (alpha < 255)
    error = np.abs(shown[translucent].astype(int) - expected[translucent].astype(int))
    assert error.size == 0 or error.max() <= 256 // max(1, int(alpha[translucent].min()))


def test_the_page_draws_the_default_cat_exactly_as_render_answers(page: Any, base_url: str) -> None:
    body = json.loads(page.get_attribute("#preview", "data-body"))
    assert body["options"]["scale"] == 4
    assert_same_picture(shown_pixels(page), rendered(base_url, body))


def test_the_page_asks_nothing_of_any_host_but_the_service(page: Any, base_url: str) -> None:
    page.wait_for_selector(".poses button[style*='background-image']", timeout=WAIT_MS)
    outside = [
        url for url in page.requested if not url.startswith((base_url + "/", "data:", "blob:"))
    ]
    assert not outside


def test_changed_traits_change_the_picture_to_what_render_answers(page: Any, base_url: str) -> None:
    before = shown_pixels(page)
    page.select_option("#trait-colour", "GINGER")
    page.select_option("#trait-eyeColour", "BLUE")
    page.fill("#trait-accessories-search", "maple")
    assert page.locator("#trait-accessories-HOLLY").is_hidden()  # the search filters the list
    page.check("#trait-accessories-MAPLE_LEAF")
    page.check("#trait-shading")
    page.click(".poses button[data-pose='3']")
    page.select_option("#background", "platform:forest:greenleaf:light")
    body = wait_for_params(
        page,
        {
            "colour": "GINGER",
            "eyeColour": "BLUE",
            "accessories": ["MAPLE LEAF"],
            "shading": True,
        },
    )
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#preview').dataset.body)"
        ".options.background === 'platform:forest:greenleaf:light'",
        timeout=WAIT_MS,
    )
    body = json.loads(page.get_attribute("#preview", "data-body"))
    assert body["payload"]["spriteNumber"] == 3
    shown = shown_pixels(page)
    assert shown.shape == (280, 320, 4)  # the 80 x 70 platform at 4x
    assert shown.shape != before.shape or (shown != before).any()
    assert_same_picture(shown, rendered(base_url, body))


def test_the_layer_strip_shows_every_stage_with_its_picture_label_blend_and_time(
    page: Any, base_url: str
) -> None:
    page.select_option("#trait-whitePatches", "LITTLE")
    body = wait_for_params(page, {"whitePatches": "LITTLE"})
    answer = httpx.post(f"{base_url}/render", json=body, timeout=30).json()
    items = page.query_selector_all("#layers li")
    assert len(items) == len(answer["layers"])
    for item, layer in zip(items, answer["layers"], strict=True):
        assert item.get_attribute("data-layer") == layer["id"]
        text = item.inner_text()
        assert layer["label"] in text
        assert layer["blend_mode"] in text  # the canvas name, not the internal one
        assert layer["blendMode"] in ("normal", "multiply") or layer["blendMode"] not in text
        assert "ms" in text
        image = item.query_selector("img")
        assert (image is not None) == (layer["image"] is not None)
        if image is not None:
            assert image.get_attribute("src") == layer["image"]
    white = page.query_selector("#layers li[data-layer='whitePatches']")
    assert white is not None
    assert "skipped" not in (white.get_attribute("class") or "")


def test_the_share_link_reopens_the_playground_on_the_same_cat(page: Any, base_url: str) -> None:
    page.select_option("#trait-colour", "BLACK")
    page.select_option("#trait-eyeColour", "GREEN")
    page.select_option("#scale", "6")
    page.select_option("#background", "#ffffff")
    wait_for_params(page, {"colour": "BLACK", "eyeColour": "GREEN"})
    page.wait_for_function(
        "() => JSON.parse(document.querySelector('#preview').dataset.body).options.scale === 6"
        " && document.querySelector('#preview').dataset.status === 'ready'",
        timeout=WAIT_MS,
    )
    first = json.loads(page.get_attribute("#preview", "data-body"))
    shown = shown_pixels(page)
    link = page.input_value("#page-url")
    picture_url = page.input_value("#code-url")
    assert link.startswith(base_url + "/?cat=")

    page.goto(link)
    wait_ready(page, 0)
    again = json.loads(page.get_attribute("#preview", "data-body"))
    assert again["payload"] == first["payload"]
    assert again["options"]["scale"] == 6
    assert again["options"]["background"] == "#ffffff"
    assert page.input_value("#trait-colour") == "BLACK"
    assert page.input_value("#trait-eyeColour") == "GREEN"
    assert (shown_pixels(page) == shown).all()

    picture = httpx.get(picture_url, timeout=30)
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert (load_rgba(picture.content) == rendered(base_url, first)).all()
    downloads = [a.get_attribute("href") for a in page.query_selector_all("#downloads a")]
    for suffix in ("png", "webp", "gif"):
        for scale in (1, 4, 6):
            assert any(f".{suffix}?scale={scale}" in href for href in downloads)


def test_a_refused_trait_shows_one_plain_sentence_next_to_its_control(
    page: Any, base_url: str
) -> None:
    from renderer_service.wire import encode_cat_code

    page.goto(f"{base_url}/?cat={encode_cat_code({'colour': 'GINGR', 'spriteNumber': 8})}")
    page.wait_for_selector("#preview[data-status='error']", timeout=WAIT_MS)
    message = page.locator("#error-colour")
    assert message.is_visible()
    text = message.inner_text()
    assert "GINGR" in text
    assert "GINGER" in text  # the closest colour
    assert "payload" not in text
    assert "Accepted" not in text
    assert text.count(". ") == 0  # one sentence
    assert page.get_attribute("#trait-colour", "aria-invalid") == "true"
    assert page.get_attribute("#trait-colour", "aria-describedby") == "error-colour"

    count = renders(page)
    page.select_option("#trait-colour", "GINGER")  # a colour the game has: the error goes
    wait_ready(page, count)
    assert not message.is_visible()
    assert page.get_attribute("#trait-colour", "aria-invalid") is None


def test_a_variant_sheet_picks_a_value_when_clicked(page: Any) -> None:
    page.select_option("#variants-layer", "eyes")
    page.click("#variants-show")
    page.wait_for_selector("#variants button[data-variant='BLUE']", timeout=WAIT_MS)
    buttons = page.query_selector_all("#variants button")
    assert len(buttons) > 10
    page.click("#variants button[data-variant='BLUE']")
    wait_for_params(page, {"eyeColour": "BLUE"})
    assert page.input_value("#trait-eyeColour") == "BLUE"


def test_the_random_cat_is_valid_and_the_same_for_the_same_seed(page: Any) -> None:
    codes = []
    for _ in range(2):
        page.fill("#seed", "42")
        count = renders(page)
        page.click("#random")
        wait_ready(page, count)
        page.wait_for_function(
            "() => document.querySelector('#preview').dataset.status === 'ready'",
            timeout=WAIT_MS,
        )
        codes.append(page.input_value("#code-url"))
        assert page.input_value("#seed") == "42"  # the seed of the cat on screen
    assert codes[0] == codes[1]
    for seed in range(1, 6):  # every cat drawn is one the service accepts
        page.fill("#seed", str(seed))
        count = renders(page)
        page.click("#random")
        wait_ready(page, count)
        assert page.locator("#error-general").is_hidden()


def test_every_control_has_a_label_and_the_page_fits_360_px(page: Any) -> None:
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
        .filter(e => !e.closest('[hidden]'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !(e.textContent || '').trim())
        .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert not unlabelled
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(100)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360


def test_the_keyboard_reaches_the_controls_with_a_visible_focus(page: Any) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    for _ in range(5):
        page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return [e.tagName, s.outlineStyle, s.outlineWidth]; }"""
    )
    assert focused[0] in ("INPUT", "SELECT", "BUTTON", "A")
    assert focused[1] != "none"
    assert focused[2] != "0px"
    before = page.input_value("#trait-colour")
    page.focus("#trait-colour")
    page.keyboard.press("ArrowDown")
    count = renders(page)
    wait_ready(page, count)
    assert page.input_value("#trait-colour") != before
