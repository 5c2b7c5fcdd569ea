"""A modern cat as kernel op rows, in the order and with the blends of the game.

ClanGen v0.13.2's ``generate_sprite`` (``scripts/cat/sprites/display_sprites.py``) draws, on
straight-alpha pygame surfaces:

1. ``base``: the coat; each tortie layer's coat multiplied (``BLEND_RGBA_MULT``) by its mask,
   blitted over;
2. ``tint``: ``BLEND_RGB_MULT`` and/or ``BLEND_RGB_ADD`` of the tint colour;
3. ``whitePatches``, 4. ``points``: blitted after ``BLEND_RGB_MULT`` by the white-patch tint;
5. ``vitiligo``;
6. ``eyes``: the eyes, then the second colour's eyes multiplied by ``heterochromiamask``;
7. ``scarsPrimary``: scars drawn over the coat, in the cat's order;
8. ``shading`` (``BLEND_RGB_MULT`` of ``shader_mask``) and 9. ``lighting``: living cats only;
10. ``lineart`` (the afterlife's for a dead cat; April Fools' versions on that day);
11. ``skin``;
12. ``scarsSecondary``: missing parts, ``BLEND_RGBA_MIN`` of their masks;
13. ``accessories``: collars, then tail, then body and head accessories, each group in the
    cat's order; a dead cat's missing-part masks and accessories have their opaque black
    recoloured (``recolour``);
14. ``fading``: a dead cat of opacity 97 or less, ``BLEND_RGBA_MULT`` of ``fademask<n>`` and
    the afterlife's fog under the cat;
15. ``afterlife``: StarClan's sparkles over the cat; the Unknown Residence's mist under it and
    its overlay over it.

The picture is mirrored last when ``reverse`` is set. Every blend maps onto an op of
``blend`` (the pygame-ce arithmetic the legacy pipeline is pinned to), so both layouts share
one kernel. A recoloured accessory or mask of a dead cat is a cell of ``DerivedCells``, named
by a negative id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..blend import ROW, Op, row
from ..params import NO_COAT_NOTE, NO_SKIN_NOTE, CatParams
from .derived import DerivedCells
from .pack import ModernSpritePack
from .tables import PoseTables, make_tables, tint_rows
from .vocabulary import (
    AFTERLIFE_LINEART_COLOURS,
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
    Accessory,
    ModernVocabulary,
)

STAGE_LABELS: dict[str, tuple[str, str]] = {
    "base": ("Base coat and tortie patches", "normal; tortie patches BLEND_RGBA_MULT mask"),
    "tint": ("Coat tint", "BLEND_RGB_MULT / BLEND_RGB_ADD"),
    "whitePatches": ("White patches", "normal after BLEND_RGB_MULT tint"),
    "points": ("Colour points", "normal after BLEND_RGB_MULT tint"),
    "vitiligo": ("Vitiligo", "normal"),
    "eyes": ("Eyes and heterochromia", "normal; second eye BLEND_RGBA_MULT mask"),
    "scarsPrimary": ("Scars over the coat", "normal"),
    "shading": ("Shading (living cats)", "BLEND_RGB_MULT"),
    "lighting": ("Lighting (living cats)", "normal"),
    "lineart": ("Lineart", "normal"),
    "skin": ("Skin", "normal"),
    "scarsSecondary": ("Missing parts", "BLEND_RGBA_MIN"),
    "accessories": ("Accessories: collars, tail, body and head", "normal"),
    "fading": ("Fading of a dead cat", "BLEND_RGBA_MULT mask, fog underneath"),
    "afterlife": ("Afterlife underlay and overlay", "normal"),
}
"""Stage id -> (label, blend mode), in drawing order."""

MODERN_LAYER_IDS: tuple[str, ...] = tuple(STAGE_LABELS)
"""The ids of the layers a modern render describes, in order."""


@dataclass(slots=True)
class PlannedStage:
    """One stage of a described plan: its rows and the sprite groups it drew."""

    id: str
    rows: list[bytes] = field(default_factory=list)
    sprites: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    """Op rows for one cat, stage by stage."""

    ops: bytes
    stages: list[PlannedStage]


class ModernPlanner:
    """Plans cats for one pack. Read-only but for caches that only grow (tables per pose,
    recoloured cells), so threads may share it."""

    def __init__(self, pack: ModernSpritePack, vocabulary: ModernVocabulary) -> None:
        self.pack = pack
        self.v = vocabulary
        self.derived = DerivedCells(pack)
        """Cells made while rendering; pass ``derived.arrays()`` with the ops."""
        self._tint_rows = tint_rows(vocabulary)
        self._ranks = {name: accessory.rank for name, accessory in vocabulary.accessories.items()}
        self._poses: list[PoseTables | None] = [None] * pack.pose_count

    def tables(self, pose: int) -> PoseTables:
        """The tables of ``pose``, made on first use."""
        tables = self._poses[pose]
        if tables is None:
            tables = self._poses[pose] = make_tables(self.pack, self.v, pose)
        return tables

    def ops(self, params: CatParams, pose: int) -> bytes:
        """The op rows of checked ``params`` in ``pose``: what ``plan`` gives, row for row,
        from the tables (a few look-ups per trait, for the plain render)."""
        t = self.tables(pose)
        v = self.v
        pack_row = ROW.pack
        rows = [] if params.pelt_name is None else [t.coat_rows[params.pelt_name, params.colour]]
        if params.is_tortie is not False and (params.is_tortie or params.tortie):
            for layer in params.tortie_layers:
                patch = t.coats[layer.pattern, layer.colour]
                if layer.mask is None:
                    rows.append(pack_row(0, patch, 0, 0, 0, 0))
                else:
                    rows.append(pack_row(1, patch, t.tortie_masks[layer.mask], 0, 0, 0))
        tint = self._tint_rows.get(params.tint)
        if tint is not None:
            rows.append(tint)
        white, points = params.white_patches, params.points
        if white is not None or points is not None:
            white_tint = v.white_patches_tints.get(params.white_patches_tint)
            if white_tint is None:
                if white is not None:
                    rows.append(t.white_rows[white])
                if points is not None:
                    rows.append(t.point_rows[points])
            else:
                if white is not None:
                    rows.append(pack_row(2, t.white_cells[white], 0, *white_tint))
                if points is not None:
                    rows.append(pack_row(2, t.point_cells[points], 0, *white_tint))
        if params.vitiligo is not None:
            rows.append(t.vitiligo_rows[params.vitiligo])
        rows.append(t.eye_rows[params.eye_colour])
        if params.eye_colour2 is not None:
            rows.append(t.eye2_rows[params.eye_colour2])
        scars = params.scars if params.scars is not None else (params.scar,) if params.scar else ()
        for scar in scars:
            found = t.scar_rows.get(scar)
            if found is not None:
                rows.append(found)
        dead = params.dead
        if params.shading and not dead:
            rows.append(t.shading_rows)
        afterlife = params.resolved_afterlife if dead else None
        rows.append(t.lineart_rows[afterlife, params.april_fools])
        if params.skin_colour is not None:
            rows.append(t.skin_rows[params.skin_colour])
        worn = (
            params.accessories
            if params.accessories is not None
            else (params.accessory,)
            if params.accessory is not None
            else ()
        )
        if len(worn) > 1:
            worn = sorted(worn, key=self._ranks.__getitem__)
        if afterlife is None:
            if scars:
                rows += [t.missing_rows[s] for s in scars if s in t.missing_rows]
            rows += [t.accessory_rows[name] for name in worn]
        else:
            drawn: set[int] = set()
            draw = self.derived.draw
            for code, cells in (
                (7, [t.missing_cells[s] for s in scars if s in t.missing_cells]),
                (0, [t.accessory_cells[name] for name in worn]),
            ):
                rows += [pack_row(code, draw(c, afterlife, pose, drawn), 0, 0, 0, 0) for c in cells]
            fading = params.fading_stage
            if fading is not None:
                rows.append(t.fading_rows[fading, afterlife])
            rows.append(t.afterlife_rows[afterlife])
        return b"".join(rows)

    def plan(self, params: CatParams, pose: int) -> Plan:
        """The stages of ``params`` in ``pose`` with their op rows, the sprite groups they
        draw and notes on what the game does differently from what was asked; checked params
        only (unknown names raise ``KeyError``)."""
        pack, v = self.pack, self.v
        cell = pack.cell_id
        rows: list[bytes] = []
        stages: list[PlannedStage] = []

        def stage(stage_id: str) -> None:
            stages.append(PlannedStage(stage_id))

        def add(data: bytes, *sprites: str) -> None:
            rows.append(data)
            stages[-1].rows.append(data)
            stages[-1].sprites.extend(sprites)

        def note(text: str) -> None:
            stages[-1].notes.append(text)

        stage("base")
        if params.pelt_name is None:
            note(NO_COAT_NOTE)
        else:
            coat = f"{v.pelts[params.pelt_name]}{params.colour}"
            add(row(Op.BLIT, cell(coat, pose)), coat)
        for layer in params.tortie_layers:
            patch = f"{v.pelts[layer.pattern]}{layer.colour}"
            if layer.mask is None:
                add(row(Op.BLIT, cell(patch, pose)), patch)
            else:
                mask = f"{TORTIE_PREFIX}{layer.mask}"
                add(row(Op.BLIT_MASKED, cell(patch, pose), cell(mask, pose)), patch, mask)
        stages[0].notes.extend(params.tortie_notes)

        stage("tint")
        tint = self._tint_rows.get(params.tint)
        if tint:
            add(tint)

        white_tint = v.white_patches_tints.get(params.white_patches_tint)
        for stage_id, group in (
            ("whitePatches", v.white_patches.get(params.white_patches or "")),
            ("points", f"{POINTS_PREFIX}{params.points}" if params.points else None),
        ):
            stage(stage_id)
            if group is not None:
                if white_tint is None:
                    add(row(Op.BLIT, cell(group, pose)), group)
                else:
                    add(row(Op.BLIT_TINTED, cell(group, pose), rgb=white_tint), group)

        stage("vitiligo")
        if params.vitiligo:
            group = f"{VITILIGO_PREFIX}{params.vitiligo}"
            add(row(Op.BLIT, cell(group, pose)), group)

        stage("eyes")
        eyes = f"{EYES_PREFIX}{params.eye_colour}"
        add(row(Op.BLIT, cell(eyes, pose)), eyes)
        if params.eye_colour2 is not None:
            second = f"{EYES_PREFIX}{params.eye_colour2}"
            add(
                row(Op.BLIT_MASKED, cell(second, pose), cell(HETEROCHROMIA_MASK, pose)),
                second,
                HETEROCHROMIA_MASK,
            )

        scars = params.scar_list
        stage("scarsPrimary")
        for scar in scars:
            if scar in v.scars_primary:
                group = f"{SCAR_PREFIX}{scar}"
                add(row(Op.BLIT, cell(group, pose)), group)

        dead = params.dead
        stage("shading")
        if params.shading and not dead:
            add(row(Op.MULTIPLY_CELL, cell(SHADER_MASK, pose)), SHADER_MASK)
            stage("lighting")
            add(row(Op.BLIT, cell(SHADER_LIGHTING, pose)), SHADER_LIGHTING)
        else:
            if params.shading:
                note("not drawn: the game shades living cats only")
            stage("lighting")

        afterlife = params.resolved_afterlife
        stage("lineart")
        lineart = v.lineart_group(afterlife, params.april_fools)
        assert lineart is not None  # checked
        add(row(Op.BLIT, cell(lineart, pose)), lineart)

        stage("skin")
        if params.skin_colour is None:
            note(NO_SKIN_NOTE)
        else:
            skin = f"{SKIN_PREFIX}{params.skin_colour}"
            add(row(Op.BLIT, cell(skin, pose)), skin)

        drawn: set[int] = set()

        def dead_cell(group: str) -> int:
            return self.derived.draw(cell(group, pose), afterlife, pose, drawn)

        colour = AFTERLIFE_LINEART_COLOURS.get(afterlife or "")
        recoloured = (
            f"opaque black drawn in the {afterlife} lineart colour {colour}"
            if colour is not None
            else "opaque black kept on a sprite's first draw, line_ur_gradient on later ones"
            if afterlife is not None
            else None
        )
        stage("scarsSecondary")
        if recoloured is not None and any(scar in v.scars_missing for scar in scars):
            note(recoloured)
        for scar in scars:
            if scar in v.scars_missing:
                group = f"{MISSING_PART_PREFIX}{scar}"
                add(row(Op.MIN_CELL, dead_cell(group)), group)

        stage("accessories")
        accessories = [v.accessories[name] for name in params.accessory_list]
        ordered = sorted(accessories, key=_rank)
        if ordered != accessories:
            note("drawn by category, as the game draws them: collars, tail, body and head")
        if recoloured is not None and accessories:
            note(recoloured)
        for accessory in ordered:
            add(row(Op.BLIT, dead_cell(accessory.group)), accessory.group)

        stage("fading")
        fading = params.fading_stage if dead else None
        if fading is not None and afterlife is not None:
            fog = f"{FADING_BACKDROPS.get(afterlife, 'fadedf')}{fading}"
            mask = f"{FADE_MASK}{fading}"
            add(row(Op.MULTIPLY_CELL_RGBA, cell(mask, pose)), mask)
            add(row(Op.UNDERLAY, cell(fog, pose)), fog)

        stage("afterlife")
        if afterlife is not None:
            under, over = AFTERLIFE_UNDERLAYS.get(afterlife), AFTERLIFE_OVERLAYS.get(afterlife)
            if under is not None:
                add(row(Op.UNDERLAY, cell(under, pose)), under)
            if over is not None:
                add(row(Op.BLIT, cell(over, pose)), over)
        return Plan(b"".join(rows), stages)


def _rank(accessory: Accessory) -> int:
    return accessory.rank
