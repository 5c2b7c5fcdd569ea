"""Drawing a cat whose coat or tortie patches use pattern colours, with the existing pipeline.

The pipeline is planned with WHITE in place of every pattern colour, so the base stage blits
the pelt's WHITE sprites; those blits then read the patterned sprite instead (same alpha, so
the same bounding box), and every other op runs as planned.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer import CatParams, Renderer, blend
from renderer_service.renderer.blend import Op
from renderer_service.renderer.patterns import PatternColours, patterned_sprite
from renderer_service.renderer.sprites import CELL_SIZE


def plain_params(
    params: dict[str, object], colours: PatternColours
) -> tuple[dict[str, object], list[str | None]]:
    """``params`` with WHITE for each pattern colour, and the pattern colour (or None) of the
    coat and of each tortie layer, in drawing order."""
    plain = dict(params)
    for key in ("colour", "tortieColour"):
        value = plain.get(key)
        if isinstance(value, str) and value in colours:
            plain[key] = "WHITE"
    if isinstance(plain.get("tortie"), list):
        plain["tortie"] = [
            {**layer, "colour": "WHITE"} if layer["colour"] in colours else layer
            for layer in plain["tortie"]  # type: ignore[union-attr]
        ]
    cat = CatParams.model_validate(params)
    used = [cat.colour] + [layer.colour for layer in cat.tortie_layers]
    return plain, [name if name in colours else None for name in used]


def render_pattern_cat(
    renderer: Renderer, colours: PatternColours, params: dict[str, object]
) -> NDArray[np.uint8]:
    plain, patterns = plain_params(params, colours)
    cat = CatParams.model_validate(plain)
    stages = renderer.plan(cat)
    pack = renderer.pack
    canvas = np.zeros((CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
    extent = np.zeros(4, dtype=np.int32)
    for stage in stages:
        for index, row in enumerate(stage.ops):
            ops = np.array([row], dtype=np.int32)
            name = patterns[index] if stage.id == "base" else None
            if name is None:
                blend.run_ops(canvas, pack.cells, pack.bboxes, ops, extent)
                continue
            code, white, mask = row[0], row[1], row[2]
            assert code in (Op.BLIT, Op.BLIT_MASKED)
            sprite = patterned_sprite(pack.cells[white], colours.field(name))
            cells = np.stack([sprite, pack.cells[mask]])
            bboxes = pack.bboxes[[white, mask]]
            ops[0, 1], ops[0, 2] = 0, 1
            blend.run_ops(canvas, cells, bboxes, ops, extent)
    blend.finish(canvas, extent, cat.reverse)
    return canvas
