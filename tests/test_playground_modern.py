"""The playground on today's ClanGen, in headless Chromium against ``cg3 serve``: the pack
switch rebuilds the controls from the ``clangen`` catalog, links keep their pack, a
pixel-cat-maker link opens its cat, and the clan view opens v0.13 saves.

The service, the browser and the page helpers come from ``test_playground``.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from renderer_service.harness import running_service

from .test_pcm_import import share_query
from .test_playground import (
    START_TIMEOUT_S,
    WAIT_MS,
    assert_same_picture,
    browser,
    rendered,
    shown_pixels,
    wait_ready,
)
from .test_playground_player import axe_violations, open_page

__all__ = ["browser"]  # a fixture, used by name

DATA = Path(__file__).parent / "data"
MODERN_SAVE = DATA / "modern-save-public"
CASES: list[dict[str, Any]] = json.loads((DATA / "modern-public" / "cases.json").read_text())


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """``cg3 serve`` with its bundled packs, ``lifegen`` (the default) and ``clangen``: no
    sprite root or pack list of the environment's."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("CG3_SPRITE_ROOT", "CG3_PACKS")
    }
    with running_service(
        ["--log-level", "warning"],
        env={"CG3_WORKER_COUNT": "1"},
        base_env=env,
        ready_seconds=START_TIMEOUT_S,
    ) as service:
        yield service.url


@pytest.fixture
def wide(browser: Any, base_url: str) -> Iterator[Any]:
    yield from open_page(browser, base_url, 1280, 800)


@pytest.fixture(scope="module")
def clangen(base_url: str) -> dict[str, Any]:
    catalog: dict[str, Any] = httpx.get(f"{base_url}/catalog?pack=clangen", timeout=30).json()
    assert catalog["layout"] == "modern"
    return catalog


