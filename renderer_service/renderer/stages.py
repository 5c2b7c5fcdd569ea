"""The compositing stages of a ClanGen cat, one small function each.

A stage reads the cat's params and the pack and returns a ``Stage``: what it draws (sprite
group names), how it blends, and the kernel ops that do it. Stages never touch pixels; the
pipeline runs their ops. ``STAGES`` is the order ClanGen draws them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .blend import Op
from .params import CatParams
from .sprites import SpritePack
from .vocabulary import NONE_NAMES, Vocabulary, fading_backdrop

OpRow = tuple[int, int, int, int, int, int]
RGB = tuple[int, int, int]

DEFAULT_DARK_FOREST_TINT: RGB = (190, 160, 170)
"""The colour a living Dark Forest cat's coat is multiplied by: darker, with a cold red cast."""


@dataclass(frozen=True, slots=True)
class Context:
    """What every stage may read: the pack, its vocabulary, the pose and the render options."""

    pack: SpritePack
    vocabulary: Vocabulary
    pose: int
    dark_forest_tint: RGB = DEFAULT_DARK_FOREST_TINT

    def cell(self, group: str) -> int:
        return self.pack.cell_id(group, self.pose)


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


def _coat_group(ctx: Context, pelt: str, colour: str) -> str:
    return f"{ctx.vocabulary.pelts[pelt]}{colour}"


def base(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("base", "Base coat and tortie patches", "normal")
    coat = _coat_group(ctx, cat.pelt_name, cat.colour)
    stage.sprites.append(coat)
    stage.add(Op.BLIT, ctx.cell(coat))
    layers = cat.tortie_layers
    for layer in layers:
        patches = _coat_group(ctx, layer.pattern, layer.colour)
        mask = f"tortiemask{layer.mask}"
        stage.sprites += [patches, mask]
        stage.add(Op.BLIT_MASKED, ctx.cell(patches), ctx.cell(mask))
    if not layers and cat.tortie_mask is not None:
        stage.notes.append("tortie fields are not drawn because isTortie is false")
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
    colour = None
    if tinted and cat.white_patches_tint not in NONE_NAMES:
        colour = ctx.vocabulary.white_patches_tints.get(cat.white_patches_tint)
    if colour is None:
        stage.add(Op.BLIT, ctx.cell(group))
    else:
        stage.add(Op.BLIT_TINTED, ctx.cell(group), rgb=colour)
        stage.notes.append(f"tinted {cat.white_patches_tint} {colour}")
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
    for scar in cat.scars:
        if scar in v.scars_primary or scar in v.scars_special:
            stage.sprites.append(f"scars{scar}")
            stage.add(Op.BLIT, ctx.cell(f"scars{scar}"))
    if not stage.sprites:
        stage.notes.append("no scars of this kind")
    return stage


def shading(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("shading", "Shading", "rgb_mult")
    if not cat.shading or cat.dead:
        stage.notes.append("dead cats are not shaded" if cat.shading else "shading is off")
        return stage
    stage.sprites.append("shaders")
    stage.add(Op.MULTIPLY_CELL, ctx.cell("shaders"))
    return stage


def lighting(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("lighting", "Lighting", "normal")
    if not cat.shading or cat.dead:
        stage.notes.append("dead cats are not lit" if cat.shading else "shading is off")
        return stage
    stage.sprites.append("lighting")
    stage.add(Op.BLIT, ctx.cell("lighting"))
    return stage


def dark_forest_tint(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("darkForestTint", "Dark Forest tint", "rgb_mult")
    if not cat.dark_forest or cat.dead:
        stage.notes.append("dead cats get the Dark Forest lineart" if cat.dead else "not tinted")
        return stage
    stage.add(Op.MULTIPLY_COLOUR, rgb=ctx.dark_forest_tint)
    stage.notes.append(f"multiply by {ctx.dark_forest_tint}")
    return stage


def lineart(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("lineart", "Lineart", "normal")
    group = ctx.vocabulary.lineart_group(cat.resolved_afterlife, cat.april_fools)
    assert group is not None  # check_traits refuses linearts the pack lacks
    stage.sprites.append(group)
    stage.add(Op.BLIT, ctx.cell(group))
    return stage


def skin(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("skin", "Skin", "normal")
    group = f"skin{cat.skin_colour}"
    stage.sprites.append(group)
    stage.add(Op.BLIT, ctx.cell(group))
    return stage


def scars_secondary(cat: CatParams, ctx: Context) -> Stage:
    stage = Stage("scarsSecondary", "Missing parts", "rgba_min")
    for scar in cat.scars:
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
    dark_forest_tint,
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
