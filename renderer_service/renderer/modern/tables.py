"""Per-pose tables of a modern pack: every trait name as a cell id or a ready op row.

``ModernPlanner.ops`` plans a plain render from these with a few look-ups per trait; the
tables of a pose are made on its first render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..blend import Op, row
from .pack import ModernSpritePack
from .vocabulary import (
    AFTERLIFE_OVERLAYS,
    AFTERLIFE_UNDERLAYS,
    EYES_PREFIX,
    FADE_MASK,
    FADING_BACKDROPS,
    HETEROCHROMIA_MASK,
    MISSING_PART_PREFIX,
    POINTS_PREFIX,
    SCAR_PREFIX,
    SHADER_LIGHTING,
    SHADER_MASK,
    SKIN_PREFIX,
    TORTIE_PREFIX,
    VITILIGO_PREFIX,
    ModernVocabulary,
)


def tint_rows(v: ModernVocabulary) -> dict[str, bytes]:
    """Tint name -> its rows: a multiply and/or an add of its colour."""
    tints: dict[str, bytes] = {}
    for name in v.all_tints:
        multiply, dilute = v.tints.get(name), v.dilute_tints.get(name)
        tints[name] = (row(Op.MULTIPLY_COLOUR, rgb=multiply) if multiply is not None else b"") + (
            row(Op.ADD_COLOUR, rgb=dilute) if dilute is not None else b""
        )
    return tints


@dataclass(frozen=True, slots=True)
class PoseTables:
    """Every trait of one pose as a cell id or a ready op row (``ModernPlanner.ops``)."""

    coats: Mapping[tuple[str, str], int]
    """(pelt name, colour) -> the coat's cell."""
    coat_rows: Mapping[tuple[str, str], bytes]
    """(pelt name, colour) -> the coat's blit."""
    tortie_masks: Mapping[str, int]
    white_rows: Mapping[str, bytes]
    """White patch -> its untinted blit."""
    white_cells: Mapping[str, int]
    point_rows: Mapping[str, bytes]
    point_cells: Mapping[str, int]
    vitiligo_rows: Mapping[str, bytes]
    eye_rows: Mapping[str, bytes]
    eye2_rows: Mapping[str, bytes]
    scar_rows: Mapping[str, bytes]
    """Scars drawn over the coat -> their blit (missing parts are not here)."""
    missing_cells: Mapping[str, int]
    missing_rows: Mapping[str, bytes]
    """Missing part -> its ``MIN_CELL`` (of a living cat: dead cats' masks are recoloured)."""
    shading_rows: bytes
    lineart_rows: Mapping[tuple[str | None, bool], bytes]
    skin_rows: Mapping[str, bytes]
    accessory_cells: Mapping[str, int]
    accessory_rows: Mapping[str, bytes]
    """Accessory -> its blit (of a living cat)."""
    fading_rows: Mapping[tuple[int, str], bytes]
    afterlife_rows: Mapping[str, bytes]


def make_tables(pack: ModernSpritePack, v: ModernVocabulary, pose: int) -> PoseTables:
    """The tables of ``pose``."""

    def ids(groups: Mapping[str, str]) -> dict[str, int]:
        return {name: pack.cell_id(group, pose) for name, group in groups.items()}

    def blits(groups: Mapping[str, str]) -> dict[str, bytes]:
        return {name: row(Op.BLIT, cell) for name, cell in ids(groups).items()}

    mask = pack.cell_id(HETEROCHROMIA_MASK, pose)
    eyes = ids({name: f"{EYES_PREFIX}{name}" for name in v.eye_colours})
    linearts: dict[tuple[str | None, bool], bytes] = {}
    for afterlife in (None, *v.afterlives):
        for april_fools in (False, True):
            group = v.lineart_group(afterlife, april_fools)
            if group is not None:
                linearts[afterlife, april_fools] = row(Op.BLIT, pack.cell_id(group, pose))
    fading: dict[tuple[int, str], bytes] = {}
    afterlives: dict[str, bytes] = {}
    for afterlife in v.afterlives:
        for stage in v.fading_stages:
            fog = f"{FADING_BACKDROPS.get(afterlife, 'fadedf')}{stage}"
            fading[stage, afterlife] = row(
                Op.MULTIPLY_CELL_RGBA, pack.cell_id(f"{FADE_MASK}{stage}", pose)
            ) + row(Op.UNDERLAY, pack.cell_id(fog, pose))
        under, over = AFTERLIFE_UNDERLAYS.get(afterlife), AFTERLIFE_OVERLAYS.get(afterlife)
        afterlives[afterlife] = (
            row(Op.UNDERLAY, pack.cell_id(under, pose)) if under is not None else b""
        ) + (row(Op.BLIT, pack.cell_id(over, pose)) if over is not None else b"")
    coats = {
        (pelt, colour): pack.cell_id(f"{sheet}{colour}", pose)
        for pelt, sheet in v.pelts.items()
        for colour in v.colours
        if pack.has_group(f"{sheet}{colour}")
    }
    points = {name: f"{POINTS_PREFIX}{name}" for name in v.points}
    missing = ids({name: f"{MISSING_PART_PREFIX}{name}" for name in v.scars_missing})
    worn = ids({name: a.group for name, a in v.accessories.items()})
    return PoseTables(
        coats=coats,
        coat_rows={key: row(Op.BLIT, cell) for key, cell in coats.items()},
        tortie_masks=ids({name: f"{TORTIE_PREFIX}{name}" for name in v.tortie_masks}),
        white_rows=blits(v.white_patches),
        white_cells=ids(v.white_patches),
        point_rows=blits(points),
        point_cells=ids(points),
        vitiligo_rows=blits({name: f"{VITILIGO_PREFIX}{name}" for name in v.vitiligo}),
        eye_rows={name: row(Op.BLIT, cell) for name, cell in eyes.items()},
        eye2_rows={name: row(Op.BLIT_MASKED, cell, mask) for name, cell in eyes.items()},
        scar_rows=blits({name: f"{SCAR_PREFIX}{name}" for name in v.scars_primary}),
        missing_cells=missing,
        missing_rows={name: row(Op.MIN_CELL, cell) for name, cell in missing.items()},
        shading_rows=row(Op.MULTIPLY_CELL, pack.cell_id(SHADER_MASK, pose))
        + row(Op.BLIT, pack.cell_id(SHADER_LIGHTING, pose)),
        lineart_rows=linearts,
        skin_rows=blits({name: f"{SKIN_PREFIX}{name}" for name in v.skins}),
        accessory_cells=worn,
        accessory_rows={name: row(Op.BLIT, cell) for name, cell in worn.items()},
        fading_rows=fading,
        afterlife_rows=afterlives,
    )
