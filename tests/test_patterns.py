"""The pattern engine generator by generator: definitions, tiles, fields, the coat multiply,
the cache and failures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from renderer_service.renderer import Renderer
from renderer_service.renderer.palettes import PaletteError, load_palettes
from renderer_service.renderer.patterns import (
    DRAWN_NAMES,
    GENERATOR_NAMES,
    GENERATORS,
    FieldCache,
    PatternColours,
    PatternDefinition,
    PatternDefinitionError,
    PatternGenerationError,
    make_tile,
    patterned_sprite,
    tile_field,
)
from renderer_service.renderer.patterns import tiles as tiles_module
from renderer_service.renderer.patterns.computed import colour

B = (200, 40, 60)
F = (20, 220, 140)
S = (90, 90, 250)


@pytest.fixture(scope="module")
def colours(renderer: Renderer) -> PatternColours:
    return renderer.palettes.patterns


def define(kind: str, tile_size: int = 8, **extra: Any) -> PatternDefinition:
    raw = {"type": kind, "tileSize": tile_size, "background": list(B), "foreground": list(F)}
    raw.update(extra)
    return PatternDefinition.from_dict(raw, GENERATOR_NAMES)


def is_colour(tile: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    result: np.ndarray = (tile == colour(rgb)).all(axis=2)
    return result


# --- definitions -------------------------------------------------------------------------------


def test_a_definition_takes_the_documented_defaults() -> None:
    defn = PatternDefinition.from_dict({"type": "gingham"}, GENERATOR_NAMES)
    assert defn.tile_size == 8
    assert defn.background == (128, 128, 128)
    assert defn.foreground is None
    assert defn.foreground_or_white == (255, 255, 255)
    assert defn.spacing == 6
    assert defn.stripes == ()


def test_stripes_default_to_width_one_at_offset_zero() -> None:
    defn = define("tartan", stripes=[{"color": list(S)}])
    assert defn.stripes[0].width == 1
    assert defn.stripes[0].offset == 0


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"type": "zigzag"}, "type"),
        ({}, "type"),
        ({"type": "gingham", "tileSize": 0}, "tileSize"),
        ({"type": "gingham", "tileSize": 257}, "tileSize"),
        ({"type": "gingham", "tileSize": 8.0}, "tileSize"),
        ({"type": "gingham", "tileSize": True}, "tileSize"),
        ({"type": "gingham", "background": [1, 2]}, "background"),
        ({"type": "gingham", "foreground": [1, 2, 300]}, "foreground"),
        ({"type": "tartan", "stripes": [{"width": 2}]}, "stripes[0].color"),
        ({"type": "tartan", "stripes": [{"color": [1, 2, 3], "width": "2"}]}, "stripes[0].width"),
        ({"type": "pinstripe", "spacing": "wide"}, "spacing"),
    ],
)
def test_a_bad_definition_names_its_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(PatternDefinitionError) as caught:
        PatternDefinition.from_dict(raw, GENERATOR_NAMES)
    assert caught.value.field == field


def test_there_are_62_generators_36_of_them_drawn() -> None:
    assert len(GENERATORS) == 62
    assert len(DRAWN_NAMES) == 36


def test_the_palettes_hold_536_pattern_colours_of_all_62_generators(
    colours: PatternColours,
) -> None:
    assert len(colours) == 536
    assert {c.generator for c in colours.colours.values()} == GENERATOR_NAMES
    assert all(c.screen is None and c.overlay is None for c in colours.colours.values())


def test_colour_names_are_looked_up_in_any_case(colours: PatternColours) -> None:
    assert colours.get("fl_uk") is colours.get("FL_UK")
    assert "Fl_Uk" in colours
    assert colours.get("GINGER") is None


def test_a_broken_palette_is_refused_naming_palette_and_colour(tmp_path: Any) -> None:
    (tmp_path / "broken.json").write_text(
        '{"id": "broken", "colors": {"BAD": {"pattern": {"type": "gingham", "tileSize": 0}}}}'
    )
    with pytest.raises(PaletteError, match=r"'broken', colour 'BAD'.*tileSize"):
        load_palettes(tmp_path)


# --- tiles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(GENERATOR_NAMES))
def test_every_generator_makes_a_float32_tile_of_values_0_to_1(kind: str) -> None:
    tile = make_tile(define(kind, 14, stripes=[{"color": list(S), "width": 2}]))
    edge = 50 if kind in {"chevron", "diagonal"} or kind.startswith("flag_") else 14
    if kind.startswith("flag_"):
        tile = make_tile(define(kind, 50))
    assert tile.dtype == np.float32
    assert tile.shape == (edge, edge, 3)
    assert tile.min() >= 0.0
    assert tile.max() <= 1.0


def test_flag_bands_round_half_to_even_and_the_last_takes_the_rest() -> None:
    stripes = [{"color": [i * 60, 0, 0], "width": 1} for i in range(4)]
    tile = make_tile(define("flag", 50, stripes=stripes))
    reds = [round(float(v) * 255) for v in tile[:, 0, 0]]
    heights = [reds.count(i * 60) for i in range(4)]
    assert heights == [12, 12, 12, 14]  # 50 / 4 = 12.5 rounds to 12


def test_flag_bands_are_horizontal_whatever_the_flag() -> None:
    stripes = [{"color": list(S), "width": 1}, {"color": list(F), "width": 2}]
    tile = make_tile(define("flag", 50, stripes=stripes))
    assert (tile == tile[:, :1]).all()


def test_a_flag_without_stripes_is_background_over_foreground() -> None:
    tile = make_tile(define("flag", 10))
    assert is_colour(tile[:5], B).all()
    assert is_colour(tile[5:], F).all()


def test_gingham_is_background_foreground_and_their_mix() -> None:
    tile = make_tile(define("gingham", 6))
    mix = np.float32(0.5) * colour(B) + np.float32(0.5) * colour(F)
    assert is_colour(tile[:3, :3], B).all()
    assert is_colour(tile[3:, 3:], F).all()
    assert (tile[:3, 3:] == mix).all()
    assert (tile[3:, :3] == mix).all()


def test_buffalo_darkens_the_crossing_instead_of_mixing() -> None:
    tile = make_tile(define("buffalo", 6))
    dark = np.float32(0.3) * colour(B) + np.float32(0.15) * colour(F)
    assert (tile[3:, 3:] == dark).all()
    assert is_colour(tile[:3, 3:], F).all()


def test_tartan_blends_a_stripe_twice_where_its_row_meets_its_column() -> None:
    tile = make_tile(define("tartan", 8, stripes=[{"color": list(S), "offset": 3}]))
    b, s = colour(B), colour(S)
    half = np.float32(0.5)
    once = half * b + half * s
    assert (tile[3, 0] == once).all()
    assert (tile[0, 3] == once).all()
    assert (tile[3, 3] == half * once + half * s).all()
    assert (tile[0, 0] == b).all()


def test_checkerboard_windowpane_and_pinstripe_place_their_foreground() -> None:
    board = make_tile(define("checkerboard", 4))
    assert is_colour(board, B)[[0, 0, 2, 2], [0, 1, 2, 3]].all()
    assert is_colour(board, F)[[0, 2], [2, 0]].all()
    pane = make_tile(define("windowpane", 6))
    assert is_colour(pane, F).sum() == 11  # row 0 and column 0
    stripes = make_tile(define("pinstripe", 14, spacing=4))
    assert np.flatnonzero(is_colour(stripes, F)[0]).tolist() == [0, 4, 8, 12]
    assert is_colour(make_tile(define("pinstripe", 8, spacing=1)), F)[0].sum() == 4


def test_kente_never_shows_the_plain_background() -> None:
    tile = make_tile(define("kente", 12))
    assert not is_colour(tile, B).any()


def test_argyle_blends_its_stripe_on_both_diagonals() -> None:
    tile = make_tile(define("argyle", 8, stripes=[{"color": list(S)}]))
    plain = make_tile(define("argyle", 8))
    yy, xx = np.mgrid[:8, :8]
    lines = ((xx + yy) % 8 == 0) | ((xx - yy) % 8 == 0)  # x = y and x + y = 8
    assert ((tile != plain).any(axis=2) == lines).all()


def test_chevron_and_diagonal_draw_a_whole_cell_whatever_the_tile_size() -> None:
    for kind in ("chevron", "diagonal"):
        assert make_tile(define(kind, 8)).shape == (50, 50, 3)
    chevron = is_colour(make_tile(define("chevron", 50, spacing=6)), F)
    assert (chevron == chevron[:, ::-1]).all()  # mirrored at the centre line


@pytest.mark.parametrize(("kind", "size"), [("hishi", 8), ("kanoko", 6)])
def test_the_smallest_sizes_of_some_motifs_are_plain_background(kind: str, size: int) -> None:
    assert is_colour(make_tile(define(kind, size)), B).all()


@pytest.mark.parametrize("size", [6, 12, 20])
def test_uroko_is_decided_in_single_precision(size: int) -> None:
    tile = is_colour(make_tile(define("uroko", size)), F)
    h = max(size // 2, 2)
    yy, xx = np.mgrid[:size, :size]
    u, v = (xx % h) / h, (yy % h) / h
    inside = v < 1.0 - np.abs(2.0 * u - 1.0)
    in_double = np.where((yy // h + xx // h) % 2 == 1, ~inside, inside)
    assert (tile != in_double).any()


def test_polkadot_has_a_ramped_edge() -> None:
    tile = make_tile(define("polkadot", 12))
    assert is_colour(tile, F)[6, 6]
    assert is_colour(tile, B)[0, 0]
    mixed = ~is_colour(tile, F) & ~is_colour(tile, B)
    assert mixed.any()


@pytest.mark.parametrize(
    ("kind", "black"),
    [
        ("batik_kawung", [0, 28, 88]),
        ("batik_parang", [16, 96, 192]),
        ("celtic_knot", [32, 140, 352]),
        ("herringbone", [12, 48, 160]),
        ("islamic_star", [0, 0, 48]),
        ("karakusa", [40, 144, 392]),
        ("kikko", [16, 96, 240]),
        ("paisley", [0, 44, 64]),
        ("sayagata", [32, 128, 288]),
        ("seigaiha", [32, 128, 288]),
    ],
)
def test_drawn_tiles_of_oblong_pictures_have_black_bands(
    colours: PatternColours, kind: str, black: list[int]
) -> None:
    sizes = sorted(
        {c.definition for c in colours.colours.values() if c.generator == kind},
        key=lambda d: d.tile_size,
    )
    by_size = {d.tile_size: d for d in sizes}
    counts = [int((make_tile(d).max(axis=2) == 0).sum()) for d in by_size.values()]
    assert counts == black


def test_emblem_flags_keep_their_own_colours() -> None:
    a = make_tile(define("flag_uk", 50))
    b = make_tile(PatternDefinition("flag_uk", 50, (0, 0, 0), (1, 2, 3)))
    assert (a == b).all()
    assert a[25, 25].tolist() == pytest.approx([200 / 255, 16 / 255, 46 / 255])  # #C8102E


def test_a_drawn_tile_holds_multiples_of_1_255() -> None:
    tile = make_tile(define("seigaiha", 16))
    assert (np.round(tile * 255) / 255 == tile).all()


# --- fields and the coat -----------------------------------------------------------------------


def test_the_field_repeats_the_tile_from_the_top_left_corner() -> None:
    tile = make_tile(define("shweshwe", 12))
    field = tile_field(tile)
    assert field.shape == (50, 50, 3)
    yy, xx = np.mgrid[:50, :50]
    assert (field == tile[yy % 12, xx % 12]).all()
    assert not field.flags.writeable


def test_a_pattern_multiplies_every_pixel_without_alpha_weighting() -> None:
    white = np.full((50, 50, 4), 255, dtype=np.uint8)
    white[0, 0] = (255, 255, 255, 40)  # translucent edge pixel
    white[0, 1] = (128, 128, 128, 238)  # Marbled's inner alpha
    white[0, 2] = (90, 10, 200, 0)  # invisible
    field = np.full((50, 50, 3), np.float32(0.5), dtype=np.float32)
    out = patterned_sprite(white, field)
    assert out[0, 0].tolist() == [128, 128, 128, 40]  # 127.5 rounds half to even: 128
    assert out[0, 1].tolist() == [64, 64, 64, 238]
    assert out[0, 2].tolist() == [45, 5, 100, 0]
    assert out[1, 1].tolist() == [128, 128, 128, 255]


def test_the_multiply_is_single_precision_rounded_half_to_even() -> None:
    white = np.full((50, 50, 4), 255, dtype=np.uint8)
    white[0, 0, :3] = 3
    field = np.full((50, 50, 3), np.float32(0.5), dtype=np.float32)
    assert patterned_sprite(white, field)[0, 0, :3].tolist() == [2, 2, 2]  # 1.5 -> 2
    white[0, 0, :3] = 5
    assert patterned_sprite(white, field)[0, 0, :3].tolist() == [2, 2, 2]  # 2.5 -> 2


def test_screen_then_overlay_apply_after_the_pattern() -> None:
    white = np.full((50, 50, 4), 255, dtype=np.uint8)
    field = np.full((50, 50, 3), np.float32(0.2), dtype=np.float32)
    plain = patterned_sprite(white, field)[0, 0, 0]
    screened = patterned_sprite(white, field, screen=[255, 255, 255, 0.5])[0, 0, 0]
    assert plain == 51
    assert screened == round(255 * (0.5 * 0.2 + 0.5 * 1.0))
    overlaid = patterned_sprite(white, field, overlay=[0, 0, 0, 255])[0, 0, 0]
    assert overlaid == 0  # 2 x p x 0 at full strength


# --- cache and failures ------------------------------------------------------------------------


def test_the_field_cache_is_bounded_and_counts_hits() -> None:
    cache = FieldCache(max_entries=2)
    a, b, c = (define("gingham", size) for size in (4, 6, 8))
    first = cache.field(a)
    assert cache.field(a) is first
    cache.field(b)
    cache.field(c)
    stats = cache.stats
    assert (stats.hits, stats.misses, stats.entries) == (1, 3, 2)
    cache.field(a)
    assert cache.stats.misses == 4  # a was evicted as least recently used


def test_a_failing_generator_raises_naming_the_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(defn: PatternDefinition) -> np.ndarray:
        raise RuntimeError("no cairo")

    monkeypatch.setitem(tiles_module.GENERATORS, "kikko", broken)
    cache = FieldCache()
    for _ in range(2):  # failures are not cached
        with pytest.raises(PatternGenerationError, match=r"'JP_KIKKO_FINE'.*kikko.*no cairo"):
            cache.field(define("kikko"), "JP_KIKKO_FINE")
    assert cache.stats.entries == 0


def test_a_generator_returning_a_bad_tile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        tiles_module.GENERATORS, "gingham", lambda d: np.full((8, 8, 3), np.nan, np.float32)
    )
    with pytest.raises(PatternGenerationError, match="GP_RED_FINE"):
        make_tile(define("gingham"), "GP_RED_FINE")


def test_no_pattern_colour_fails_or_draws_plain(colours: PatternColours) -> None:
    for name in colours.names():
        field = colours.field(name)
        assert field.shape == (50, 50, 3), name
        assert not (field == 1.0).all(), f"{name} draws a plain WHITE coat"
        assert not (field == 0.5).all(), f"{name} draws the grey failure tile"


def test_patterned_coats_are_cached_per_colour_and_cell(colours: PatternColours) -> None:
    colours.clear()
    white = np.full((50, 50, 4), 255, dtype=np.uint8)
    first = colours.coat("fl_uk", 7, white)
    assert colours.coat("FL_UK", 7, white) is first
    assert not first.flags.writeable
    assert (first == patterned_sprite(white, colours.field("FL_UK"))).all()
    assert colours.coat("FL_UK", 8, white) is not first
    assert colours.sprites.stats.entries == 2


def test_cairo_is_the_release_the_drawn_patterns_were_made_with() -> None:
    import cairocffi

    version = cairocffi.cairo_version_string()
    assert version.startswith("1.16."), (
        f"cairo {version}: the drawn pattern colours are exact on cairo 1.16 (Debian 12's "
        "libcairo2); another release may move their edge pixels"
    )