def body_of(page: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(page.get_attribute("#preview", "data-body"))
    return body


def wait_for_body(page: Any, test: str, arg: Any = None) -> dict[str, Any]:
    """Wait until the preview is ready and ``test`` (a JS expression of ``body``, and ``arg``)
    holds for the body it was drawn from; that body."""
    page.wait_for_function(
        "([test, arg]) => { const p = document.querySelector('#preview');"
        " if (p.dataset.status !== 'ready' || !p.dataset.body) return false;"
        " const body = JSON.parse(p.dataset.body);"
        " return new Function('body', 'arg', 'return ' + test)(body, arg); }",
        arg=[test, arg],
        timeout=WAIT_MS,
    )
    return body_of(page)


def switch_to_clangen(page: Any) -> dict[str, Any]:
    page.select_option("#pack", "clangen")
    return wait_for_body(page, "body.options.pack === 'clangen'")


def options_of(page: Any, selector: str) -> list[str]:
    values: list[str] = page.eval_on_selector(selector, "s => [...s.options].map(o => o.value)")
    return values


def drawn_as(base_url: str, request: dict[str, Any], page_body: dict[str, Any]) -> Any:
    """What ``POST /render`` draws for ``request`` at the page's scale and background."""
    options = {
        **request.get("options", {}),
        **{key: page_body["options"][key] for key in ("scale", "background")},
    }
    return rendered(base_url, {"payload": request["payload"], "options": options})


def pcm_case() -> dict[str, Any]:
    """A case a share link can hold (one accessory, one scar or none) wearing a collar."""
    return next(
        case
        for case in CASES
        if isinstance(case["params"].get("accessory"), str)
        and "_" in case["params"]["accessory"]
        and not isinstance(case["params"].get("scar"), list)
        and (case["params"].get("whitePatchesTint") in (None, "none"))
    )


@pytest.fixture(scope="module")
def save_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The public v0.13 save folder, zipped as a player would (one top folder)."""
    archive = tmp_path_factory.mktemp("save") / "Publicclan.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in sorted(MODERN_SAVE.rglob("*.json")):
            packed.write(path, f"Public/{path.relative_to(MODERN_SAVE)}")
    return archive


# --- the pack switch -------------------------------------------------------------------------


def test_the_pack_switch_offers_the_packs_the_service_lists(wide: Any, base_url: str) -> None:
    packs = [p["name"] for p in httpx.get(f"{base_url}/health", timeout=30).json()["packs"]]
    assert options_of(wide, "#pack") == packs
    assert wide.input_value("#pack") == "lifegen"
    assert body_of(wide)["options"]["pack"] == "lifegen"


def test_on_clangen_the_controls_come_from_its_catalog(
    wide: Any, base_url: str, clangen: dict[str, Any]
) -> None:
    body = switch_to_clangen(wide)
    assert body["payload"]["pose"] == "adult_short2"  # the opening cat's pose, by name
    assert "spriteNumber" not in body["payload"]
    assert_same_picture(shown_pixels(wide), rendered(base_url, body))
    assert wide.get_attribute("#traits", "data-layout") == "modern"

    # the named poses, grouped by life stage, each with a thumbnail
    names = wide.eval_on_selector_all(".poses button", "bs => bs.map(b => b.dataset.poseName)")
    assert names == [pose["name"] for pose in clangen["poses"]]
    stages = {pose["description"] for pose in clangen["poses"]}
    assert set(wide.eval_on_selector_all(".pose-stage h4", "hs => hs.map(h => h.textContent)")) == (
        stages
    )
    wide.wait_for_selector(".poses button[style*='background-image']", timeout=WAIT_MS)

    # the game's colours only, the pack's tints, eye colours, afterlives
    assert options_of(wide, "#trait-colour") == [c["name"] for c in clangen["colours"]]
    assert options_of(wide, "#trait-whitePatchesTint") == [""] + [
        t["name"] for t in clangen["whitePatchesTints"] if t["name"] != "none"
    ]
    assert options_of(wide, "#trait-eyeColour2")[1:] == clangen["eyeColours"]
    groups = wide.eval_on_selector_all("#trait-whitePatches optgroup", "gs => gs.length")
    assert groups == len(clangen["whitePatchCategories"])
    assert options_of(wide, "#trait-afterlife")[1:] == [a["name"] for a in clangen["afterlives"]]
    assert wide.locator("#trait-darkForest").count() == 0  # an afterlife here, not a flag
    assert options_of(wide, "#trait-collar")[1:] == [t["type"] for t in clangen["collarTypes"]]
    assert wide.locator("#trait-accessories-BOW_crimson").count() == 0  # collars have their own

    # a pose, a collar and an afterlife, drawn as /render draws them
    wide.click(".poses button[data-pose-name='senior1']")
    collar = clangen["collarTypes"][3]
    wide.select_option("#trait-collar", collar["type"])
    wide.select_option("#trait-collar-colour", collar["colours"][1])
    wide.check("#trait-dead")
    wide.select_option("#trait-afterlife", "unknownResidence")
    body = wait_for_body(
        wide,
        "body.payload.pose === 'senior1' && body.payload.params.afterlife === 'unknownResidence'"
        " && (body.payload.params.accessories || []).includes(arg)",
        f"{collar['type']}_{collar['colours'][1]}",
    )
    assert wide.locator("#error-general").is_hidden()
    assert_same_picture(shown_pixels(wide), rendered(base_url, body))


def test_switching_back_keeps_the_cat_and_its_pose(wide: Any) -> None:
    wide.click(".poses button[data-pose='10']")  # lifegen pose 10: adult, long fur
    wait_for_body(wide, "body.payload.spriteNumber === 10")
    body = switch_to_clangen(wide)
    assert body["payload"]["pose"] == "adult_long1"  # the same cell
    assert body["payload"]["params"]["peltName"] == "Tabby"
    wide.select_option("#pack", "lifegen")
    body = wait_for_body(wide, "body.options.pack === 'lifegen'")
    assert body["payload"]["spriteNumber"] == 10
    assert wide.locator("#trait-darkForest").count() == 1


def test_a_palette_colour_is_left_out_on_clangen_and_the_page_says_so(wide: Any) -> None:
    wide.select_option("#trait-colour", "AW_ABYSSNAVY")
    wait_for_body(wide, "body.payload.params.colour === 'AW_ABYSSNAVY'")
    body = switch_to_clangen(wide)
    assert "colour" not in body["payload"]["params"]
    assert "AW_ABYSSNAVY" in wide.inner_text("#pack-status")
    assert wide.locator("#error-general").is_hidden()


def test_a_clangen_cat_s_link_opens_the_page_on_clangen(wide: Any, base_url: str) -> None:
    switch_to_clangen(wide)
    wide.click(".poses button[data-pose-name='kitten2']")
    first = wait_for_body(wide, "body.payload.pose === 'kitten2'")
    shown = shown_pixels(wide)
    link = wide.input_value("#page-url")
    picture = httpx.get(wide.input_value("#code-url"), timeout=30)
    assert picture.status_code == 200

    wide.goto(link)
    wait_ready(wide, 0)
    again = body_of(wide)
    assert wide.input_value("#pack") == "clangen"
    assert again["options"]["pack"] == "clangen"
    assert again["payload"] == first["payload"]
    assert (shown_pixels(wide) == shown).all()
    pressed = wide.get_attribute(".poses button[aria-pressed='true']", "data-pose-name")
    assert pressed == "kitten2"


# --- pixel-cat-maker links -------------------------------------------------------------------


def test_a_pixel_cat_maker_link_opens_its_cat_on_clangen_with_plain_notes(
    wide: Any, base_url: str
) -> None:
    case = pcm_case()
    url = "https://pixelcatmaker.example/?" + share_query(
        {**case["params"], "backgroundColour": "rgb(255 255 255)", "utm_source": "x"}
    )
    wide.fill("#pcm-url", url)
    wide.select_option("#pcm-lineart", "dark forest")
    wide.click("#pcm-open")
    body = wait_for_body(wide, "body.options.pack === 'clangen' && body.payload.params.dead")
    assert wide.input_value("#pack") == "clangen"
    answer = httpx.post(
        f"{base_url}/import/pixel-cat-maker",
        json={"url": url, "lineart": "dark forest"},
        timeout=30,
    ).json()
    request = answer["request"]
    pose = request["payload"].get("pose") or next(
        p["name"]
        for p in httpx.get(f"{base_url}/catalog?pack=clangen", timeout=30).json()["poses"]
        if p["number"] == request["payload"]["spriteNumber"]
    )
    assert body["payload"]["pose"] == pose
    params = body["payload"]["params"]
    assert params["afterlife"] == "darkForest"
    assert params["accessories"] == [case["params"]["accessory"]]
    assert_same_picture(shown_pixels(wide), drawn_as(base_url, request, body))

    notes = wide.inner_text("#import-notes")
    assert "background colour" in notes
    assert "backgroundColour:" not in notes
    assert len(answer["warnings"]) == wide.locator("#import-notes li").count()
    assert wide.locator("#error-import").is_hidden()
    # the collar picker shows the link's collar
    collar = case["params"]["accessory"]
    assert collar.startswith(wide.input_value("#trait-collar") + "_")
    assert collar.endswith("_" + wide.input_value("#trait-collar-colour"))


def test_a_link_pasted_on_the_page_opens_with_the_default_lineart(wide: Any, base_url: str) -> None:
    case = CASES[0]
    fields = {k: v for k, v in case["params"].items() if not isinstance(v, list)}
    query = share_query(fields)
    wide.click("h1")  # nothing editable has the focus
    wide.evaluate(
        """text => { const data = new DataTransfer(); data.setData('text/plain', text);
        document.body.dispatchEvent(new ClipboardEvent('paste',
          {clipboardData: data, bubbles: true})); }""",
        query,
    )
    body = wait_for_body(wide, "body.options.pack === 'clangen'")
    assert wide.input_value("#pcm-url") == query
    assert "dead" not in body["payload"]["params"]  # "regular": a living cat
    request = httpx.post(
        f"{base_url}/import/pixel-cat-maker", json={"url": query}, timeout=30
    ).json()["request"]
    assert_same_picture(shown_pixels(wide), drawn_as(base_url, request, body))


def test_a_link_that_is_not_pixel_cat_maker_s_is_one_plain_sentence(wide: Any) -> None:
    count = int(wide.get_attribute("#preview", "data-renders"))
    wide.fill("#pcm-url", "hello=1")
    wide.press("#pcm-url", "Enter")
    message = wide.locator("#error-import")
    message.wait_for(state="visible", timeout=WAIT_MS)
    text = message.inner_text()
    assert text.startswith("This is not a pixel-cat-maker link")
    assert "url:" not in text
    assert wide.get_attribute("#pcm-url", "aria-invalid") == "true"
    assert wide.input_value("#pack") == "lifegen"  # the cat on screen stays
    assert int(wide.get_attribute("#preview", "data-renders")) == count


# --- v0.13 saves -----------------------------------------------------------------------------


def test_a_zipped_v013_save_opens_by_name_filters_and_opens_a_cat_on_clangen(
    wide: Any, base_url: str, save_zip: Path
) -> None:
    answer = httpx.post(
        f"{base_url}/save/params",
        content=save_zip.read_bytes(),
        headers={"Content-Type": "application/zip"},
        timeout=60,
    ).json()
    assert answer["saveFormat"] == "v0.13"
    cats = answer["cats"]
    living = [c for c in cats if not c["params"].get("dead")]

    wide.set_input_files("#clan-file", str(save_zip))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    status = wide.inner_text("#clan-status")
    assert f"{len(living)} of {len(cats)} cats" in status
    assert "v0.13" in status
    labels = wide.eval_on_selector_all(
        "#clan-sheet .tile-label", "ls => ls.map(l => l.textContent)"
    )
    assert labels == [c["name"] for c in living]

    wide.select_option("#clan-include", "all")
    wide.select_option("#clan-rank", "elder")
    elders = [c for c in cats if c["status"] == "elder"]
    wide.wait_for_function(
        "n => document.querySelectorAll('#clan-sheet button').length === n",
        arg=len(elders),
        timeout=WAIT_MS,
    )
    cat = elders[0]
    count = int(wide.get_attribute("#preview", "data-renders"))
    wide.click(f"#clan-sheet button[data-cat='{cat['ID']}']")
    wait_ready(wide, count)
    body = wait_for_body(wide, "body.options.pack === 'clangen'")
    assert wide.input_value("#pack") == "clangen"
    assert body["payload"]["pose"] == cat["request"]["payload"]["pose"]
    assert_same_picture(shown_pixels(wide), drawn_as(base_url, cat["request"], body))
    pressed = wide.get_attribute(".poses button[aria-pressed='true']", "data-pose-name")
    assert pressed == cat["pose"]


def test_a_v013_clan_cats_json_opens_too_and_a_tortie_opens_with_its_patches(
    wide: Any, base_url: str
) -> None:
    source = MODERN_SAVE / "clan_cats.json"
    answer = httpx.post(f"{base_url}/save/params", content=source.read_bytes(), timeout=60).json()
    wide.set_input_files("#clan-file", str(source))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    assert f"of {len(answer['cats'])} cats" in wide.inner_text("#clan-status")
    tortie = next(
        c for c in answer["cats"] if c["params"].get("isTortie") and not c["params"].get("dead")
    )
    wide.click(f"#clan-sheet button[data-cat='{tortie['ID']}']")
    body = wait_for_body(
        wide, "body.options.pack === 'clangen' && (body.payload.params.tortie || []).length === 1"
    )
    layer = body["payload"]["params"]["tortie"][0]
    assert layer["pattern"] == tortie["params"]["tortiePattern"]
    assert wide.input_value("#trait-tortie-0-pattern") == layer["pattern"]
    assert_same_picture(shown_pixels(wide), drawn_as(base_url, tortie["request"], body))


# --- accessibility ---------------------------------------------------------------------------


def test_the_clangen_page_is_labelled_keyboard_reachable_and_axe_clean(
    wide: Any, save_zip: Path
) -> None:
    switch_to_clangen(wide)
    wide.fill("#pcm-url", "nothing")
    wide.click("#pcm-open")
    wide.locator("#error-import").wait_for(state="visible", timeout=WAIT_MS)
    wide.set_input_files("#clan-file", str(save_zip))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    unlabelled = wide.evaluate(
        """() => [...document.querySelectorAll('input, select, button, textarea')]
        .filter(e => !e.closest('[hidden]'))
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !(e.textContent || '').trim())
        .map(e => e.id || e.outerHTML.slice(0, 60))"""
    )
    assert not unlabelled
    wide.focus("#pack")
    wide.keyboard.press("Tab")
    focused = wide.evaluate(
        "() => [document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["pcm-url", "solid"]
    assert axe_violations(wide) == []
