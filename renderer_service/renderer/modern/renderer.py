"""``ModernRenderer``: draws cats from a modern pack, with the legacy ``Renderer``'s interface.

Construct it from a pack folder (``ModernRenderer.from_folder(path)``) or a loaded
``ModernSpritePack``. Like ``Renderer``: ``render(params, pose=None, *, collect_layers,
layer_images, checked) -> RenderResult`` (``image`` and, when collected, named ``layers``),
``picture``, ``warm_up``, ``vocabulary``, ``catalog``, ``params_model`` and the method
``check_traits(params, pose)`` (both renderers have it; the module-level ``check_traits``
takes a legacy ``Vocabulary``). ``pose`` may be a name or a number of the pack's pose list.
"""

from __future__ import annotations

import time
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .. import blend
from ..backgrounds import (
    DEFAULT_BACKGROUND,
    Background,
    PlatformSheet,
    draw_on_background,
    find_platforms,
)
from ..blend import Op
from ..params import CatParams
from ..pipeline import Image, Layer, RenderResult, warm_up_traits
from ..sprites import CELL_SIZE
from .catalog import ModernCatalog, build_modern_catalog
from .pack import ModernSpritePack
from .params import ModernCatParams, PoseArg, check_modern_traits, chosen_pose, resolve_pose
from .planner import STAGE_LABELS, ModernPlanner, Plan
from .poses import nearest_legacy_pose
from .vocabulary import ModernVocabulary

Ints = NDArray[np.int32]

_CANVAS_OPS = frozenset(
    {Op.MULTIPLY_COLOUR, Op.ADD_COLOUR, Op.MULTIPLY_CELL, Op.MIN_CELL, Op.MULTIPLY_CELL_RGBA}
)


