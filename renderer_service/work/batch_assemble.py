"""A planned batch as queue tasks (chunks of frames, sheet bands), and the sheet or
animation assembled from what the workers drew.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from renderer_service.renderer import (
    MEDIA_TYPES,
    DeflatedRows,
    ImageFormat,
    encode_animation,
    encode_image,
    encode_png_gathered,
    gather,
    nearest_index,
    png_from_rows,
)
from renderer_service.wire import BatchRequest
from renderer_service.work.batch_plan import PlannedFrame, SheetLayout, TilePlan
from renderer_service.work.frames import (
    FrameResult,
    FramesResult,
    FrameTask,
    Picture,
    SheetBand,
    deflate_band,
    frame_pictures,
    place_pictures,
    tile_index,
)
from renderer_service.work.reply import data_url

MAX_CHUNK_FRAMES = 128
"""At most this many frames go to a worker as one task (about 5 ms of drawing), so a task
stays far inside the render timeout. A batch is one queue entry whose tasks all start before
the next entry's, so smaller tasks would not let a single render queued behind it start any
sooner; they would only add round trips, each a wake-up of the event loop and of a worker
that a busy machine makes slow: a 256-frame batch on two workers is two tasks."""
MAX_CHUNK_SOURCE_PIXELS = 4 * 1024 * 1024
"""With ``includeSources`` each frame's tile is encoded too, which costs with its size: a
task encodes at most this many pixels of them (4 tiles of 1024 px, 32 of 362 px)."""


def chunk_size(frame_count: int, workers: int, source_pixels: int = 0) -> int:
    """Frames a task: about one task per worker, at most ``MAX_CHUNK_FRAMES``, nor more than
    ``MAX_CHUNK_SOURCE_PIXELS`` of frames' own images (``source_pixels`` each)."""
    size = min(MAX_CHUNK_FRAMES, math.ceil(frame_count / max(1, workers)))
    if source_pixels:
        size = min(size, MAX_CHUNK_SOURCE_PIXELS // source_pixels)
    return max(1, size)


def frame_chunks(indices: list[int], size: int) -> list[list[int]]:
    """``indices`` split into consecutive chunks of ``size`` frames."""
    return [indices[start : start + size] for start in range(0, len(indices), size)]


def sheet_bands(layout: SheetLayout, frame_count: int, frames_per_band: int) -> list[range]:
    """The sheet's frames in bands of whole rows, about ``frames_per_band`` frames each (at
    least one row)."""
    step = max(1, round(frames_per_band / layout.columns)) * layout.columns
    return [range(start, min(start + step, frame_count)) for start in range(0, frame_count, step)]


@dataclass(frozen=True, slots=True)
class TaskPlan:
    """How a batch's frames not in the cache go to the workers."""

    chunks: list[list[int]]
    """The frames (by index) each task draws, in order."""
    tasks: list[FrameTask]
    bands: list[range] | None
    """With a PNG sheet compressed in bands: every band of the sheet (each task draws the
    missing frames of one band and compresses it); ``None`` when the service assembles."""
    task_bands: list[int]
    """With bands: the band of each task (bands wholly cached have none)."""

    @property
    def compressed_by_workers(self) -> bool:
        """Whether the tasks compress the whole sheet, band by band: then joining the bands
        is all that is left (no need of a thread)."""
        return self.bands is not None and len(self.task_bands) == len(self.bands)

    def sheet(
        self,
        results: list[FrameResult],
        answers: list[FramesResult],
        layout: SheetLayout,
        plan: TilePlan,
        request: BatchRequest,
    ) -> bytes:
        """The batch's picture, once every frame is drawn (``answers``: the tasks')."""
        if self.bands is None:
            return assemble(results, layout, plan, request)
        deflated: list[DeflatedRows | None] = [None] * len(self.bands)
        for band, answer in zip(self.task_bands, answers, strict=True):
            deflated[band] = answer.band
        return assemble_bands(results, layout, self.bands, deflated)


def _picture_only(result: FrameResult | None) -> FrameResult | None:
    """A cached frame as a band needs it: its picture, not its own encoded image."""
    return result if result is None or result.png is None else replace(result, png=None)


def plan_tasks(
    frames: list[PlannedFrame],
    cached: list[FrameResult | None],
    layout: SheetLayout,
    plan: TilePlan,
    request: BatchRequest,
    workers: int,
    pack: str | None,
) -> TaskPlan:
    """The tasks that draw the frames ``cached`` lacks (``None``), about one per worker.

    A PNG sheet is compressed in bands of whole rows, each by the worker that draws its
    missing frames (the band's cached frames travel with it), as other workers draw theirs,
    unless its rows hold more frames than a task. The bands depend on the batch alone, not
    on what was cached: the same batch is the same bytes."""
    options = request.options
    sources = plan.width * plan.height if options.include_sources else 0
    size = chunk_size(len(frames), workers, sources)
    missing = [index for index, result in enumerate(cached) if result is None]
    bands: list[range] | None = None
    task_bands: list[int] = []
    if plan.image_format == "png" and not plan.animated and layout.columns <= size:
        bands = sheet_bands(layout, len(frames), size)
        task_bands = [k for k, band in enumerate(bands) if any(cached[i] is None for i in band)]
        chunks = [[i for i in bands[k] if cached[i] is None] for k in task_bands]
        tile = (plan.width, plan.height)
        sheet_bands_of: list[SheetBand | None] = [
            SheetBand(layout.columns, tile, tuple(_picture_only(cached[i]) for i in bands[k]))
            for k in task_bands
        ]
    else:
        chunks = frame_chunks(missing, chunk_size(len(missing), workers, sources))
        sheet_bands_of = [None] * len(chunks)
    layer_id = options.layer_id if options.frame_mode == "layer" else None
    tasks = [
        FrameTask(
            tuple((frames[i].params, frames[i].pose) for i in chunk),
            plan.width,
            layer_id,
            options.include_sources,
            plan.background.name,
            plan.image_format,
            pack,
            band,
        )
        for chunk, band in zip(chunks, sheet_bands_of, strict=True)
    ]
    return TaskPlan(chunks, tasks, bands, task_bands)


def assemble_bands(
    results: list[FrameResult],
    layout: SheetLayout,
    bands: list[range],
    deflated: list[DeflatedRows | None],
) -> bytes:
    """The PNG sheet from its bands of rows: those a worker compressed as they are, the
    others (every frame from the cache) compressed here."""
    tile = (layout.tile_width, layout.tile_height)
    todo = [band for band, done in zip(bands, deflated, strict=True) if done is None]
    pictures: Sequence[Picture] = []
    if todo:
        pictures = frame_pictures([results[index] for band in todo for index in band])[0]
    width, height = results[0].width, results[0].height
    parts = []
    start = 0
    for band, done in zip(bands, deflated, strict=True):
        if done is None:
            done = deflate_band(
                pictures[start : start + len(band)], width, height, layout.columns, tile
            )
            start += len(band)
        parts.append(done)
    return png_from_rows(layout.width, layout.height, parts)


def assemble_sheet(
    results: list[FrameResult], layout: SheetLayout, image_format: ImageFormat = "png"
) -> bytes:
    """All frames on one sheet of ``layout``'s tiles, encoded in ``image_format``: the 1x
    pictures are placed once and the sheet is enlarged while it is encoded (a PNG is written
    straight from the small sheet)."""
    pictures, width, height = frame_pictures(results)
    small = place_pictures(pictures, width, height, layout.columns, layout.rows)
    rows = tile_index(height, layout.tile_height, layout.rows)
    columns = tile_index(width, layout.tile_width, layout.columns)
    if image_format == "png":
        return encode_png_gathered(small, rows, columns)
    return encode_image(gather(small, rows, columns), image_format)


def assemble_animation(
    results: list[FrameResult], plan: TilePlan, frame_ms: int, loop: int
) -> bytes:
    """The frames, each resized to its tile, as one animation (APNG or GIF), in order."""
    pictures, width, height = frame_pictures(results)
    rows, columns = nearest_index(height, plan.height), nearest_index(width, plan.width)
    frames = [
        gather(np.frombuffer(picture, dtype=np.uint8).reshape(height, width, 4), rows, columns)
        for picture in pictures
    ]
    return encode_animation(frames, plan.image_format, frame_ms, loop)


def assemble(
    results: list[FrameResult], layout: SheetLayout, plan: TilePlan, request: BatchRequest
) -> bytes:
    """The batch's picture: an animation when ``options.animate`` asks for one, else a sheet."""
    animate = request.options.animate
    if animate is not None:
        return assemble_animation(results, plan, animate.frame_ms, animate.loop)
    return assemble_sheet(results, layout, plan.image_format)


def batch_body(
    request: BatchRequest,
    frames: list[PlannedFrame],
    results: list[FrameResult],
    layout: SheetLayout,
    plan: TilePlan,
    sheet: bytes,
    meta: dict[str, Any],
) -> dict[str, Any]:
    """The ``/render/batch`` answer: the sheet (or animation), one record per frame, and the
    sources if asked."""
    options = request.options
    animate = options.animate
    width, height = layout.tile_width, layout.tile_height
    media_type = MEDIA_TYPES[plan.image_format]
    records = []
    for index, (frame, result) in enumerate(zip(frames, results, strict=True)):
        column, row = (0, 0) if animate is not None else layout.position(index)
        records.append(
            {
                "id": frame.id,
                "label": frame.label,
                "group": frame.group,
                "index": index,
                "column": column,
                "row": row,
                "x": column * width,
                "y": row * height,
                "width": width,
                "height": height,
                "spriteNumber": frame.pose,
                "drawn": result.drawn,
            }
        )
    sources = (
        [
            {"id": frame.id, "image": data_url(result.png or b"", media_type)}
            for frame, result in zip(frames, results, strict=True)
        ]
        if options.include_sources
        else None
    )
    return {
        "sheet": data_url(sheet, media_type),
        "width": layout.width,
        "height": layout.height,
        "tileSize": None if plan.background.is_platform else width,
        "tileWidth": width,
        "tileHeight": height,
        "format": plan.image_format,
        "background": plan.background.name,
        "animation": ({"frameMs": animate.frame_ms, "loop": animate.loop} if animate else None),
        "columns": layout.columns,
        "rows": layout.rows,
        "frames": records,
        "sources": sources,
        "meta": meta,
    }
