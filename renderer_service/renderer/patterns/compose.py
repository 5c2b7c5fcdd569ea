"""Drawing a whole cat whose coat or tortie patches use pattern colours.

The renderer's pipeline is planned with WHITE in place of every pattern colour, so its base
stage blits the pelt's WHITE sprites; those blits read the patterned sprite instead (same
alpha, hence the same bounding box) and every other op runs as planned. Patterns apply to
``colour``, ``tortieColour`` and ``tortie[].colour``; ``whitePatchesTint`` never takes one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import blend
from ..blend import Op
from ..params import CatParams
from ..pipeline import Renderer
from ..sprites import CELL_SIZE
from .colours import PatternColours

PLAIN = "WHITE"
"""The colour whose sprites a pattern is drawn into."""


def plain_params(
    params: Mapping[str, Any], colours: PatternColours
) -> tuple[dict[str, Any], list[str | None]]:
    """``params`` with WHITE for each pattern colour, and the pattern colour (or None) of the
    coat and of each tortie layer, in drawing order."""
    plain = dict(params)
    for key in ("colour", "tortieColour"):
        value = plain.get(key)
        if isinstance(value, str) and value in colours:
            plain[key] = PLAIN
    layers = plain.get("tortie")
    if isinstance(layers, list):
        plain["tortie"] = [
            {**layer, "colour": PLAIN}
            if isinstance(layer, Mapping) and layer.get("colour") in colours
            else layer
            for layer in layers
        ]
    cat = CatParams.model_validate(params)
    used = [cat.colour] + [layer.colour for layer in cat.tortie_layers]
    return plain, [name if name in colours else None for name in used]


def render_pattern_cat(
    renderer: Renderer, colours: PatternColours, params: Mapping[str, Any]
) -> NDArray[np.uint8]:
    """The 50 x 50 RGBA picture of the cat ``params`` describe (V2 render params)."""
    plain, patterns = plain_params(params, colours)
    cat = CatParams.model_validate(plain)
    pack = renderer.pack
    canvas = np.zeros((CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
    extent = np.zeros(4, dtype=np.int32)
    pending: list[tuple[int, int, int, int, int, int]] = []
    for stage in renderer.plan(cat):
        for index, row in enumerate(stage.ops):
            name = patterns[index] if stage.id == "base" and index < len(patterns) else None
            if name is None:
                pending.append(row)
                continue
            if pending:
                ops = np.array(pending, dtype=np.int32)
                blend.run_ops(canvas, pack.cells, pack.bboxes, ops, extent)
                pending = []
            code, white, mask = row[0], row[1], row[2]
            assert code in (Op.BLIT, Op.BLIT_MASKED)
            sprite = colours.coat(name, white, pack.cells[white])
            cells = np.stack([sprite, pack.cells[mask]])
            ops = np.array([(code, 0, 1, 0, 0, 0)], dtype=np.int32)
            blend.run_ops(canvas, cells, pack.bboxes[[white, mask]], ops, extent)
    if pending:
        blend.run_ops(canvas, pack.cells, pack.bboxes, np.array(pending, dtype=np.int32), extent)
    blend.finish(canvas, extent, cat.reverse)
    return canvas
