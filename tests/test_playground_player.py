"""The playground for players (issue 25), in headless Chromium against ``cg3 serve``: the
preview stays in view, every colour can be picked, controls offer only what the cat can take,
the seed is the cat's, variant sheets are labelled and paged, a whole clan opens from a save,
share links unfurl, and an axe-core pass finds no accessibility problem.

The service, the browser and the page come from ``test_playground``'s fixtures.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from renderer_service.wire import encode_cat_code

from .test_playground import WAIT_MS, base_url, browser, renders, wait_for_params, wait_ready

__all__ = ["base_url", "browser"]  # fixtures, used by name

DATA = Path(__file__).parent / "data"
SAVE = DATA / "save-public" / "clan_cats.json"
AXE = DATA / "axe" / "axe.min.js"


@pytest.fixture
def wide(browser: Any, base_url: str) -> Iterator[Any]:
    yield from open_page(browser, base_url, 1280, 800)


@pytest.fixture
def narrow(browser: Any, base_url: str) -> Iterator[Any]:
    yield from open_page(browser, base_url, 360, 740)


def open_page(browser: Any, base_url: str, width: int, height: int) -> Iterator[Any]:
    """The playground in a new browser context of that size, ready; fails on a page error."""
    context = browser.new_context(viewport={"width": width, "height": height})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(base_url + "/")
    wait_ready(tab, 0)
    yield tab
    context.close()
    assert not errors, errors


def body_of(page: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(page.get_attribute("#preview", "data-body"))
    return body


def in_view(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            """s => { const r = document.querySelector(s).getBoundingClientRect();
            return r.width > 0 && r.top >= 0 && r.left >= 0
              && r.bottom <= innerHeight && r.right <= innerWidth; }""",
            selector,
        )
    )


# --- the preview stays in view ---------------------------------------------------------------


def test_at_1280_px_the_preview_stays_in_view_while_scars_accessories_and_afterlife_change(
    wide: Any,
) -> None:
    for target in ("#trait-scars-search", "#trait-accessories-search", "#trait-dead"):
        wide.locator(target).scroll_into_view_if_needed()
        wide.wait_for_timeout(100)
        assert in_view(wide, target)
        assert in_view(wide, "#preview"), target
    count = renders(wide)
    wide.check("#trait-dead")
    wide.select_option("#trait-afterlife", "unknownResidence")
    wait_for_params(wide, {"dead": True, "afterlife": "unknownResidence"})
    assert renders(wide) > count
    assert in_view(wide, "#trait-afterlife")
    assert in_view(wide, "#preview")


def test_at_360_px_the_cat_comes_first_and_a_small_preview_floats_beside_the_controls(
    narrow: Any,
) -> None:
    top = narrow.evaluate("() => document.querySelector('#preview').getBoundingClientRect().top")
    form = narrow.evaluate("() => document.querySelector('#traits').getBoundingClientRect().top")
    assert top < form
    assert top < 400
    assert narrow.locator("#mini").is_hidden()
    narrow.locator("#trait-accessories-search").scroll_into_view_if_needed()
    narrow.wait_for_selector("#mini", state="visible", timeout=WAIT_MS)
    assert in_view(narrow, "#mini-preview")
    assert narrow.get_attribute("#mini-preview", "src") == narrow.get_attribute("#preview", "src")
    count = renders(narrow)
    narrow.fill("#trait-accessories-search", "holly")
    narrow.check("#trait-accessories-HOLLY")
    wait_ready(narrow, count)
    assert narrow.get_attribute("#mini-preview", "src") == narrow.get_attribute("#preview", "src")
    narrow.click("#tortie-add")
    narrow.click("#trait-colour-browse")
    narrow.click("#trait-tortie-0-colour-browse")
    narrow.wait_for_timeout(300)
    assert narrow.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_at_1280_px_the_tortie_layer_selects_are_wide_enough_to_read(wide: Any) -> None:
    wide.click("#tortie-add")
    wide.wait_for_selector("#trait-tortie-0-mask")
    for part in ("pattern", "colour", "mask"):
        width = wide.evaluate(
            "s => document.querySelector(s).getBoundingClientRect().width",
            f"#trait-tortie-0-{part}",
        )
        assert width >= 180, (part, width)


# --- colours ---------------------------------------------------------------------------------


def test_palette_and_pattern_colours_can_be_picked_for_every_colour_trait(wide: Any) -> None:
    for select in ("#trait-colour", "#trait-whitePatchesTint"):
        values = wide.eval_on_selector(select, "s => [...s.options].map(o => o.value)")
        assert len(values) > 1357
        assert "AW_ABYSSNAVY" in values
        assert "AF_KENTE_GOLD_FINE" in values
    tints = wide.eval_on_selector(
        "#trait-whitePatchesTint", "s => [...s.options].map(o => o.value)"
    )
    assert "cream" in tints
    wide.select_option("#trait-colour", "AW_ABYSSNAVY")
    wait_for_params(wide, {"colour": "AW_ABYSSNAVY"})
    wide.click("#tortie-add")
    wide.select_option("#trait-tortie-0-colour", "AF_KENTE_GOLD_FINE")
    body = wait_for_params(wide, {"colour": "AW_ABYSSNAVY"})
    wide.wait_for_function(
        "() => JSON.parse(document.querySelector('#preview').dataset.body)"
        ".payload.params.tortie?.[0]?.colour === 'AF_KENTE_GOLD_FINE'",
        timeout=WAIT_MS,
    )
    assert wide.locator("#error-general").is_hidden()
    assert body["payload"]["params"]["colour"] == "AW_ABYSSNAVY"


def test_the_colour_browser_shows_swatches_by_palette_and_searchable_pattern_thumbnails(
    wide: Any,
) -> None:
    wide.click("#trait-colour-browse")
    panel = wide.locator("#trait-colour-panel")
    assert panel.is_visible()
    swatch = panel.locator("button[data-colour='AW_ABYSSNAVY']")
    style = swatch.get_attribute("style") or ""
    assert "background: rgb(" in style
    wide.fill("#trait-colour-search", "kente gold")
    kente = panel.locator("button[data-colour='AF_KENTE_GOLD_FINE']")
    kente.wait_for(state="visible", timeout=WAIT_MS)
    assert panel.locator("button[data-colour='AW_ABYSSNAVY']").is_hidden()
    wide.wait_for_function(
        '() => document.querySelector("#trait-colour-panel'
        " button[data-colour='AF_KENTE_GOLD_FINE']\").style.backgroundImage.startsWith('url(')",
        timeout=WAIT_MS,
    )
    kente.click()
    wait_for_params(wide, {"colour": "AF_KENTE_GOLD_FINE"})
    assert wide.input_value("#trait-colour") == "AF_KENTE_GOLD_FINE"
    assert kente.get_attribute("aria-pressed") == "true"


def test_a_shared_link_to_a_palette_colour_cat_opens_with_its_colour_shown(
    wide: Any, base_url: str
) -> None:
    answer = httpx.post(
        f"{base_url}/render",
        json={"payload": {"params": {"colour": "FL_UK", "peltName": "Tabby"}}},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    wide.goto(f"{base_url}/?cat={answer.json()['code']}")
    wait_ready(wide, 0)
    assert wide.input_value("#trait-colour") == "FL_UK"


def test_random_cats_sometimes_wear_palette_colours(wide: Any) -> None:
    colours = wide.evaluate(
        """() => Array.from({length: 60}, (_, i) => catOfSeed(i))
        .flatMap(c => [c.colour, ...(c.tortie || []).map(t => t.colour)]).filter(Boolean)"""
    )
    game = set(
        wide.eval_on_selector("#trait-colour optgroup", "g => [...g.children].map(o => o.value)")
    )
    assert any(colour not in game for colour in colours)


# --- only what the cat can take ---------------------------------------------------------------


def test_the_afterlife_is_offered_only_to_dead_cats(wide: Any) -> None:
    assert wide.locator("#trait-afterlife").is_hidden()
    assert wide.locator("#trait-opacity").is_hidden()
    wide.check("#trait-dead")
    assert wide.locator("#trait-afterlife").is_visible()
    wide.select_option("#trait-afterlife", "unknownResidence")
    wait_for_params(wide, {"afterlife": "unknownResidence"})
    wide.check("#trait-darkForest")  # a Dark Forest cat is in the Dark Forest
    body = wait_for_params(wide, {"darkForest": True})
    assert "afterlife" not in body["payload"]["params"]
    disabled = wide.eval_on_selector(
        "#trait-afterlife", "s => [...s.options].filter(o => o.disabled).map(o => o.value)"
    )
    assert set(disabled) == {"starclan", "unknownResidence"}
    wide.uncheck("#trait-dead")
    wide.wait_for_function(
        "() => !('dead' in JSON.parse(document.querySelector('#preview').dataset.body)"
        ".payload.params)",
        timeout=WAIT_MS,
    )
    assert wide.locator("#trait-afterlife").is_hidden()
    assert wide.locator("#error-general").is_hidden()


# --- the seed --------------------------------------------------------------------------------


def test_the_page_opens_on_the_readme_cat_with_no_pretend_seed(wide: Any) -> None:
    params = body_of(wide)["payload"]["params"]
    assert params["peltName"] == "Tabby"
    assert params["colour"] == "GINGER"
    assert params["accessories"] == ["MAPLE LEAF"]
    assert body_of(wide)["options"]["background"] == "platform:auto:forest:greenleaf:light"
    assert wide.input_value("#seed") == ""
    assert "not drawn from a seed" in wide.inner_text("#seed-hint")


def test_the_seed_box_shows_the_seed_of_the_cat_on_screen(wide: Any) -> None:
    wide.fill("#seed", "42")
    count = renders(wide)
    wide.click("#random")
    wait_ready(wide, count)
    assert wide.input_value("#seed") == "42"
    expected = wide.evaluate("() => catOfSeed(42)")
    body = body_of(wide)
    assert body["payload"]["spriteNumber"] == expected.pop("spriteNumber")
    assert body["payload"]["params"] == expected
    count = renders(wide)
    wide.click("#random")  # nothing typed: a new cat, and the box names its seed
    wait_ready(wide, count)
    seed = int(wide.input_value("#seed"))
    expected = wide.evaluate("s => catOfSeed(s)", seed)
    del expected["spriteNumber"]
    assert body_of(wide)["payload"]["params"] == expected
    count = renders(wide)
    wide.select_option("#trait-eyeColour", "COPPER")  # changed by hand: no longer the seed's
    wait_ready(wide, count)
    assert wide.input_value("#seed") == ""


# --- variants --------------------------------------------------------------------------------


def test_variant_tiles_have_readable_labels(wide: Any) -> None:
    wide.select_option("#variants-layer", "eyes")
    wide.click("#variants-show")
    wide.wait_for_selector("#variants button[data-variant='BLUE']", timeout=WAIT_MS)
    labels = wide.locator("#variants .tile-label")
    assert labels.count() == 21
    blue = wide.locator("#variants button[data-variant='BLUE'] .tile-label")
    assert blue.is_visible()
    assert blue.inner_text() == "BLUE"
    box = blue.bounding_box()
    assert box is not None
    assert box["height"] >= 10
    current = wide.locator("#variants button.current")
    assert current.get_attribute("data-variant") == "GREEN"  # the opening cat's eyes


def test_white_patches_on_a_white_cat_are_marked_as_drawing_the_same(wide: Any) -> None:
    wide.select_option("#trait-peltName", "SingleColour")
    wide.select_option("#trait-colour", "WHITE")
    wide.wait_for_function(
        "() => !('colour' in JSON.parse(document.querySelector('#preview').dataset.body)"
        ".payload.params) && document.querySelector('#preview').dataset.status === 'ready'",
        timeout=WAIT_MS,
    )
    wide.select_option("#variants-layer", "whitePatches")
    wide.click("#variants-show")
    wide.wait_for_selector("#variants button", timeout=WAIT_MS)
    wide.wait_for_function(
        "() => /draw the same/.test(document.querySelector('#variants-status').textContent)",
        timeout=WAIT_MS,
    )
    same = wide.locator("#variants button.same").count()
    tiles = wide.locator("#variants button").count()
    assert tiles == 100  # the first page of 130
    assert same > 50
    note = wide.locator("#variants button.same .tile-note").first.inner_text()
    assert note in ("same as now", "looks the same")


def test_accessories_are_paged_past_256(wide: Any, base_url: str) -> None:
    catalog = httpx.get(f"{base_url}/catalog", timeout=30).json()
    names = [entry["name"] for entry in catalog["accessories"]]
    assert len(names) > 256
    wide.select_option("#variants-layer", "accessories")
    wide.click("#variants-show")
    wide.wait_for_selector(f"#variants button[data-variant='{names[0]}']", timeout=WAIT_MS)
    pages = -(-len(names) // 100)
    assert wide.inner_text("#variants-page") == f"Page 1 of {pages}"
    for _ in range(pages - 1):
        wide.click("#variants-next")
    last = names[-1].replace("'", "\\'")
    wide.wait_for_selector(f"#variants button[data-variant='{last}']", timeout=WAIT_MS)
    assert f"of {len(names)}" in wide.inner_text("#variants-status")
    assert wide.is_disabled("#variants-next")


# --- the clan view ---------------------------------------------------------------------------


def test_a_clan_file_shows_every_cat_by_name_filtered_and_opens_one(wide: Any) -> None:
    cats = json.loads(SAVE.read_text())
    wide.set_input_files("#clan-file", str(SAVE))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    living = [c for c in cats if not c["dead"]]
    assert f"{len(living)} of {len(cats)} cats" in wide.inner_text("#clan-status")
    first = wide.locator("#clan-sheet button").first
    name = first.locator(".tile-label").inner_text()
    assert name.startswith(living[0]["name_prefix"])
    wide.select_option("#clan-include", "dead")
    wide.wait_for_function(
        "n => document.querySelectorAll('#clan-sheet button').length === n",
        arg=sum(c["dead"] for c in cats),
        timeout=WAIT_MS,
    )
    wide.select_option("#clan-include", "all")
    wide.select_option("#clan-rank", "elder")
    wide.wait_for_function(
        "n => document.querySelectorAll('#clan-sheet button').length === n",
        arg=sum(c["status"] == "elder" for c in cats),
        timeout=WAIT_MS,
    )
    before = wide.get_attribute("#clan-download", "href")
    wide.select_option("#clan-background", "platform:forest:greenleaf:light")
    wide.wait_for_function(
        "b => document.querySelector('#clan-download').href !== b", arg=before, timeout=WAIT_MS
    )
    download = wide.locator("#clan-download")
    assert download.get_attribute("download").endswith(".png")
    assert download.get_attribute("href").startswith("data:image/png")
    pick = wide.locator("#clan-sheet button").nth(1)
    chosen = pick.get_attribute("data-cat")
    count = renders(wide)
    pick.click()
    wait_ready(wide, count)
    cat = next(c for c in cats if str(c["ID"]) == chosen)
    params = body_of(wide)["payload"]["params"]
    assert params.get("peltName", "SingleColour") == cat["pelt_name"]


def test_a_zipped_save_folder_opens_too(wide: Any, tmp_path: Path) -> None:
    archive = tmp_path / "MyClan.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("saves/MyClan/clan_cats.json", SAVE.read_text())
        packed.writestr("saves/MyClan/other.json", "{}")
    wide.set_input_files("#clan-file", str(archive))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    assert "of 150 cats" in wide.inner_text("#clan-status")


# --- layers and sharing ----------------------------------------------------------------------


def test_the_layer_strip_names_canvas_blends(wide: Any) -> None:
    wide.select_option("#trait-tint", "pink")
    wait_for_params(wide, {"tint": "pink"})
    tint = wide.inner_text("#layers li[data-layer='tint']")
    assert "multiply" in tint
    assert "rgb_mult" not in wide.inner_text("#layers")


def test_the_share_box_offers_a_link_that_unfurls(wide: Any, base_url: str) -> None:
    link = wide.input_value("#share-url")
    code = wide.input_value("#code-url").split("/render/")[1].split(".")[0]
    assert link == f"{base_url}/c/{code}"
    page = httpx.get(link + "?utm_source=test", timeout=30)
    assert page.status_code == 200
    assert f'<meta property="og:image" content="{base_url}/render/{code}.png?scale=8">' in page.text


# --- accessibility ---------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text())
    result: list[dict[str, Any]] = page.evaluate(
        """async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, help: v.help,
          nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}));
    }"""
    )
    return result


def test_axe_finds_no_accessibility_problem_in_the_page_and_its_panels(wide: Any) -> None:
    assert axe_violations(wide) == []
    wide.click("#trait-colour-browse")
    wide.click("#tortie-add")
    wide.check("#trait-dead")
    wide.select_option("#variants-layer", "eyes")
    wide.click("#variants-show")
    wide.wait_for_selector("#variants button", timeout=WAIT_MS)
    wide.set_input_files("#clan-file", str(SAVE))
    wide.wait_for_selector("#clan-sheet button", timeout=WAIT_MS)
    assert axe_violations(wide) == []


def test_axe_finds_no_problem_at_360_px_and_the_floating_preview_is_reachable(
    narrow: Any,
) -> None:
    assert axe_violations(narrow) == []
    narrow.locator("#trait-accessories-search").scroll_into_view_if_needed()
    narrow.wait_for_selector("#mini", state="visible", timeout=WAIT_MS)
    narrow.focus("#mini")
    outline = narrow.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert narrow.get_attribute("#mini", "href") == "#preview-panel"


def test_a_refused_link_reads_as_one_sentence_about_the_cat(wide: Any, base_url: str) -> None:
    code = encode_cat_code(
        {"spriteNumber": 8, "dead": True, "darkForest": True, "afterlife": "starclan"}
    )
    wide.goto(f"{base_url}/?cat={code}")
    wide.wait_for_selector("#preview[data-status='error']", timeout=WAIT_MS)
    text = wide.inner_text("#error-afterlife")
    assert text.startswith("A Dark Forest cat")
    assert "payload" not in text
    assert "expected" not in text
