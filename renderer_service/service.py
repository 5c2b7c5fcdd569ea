"""The render service: what the event loop does with render requests.

It checks each request (bad input never reaches a worker), answers conditional requests
and repeats from the cache without rendering, and sends the rest through the render queue.
It knows the queue but no web framework: the HTTP routes are thin wrappers around it.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

import orjson

from .batch import assemble_sheet, layout_sheet, plan_batch
from .codes import CodeError, decode_cat_code
from .errors import ApiError, error_item
from .jobs import (
    MEMORY_PRESSURE_FIELD,
    FrameResult,
    FrameTask,
    OutputFormat,
    Reply,
    canonical_body,
    data_url,
    parse_render_request,
)
from .models import BatchRequest
from .renderer import Renderer
from .runtime import LRUCache, QueueRefusedError, RenderQueue
from .runtime.collector import COLLECTIONS

CODE_CACHE_CONTROL = "public, max-age=31536000"
"""A code names one picture for a given pack; the ETag changes with the pack."""


def _digest(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.hexdigest()


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``)."""
    if not if_none_match:
        return False
    candidates = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def _with_headers(reply: Reply, *headers: tuple[str, str]) -> Reply:
    return Reply(reply.status, reply.media_type, reply.body, (*reply.headers, *headers))


class RenderService:
    """Admits render requests: validation, conditional answers, the cache, then the queue.

    Single renders and batch frames are cached apart (``cache`` and ``frame_cache``), each in
    its own byte budget, so one large batch cannot flush the answers interactive clients repeat.
    """

    def __init__(
        self,
        renderer: Renderer,
        queue: RenderQueue,
        cache: LRUCache[Any],
        frame_cache: LRUCache[Any] | None = None,
    ) -> None:
        self.renderer = renderer
        self.queue = queue
        self.cache = cache
        self.frame_cache: LRUCache[Any] = (
            frame_cache if frame_cache is not None else LRUCache(cache.max_entries, cache.max_bytes)
        )
        self._pack = renderer.pack.content_hash.encode()

    # --- one cat -------------------------------------------------------------------------

    async def render(
        self,
        body: bytes,
        output: OutputFormat,
        if_none_match: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> Reply:
        try:
            job = parse_render_request(body, self.renderer, output)
        except ApiError as error:
            return Reply.from_error(error)
        canonical = canonical_body(job)
        etag = f'"{_digest(canonical, output.encode(), self._pack)}"'
        headers = (("ETag", etag), *extra_headers)
        if etag_matches(if_none_match, etag):
            return Reply(304, "", b"", headers)
        cached = self.cache.get(etag) if self.cache.enabled else None
        if cached is not None:
            return self._flag_pressure(_with_headers(cached, *headers, ("X-Cache", "hit")))
        reply = await self.queue.submit("render", (canonical, output))
        if reply.status != 200:
            return reply
        self.cache.put(etag, reply)
        return self._flag_pressure(_with_headers(reply, *headers, ("X-Cache", "miss")))

    def _flag_pressure(self, reply: Reply) -> Reply:
        """Set ``meta.memory_pressure`` of a JSON answer while the queue is under pressure."""
        if reply.media_type != "application/json" or not self.queue.under_pressure:
            return reply
        body = reply.body.replace(MEMORY_PRESSURE_FIELD, b'"memory_pressure":true', 1)
        return Reply(reply.status, reply.media_type, body, reply.headers)

    async def render_code(self, code: str, scale: int, if_none_match: str | None = None) -> Reply:
        """``GET /render/{code}.png``: the cat a code stands for, as PNG bytes."""
        try:
            params = decode_cat_code(code)
        except CodeError as error:
            return Reply.from_error(
                ApiError(
                    400,
                    "invalid_code",
                    f"code: {error}",
                    [error_item("code", code[:64], str(error), "a code returned by /render")],
                )
            )
        body = orjson.dumps({"payload": {"params": params}, "options": {"scale": scale}})
        reply = await self.render(
            body, "png", if_none_match, (("Cache-Control", CODE_CACHE_CONTROL),)
        )
        if reply.status == 422:  # the code decoded, but its params are not valid
            problem = orjson.loads(reply.body)
            return Reply.from_error(
                ApiError(400, "invalid_code", "code: " + problem["detail"], problem["errors"])
            )
        return reply

    # --- batches -------------------------------------------------------------------------

    async def render_batch(self, request: BatchRequest) -> Reply:
        began = time.perf_counter()
        try:
            frames = plan_batch(request, self.renderer.vocabulary)
            layout = layout_sheet(request, len(frames))
        except ApiError as error:
            return Reply.from_error(error)
        options = request.options
        layer_id = options.layer_id if options.frame_mode == "layer" else None
        tasks = [
            FrameTask(frame.body, options.tile_size, layer_id, options.include_sources)
            for frame in frames
        ]
        keys = [
            _digest(
                task.body,
                str(task.tile_size).encode(),
                (task.layer_id or "").encode(),
                b"png" if task.include_png else b"",
                self._pack,
            )
            for task in tasks
        ]
        cache = self.frame_cache
        results: list[Any] = [cache.get(key) if cache.enabled else None for key in keys]
        missing = [index for index, result in enumerate(results) if result is None]
        try:
            drawn = await self.queue.submit_all([("frame", tasks[index]) for index in missing])
        except QueueRefusedError as refusal:
            return refusal.reply
        for position, (index, result) in enumerate(zip(missing, drawn, strict=True)):
            if result is not None and result.status != 200:
                undrawn = sum(other is None for other in drawn[position:])
                return _frame_failed(result, index, frames[index].id, undrawn)
        for index, result in zip(missing, drawn, strict=True):
            results[index] = result
            cache.put(keys[index], result)
        frame_results: list[FrameResult] = results
        sheet = await asyncio.to_thread(
            assemble_sheet, [result.tile for result in frame_results], layout
        )
        size = layout.tile_size
        records = []
        for index, (frame, result) in enumerate(zip(frames, frame_results, strict=True)):
            column, row = layout.position(index)
            records.append(
                {
                    "id": frame.id,
                    "label": frame.label,
                    "group": frame.group,
                    "index": index,
                    "column": column,
                    "row": row,
                    "x": column * size,
                    "y": row * size,
                    "width": size,
                    "height": size,
                    "spriteNumber": frame.pose,
                    "drawn": result.drawn,
                }
            )
        sources = (
            [
                {"id": frame.id, "image": data_url(result.png or b"")}
                for frame, result in zip(frames, frame_results, strict=True)
            ]
            if options.include_sources
            else None
        )
        body = {
            "sheet": data_url(sheet),
            "width": layout.width,
            "height": layout.height,
            "tileSize": size,
            "columns": layout.columns,
            "rows": layout.rows,
            "frames": records,
            "sources": sources,
            "meta": {
                "frames": len(frames),
                "rendered": len(missing),
                "cached": len(frames) - len(missing),
                "duration_ms": round((time.perf_counter() - began) * 1000, 3),
                "pack": self.renderer.pack.content_hash,
            },
        }
        return Reply(200, "application/json", orjson.dumps(body))

    # --- reporting -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            **self.queue.snapshot(),
            "cache": self.cache.snapshot(),
            "frame_cache": self.frame_cache.snapshot(),
            "gc": COLLECTIONS.snapshot(),
        }


def _frame_failed(reply: Reply, index: int, frame_id: str, undrawn: int) -> Reply:
    """A batch's answer when frame ``index`` failed: that frame's error, saying which frame
    it was and that the batch stopped there."""
    try:
        problem = orjson.loads(reply.body)
        error, detail = str(problem["error"]), str(problem["detail"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return reply
    stopped = f"; the batch stopped there ({undrawn} frames not drawn)" if undrawn else ""
    item = error_item(f"frames[{index}]", frame_id, detail, "a frame that draws")
    wrapped = ApiError(
        reply.status,
        error,
        f"frame {index} ({frame_id!r}): {detail}{stopped}",
        [item],
        headers=dict(reply.headers),
    )
    return Reply.from_error(wrapped)
