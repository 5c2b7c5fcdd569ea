"""Render jobs: a request's body in, the answer's bytes out.

This is the part of a request that costs CPU: parse and check the params, compose, encode,
serialise. It knows no web framework, so it runs in worker processes; the HTTP layer only
moves bytes to and from them.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import orjson
from numpy.typing import NDArray
from pydantic import ValidationError

from .codes import encode_cat_code
from .errors import (
    MAX_ERROR_ITEMS,
    ApiError,
    error_item,
    trait_items,
    traits_error,
    validation_error_from,
)
from .models import RenderOptions, RenderRequest
from .normalise import normalise_params
from .renderer import (
    DEFAULT_POSE,
    CatParams,
    InvalidTraitsError,
    Layer,
    Renderer,
    check_traits,
    encode_png,
)
from .renderer.png import encode_png_resized, resize_nearest

OutputFormat = Literal["json", "png"]


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One cat to draw: validated params, the pose, the options and the output format."""

    params: CatParams
    pose: int
    options: RenderOptions
    output: OutputFormat = "json"


@dataclass(frozen=True, slots=True)
class Reply:
    """A finished answer: status, media type, body and extra headers."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    @classmethod
    def from_error(cls, error: ApiError) -> Reply:
        return cls(error.status, "application/json", error.body(), tuple(error.headers.items()))


@dataclass(frozen=True, slots=True)
class RenderOutput:
    body: bytes
    media_type: str


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def enlarged_png(image: NDArray[np.uint8], scale: int) -> bytes:
    """The PNG of ``image`` enlarged ``scale`` times, written without building the enlargement."""
    height, width = image.shape[:2]
    return encode_png_resized(image, width * scale, height * scale)


CANVAS_BLEND_MODES = {
    "normal": "source-over",
    "rgb_mult": "multiply",
    "rgba_mult": "multiply",
    "multiply": "multiply",
    "rgb_add": "add",
    "rgb_mult+rgb_add": "multiply",
}
"""Each stage's exact blend -> the canvas blend a client should draw its layer image with
(the CatGenerator's layer debugger knows ``multiply``, ``screen``, ``add``, ``replace``;
anything else is drawn ``source-over``)."""

MEMORY_PRESSURE_FIELD = b'"memory_pressure":false'
"""How a rendered answer says it was not made under pressure; the service flips it to true
when it answers while shedding load (answers are cached, pressure is not)."""


def _layer_json(layer: Layer, job: RenderJob) -> dict[str, object]:
    options = job.options
    image = None
    if options.include_layer_images and layer.image is not None:
        image = data_url(enlarged_png(layer.image, options.scale))
    return {
        "id": layer.id,
        "label": layer.label,
        "blend_mode": CANVAS_BLEND_MODES.get(layer.blend_mode, "source-over"),
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
    png = enlarged_png(result.image, options.scale)
    encoded = time.perf_counter()
    render_ms = (rendered - began) * 1000
    if job.output == "png":
        return RenderOutput(png, "image/png")
    body = {
        "image": data_url(png),
        "code": encode_cat_code(canonical_params(job.params, job.pose)),
        "meta": {
            "started_at": started_at,
            "finished_at": time.time(),
            "duration_ms": round((encoded - began) * 1000, 4),
            "memory_pressure": False,
            "render_ms": round(render_ms, 4),
            "encode_ms": round((encoded - rendered) * 1000, 4),
            "spriteNumber": job.pose,
            "width": result.image.shape[1] * options.scale,
            "height": result.image.shape[0] * options.scale,
            "scale": options.scale,
            "pack": renderer.pack.content_hash,
        },
        "layers": (
            [_layer_json(layer, job) for layer in result.layers]
            if result.layers is not None
            else None
        ),
    }
    return RenderOutput(orjson.dumps(body), "application/json")


def resolve_pose(request: RenderRequest) -> int:
    """The pose, from ``payload.spriteNumber`` or ``payload.params.spriteNumber``; with
    neither, ``DEFAULT_POSE`` (an adult pose)."""
    payload = request.payload
    outer, inner = payload.sprite_number, payload.params.sprite_number
    if outer is not None and inner is not None and outer != inner:
        raise ApiError(
            422,
            "invalid_params",
            f"payload.spriteNumber ({outer}) and payload.params.spriteNumber ({inner}) differ",
            [
                error_item(
                    "payload.params.spriteNumber",
                    inner,
                    "the pose is given twice with different values",
                    f"{outer}, or leave one of them out",
                )
            ],
        )
    return next((pose for pose in (outer, inner) if pose is not None), DEFAULT_POSE)


def parse_render_request(body: bytes, renderer: Renderer, output: OutputFormat) -> RenderJob:
    """Parse and check a /render body; raises ``ApiError`` (422) for anything invalid."""
    try:
        request = RenderRequest.model_validate_json(body)
    except ValidationError as error:
        raise with_trait_problems(validation_error_from(error), error, body, renderer) from None
    pose = resolve_pose(request)
    try:
        params = normalise_params(request.payload.params, renderer.vocabulary)
        check_traits(params, renderer.vocabulary, pose)
    except InvalidTraitsError as error:
        raise traits_error(error) from None
    return RenderJob(params, pose, request.options, output)


def with_trait_problems(
    problem: ApiError, error: ValidationError, body: bytes, renderer: Renderer
) -> ApiError:
    """``problem`` (the request's shape is wrong) with the names the pack cannot draw added,
    so one answer lists every problem: the params that passed the shape check are checked
    against the pack as well."""
    if len(problem.items) != error.error_count() or len(problem.items) >= MAX_ERROR_ITEMS:
        return problem  # summarised or already full
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        return problem
    payload = raw.get("payload") if isinstance(raw, dict) else None
    params = payload.get("params") if isinstance(payload, dict) else None
    if not isinstance(params, dict):
        return problem
    wrong = {
        loc[2]
        for item in error.errors(include_url=False)
        if len(loc := item["loc"]) > 2 and loc[:2] == ("payload", "params")
    }
    try:
        rest = CatParams.model_validate_json(
            orjson.dumps({name: value for name, value in params.items() if name not in wrong})
        )
        check_traits(rest, renderer.vocabulary, DEFAULT_POSE)
    except (ValidationError, TypeError):
        return problem
    except InvalidTraitsError as traits:
        items = [*problem.items, *trait_items(traits)][:MAX_ERROR_ITEMS]
        detail = "; ".join(item["detail"] for item in items)
        return ApiError(422, problem.error, detail, items)
    return problem


def canonical_params(params: CatParams, pose: int) -> dict[str, Any]:
    """The params with defaults left out and the pose inside: equal cats, equal dicts."""
    canonical = params.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    canonical["spriteNumber"] = pose
    return canonical


def canonical_body(job: RenderJob) -> bytes:
    """The job as the shortest /render body that means the same: defaults left out, the pose
    inside the params, keys sorted. Equal jobs have equal canonical bodies."""
    body: dict[str, Any] = {"payload": {"params": canonical_params(job.params, job.pose)}}
    options = job.options.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if options:
        body["options"] = options
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def answer_render(renderer: Renderer, body: bytes, output: OutputFormat) -> Reply:
    """The whole of POST /render after the bytes arrive: bad input is a 4xx ``Reply``."""
    try:
        job = parse_render_request(body, renderer, output)
    except ApiError as error:
        return Reply.from_error(error)
    result = run_render_job(renderer, job)
    return Reply(200, result.media_type, result.body)


@dataclass(frozen=True, slots=True)
class FrameTask:
    """One frame of a batch: a canonical /render body, drawn into a square tile."""

    body: bytes
    tile_size: int
    layer_id: str | None = None
    """Draw only this layer (``frameMode=layer``); ``None`` draws the whole cat."""
    include_png: bool = False


@dataclass(frozen=True, slots=True)
class FrameResult:
    status: int
    tile: bytes
    """The tile's RGBA bytes, ``tile_size`` x ``tile_size``."""
    png: bytes | None
    drawn: bool

    @property
    def nbytes(self) -> int:
        return len(self.tile) + len(self.png or b"")


def run_frame(renderer: Renderer, task: FrameTask) -> FrameResult:
    """Draw one batch frame (its body was checked when the batch was planned)."""
    try:
        job = parse_render_request(task.body, renderer, "png")
    except ApiError as error:
        raise ValueError(f"a batch frame was not valid: {error.detail}") from None
    drawn = True
    if task.layer_id is None:
        image = renderer.render(job.params, job.pose).image
    else:
        result = renderer.render(job.params, job.pose, collect_layers=True, layer_images=True)
        layer = next(layer for layer in result.layers or [] if layer.id == task.layer_id)
        drawn = layer.drawn
        image = layer.image if layer.image is not None else np.zeros_like(result.image)
    tile = resize_nearest(image, task.tile_size)
    return FrameResult(200, tile.tobytes(), encode_png(tile) if task.include_png else None, drawn)


class TaskHandler:
    """What a worker process runs: ``handler(kind, payload) -> Reply`` for each task kind."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    def __call__(self, kind: str, payload: Any) -> Reply | FrameResult:
        if kind == "render":
            body, output = payload
            return answer_render(self.renderer, body, output)
        if kind == "frame":
            return run_frame(self.renderer, payload)
        raise ValueError(f"unknown task kind {kind!r}")