class ModernRenderer:
    """Draws cats from one modern pack. Thread-safe: it keeps no per-render state."""

    params_model = ModernCatParams
    """The params type that says everything this renderer can draw."""

    def __init__(self, pack: ModernSpritePack, *, platforms: PlatformSheet | None = None) -> None:
        self.pack = pack
        self.vocabulary = ModernVocabulary.from_pack(pack)
        self.planner = ModernPlanner(pack, self.vocabulary)
        self.platforms = platforms if platforms is not None else find_platforms(pack.root)

    @classmethod
    def from_folder(cls, folder: Path) -> ModernRenderer:
        """The renderer of the modern pack in ``folder`` (``SpritePackError`` if it is none)."""
        return cls(ModernSpritePack(Path(folder)))

    @cached_property
    def catalog(self) -> ModernCatalog:
        """Every value each param accepts with this renderer's pack."""
        return build_modern_catalog(self.pack, self.vocabulary)

    def check_traits(self, params: CatParams, pose: PoseArg = None) -> None:
        """Raise ``InvalidTraitsError`` naming every param (and the pose) the pack cannot
        draw, with the accepted values and the closest valid names."""
        check_modern_traits(params, self.vocabulary, pose)

    def pose_number(self, params: CatParams, pose: PoseArg = None) -> int:
        """The pose drawn for ``params`` and ``pose`` (see ``resolve_pose``)."""
        return resolve_pose(params, self.vocabulary, pose)

    def plan(self, params: CatParams, pose: PoseArg = None) -> Plan:
        """Check ``params`` and list the stages with their op rows."""
        self.check_traits(params, pose)
        return self.planner.plan(params, self.pose_number(params, pose))

    def render(
        self,
        params: CatParams,
        pose: PoseArg = None,
        *,
        collect_layers: bool = False,
        layer_images: bool = False,
        checked: bool = False,
    ) -> RenderResult:
        """Compose the cat. With ``collect_layers``, also time and describe every stage.

        Raises ``InvalidTraitsError`` unless every trait is one the pack can draw;
        ``checked=True`` says the check already passed on these params and skips it. A layer
        image is what the stage alone contributes on a transparent canvas; for a stage that
        changes the canvas in place (tint, shading, missing parts, fading mask) it is the
        operand it applied, clipped to the cat as it was then.
        """
        started = time.perf_counter()
        if not checked:
            self.check_traits(params, pose)
        number = chosen_pose(params, self.vocabulary, pose)
        cells, bboxes = self.pack.cells, self.pack.bboxes
        if not collect_layers:
            ops = self.planner.ops(params, number)
            # After planning: a plan may add cells, and the arrays it names them in.
            extra, extra_bboxes = self.planner.derived.arrays()
            picture = blend.compose(cells, bboxes, ops, params.reverse, extra, extra_bboxes)
            return RenderResult(picture, (time.perf_counter() - started) * 1000)
        plan = self.planner.plan(params, number)
        extra, extra_bboxes = self.planner.derived.arrays()
        canvas = np.zeros((CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
        extent = np.zeros(4, dtype=np.int32)
        layers: list[Layer] = []
        for stage in plan.stages:
            stage_ops = _ops(b"".join(stage.rows))
            before = canvas.copy() if layer_images and stage.rows else None
            began = time.perf_counter()
            if stage.rows:
                blend.run_ops(canvas, cells, bboxes, stage_ops, extent, extra, extra_bboxes)
            duration = (time.perf_counter() - began) * 1000
            image = None
            if before is not None:
                image = _layer_image(stage_ops, before, cells, bboxes, extra, extra_bboxes)
                if params.reverse:
                    image = np.ascontiguousarray(image[:, ::-1])
            label, mode = STAGE_LABELS[stage.id]
            layers.append(
                Layer(
                    stage.id,
                    label,
                    mode,
                    list(stage.sprites),
                    list(stage.notes),
                    duration,
                    bool(stage.rows),
                    image,
                )
            )
        blend.finish(canvas, extent, params.reverse)
        return RenderResult(canvas, (time.perf_counter() - started) * 1000, layers)

    def picture(
        self,
        params: CatParams,
        pose: PoseArg,
        background: Background = DEFAULT_BACKGROUND,
        image: Image | None = None,
    ) -> tuple[Image, Background]:
        """The cat (``image`` if already rendered) on ``background``, and the fixed
        background it resolved to (``platform:auto:...`` chooses as for the legacy pose of
        the same life stage)."""
        cat = image if image is not None else self.render(params, pose).image
        name = self.vocabulary.poses[self.pose_number(params, pose)]
        chosen = background.resolve(params, nearest_legacy_pose(name))
        return draw_on_background(cat, chosen, self.platforms), chosen

    def warm_up(self) -> None:
        """Render one cat every way once, so the compiled kernels are ready before serving."""
        v = self.vocabulary
        cat = ModernCatParams.model_validate(warm_up_traits(v))
        self.render(cat)
        self.render(cat, collect_layers=True, layer_images=True)


def _ops(data: bytes) -> Ints:
    return np.frombuffer(data, dtype=np.int32).reshape(-1, 6).copy()


def _layer_image(
    ops: Ints,
    before: Image,
    cells: Image,
    bboxes: Ints,
    extra: Image,
    extra_bboxes: Ints,
) -> Image:
    own = np.zeros_like(before)
    extent = np.zeros(4, dtype=np.int32)
    blits = np.ascontiguousarray(ops[[int(code) not in _CANVAS_OPS for code in ops[:, 0]]])
    if len(blits):
        blend.run_ops(own, cells, bboxes, blits, extent, extra, extra_bboxes)
    silhouette = before[:, :, 3]
    for code, a, _b, r, g, b in ops.tolist():
        if code in (Op.MULTIPLY_COLOUR, Op.ADD_COLOUR):
            operand = blend.solid((r, g, b))
        elif code in _CANVAS_OPS:
            operand = (cells[a] if a >= 0 else extra[-1 - a]).copy()
        else:
            continue
        operand[:, :, 3] = np.minimum(operand[:, :, 3], silhouette)
        if code in (Op.MULTIPLY_COLOUR, Op.ADD_COLOUR, Op.MULTIPLY_CELL):
            operand[:, :, 3] = silhouette
        blend.blit(own, operand)
    extent[:] = (0, CELL_SIZE, 0, CELL_SIZE)
    blend.finish(own, extent, False)
    return own
