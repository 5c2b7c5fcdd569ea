"""The pipeline: params in, a composed 50 x 50 RGBA picture (and its layers) out."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer import blend
from renderer_service.renderer.backgrounds import (
    DEFAULT_BACKGROUND,
    Background,
    PlatformSheet,
    draw_on_background,
    find_platforms,
)
from renderer_service.renderer.blend import Op
from renderer_service.renderer.catalog import Catalog, build_catalog
from renderer_service.renderer.palettes import Palettes
from renderer_service.renderer.params import DEFAULT_POSE, CatParams, check_traits
from renderer_service.renderer.planner import FlatPlanner
from renderer_service.renderer.sprites import CELL_SIZE, SpritePack
from renderer_service.renderer.stages import (
    DEFAULT_DARK_FOREST_OVERLAY,
    STAGES,
    Context,
    DarkForestOverlay,
    DerivedCells,
    Stage,
    StageFunction,
)
from renderer_service.renderer.vocabulary import Vocabulary

Image = NDArray[np.uint8]
"""A ``(height, width, 4)`` uint8 RGBA picture."""

_CANVAS_OPS = frozenset(
    {
        Op.MULTIPLY_COLOUR,
        Op.ADD_COLOUR,
        Op.MULTIPLY_CELL,
        Op.MIN_CELL,
        Op.MULTIPLY_CELL_RGBA,
        Op.OVERLAY_MULTIPLY,
    }
)


class WarmUpVocabulary(Protocol):
    """What ``warm_up_traits`` reads of a pack's vocabulary (legacy or modern)."""

    @property
    def pelts(self) -> Mapping[str, str]: ...

    @property
    def colours(self) -> Sequence[str]: ...

    @property
    def eye_colours(self) -> Sequence[str]: ...

    @property
    def skins(self) -> Sequence[str]: ...

    @property
    def all_tints(self) -> Mapping[str, tuple[int, int, int]]: ...


def warm_up_traits(v: WarmUpVocabulary) -> dict[str, object]:
    """The params of the cat a renderer's ``warm_up`` draws: the pack's first names, shaded
    and reversed, so every kernel a plain render uses runs once."""
    return {
        "spriteNumber": 0,
        "peltName": next(iter(v.pelts)),
        "colour": v.colours[0],
        "eyeColour": v.eye_colours[0],
        "skinColour": v.skins[0],
        "tint": next(iter(v.all_tints), "none"),
        "shading": True,
        "reverse": True,
    }


@dataclass(slots=True)
class Layer:
    """A stage as it was drawn: for diagnostics, never needed for the picture itself."""

    id: str
    label: str
    blend_mode: str
    sprites: list[str]
    notes: list[str]
    duration_ms: float
    drawn: bool
    """Whether the stage had anything to do (a tint of ``none`` does not)."""
    image: Image | None = None
    """The stage's own contribution on a transparent canvas (see ``Renderer.render``)."""


@dataclass(slots=True)
class RenderResult:
    image: Image
    duration_ms: float
    layers: list[Layer] | None = field(default=None)


