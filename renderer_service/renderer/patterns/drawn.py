"""The 36 generators that draw an SVG picture and rasterise it with cairosvg.

How a picture becomes a tile (``rasterise``): cairosvg draws it on a transparent
``tileSize`` x ``tileSize`` surface (a viewBox that is not square is scaled uniformly and
centred, so the uncovered bands stay transparent), writes it as PNG (which un-premultiplies
partly covered pixels), and the tile is that PNG's RGB without its alpha, divided by 255: where
nothing was drawn the tile is black. That is how the palettes' pattern colours were designed
to look, bands included, and the rasteriser decides their edge pixels, so the pictures are fed
to it exactly as they were designed: same elements, same path data, relative steps kept
relative (cairo adds them to the current point in fixed point, so rewriting them as absolute
coordinates moves edges).

The art comes from three upstream packages, bundled in ``art/`` with their licences:
``flag-icons`` (the nine emblem flags, MIT), Hero Patterns by Steve Schoger via the
``hero-patterns`` package (CC BY 4.0 designs, MIT wrapper) and Material Design Icons
(``mdiFleurDeLis``, Apache-2.0). The other motifs are drawn here from their geometry.
"""

from __future__ import annotations

import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from renderer_service.renderer.patterns.definition import RGB, PatternDefinition

Tile = NDArray[np.float32]
Generator = Callable[[PatternDefinition], Tile]

_SVG_NS = "http://www.w3.org/2000/svg"
_ART = resources.files(__package__) / "art"


def rasterise(svg: str, size: int) -> Tile:
    """Draw ``svg`` at ``size`` x ``size`` pixels; RGB of the PNG cairosvg writes, 0..1."""
    import cairosvg  # imported here: only the first tile of a drawn pattern needs it

    png = cairosvg.svg2png(bytestring=svg.encode(), output_width=size, output_height=size)
    with Image.open(io.BytesIO(png)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.float32)
    return (rgb / np.float32(255.0)).astype(np.float32)


def _rgb(rgb: RGB) -> str:
    return f"rgb({rgb[0]},{rgb[1]},{rgb[2]})"


def _colours(defn: PatternDefinition) -> tuple[str, str]:
    return _rgb(defn.background), _rgb(defn.foreground_or_white)


def _document(view_box: tuple[float, float], body: str) -> str:
    w, h = view_box
    return f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {w} {h}">{body}</svg>'


def _sized_document(ts: int, body: str) -> str:
    return f'<svg xmlns="{_SVG_NS}" width="{ts}" height="{ts}">{body}</svg>'


def _filled(view_box: tuple[float, float], defn: PatternDefinition, d: str, evenodd: bool) -> Tile:
    """A background rectangle over the viewBox, then one path filled with the foreground."""
    bg, fg = _colours(defn)
    w, h = view_box
    rule = ' fill-rule="evenodd"' if evenodd else ""
    body = f'<rect width="{w}" height="{h}" fill="{bg}"/><path d="{d}" fill="{fg}"{rule}/>'
    return rasterise(_document(view_box, body), defn.tile_size)


# --- bundled art ------------------------------------------------------------------------------


@cache
def _art(name: str) -> str:
    return (_ART / name).read_text(encoding="utf-8")


@cache
def _hero(name: str) -> tuple[tuple[float, float], str]:
    """The viewBox size and the single path of a Hero Pattern."""
    root = ET.fromstring(_art(f"hero-patterns/{name}.svg"))
    _, _, w, h = (float(v) for v in root.attrib["viewBox"].split())
    paths = root.findall(f".//{{{_SVG_NS}}}path")
    assert len(paths) == 1, f"{name}: expected one path"
    return (_number(w), _number(h)), paths[0].attrib["d"]


def _number(value: float) -> float:
    return int(value) if value.is_integer() else value


def _flag(file: str, stretch: bool = True) -> Generator:
    def generate(defn: PatternDefinition) -> Tile:
        svg = _art(f"flag-icons/{file}.svg")
        if stretch:
            # 4:3 flags are squeezed into the square tile rather than letterboxed.
            svg = svg.replace("<svg ", '<svg preserveAspectRatio="none" ', 1)
        return rasterise(svg, defn.tile_size)

    generate.__name__ = f"flag_{file}"
    return generate


