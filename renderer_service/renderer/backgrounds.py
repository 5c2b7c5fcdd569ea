"""Backgrounds: what a cat is drawn on, from nothing to ClanGen's profile platforms.

A background is named by one string:

- ``transparent`` (the default): the cat alone, 50 x 50;
- a colour, ``#rrggbb`` or ``#rrggbbaa``: the 50 x 50 cat drawn over that colour;
- a platform, ``platform:<biome>:<season>:<light|dark>`` (biomes ``beach``, ``forest``,
  ``mountainous``, ``nest``, ``plains``; seasons ``greenleaf``, ``leafbare``, ``leaffall``,
  ``newleaf``), ``platform:starclan:<light|dark>`` or ``platform:darkforest:<light|dark>``: the
  80 x 70 platform of ClanGen's profile screen with the cat drawn at (15, 0), as the game shows it;
- ``platform:auto:<biome>:<season>:<light|dark>``: the platform the game would choose for the
  cat (see ``Background.resolve``).

The cat is drawn on its background with the same normal alpha blit (pygame-ce's arithmetic) the
compositing stages use, so a translucent pixel of the cat blends exactly as the game blends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage

from renderer_service.renderer import blend
from renderer_service.renderer.errors import SpritePackError, TraitError
from renderer_service.renderer.params import CatParams
from renderer_service.renderer.sprites import CELL_SIZE
from renderer_service.renderer.suggest import closest

Image = NDArray[np.uint8]

BIOMES: tuple[str, ...] = ("beach", "forest", "mountainous", "nest", "plains")
"""The living biomes, in the order of their rows in ``platforms.png``."""
SEASONS: tuple[str, ...] = ("greenleaf", "leafbare", "leaffall", "newleaf")
"""The seasons, in the order of their column pairs in ``platforms.png``."""
SHADES: tuple[str, ...] = ("dark", "light")
"""Each season's dark platform, then its light one (80 px to the right)."""
AFTERLIVES: tuple[str, ...] = ("darkforest", "starclan")
"""The afterlife platforms, in the order of their column pairs on the last row."""

PLATFORM_WIDTH = 80
PLATFORM_HEIGHT = 70
CAT_OFFSET = (15, 0)
"""Where the 50 x 50 cat sits on a platform: ``(x, y)``, as ClanGen's profile screen draws it."""
PLATFORM_SHEET_SIZE = (PLATFORM_WIDTH * 8, PLATFORM_HEIGHT * 6)
PLATFORMS_FILE = "platforms.png"

NEST_POSES = frozenset({18, 19, 20})
"""Poses of cats ClanGen puts in the nest: newborns (20) and the sick (18, 19), which are the
cats that cannot work."""

TRANSPARENT = "transparent"
EXPECTED = (
    "transparent, a colour #rrggbb or #rrggbbaa, platform:<biome>:<season>:<light|dark>, "
    "platform:starclan:<light|dark>, platform:darkforest:<light|dark> or "
    "platform:auto:<biome>:<season>:<light|dark> (biomes: " + ", ".join(BIOMES) + "; seasons: "
    "" + ", ".join(SEASONS) + ")"
)
_COLOUR = re.compile(r"#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?")

BackgroundKind = Literal["transparent", "colour", "platform", "auto"]


def platform_names() -> list[str]:
    """Every fixed platform background, in sheet order."""
    names = [
        f"platform:{biome}:{season}:{shade}"
        for biome in BIOMES
        for season in SEASONS
        for shade in SHADES
    ]
    names += [f"platform:{place}:{shade}" for place in AFTERLIVES for shade in SHADES]
    return names


def auto_platform_names() -> list[str]:
    """Every ``platform:auto:...`` background."""
    return [
        f"platform:auto:{biome}:{season}:{shade}"
        for biome in BIOMES
        for season in SEASONS
        for shade in SHADES
    ]


def platform_cell(name: str) -> tuple[int, int]:
    """``(x, y)`` of a fixed platform's top-left corner in ``platforms.png``.

    ``name`` is what follows ``platform:``, e.g. ``forest:greenleaf:light`` or ``starclan:dark``.
    """
    parts = name.split(":")
    if len(parts) == 2:
        place, shade = parts
        column = AFTERLIVES.index(place) * 2 + SHADES.index(shade)
        return column * PLATFORM_WIDTH, len(BIOMES) * PLATFORM_HEIGHT
    biome, season, shade = parts
    column = SEASONS.index(season) * 2 + SHADES.index(shade)
    return column * PLATFORM_WIDTH, BIOMES.index(biome) * PLATFORM_HEIGHT


