"""The flat planner: a plain render's kernel ops straight from the params, without stages.

``STAGES`` describe a cat stage by stage (sprite names, notes, blend modes) for the layer
view; a plain render needs none of that, only the op rows. ``FlatPlanner`` looks every
trait up in tables made once per pose (trait name -> cell id or ready op row, as bytes), so
planning a cat is a few dictionary look-ups and one ``bytes.join``. Its ops are exactly the
stages' ops, row for row (the tests hold it to that).

It plans the game's own colours. A cat that needs a cell made for it (a palette or pattern
colour, white patches painted with a coat colour) or names something the tables lack gets
``None``: the caller takes the stage route, which draws it or raises the same error it
always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from renderer_service.renderer.blend import Op, row
from renderer_service.renderer.params import DEFAULT_TORTIE_COLOUR, FADING_STAGES, CatParams
from renderer_service.renderer.sprites import SpritePack
from renderer_service.renderer.stages import DarkForestOverlay
from renderer_service.renderer.vocabulary import NONE_NAMES, Vocabulary, fading_backdrop

_FADE_BY_OPACITY: tuple[int | None, ...] = tuple(
    next((stage for stage, low, high in FADING_STAGES if low <= opacity <= high), None)
    for opacity in range(101)
)
"""The fading stage of a dead cat of each opacity 0-100 (None: it does not fade)."""


@dataclass(frozen=True, slots=True)
class PoseTables:
    """Every trait of one pose as a cell id or a ready op row."""

    coats: Mapping[tuple[str, str], int]
    """(pelt name, game colour) -> the coat's cell."""
    coat_rows: Mapping[tuple[str, str], bytes]
    tortie_masks: Mapping[str, int]
    whites: Mapping[str, int]
    """White patch, point or vitiligo name -> its cell (they share the ``white`` groups)."""
    white_rows: Mapping[str, bytes]
    eyes: Mapping[str, int]
    eye_rows: Mapping[str, bytes]
    eyes2: Mapping[str, int]
    scar_rows: Mapping[str, bytes]
    """Scars drawn over the coat (primary and special) -> their blit."""
    missing_rows: Mapping[str, bytes]
    """Missing-part scars -> their ``MIN_CELL``."""
    shading_rows: bytes | None
    """Shading then lighting; None when the pack lacks either."""
    lineart_rows: Mapping[tuple[str | None, bool], bytes]
    """(afterlife or None for the living, April Fools) -> the lineart blit."""
    skin_rows: Mapping[str, bytes]
    accessory_rows: Mapping[str, bytes]
    fading_rows: Mapping[tuple[int, bool], bytes]
    """(fading stage, in the Dark Forest) -> fading mask and backdrop."""


