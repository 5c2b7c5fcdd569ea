"""Palette colours: the CatGenerator site's named colours beyond the game's 19 coat colours.

A palette is a JSON file ``{"id", "label", "description", "colors": {NAME: definition}}``; a
definition recolours the pelt's ``WHITE`` sprite with a ``multiply`` colour ``[r, g, b]`` and/or
a ``screen`` colour ``[r, g, b, a]`` (a flat colour), or names a ``pattern`` (flags,
tartans...). ``recolour`` does the flat arithmetic exactly as the site's canvas generator does,
per channel on values in 0..1, with sprite colour ``c`` and sprite alpha ``t``:

- multiply (default white): ``x = m * (1 - t + t * c)``;
- screen ``[s, a]``: ``y = x + a * s * (1 - x)``;
- alpha stays ``t``; every channel is rounded to 8 bits half-up.

A pattern colour's ``pattern`` is read into a ``PatternDefinition`` when the palettes load
(a malformed one stops the load); ``Palettes.patterns`` draws them (``renderer/patterns/``):
the pattern replaces the multiply, and multiplies every pixel of the WHITE sprite without
alpha weighting, as the engine the palettes were designed with does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
from numba import njit
from numpy.typing import NDArray

from renderer_service.renderer.errors import RendererError
from renderer_service.renderer.patterns import (
    GENERATOR_NAMES,
    PatternColour,
    PatternColours,
    PatternDefinition,
    PatternDefinitionError,
)

RGB = tuple[int, int, int]

BASE_COLOUR = "WHITE"
"""The coat colour whose sprites every palette colour recolours."""


class PaletteError(RendererError):
    """A palette file is missing, unreadable or malformed."""


@dataclass(frozen=True, slots=True)
class PaletteColour:
    """One named palette colour and how it recolours the WHITE sprite."""

    name: str
    palette: str
    multiply: RGB | None = None
    screen: tuple[int, int, int, float] | None = None
    pattern: Mapping[str, Any] | None = None
    definition: PatternDefinition | None = None
    """``pattern`` as read: the generator and its settings."""

    @property
    def is_pattern(self) -> bool:
        return self.pattern is not None

    @property
    def generator(self) -> str | None:
        """The pattern generator's name, for a pattern colour."""
        return self.definition.type if self.definition is not None else None

    @property
    def is_flat(self) -> bool:
        """Whether it recolours the sprite at all (a multiply or a screen)."""
        return self.multiply is not None or self.screen is not None


@dataclass(frozen=True, slots=True)
class Palette:
    id: str
    label: str
    description: str
    colours: Mapping[str, PaletteColour]
    raw: Mapping[str, Any] = field(repr=False)
    """The file as read: what ``GET /palettes`` serves."""


@dataclass(frozen=True)
class Palettes:
    """Every loaded palette, and their colours by name."""

    palettes: tuple[Palette, ...] = ()
    colours: Mapping[str, PaletteColour] = field(default_factory=lambda: MappingProxyType({}))
    patterns: PatternColours = field(default_factory=lambda: PatternColours({}))
    """The pattern colours, with the caches of their tiles and patterned sprites."""

    def __len__(self) -> int:
        return len(self.palettes)