def _hero_motif(name: str, evenodd: bool = True) -> Generator:
    def generate(defn: PatternDefinition) -> Tile:
        view_box, d = _hero(name)
        return _filled(view_box, defn, d, evenodd)

    generate.__name__ = name.replace("-", "_")
    return generate


# --- Hero Patterns with altered outlines ------------------------------------------------------
# Happy-intersection's four corner pieces (one redrawn) with four thin L-shaped grooves.
_BISHAMON_KIKKO = (
    "M29.42 29.41c.36-.36.58-.85.58-1.4V0h-4v26H0v4h28c.55 0 1.05-.22 1.41-.58h.01z"
    "m0 29.18c.36.36.58.86.58 1.4V88h-4V62H0v-4h28c.56 0 1.05.22 1.41.58z"
    "m29.16 0c-.36.36-.58.85-.58 1.4V88h4V62h26v-4H60c-.55 0-1.05.22-1.41.58z"
    "m0-29.18c-.36-.36-.58-.86-.58-1.4V0h4v26h26v4H60c-.56 0-1.05-.22-1.41-.58z"
    "M26 30H0v-2h26V2h2v28z"
    "m36 0h26v-2H62V2h-2v28z"
    "M26 58H0v2h26v26h2V58z"
    "m36 0h26v2H62v26h-2V58z"
)
# Connections, rewritten: the whole square with eight holes cut by the even-odd rule.
_CHAINMAIL = (
    "M36 0H0v36h36V0z"
    "M15.126 2H2v13.126c.367.094.714.24 1.032.428L15.554 3.032c-.188-.318-.334-.665-.428-1.032z"
    "M18 4.874V18H4.874c-.094-.367-.24-.714-.428-1.032L16.968 4.446c.318.188.665.334 1.032.428z"
    "M22.874 2c-.094.367-.24.714-.428 1.032l12.522 12.522c.188-.318.334-.665.428-1.032H22.874z"
    "M18 31.126V18h13.126c.094.367.24.714.428 1.032L19.032 31.554c-.318-.188-.665-.334-1.032-.428z"
    "M4.874 34H18V20.874c-.367-.094-.714-.24-1.032-.428L4.446 32.968c.188.318.334.665.428 1.032z"
    "M31.126 34H18V20.874c.367-.094.714-.24 1.032-.428l12.522 12.522c-.188.318-.334.665-.428 1.032z"
    "M34 15.126V2H20.874c-.094.367-.24.714-.428 1.032l12.522 12.522c.318-.188.665-.334 1.032-.428z"
    "M2 20.874V34h13.126c.094-.367.24-.714.428-1.032L3.032 20.446c-.318.188-.665.334-1.032.428z"
)
# The first pieces of morphing-diamonds, altered: everything lies in the top 11 units.
_DAMASK = (
    "M54.627 0l.829.828-1.414 1.415L51.799 0h2.828z"
    "M5.373 0l-.829.828 1.414 1.415L8.201 0H5.373z"
    "M48.97 0l3.657 3.657-1.414 1.414L46.143 0h2.828z"
    "M11.03 0L7.373 3.657 8.787 5.07 13.857 0H11.03z"
    "m32.284 0L49.8 6.485 48.384 7.9 40.484 0h2.83z"
    "M16.686 0L10.2 6.485 11.616 7.9 19.516 0h-2.83z"
    "M22.344 0L13 9.314l1.414 1.414L22.344 2.8V0h2.828L28 2.828V0h4v2.828L34.828 0h2.83"
    "L30 7.657l-7.657-7.657L30 7.657 37.657 0H34.83L30 4.828V0h-4v4.828L22.344 0h-2.83"
    "L30 10.486l-7.657-7.657L30 10.486z"
)


def _fixed_path(view_box: tuple[float, float], d: str) -> Generator:
    def generate(defn: PatternDefinition) -> Tile:
        return _filled(view_box, defn, d, evenodd=True)

    return generate


# --- motifs drawn at the tile's own size ------------------------------------------------------


def _stroke(fg: str, width: float) -> str:
    return f'fill="none" stroke="{fg}" stroke-width="{width}"'