class FlatPlanner:
    """Plans plain renders for one pack: ``ops(params, pose)``. Tables are made per pose on
    first use; it is otherwise read-only, so threads may share it."""

    def __init__(
        self, pack: SpritePack, vocabulary: Vocabulary, overlay: DarkForestOverlay
    ) -> None:
        self.pack = pack
        self.vocabulary = vocabulary
        v = vocabulary
        tints: dict[str, bytes] = {}
        for name in v.all_tints:
            multiply, add = v.tints.get(name), v.dilute_tints.get(name)
            rows = row(Op.MULTIPLY_COLOUR, rgb=multiply) if multiply is not None else b""
            tints[name] = rows + (row(Op.ADD_COLOUR, rgb=add) if add is not None else b"")
        self.tint_rows: Mapping[str, bytes] = tints
        self.white_tints = v.white_patches_tints
        self.coat_colours = v.coat_colours
        numerator, denominator = overlay.alpha_ratio
        self.overlay_row = row(Op.OVERLAY_MULTIPLY, numerator, denominator, overlay.colour)
        self._poses: list[PoseTables | None] = [None] * pack.pose_count

    @property
    def ready(self) -> bool:
        """Whether the tables of every pose are made."""
        return all(tables is not None for tables in self._poses)

    def tables(self, pose: int) -> PoseTables:
        tables = self._poses[pose]
        if tables is None:
            tables = self._poses[pose] = self._make_tables(pose)
        return tables

    def _make_tables(self, pose: int) -> PoseTables:
        pack, v = self.pack, self.vocabulary

        def cells(names: Mapping[str, str]) -> dict[str, int]:
            """Trait name -> the cell of its group, for the groups the pack has."""
            return {
                name: pack.cell_id(group, pose)
                for name, group in names.items()
                if pack.has_group(group)
            }

        def blits(ids: Mapping[str, int], op: Op = Op.BLIT) -> dict[str, bytes]:
            return {name: row(op, cell) for name, cell in ids.items()}

        coats = {
            (pelt, colour): pack.cell_id(f"{sprite}{colour}", pose)
            for pelt, sprite in v.pelts.items()
            for colour in v.colours
            if pack.has_group(f"{sprite}{colour}")
        }
        whites = cells(
            {name: f"white{name}" for name in (*v.white_patches, *v.points, *v.vitiligo)}
        )
        eyes = cells({name: f"eyes{name}" for name in v.eye_colours})
        scars = cells({name: f"scars{name}" for name in v.all_scars})
        primary = set(v.scars_primary) | set(v.scars_special)
        missing = set(v.scars_missing)
        shading = (
            row(Op.MULTIPLY_CELL, pack.cell_id("shaders", pose))
            + row(Op.BLIT, pack.cell_id("lighting", pose))
            if pack.has_group("shaders") and pack.has_group("lighting")
            else None
        )
        linearts: dict[tuple[str | None, bool], bytes] = {}
        for afterlife in (None, *v.afterlives):
            for april_fools in (False, True):
                group = v.lineart_group(afterlife, april_fools)
                if group is not None and pack.has_group(group):
                    linearts[afterlife, april_fools] = row(Op.BLIT, pack.cell_id(group, pose))
        fading: dict[tuple[int, bool], bytes] = {}
        for stage in v.fading_stages:
            for dark_forest in (False, True):
                backdrop = fading_backdrop("darkForest" if dark_forest else None)
                fading[stage, dark_forest] = row(
                    Op.MULTIPLY_CELL_RGBA, pack.cell_id(f"fademask{stage}", pose)
                ) + row(Op.UNDERLAY, pack.cell_id(f"{backdrop}{stage}", pose))
        return PoseTables(
            coats=coats,
            coat_rows={key: row(Op.BLIT, cell) for key, cell in coats.items()},
            tortie_masks=cells({name: f"tortiemask{name}" for name in v.tortie_masks}),
            whites=whites,
            white_rows=blits(whites),
            eyes=eyes,
            eye_rows=blits(eyes),
            eyes2=cells({name: f"eyes2{name}" for name in v.eye_colours2}),
            scar_rows=blits({name: cell for name, cell in scars.items() if name in primary}),
            missing_rows=blits(
                {name: cell for name, cell in scars.items() if name in missing}, Op.MIN_CELL
            ),
            shading_rows=shading,
            lineart_rows=linearts,
            skin_rows=blits(cells({name: f"skin{name}" for name in v.skins})),
            accessory_rows=blits(cells(dict(v.accessories))),
            fading_rows=fading,
        )

    def ops(self, cat: CatParams, pose: int) -> bytes | None:
        """The op rows of ``cat`` in ``pose``, concatenated (what ``STAGES`` would give, in
        order), or None when the stage route must draw it. The traits are not checked."""
        try:
            tables = self._poses[pose]
        except IndexError:
            return None  # no such pose: the stage route says so
        if tables is None:
            tables = self.tables(pose)
        try:
            return self._ops(cat, tables)
        except KeyError:  # a name the tables lack: the stage route draws it or refuses it
            return None

    def _ops(self, cat: CatParams, t: PoseTables) -> bytes | None:
        rows = [] if cat.pelt_name is None else [t.coat_rows[cat.pelt_name, cat.colour]]
        if cat.is_tortie is not False:
            if cat.tortie:
                for layer in cat.tortie:
                    rows.append(self._patches(t, layer.pattern, layer.colour, layer.mask))
            elif cat.is_tortie and cat.tortie_pattern is not None:
                patches = cat.tortie_colour or DEFAULT_TORTIE_COLOUR
                rows.append(self._patches(t, cat.tortie_pattern, patches, cat.tortie_mask))
        if cat.tint not in NONE_NAMES:
            rows.append(self.tint_rows[cat.tint])
        paint = cat.white_patches_tint
        tinted = paint not in NONE_NAMES
        colour = self.white_tints.get(paint) if tinted else None
        if cat.white_patches is not None:
            if colour is not None:
                rows.append(row(Op.BLIT_TINTED, t.whites[cat.white_patches], rgb=colour))
            elif tinted and paint in self.coat_colours:
                return None  # painted with a coat colour: a cell made for this cat
            else:
                rows.append(t.white_rows[cat.white_patches])
        if cat.points is not None:
            if colour is not None:
                rows.append(row(Op.BLIT_TINTED, t.whites[cat.points], rgb=colour))
            else:
                rows.append(t.white_rows[cat.points])
        if cat.vitiligo is not None:
            rows.append(t.white_rows[cat.vitiligo])
        if cat.eye_colour2 is None:
            rows.append(t.eye_rows[cat.eye_colour])
        else:
            rows.append(row(Op.BLIT_LAYERED, t.eyes[cat.eye_colour], t.eyes2[cat.eye_colour2]))
        scars = cat.scars if cat.scars is not None else (() if cat.scar is None else (cat.scar,))
        for scar in scars:
            found = t.scar_rows.get(scar)
            if found is not None:
                rows.append(found)
        dead = cat.dead
        if cat.shading and not dead:
            if t.shading_rows is None:
                return None
            rows.append(t.shading_rows)
        if dead:
            afterlife = cat.afterlife
            if afterlife is None:
                afterlife = "darkForest" if cat.dark_forest else "starclan"
        elif cat.dark_forest:
            afterlife = "darkForest"
            rows.append(self.overlay_row)
        else:
            afterlife = None
        rows.append(t.lineart_rows[afterlife, cat.april_fools])
        if cat.skin_colour is not None:
            rows.append(t.skin_rows[cat.skin_colour])
        for scar in scars:
            found = t.missing_rows.get(scar)
            if found is not None:
                rows.append(found)
        if cat.accessories is not None:
            rows += [t.accessory_rows[name] for name in cat.accessories]
        elif cat.accessory is not None:
            rows.append(t.accessory_rows[cat.accessory])
        if dead:
            fade = _FADE_BY_OPACITY[cat.opacity]
            if fade is not None:
                rows.append(t.fading_rows[fade, afterlife == "darkForest"])
        return b"".join(rows)

    @staticmethod
    def _patches(t: PoseTables, pattern: str, colour: str, mask: str | None) -> bytes:
        if mask is None:
            return t.coat_rows[pattern, colour]
        return row(Op.BLIT_MASKED, t.coats[pattern, colour], t.tortie_masks[mask])