def _channels(value: Any, count: int, where: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != count:
        raise PaletteError(f"{where}: expected a list of {count} numbers, not {value!r}")
    return value


def _rgb(value: Any, where: str) -> RGB:
    r, g, b = (int(c) for c in _channels(value, 3, where))
    if not all(0 <= c <= 255 for c in (r, g, b)):
        raise PaletteError(f"{where}: channels must be 0-255, not {value!r}")
    return (r, g, b)


def _colour(name: str, palette: str, definition: Any) -> PaletteColour:
    where = f"palette {palette!r}, colour {name!r}"
    if not isinstance(definition, dict):
        raise PaletteError(f"{where}: a definition must be an object")
    multiply = definition.get("multiply")
    screen = definition.get("screen")
    pattern = definition.get("pattern")
    parsed_screen = None
    if screen is not None:
        r, g, b, a = _channels(screen, 4, f"{where} screen")
        (r, g, b), a = _rgb([r, g, b], f"{where} screen"), float(a)
        if not 0.0 <= a <= 1.0:
            raise PaletteError(f"{where}: screen alpha must be 0-1, not {a}")
        parsed_screen = (r, g, b, a)
    if pattern is not None and not isinstance(pattern, dict):
        raise PaletteError(f"{where}: a pattern must be an object")
    definition = None
    if pattern is not None:
        try:
            definition = PatternDefinition.from_dict(pattern, GENERATOR_NAMES)
        except PatternDefinitionError as error:
            raise PaletteError(f"{where}: {error}") from None
    colour = PaletteColour(
        name=name,
        palette=palette,
        multiply=_rgb(multiply, f"{where} multiply") if multiply is not None else None,
        screen=parsed_screen,
        pattern=MappingProxyType(dict(pattern)) if pattern is not None else None,
        definition=definition,
    )
    if not colour.is_flat and not colour.is_pattern:
        raise PaletteError(f"{where}: needs a multiply, a screen or a pattern")
    return colour


def load_palettes(folder: Path, reserved: Iterable[str] = ()) -> Palettes:
    """Read every ``*.json`` palette in ``folder`` (sorted by file name).

    A colour name may appear in one palette only, and never as one of ``reserved`` (the
    game's coat colours): either would make a name mean two things.
    """
    if not folder.is_dir():
        raise PaletteError(f"no palette folder at {folder}")
    taken = set(reserved)
    palettes: list[Palette] = []
    colours: dict[str, PaletteColour] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            raw = json.loads(path.read_bytes())
        except (OSError, ValueError) as error:
            raise PaletteError(f"cannot read {path.name}: {error}") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("colors"), dict):
            raise PaletteError(f"{path.name}: expected an object with `colors`")
        palette_id = str(raw.get("id", path.stem))
        own: dict[str, PaletteColour] = {}
        for name, definition in raw["colors"].items():
            if name in taken or name in colours:
                raise PaletteError(f"{path.name}: colour {name!r} is already defined")
            own[name] = _colour(name, palette_id, definition)
        colours.update(own)
        palettes.append(
            Palette(
                id=palette_id,
                label=str(raw.get("label", palette_id)),
                description=str(raw.get("description", "")),
                colours=MappingProxyType(own),
                raw=MappingProxyType(raw),
            )
        )
    patterns = PatternColours(
        {
            name: PatternColour(name, colour.palette, colour.definition, colour.screen)
            for name, colour in colours.items()
            if colour.definition is not None
        }
    )
    return Palettes(tuple(palettes), MappingProxyType(colours), patterns)


def recolour(sprite: NDArray[np.uint8], colour: PaletteColour) -> NDArray[np.uint8]:
    """The WHITE ``sprite`` (50 x 50 RGBA) in ``colour``'s flat recolouring."""
    multiply = colour.multiply or (255, 255, 255)
    screen = colour.screen or (0, 0, 0, 0.0)
    out = np.empty_like(sprite)
    _recolour(sprite, out, *multiply, *screen, colour.screen is not None)
    return out


@njit(cache=True, nogil=True)
def _recolour(  # type: ignore[no-untyped-def]
    sprite, out, mr, mg, mb, sr, sg, sb, screen_alpha, screened
):
    multiply = (mr / 255, mg / 255, mb / 255)
    screen = (sr / 255, sg / 255, sb / 255)
    for y in range(sprite.shape[0]):
        for x in range(sprite.shape[1]):
            alpha = sprite[y, x, 3] / 255
            for c in range(3):
                value = multiply[c] * (1 - alpha + alpha * (sprite[y, x, c] / 255))
                if screened:
                    value = value + screen_alpha * screen[c] * (1 - value)
                out[y, x, c] = min(255, max(0, int(np.floor(value * 255 + 0.5))))
            out[y, x, 3] = sprite[y, x, 3]
