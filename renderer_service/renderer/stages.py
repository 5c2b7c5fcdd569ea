"""The compositing stages of a ClanGen cat, one small function each.

A stage reads the cat's params and the pack and returns a ``Stage``: what it draws (sprite
group names), how it blends, and the kernel ops that do it. Stages never touch pixels; the
pipeline runs their ops. ``STAGES`` is the order ClanGen draws them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer.blend import Op
from renderer_service.renderer.palettes import BASE_COLOUR, PaletteColour, recolour
from renderer_service.renderer.params import NO_COAT_NOTE, NO_SKIN_NOTE, CatParams
from renderer_service.renderer.patterns import PatternColours
from renderer_service.renderer.sprites import EMPTY_CELL, SpritePack
from renderer_service.renderer.vocabulary import NONE_NAMES, Vocabulary, fading_backdrop

OpRow = tuple[int, int, int, int, int, int]
RGB = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class DarkForestOverlay:
    """What a living Dark Forest cat is drawn with before its lineart: its own shape in
    ``colour`` at ``alpha``, blended with ``multiply`` (the CatGenerator V2 generator's overlay;
    the game has no living Dark Forest cats). An opaque pixel ``C`` becomes
    ``C * (1 - alpha * (1 - colour / 255))``."""

    colour: RGB = (120, 30, 30)
    alpha: float = 0.5

    def __post_init__(self) -> None:
        if len(self.colour) != 3 or not all(
            isinstance(c, int) and 0 <= c <= 255 for c in self.colour
        ):
            raise ValueError(f"the overlay colour must be three integers 0-255, not {self.colour}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError(f"the overlay alpha must be 0-1, not {self.alpha}")

    @property
    def alpha_ratio(self) -> tuple[int, int]:
        """``alpha`` as a fraction ``(numerator, denominator)`` of integers, for the kernel."""
        ratio = Fraction(self.alpha).limit_denominator(1 << 16)
        return ratio.numerator, ratio.denominator


DEFAULT_DARK_FOREST_OVERLAY = DarkForestOverlay()
"""The V2 generator's overlay: ``rgba(120, 30, 30, 0.5)``, i.e. an opaque pixel times
``(187.5, 142.5, 142.5) / 255``."""


class DerivedCells:
    """Cells made for one render (coats recoloured in a palette colour).

    The kernel addresses them with negative ids: ``-1 - i`` is the ``i``-th one made.
    """

    def __init__(self) -> None:
        self._cells: list[NDArray[np.uint8]] = []
        self._bboxes: list[tuple[int, int, int, int]] = []
        self._ids: dict[tuple[int, str], int] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def get(self, key: tuple[int, str]) -> int | None:
        return self._ids.get(key)

    def add(
        self,
        key: tuple[int, str],
        cell: NDArray[np.uint8],
        bbox: tuple[int, int, int, int] | None = None,
    ) -> int:
        """Keep ``cell``; ``bbox`` is the box of its visible pixels, found when not given."""
        if bbox is None:
            alpha = cell[:, :, 3]
            rows = np.flatnonzero(alpha.any(axis=1))
            columns = np.flatnonzero(alpha.any(axis=0))
            if len(rows) == 0:
                self._ids[key] = EMPTY_CELL
                return EMPTY_CELL
            bbox = (int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1)
        self._cells.append(np.ascontiguousarray(cell, dtype=np.uint8))
        self._bboxes.append(bbox)
        self._ids[key] = -len(self._cells)
        return self._ids[key]

    def cell(self, cell_id: int) -> NDArray[np.uint8]:
        return self._cells[-1 - cell_id]

    def arrays(self) -> tuple[NDArray[np.uint8], NDArray[np.int32]] | tuple[None, None]:
        """The cells and their ``(top, bottom, left, right)`` boxes, for ``blend.run_ops``."""
        if not self._cells:
            return None, None
        return np.stack(self._cells), np.array(self._bboxes, dtype=np.int32)


@dataclass(frozen=True, slots=True)
class Coat:
    """A coat sprite ready to draw: its cell, the group it comes from and notes on it."""

    cell: int
    group: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """What every stage may read: the pack, its vocabulary, the pose and the render options."""

    pack: SpritePack
    vocabulary: Vocabulary
    pose: int
    dark_forest_overlay: DarkForestOverlay = DEFAULT_DARK_FOREST_OVERLAY
    derived: DerivedCells = field(default_factory=DerivedCells)
    patterns: PatternColours | None = None
    """Draws pattern colours; without it they are drawn as their flat part alone."""

    def cell(self, group: str) -> int:
        return self.pack.cell_id(group, self.pose)

    def coat(self, pelt: str, colour: str, *, patterned: bool = True) -> Coat:
        """The ``pelt`` coat in ``colour``: the pack's sprite for a game colour, the WHITE
        sprite recoloured for a palette colour. ``patterned=False`` draws a pattern colour as
        its flat part alone (white patches never show a pattern)."""
        sprite = self.vocabulary.pelts[pelt]
        palette = self.vocabulary.palette_colours.get(colour)
        if palette is None:
            group = f"{sprite}{colour}"
            return Coat(self.cell(group), group)
        group = f"{sprite}{BASE_COLOUR}"
        return self._palette_coat(group, palette, patterned)

    def _palette_coat(self, group: str, colour: PaletteColour, patterned: bool) -> Coat:
        white = self.cell(group)
        notes = [f"{colour.name} (palette {colour.palette}) recolours {group}"]
        draw_pattern = colour.is_pattern and patterned and self.patterns is not None
        if draw_pattern:
            definition = colour.definition
            assert definition is not None
            notes.append(
                f"{colour.name} is a pattern colour: generator {definition.type}, "
                f"{definition.tile_size} px tile repeated from the cell's top-left corner"
            )
        elif colour.is_pattern:
            what = "its multiply and screen alone" if colour.is_flat else "the plain WHITE coat"
            notes.append(f"{colour.name} is a pattern colour: the pattern is not drawn, {what} is")
        if white == EMPTY_CELL:
            return Coat(white, group, tuple(notes))
        key = (
            white,
            colour.name if draw_pattern or not colour.is_pattern else f"{colour.name}/flat",
        )
        known = self.derived.get(key)
        if known is not None:
            return Coat(known, group, tuple(notes))
        sprite = self.pack.cells[white]
        if draw_pattern:
            assert self.patterns is not None
            drawn = self.patterns.coat(colour.name, white, sprite)
            top, bottom, left, right = (int(v) for v in self.pack.bboxes[white])
            return Coat(
                self.derived.add(key, drawn, (top, bottom, left, right)), group, tuple(notes)
            )
        if not colour.is_flat:
            return Coat(white, group, tuple(notes))
        top, bottom, left, right = (int(edge) for edge in self.pack.bboxes[white])
        recoloured = recolour(sprite, colour)  # alpha kept, so the same visible box
        return Coat(
            self.derived.add(key, recoloured, (top, bottom, left, right)), group, tuple(notes)
        )


@dataclass(slots=True)
class Stage:
    """What one stage draws and the ops that draw it."""

    id: str
    label: str
    blend_mode: str
    sprites: list[str] = field(default_factory=list)
    ops: list[OpRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        op: Op,
        a: int = 0,
        b: int = 0,
        rgb: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        self.ops.append((int(op), a, b, rgb[0], rgb[1], rgb[2]))


StageFunction = Callable[[CatParams, Context], Stage]


def base(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("base", "Base coat and tortie patches", "normal")
    if cat.pelt_name is None:
        stage.notes.append(NO_COAT_NOTE)
    else:
        coat = ctx.coat(cat.pelt_name, cat.colour)
        stage.sprites.append(coat.group)
        stage.notes += coat.notes
        stage.add(Op.BLIT, coat.cell)
    layers = cat.tortie_layers
    for index, layer in enumerate(layers):
        patches = ctx.coat(layer.pattern, layer.colour)
        stage.sprites.append(patches.group)
        stage.notes += patches.notes
        if layer.mask is None:
            stage.add(Op.BLIT, patches.cell)
            stage.notes.append(f"tortie layer {index} has no mask: it covers the whole coat")
            continue
        mask = f"tortiemask{layer.mask}"
        stage.sprites.append(mask)
        stage.add(Op.BLIT_MASKED, patches.cell, ctx.cell(mask))
    stage.notes += cat.tortie_notes
    return stage


def tint(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("tint", "Coat tint", "rgb_mult")
    if cat.tint in NONE_NAMES:
        stage.notes.append("no tint")
        return stage
    multiply = ctx.vocabulary.tints.get(cat.tint)
    add = ctx.vocabulary.dilute_tints.get(cat.tint)
    if multiply is not None:
        stage.add(Op.MULTIPLY_COLOUR, rgb=multiply)
        stage.notes.append(f"multiply by {multiply}")
    if add is not None:
        stage.add(Op.ADD_COLOUR, rgb=add)
        stage.notes.append(f"add {add}")
        stage.blend_mode = "rgb_add" if multiply is None else "rgb_mult+rgb_add"
    return stage


def _white(
    stage_id: str, label: str, name: str | None, cat: CatParams, ctx: Context, tinted: bool
) -> Stage:
    stage = Stage(stage_id, label, "normal")
    if name is None:
        stage.notes.append(f"no {label.lower()}")
        return stage
    group = f"white{name}"
    stage.sprites.append(group)
    tint_name = cat.white_patches_tint
    colour = None
    if tinted and tint_name not in NONE_NAMES:
        colour = ctx.vocabulary.white_patches_tints.get(tint_name)
        if colour is None and tint_name in ctx.vocabulary.coat_colours:
            if stage_id == "whitePatches":
                return _painted_patches(stage, group, tint_name, ctx)
            stage.notes.append(f"{tint_name} paints white patches only, never {label.lower()}")
    if colour is None:
        stage.add(Op.BLIT, ctx.cell(group))
    else:
        stage.add(Op.BLIT_TINTED, ctx.cell(group), rgb=colour)
        stage.notes.append(f"tinted {tint_name} {colour}")
    return stage


def _painted_patches(stage: Stage, group: str, colour: str, ctx: Context) -> Stage:
    """White patches painted with a coat colour's single-colour sprite, cut to their shape."""
    coat = ctx.coat("SingleColour", colour, patterned=False)
    stage.sprites.insert(0, coat.group)
    stage.notes += coat.notes
    stage.notes.append(f"painted with {colour} ({coat.group} cut to the patches)")
    stage.add(Op.BLIT_CUT, coat.cell, ctx.cell(group))
    return stage


