"""Drawing one checked job and serialising its answer: the picture's bytes, or the JSON with
a data URL, its code, timings and layers.

This is the part of a request that costs CPU. It knows no web framework, so it runs in
worker processes (or inline in a server process for light jobs).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson

from renderer_service.packs import PackSet
from renderer_service.renderer import (
    MEDIA_TYPES,
    AnyRenderer,
    PatternGenerationError,
    encode_image,
)
from renderer_service.wire import ApiError, encode_cat_code, pattern_error
from renderer_service.work.canonical import code_params
from renderer_service.work.job import RenderJob, Wanted
from renderer_service.work.reply import RenderOutput, Reply, data_url, layer_json
from renderer_service.work.request import parse_render_request


def run_render_job(
    renderer: AnyRenderer, job: RenderJob, canonical: dict[str, Any] | None = None
) -> RenderOutput:
    """Render ``job`` and serialise it. Raises the renderer's errors for bad traits.

    ``canonical`` is the job's ``canonical_params``, when the caller already has them."""
    started_at = time.time()
    began = time.perf_counter()
    options = job.options
    result = renderer.render(
        job.params,
        job.pose,
        collect_layers=options.collect_layers,
        layer_images=options.collect_layers and options.include_layer_images,
        checked=True,  # a job's traits were checked when its request was parsed
    )
    picture, background = renderer.picture(job.params, job.pose, job.background, result.image)
    rendered = time.perf_counter()
    media_type = MEDIA_TYPES[job.image_format]
    encoded_image = encode_image(picture, job.image_format, options.scale)
    encoded = time.perf_counter()
    render_ms = (rendered - began) * 1000
    if job.output == "image":
        return RenderOutput(encoded_image, media_type)
    body = {
        "image": data_url(encoded_image, media_type),
        "code": encode_cat_code(code_params(job.params, job.pose, options.pack, canonical)),
        "meta": {
            "started_at": started_at,
            "finished_at": time.time(),
            "duration_ms": round((encoded - began) * 1000, 4),
            "memory_pressure": False,
            "render_ms": round(render_ms, 4),
            "encode_ms": round((encoded - rendered) * 1000, 4),
            "spriteNumber": job.pose,
            "width": picture.shape[1] * options.scale,
            "height": picture.shape[0] * options.scale,
            "scale": options.scale,
            "format": job.image_format,
            "background": background.name,
            "pack": renderer.pack.content_hash,
        },
        "layers": (
            [layer_json(layer, job, _notes_for(job, layer.id)) for layer in result.layers]
            if result.layers is not None
            else None
        ),
    }
    return RenderOutput(orjson.dumps(body), "application/json")


def _notes_for(job: RenderJob, layer_id: str) -> list[str]:
    return [note for layer, note in job.notes if layer == layer_id]


logger = logging.getLogger("renderer.jobs")


def answer_render(packs: PackSet, body: bytes, wanted: Wanted = ()) -> Reply:
    """The whole of POST /render after the bytes arrive: bad input is a 4xx ``Reply``."""
    try:
        job = parse_render_request(body, packs, wanted)
    except ApiError as error:
        return Reply.from_error(error)
    return answer_job(packs, job)


def answer_job(packs: PackSet, job: RenderJob, canonical: dict[str, Any] | None = None) -> Reply:
    """The answer to a checked job: its picture, or a 500 naming a pattern that failed."""
    try:
        result = run_render_job(packs.choose(job.options.pack)[1], job, canonical)
    except PatternGenerationError as error:
        logger.error("%s", error, exc_info=error)
        return Reply.from_error(pattern_error(error, job.params))
    return Reply(200, result.media_type, result.body)
