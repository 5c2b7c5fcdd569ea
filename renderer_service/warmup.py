"""Getting the render code ready before the worker processes fork.

The pixel kernels are compiled by numba on their first call (or loaded from its on-disk
cache). Done in a worker, that first call takes seconds on a fresh checkout - longer than
the per-render timeout, so the worker is killed and its replacement starts over - and it
opens files in the middle of serving requests. Done once in the parent before the fork,
every worker starts with the kernels ready and never touches the disk for them.
"""

from __future__ import annotations

from .renderer import CatParams, Renderer, encode_png, upscale

WARM_UP_CAT = CatParams(sprite_number=0, shading=True, reverse=True)
"""Shading and mirroring, with every layer's picture: every kernel runs at least once."""


def warm_up(renderer: Renderer) -> None:
    """Run every compiled kernel and the PNG encoder once."""
    result = renderer.render(WARM_UP_CAT, collect_layers=True, layer_images=True)
    encode_png(upscale(result.image, 2))