def tachiwaki(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _colours(defn)
    w = max(1, ts / 8)
    q = ts / 4
    body = f'<rect width="{ts}" height="{ts}" fill="{bg}"/>'
    # Two S-shaped rising steam lines, the second shifted right by half the tile.
    for x, c1, c2 in ((q, 1.6 * q, 0.4 * q), (3 * q, 3.6 * q, 2.4 * q)):
        body += f'<path d="M {x},0 C {c1},{0.25 * ts} {c2},{0.75 * ts} {x},{ts}" {_stroke(fg, w)}/>'
    return rasterise(_sized_document(ts, body), ts)


def asanoha(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _colours(defn)
    w = max(0.5, ts / 12)
    h = ts / 2
    q = ts / 4
    body = (
        f'<rect width="{ts}" height="{ts}" fill="{bg}"/>'
        f'<polygon points="{h},0 {ts},{h} {h},{ts} 0,{h}" {_stroke(fg, w)}/>'
    )
    for x2, y2 in (
        (h, 0),
        (ts, h),
        (h, ts),
        (0, h),
        (q, q),
        (h + q, q),
        (q, h + q),
        (h + q, h + q),
    ):
        body += f'<line x1="{h}" y1="{h}" x2="{x2}" y2="{y2}" stroke="{fg}" stroke-width="{w}"/>'
    return rasterise(_sized_document(ts, body), ts)


_LATTICE = (
    ((1, 0), (3, 0), (2.5, 2), (1.5, 1.5)),
    ((3, 0), (5, 0), (5, 1.5), (3.5, 2)),
    ((0, 0), (1, 0), (1.5, 1.5), (0, 2)),
    ((0, 2), (1.5, 1.5), (2.5, 2), (2, 3.5), (0, 3)),
    ((2.5, 2), (3.5, 2), (5, 1.5), (5, 3.5), (3, 3.5)),
    ((0, 3), (2, 3.5), (1.5, 5), (0, 5)),
    ((2, 3.5), (3, 3.5), (3.5, 5), (1.5, 5)),
    ((3, 3.5), (5, 3.5), (5, 5), (3.5, 5)),
)
"""Cracked-ice cells, vertices in fifths of the tile."""


def chinese_lattice(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _colours(defn)
    w = max(0.5, ts / 12)
    u = ts / 5

    def at(k: float) -> float | int:
        # 0 and the tile's edge are written exactly; the rest as multiples of u.
        return 0 if k == 0 else ts if k == 5 else k * u

    body = f'<rect width="{ts}" height="{ts}" fill="{bg}"/><g {_stroke(fg, w)}>'
    for cell in _LATTICE:
        points = " ".join(f"{at(x)},{at(y)}" for x, y in cell)
        body += f'<polygon points="{points}"/>'
    body += "</g>"
    return rasterise(_sized_document(ts, body), ts)


def art_deco_fan(defn: PatternDefinition) -> Tile:
    ts = defn.tile_size
    bg, fg = _colours(defn)
    w = max(0.5, ts / 12)
    r = ts * 0.45
    body = (
        f'<defs><clipPath id="c"><rect width="{ts}" height="{ts}"/></clipPath></defs>'
        f'<g clip-path="url(#c)"><rect width="{ts}" height="{ts}" fill="{bg}"/>'
    )
    for cx, cy in ((ts / 2, ts), (0, ts / 2), (ts, ts / 2)):
        for i in (3, 2, 1):
            body += f'<circle cx="{cx}" cy="{cy}" r="{r * i / 3}" {_stroke(fg, w)}/>'
        for j in range(5):
            angle = math.pi * j / 4
            x2, y2 = cx + r * math.cos(angle), cy - r * math.sin(angle)
            body += (
                f'<line x1="{cx}" y1="{cy}" x2="{x2}" y2="{y2}" stroke="{fg}" stroke-width="{w}"/>'
            )
    body += "</g>"
    return rasterise(_sized_document(ts, body), ts)


# --- motifs in a fixed viewBox ----------------------------------------------------------------


def ruyi_cloud(defn: PatternDefinition) -> Tile:
    bg, fg = _colours(defn)
    body = (
        f'<rect width="50" height="50" fill="{bg}"/>'
        '<path d="M25 12 C20 12,16 16,16 20 C16 24,12 24,10 22 C8 20,4 20,4 24'
        " C4 28,8 32,12 32 L38 32 C42 32,46 28,46 24 C46 20,42 20,40 22"
        f' C38 24,34 24,34 20 C34 16,30 12,25 12Z" fill="{fg}"/>'
        f'<rect x="23" y="32" width="4" height="12" fill="{fg}"/>'
    )
    return rasterise(_document((50, 50), body), defn.tile_size)


def paisley(defn: PatternDefinition) -> Tile:
    bg, fg = _colours(defn)
    body = (
        f'<rect width="50" height="56" fill="{bg}"/>'
        '<path d="M25 4 C16 4,8 14,8 27 C8 40,16 50,25 50 C34 50,42 40,42 27'
        f' C42 14,34 4,25 4Z" fill="{fg}"/>'
        '<path d="M25 10 C19 10,14 18,14 27 C14 36,19 44,25 44 C31 44,36 36,36 27'
        f' C36 18,31 10,25 10Z" fill="{bg}"/>'
        f'<path d="M25 4 C28 4,32 7,32 11 C32 15,28 15,25 13" fill="{fg}"/>'
        f'<circle cx="25" cy="30" r="4" fill="{fg}"/>'
    )
    return rasterise(_document((50, 56), body), defn.tile_size)


@cache
def _fleur_de_lis_path() -> str:
    root = ET.fromstring(_art("mdi/fleur-de-lis.svg"))
    path = root.find(f"{{{_SVG_NS}}}path")
    assert path is not None
    return path.attrib["d"]


def fleur_de_lis(defn: PatternDefinition) -> Tile:
    bg, fg = _colours(defn)
    body = (
        f'<rect width="24" height="24" fill="{bg}"/><path fill="{fg}" d="{_fleur_de_lis_path()}"/>'
    )
    return rasterise(_document((24, 24), body), defn.tile_size)


DRAWN: dict[str, Generator] = {
    # Emblem flags: the flag's own colours, stretched to the square.
    "flag_canada": _flag("4x3-ca"),
    "flag_switzerland": _flag("4x3-ch"),
    "flag_uk": _flag("1x1-gb"),
    "flag_turkey": _flag("4x3-tr"),
    "flag_israel": _flag("4x3-il"),
    "flag_scotland": _flag("1x1-gb-sct"),
    "flag_jamaica": _flag("1x1-jm"),
    "flag_china": _flag("1x1-cn", stretch=False),
    "flag_australia": _flag("1x1-au"),
    # Hero Patterns, path unchanged.
    "seigaiha": _hero_motif("endless-clouds"),
    "shippo": _hero_motif("intersecting-circles"),
    "islamic_star": _hero_motif("moroccan"),
    "greek_key": _hero_motif("temple"),
    "kikko": _hero_motif("hexagons"),
    "sayagata": _hero_motif("aztec"),
    "batik_kawung": _hero_motif("cage"),
    "batik_parang": _hero_motif("groovy"),
    "karakusa": _hero_motif("leaf"),
    "kolam": _hero_motif("jupiter"),
    "mudcloth": _hero_motif("x-equals"),
    "adinkra": _hero_motif("plus"),
    "quatrefoil": _hero_motif("tic-tac-toe"),
    "herringbone": _hero_motif("charlie-brown"),
    "trellis": _hero_motif("diagonal-stripes"),
    "four_point_star_motif": _hero_motif("four-point-stars", evenodd=False),
    "celtic_knot": _hero_motif("curtain"),
    # Hero Patterns with altered outlines.
    "bishamon_kikko": _fixed_path((88, 88), _BISHAMON_KIKKO),
    "chainmail": _fixed_path((36, 36), _CHAINMAIL),
    "damask": _fixed_path((60, 60), _DAMASK),
    # Drawn here.
    "tachiwaki": tachiwaki,
    "asanoha": asanoha,
    "chinese_lattice": chinese_lattice,
    "art_deco_fan": art_deco_fan,
    "ruyi_cloud": ruyi_cloud,
    "paisley": paisley,
    "fleur_de_lis": fleur_de_lis,
}
"""The drawn generators by name."""