def white_patches(cat: CatParams, ctx: Context) -> Stage:
    return _white("whitePatches", "White patches", cat.white_patches, cat, ctx, tinted=True)


def points(cat: CatParams, ctx: Context) -> Stage:
    return _white("points", "Points", cat.points, cat, ctx, tinted=True)


def vitiligo(cat: CatParams, ctx: Context) -> Stage:
    return _white("vitiligo", "Vitiligo", cat.vitiligo, cat, ctx, tinted=False)


def eyes(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("eyes", "Eyes", "normal")
    first = f"eyes{cat.eye_colour}"
    stage.sprites.append(first)
    if cat.eye_colour2 is None:
        stage.add(Op.BLIT, ctx.cell(first))
    else:
        second = f"eyes2{cat.eye_colour2}"
        stage.sprites.append(second)
        stage.add(Op.BLIT_LAYERED, ctx.cell(first), ctx.cell(second))
        stage.notes.append("heterochromia")
    return stage


def scars_primary(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("scarsPrimary", "Scars", "normal")
    v = ctx.vocabulary
    for scar in cat.scar_list:
        if scar in v.scars_primary or scar in v.scars_special:
            stage.sprites.append(f"scars{scar}")
            stage.add(Op.BLIT, ctx.cell(f"scars{scar}"))
    if not stage.sprites:
        stage.notes.append("no scars of this kind")
    return stage


def _shading_layer(
    cat: CatParams, ctx: Context, stage: Stage, group: str, op: Op, dead_note: str
) -> Stage:
    """``stage`` drawing ``group`` with ``op`` when the cat is shaded: shading on, and living
    (the shading and the lighting both)."""
    if not cat.shading or cat.dead:
        stage.notes.append(dead_note if cat.shading else "shading is off")
        return stage
    stage.sprites.append(group)
    stage.add(op, ctx.cell(group))
    return stage


def shading(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("shading", "Shading", "rgb_mult")
    return _shading_layer(cat, ctx, stage, "shaders", Op.MULTIPLY_CELL, "dead cats are not shaded")


def lighting(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("lighting", "Lighting", "normal")
    return _shading_layer(cat, ctx, stage, "lighting", Op.BLIT, "dead cats are not lit")


def dark_forest_overlay(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("darkForestTint", "Dark Forest overlay", "multiply")
    if not cat.dark_forest or cat.dead:
        stage.notes.append(
            "dead cats get the Dark Forest lineart only" if cat.dead else "not in the Dark Forest"
        )
        return stage
    overlay = ctx.dark_forest_overlay
    numerator, denominator = overlay.alpha_ratio
    stage.add(Op.OVERLAY_MULTIPLY, numerator, denominator, overlay.colour)
    stage.notes.append(f"the cat's shape in {overlay.colour} at alpha {overlay.alpha}, multiplied")
    return stage


def lineart(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("lineart", "Lineart", "normal")
    group = ctx.vocabulary.lineart_group(cat.lineart_afterlife, cat.april_fools)
    assert group is not None  # check_traits refuses linearts the pack lacks
    stage.sprites.append(group)
    stage.add(Op.BLIT, ctx.cell(group))
    if cat.resolved_afterlife is None and cat.dark_forest:
        stage.notes.append("a living Dark Forest cat: the Dark Forest lineart")
    return stage


def skin(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("skin", "Skin", "normal")
    if cat.skin_colour is None:
        stage.notes.append(NO_SKIN_NOTE)
        return stage
    group = f"skin{cat.skin_colour}"
    stage.sprites.append(group)
    stage.add(Op.BLIT, ctx.cell(group))
    return stage


def scars_secondary(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("scarsSecondary", "Missing parts", "rgba_min")
    for scar in cat.scar_list:
        if scar in ctx.vocabulary.scars_missing:
            stage.sprites.append(f"scars{scar}")
            stage.add(Op.MIN_CELL, ctx.cell(f"scars{scar}"))
    if not stage.sprites:
        stage.notes.append("no missing parts")
    return stage


def accessories(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("accessories", "Accessories", "normal")
    for name in cat.accessory_list:
        group = ctx.vocabulary.accessories[name]
        stage.sprites.append(group)
        stage.add(Op.BLIT, ctx.cell(group))
    if not stage.sprites:
        stage.notes.append("no accessories")
    return stage


def fading(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("fading", "Fading", "rgba_mult+underlay")
    fade = cat.fading_stage
    if fade is None:
        stage.notes.append("not faded" if cat.dead else "only dead cats fade")
        return stage
    mask = f"fademask{fade}"
    backdrop = f"{fading_backdrop(cat.resolved_afterlife)}{fade}"
    stage.sprites += [mask, backdrop]
    stage.add(Op.MULTIPLY_CELL_RGBA, ctx.cell(mask))
    stage.add(Op.UNDERLAY, ctx.cell(backdrop))
    stage.notes.append(f"opacity {cat.opacity}: fading stage {fade}")
    return stage


STAGES: tuple[StageFunction, ...] = (
    base,
    tint,
    white_patches,
    points,
    vitiligo,
    eyes,
    scars_primary,
    shading,
    lighting,
    dark_forest_overlay,
    lineart,
    skin,
    scars_secondary,
    accessories,
    fading,
)
"""Every stage, in the order ClanGen draws them; reverse is applied after the last."""

LAYER_IDS: tuple[str, ...] = (
    "base",
    "tint",
    "whitePatches",
    "points",
    "vitiligo",
    "eyes",
    "scarsPrimary",
    "shading",
    "lighting",
    "darkForestTint",
    "lineart",
    "skin",
    "scarsSecondary",
    "accessories",
    "fading",
)
"""The ids of the layers ``STAGES`` produce, in order."""