class Renderer:
    """Draws cats from one sprite pack. Thread-safe: it keeps no per-render state.

    ``palettes`` adds the CatGenerator's palette colours to the game's coat colours.
    ``dark_forest_overlay`` is what a living Dark Forest cat is drawn with before its lineart.
    ``platforms`` are the profile platforms cats may be drawn on (by default the pack's own
    ``platforms.png``, else the ones bundled with the package).
    """

    params_model = CatParams
    """The params type that says everything this renderer can draw (as the modern
    renderer's ``params_model``, so a service can read params for either)."""

    def __init__(
        self,
        pack: SpritePack,
        stages: tuple[StageFunction, ...] = STAGES,
        *,
        palettes: Palettes | None = None,
        dark_forest_overlay: DarkForestOverlay = DEFAULT_DARK_FOREST_OVERLAY,
        platforms: PlatformSheet | None = None,
    ) -> None:
        self.pack = pack
        self.palettes = palettes if palettes is not None else Palettes()
        self.vocabulary = Vocabulary.from_pack(pack, self.palettes)
        self.stages = stages
        self.dark_forest_overlay = dark_forest_overlay
        self.platforms = platforms if platforms is not None else find_platforms(pack.root)
        self.planner = FlatPlanner(pack, self.vocabulary, dark_forest_overlay)
        """Plans plain renders without stages (the stages stay the reference and the layer
        view)."""
        self._flat = stages == STAGES
        """Whether the flat planner draws what ``stages`` draw (not for custom stages)."""

    @cached_property
    def catalog(self) -> Catalog:
        """Every value each param accepts with this renderer's pack."""
        return build_catalog(self.pack, self.vocabulary, self.dark_forest_overlay)

    def check_traits(self, params: CatParams, pose: int | None = None) -> None:
        """``check_traits`` against this renderer's vocabulary: raise ``InvalidTraitsError``
        naming every param the pack cannot draw (the modern renderer has the same method)."""
        check_traits(params, self.vocabulary, pose)

    def plan(self, params: CatParams, pose: int | None = None) -> list[Stage]:
        """Check ``params`` against the pack and list every stage with its ops.

        ``pose`` overrides ``params.sprite_number``; with neither, ``DEFAULT_POSE`` is drawn.
        Raises ``InvalidTraitsError``.
        """
        return self._plan(params, pose)[0]

    def _plan(
        self, params: CatParams, pose: int | None, checked: bool = False
    ) -> tuple[list[Stage], DerivedCells]:
        if not checked:
            check_traits(params, self.vocabulary, pose)
        chosen = _chosen_pose(params, pose)
        ctx = Context(
            self.pack,
            self.vocabulary,
            chosen,
            self.dark_forest_overlay,
            patterns=self.palettes.patterns,
        )
        return [stage(params, ctx) for stage in self.stages], ctx.derived

    def render(
        self,
        params: CatParams,
        pose: int | None = None,
        *,
        collect_layers: bool = False,
        layer_images: bool = False,
        checked: bool = False,
    ) -> RenderResult:
        """Compose the cat. With ``collect_layers``, also time and describe every stage.

        Raises ``InvalidTraitsError`` unless every trait is one the pack can draw;
        ``checked=True`` says ``check_traits`` already passed on these params (as the service
        checks them when it reads a request) and skips the check.

        A layer image is what the stage alone contributes: the sprites it blits, drawn on a
        transparent canvas; for a stage that changes the canvas in place (tint, shading,
        missing parts) it is the operand it applied, clipped to the cat as it was then.
        """
        started = time.perf_counter()
        if not collect_layers and self._flat:
            if not checked:
                check_traits(params, self.vocabulary, pose)
            flat = self.planner.ops(params, _chosen_pose(params, pose))
            if flat is not None:
                picture = blend.compose(self.pack.cells, self.pack.bboxes, flat, params.reverse)
                return RenderResult(picture, (time.perf_counter() - started) * 1000)
            checked = True
        stages, derived = self._plan(params, pose, checked)
        extra, extra_bboxes = derived.arrays()
        canvas = np.zeros((CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
        extent = np.zeros(4, dtype=np.int32)
        cells, bboxes = self.pack.cells, self.pack.bboxes
        layers: list[Layer] | None = None
        if not collect_layers:
            rows = [row for stage in stages for row in stage.ops]
            if rows:
                ops = np.array(rows, dtype=np.int32)
                blend.run_ops(canvas, cells, bboxes, ops, extent, extra, extra_bboxes)
        else:
            layers = []
            for stage in stages:
                before = canvas.copy() if layer_images and stage.ops else None
                began = time.perf_counter()
                if stage.ops:
                    ops = np.array(stage.ops, dtype=np.int32)
                    blend.run_ops(canvas, cells, bboxes, ops, extent, extra, extra_bboxes)
                duration = (time.perf_counter() - began) * 1000
                image = self._layer_image(stage, before, derived) if before is not None else None
                layers.append(
                    Layer(
                        stage.id,
                        stage.label,
                        stage.blend_mode,
                        list(stage.sprites),
                        list(stage.notes),
                        duration,
                        bool(stage.ops),
                        image,
                    )
                )
        blend.finish(canvas, extent, params.reverse)
        if layers is not None and params.reverse:
            for layer in layers:
                if layer.image is not None:
                    layer.image = np.ascontiguousarray(layer.image[:, ::-1])
        return RenderResult(canvas, (time.perf_counter() - started) * 1000, layers)

    def picture(
        self,
        params: CatParams,
        pose: int,
        background: Background = DEFAULT_BACKGROUND,
        image: Image | None = None,
    ) -> tuple[Image, Background]:
        """The cat (``image`` if already rendered) on ``background``, and the fixed
        background it resolved to (``platform:auto:...`` chooses the cat's platform)."""
        cat = image if image is not None else self.render(params, pose).image
        chosen = background.resolve(params, pose)
        return draw_on_background(cat, chosen, self.platforms), chosen

    def warm_up(self) -> None:
        """Render one cat every way once, so every compiled kernel is ready: worker
        processes forked afterwards inherit them instead of compiling (or reading numba's
        cache) while serving, which on a fresh checkout takes longer than a render may. The
        flat planner's tables are made for every pose too (about 40 ms), for the same reason."""
        for pose in range(self.pack.pose_count):
            self.planner.tables(pose)
        v = self.vocabulary
        cat = CatParams.model_validate(warm_up_traits(v))
        self.render(cat)
        self.render(cat, collect_layers=True, layer_images=True)
        flat = next((c.name for c in v.palette_colours.values() if c.is_flat), None)
        if flat is not None:  # the palette recolouring is compiled too
            self.render(cat.model_copy(update={"colour": flat, "dark_forest": True}))

    def _layer_image(self, stage: Stage, before: Image, derived: DerivedCells) -> Image:
        cells, bboxes = self.pack.cells, self.pack.bboxes
        extra, extra_bboxes = derived.arrays()
        own = np.zeros_like(before)
        extent = np.zeros(4, dtype=np.int32)
        blits = [row for row in stage.ops if row[0] not in _CANVAS_OPS]
        if blits:
            ops = np.array(blits, dtype=np.int32)
            blend.run_ops(own, cells, bboxes, ops, extent, extra, extra_bboxes)
        silhouette = before[:, :, 3]
        for code, a, b_, r, g, b in stage.ops:
            if code in (Op.MULTIPLY_COLOUR, Op.ADD_COLOUR, Op.OVERLAY_MULTIPLY):
                operand = blend.solid((r, g, b))
            elif code in _CANVAS_OPS:
                operand = (cells[a] if a >= 0 else derived.cell(a)).copy()
            else:
                continue
            operand[:, :, 3] = np.minimum(operand[:, :, 3], silhouette)
            if code in (Op.MULTIPLY_COLOUR, Op.ADD_COLOUR, Op.MULTIPLY_CELL):
                operand[:, :, 3] = silhouette
            elif code == Op.OVERLAY_MULTIPLY:
                operand[:, :, 3] = (silhouette.astype(np.int32) * a // b_).astype(np.uint8)
            blend.blit(own, operand)
        extent[:] = (0, CELL_SIZE, 0, CELL_SIZE)
        blend.finish(own, extent, False)
        return own


def _chosen_pose(params: CatParams, pose: int | None) -> int:
    """``pose`` if given, else the params' ``spriteNumber``, else ``DEFAULT_POSE``."""
    if pose is not None:
        return pose
    number = params.sprite_number
    return DEFAULT_POSE if number is None else number