@dataclass(frozen=True, slots=True)
class Background:
    """A parsed background. ``name`` is its canonical spelling (colours in lower case, an
    opaque one as ``#rrggbb``)."""

    kind: BackgroundKind
    name: str
    rgba: tuple[int, int, int, int] | None = None
    platform: str | None = None
    """For ``platform``: the sheet cell's name; for ``auto``: ``<biome>:<season>:<shade>``."""

    @property
    def is_platform(self) -> bool:
        return self.kind in ("platform", "auto")

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` of a picture on this background, before scaling."""
        if self.is_platform:
            return PLATFORM_WIDTH, PLATFORM_HEIGHT
        return CELL_SIZE, CELL_SIZE

    def resolve(self, params: CatParams, pose: int) -> Background:
        """The fixed background this one means for a cat; ``auto`` chooses as the game does.

        Dark Forest cats (dead ones, and living ones drawn with the Dark Forest tint) stand on
        the Dark Forest platform, other dead cats on StarClan's, newborns and sick cats in the
        nest, and every other cat on the given biome's platform.
        """
        if self.kind != "auto":
            return self
        assert self.platform is not None
        biome, season, shade = self.platform.split(":")
        afterlife = params.resolved_afterlife
        if afterlife == "darkForest" or (not params.dead and params.dark_forest):
            cell = f"darkforest:{shade}"
        elif params.dead:
            cell = f"starclan:{shade}"
        elif pose in NEST_POSES:
            cell = f"nest:{season}:{shade}"
        else:
            cell = f"{biome}:{season}:{shade}"
        return Background("platform", f"platform:{cell}", platform=cell)


DEFAULT_BACKGROUND = Background("transparent", TRANSPARENT)


def parse_background(text: str, field: str = "background") -> Background:
    """The background ``text`` names; ``TraitError`` naming ``field`` if it names none."""
    if text == TRANSPARENT:
        return DEFAULT_BACKGROUND
    match = _COLOUR.fullmatch(text)
    if match is not None:
        rgb, alpha = match.group(1), match.group(2) or "ff"
        value = int(rgb + alpha, 16)
        rgba = (value >> 24 & 255, value >> 16 & 255, value >> 8 & 255, value & 255)
        name = "#" + (rgb if alpha.lower() == "ff" else rgb + alpha).lower()
        return Background("colour", name, rgba=rgba)
    if text in _FIXED:
        return Background("platform", text, platform=text.removeprefix("platform:"))
    if text in _AUTO:
        return Background("auto", text, platform=text.removeprefix("platform:auto:"))
    suggestions = closest(text, [TRANSPARENT, *_FIXED, *_AUTO], limit=3)
    if text.startswith("#"):
        suggestions = ["#rrggbb", "#rrggbbaa"]
    raise TraitError(field, text, EXPECTED, suggestions)


_FIXED = frozenset(platform_names())
_AUTO = frozenset(auto_platform_names())


class PlatformSheet:
    """ClanGen's platform art: ``platforms.png``, 640 x 420, as an RGBA array."""

    def __init__(self, image: Image, path: str = "") -> None:
        if image.shape != (PLATFORM_SHEET_SIZE[1], PLATFORM_SHEET_SIZE[0], 4):
            width, height = PLATFORM_SHEET_SIZE
            raise SpritePackError(
                path, f"{PLATFORMS_FILE} must be {width} x {height} RGBA, not {image.shape}"
            )
        self.image = image
        self.path = path

    @classmethod
    def load(cls, path: Path) -> PlatformSheet:
        try:
            with PILImage.open(path) as picture:
                image = np.asarray(picture.convert("RGBA"), dtype=np.uint8)
        except OSError as error:
            raise SpritePackError(str(path), f"cannot read the platforms: {error}") from None
        return cls(np.ascontiguousarray(image), str(path))

    def cell(self, name: str) -> Image:
        """A copy of one platform, e.g. ``forest:greenleaf:light``."""
        x, y = platform_cell(name)
        return self.image[y : y + PLATFORM_HEIGHT, x : x + PLATFORM_WIDTH].copy()


def bundled_platforms_path() -> Path:
    """ClanGen's platforms as they ship with the package, beside the bundled pack."""
    return Path(str(resources.files("renderer_service") / "packs" / "platforms" / PLATFORMS_FILE))


@cache
def _bundled_platforms() -> PlatformSheet:
    return PlatformSheet.load(bundled_platforms_path())


def find_platforms(pack_root: Path) -> PlatformSheet:
    """The pack's own ``platforms.png`` when it has one, else the bundled platforms."""
    own = pack_root / PLATFORMS_FILE
    return PlatformSheet.load(own) if own.is_file() else _bundled_platforms()


def draw_on_background(cat: Image, background: Background, platforms: PlatformSheet) -> Image:
    """``cat`` (50 x 50 RGBA) drawn on a resolved ``background``; a new array.

    ``transparent`` returns ``cat`` itself; a colour fills a 50 x 50 canvas; a platform is its
    80 x 70 picture with the cat at ``CAT_OFFSET``.
    """
    if background.kind == "transparent":
        return cat
    if background.kind == "colour":
        assert background.rgba is not None
        canvas = np.empty((CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
        canvas[:] = background.rgba
        blend.blit(canvas, np.ascontiguousarray(cat))
        return canvas
    if background.kind != "platform" or background.platform is None:
        raise ValueError(f"resolve {background.name!r} for a cat before drawing on it")
    canvas = platforms.cell(background.platform)
    x, y = CAT_OFFSET
    spot = np.ascontiguousarray(canvas[y : y + CELL_SIZE, x : x + CELL_SIZE])
    blend.blit(spot, np.ascontiguousarray(cat))
    canvas[y : y + CELL_SIZE, x : x + CELL_SIZE] = spot
    return canvas
