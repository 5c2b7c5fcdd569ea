"""A render job and how to turn one into response bytes.

This is the part of a request that costs CPU: compose, encode, serialise. It knows nothing of
HTTP, so it can run in the request's own process or in a worker process.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Literal

import orjson

from .models import RenderOptions
from .renderer import CatParams, Layer, Renderer, encode_png, upscale

OutputFormat = Literal["json", "png"]


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One cat to draw: validated params, the pose, the options and the output format."""

    params: CatParams
    pose: int
    options: RenderOptions
    output: OutputFormat = "json"


@dataclass(frozen=True, slots=True)
class RenderOutput:
    body: bytes
    media_type: str
    render_ms: float


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _layer_json(layer: Layer, job: RenderJob) -> dict[str, object]:
    options = job.options
    image = None
    if options.include_layer_images and layer.image is not None:
        image = data_url(encode_png(upscale(layer.image, options.scale)))
    return {
        "id": layer.id,
        "label": layer.label,
        "blendMode": layer.blend_mode,
        "sprites": layer.sprites,
        "drawn": layer.drawn,
        "duration_ms": round(layer.duration_ms, 4) if options.diagnostics else None,
        "diagnostics": layer.notes if options.diagnostics else [],
        "image": image,
    }


def run_render_job(renderer: Renderer, job: RenderJob) -> RenderOutput:
    """Render ``job`` and serialise it. Raises the renderer's errors for bad traits."""
    started_at = time.time()
    began = time.perf_counter()
    options = job.options
    result = renderer.render(
        job.params,
        job.pose,
        collect_layers=options.collect_layers,
        layer_images=options.collect_layers and options.include_layer_images,
    )
    rendered = time.perf_counter()
    picture = upscale(result.image, options.scale)
    png = encode_png(picture)
    encoded = time.perf_counter()
    render_ms = (rendered - began) * 1000
    if job.output == "png":
        return RenderOutput(png, "image/png", render_ms)
    body = {
        "image": data_url(png),
        "meta": {
            "started_at": started_at,
            "finished_at": time.time(),
            "duration_ms": round((encoded - began) * 1000, 4),
            "render_ms": round(render_ms, 4),
            "encode_ms": round((encoded - rendered) * 1000, 4),
            "spriteNumber": job.pose,
            "width": picture.shape[1],
            "height": picture.shape[0],
            "scale": options.scale,
            "pack": renderer.pack.content_hash,
        },
        "layers": (
            [_layer_json(layer, job) for layer in result.layers]
            if result.layers is not None
            else None
        ),
    }
    return RenderOutput(orjson.dumps(body), "application/json", render_ms)
