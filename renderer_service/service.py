"""The render service: what the event loop does with render requests.

It checks each request (bad input never reaches a worker), answers conditional requests
and repeats from the cache without rendering, and sends the rest through the render queue.
It knows the queue but no web framework: the HTTP routes are thin wrappers around it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pickle
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NamedTuple

import orjson

from renderer_service.packs import PackSet
from renderer_service.renderer import ImageFormat, Renderer, TraitError, parse_background
from renderer_service.runtime import (
    COLLECTIONS,
    LATENCIES,
    STALE_SECONDS,
    InlineLine,
    LRUCache,
    QueueRefusedError,
    RedisCache,
    RenderQueue,
    Sheds,
    Siblings,
    failure_reply,
    merge_snapshots,
    missing_processes,
)
from renderer_service.wire import (
    ApiError,
    BatchRequest,
    CodeError,
    DiffRequest,
    decode_cat_code,
    error_item,
)
from renderer_service.work import (
    CODE_PACK_KEY,
    MEMORY_PRESSURE_FIELD,
    FrameResult,
    FramesResult,
    PlannedFrame,
    RenderJob,
    Reply,
    Wanted,
    answer_job,
    background_error,
    batch_body,
    canonical_body,
    canonical_params,
    check_diff_request,
    frame_keys,
    job_state,
    layout_sheet,
    parse_render_request,
    plan_batch,
    plan_tasks,
    plan_tiles,
)

CODE_CACHE_CONTROL = "public, max-age=31536000"
"""A code names one picture for a given pack; the ETag changes with the pack."""


def _digest(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.hexdigest()


Alias = tuple[bytes, Wanted]
"""What a /render body is known by before it is parsed (see ``_alias_of``)."""


def _alias_of(body: bytes, wanted: Wanted) -> Alias:
    """What a /render body is known by before it is parsed: its bytes' digest and the formats
    the client accepts (the same body asked for as an image is another answer). One digest
    call: this is on every cache hit's path."""
    return hashlib.blake2b(body, digest_size=16).digest(), wanted


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``)."""
    if not if_none_match:
        return False
    candidates = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def _with_headers(reply: Reply, *headers: tuple[str, str]) -> Reply:
    return Reply(reply.status, reply.media_type, reply.body, (*reply.headers, *headers))


def draw_warm_up_cat(packs: PackSet) -> Reply:
    """Draw one cat of the default pack the way a ``POST /render`` is drawn (the body read,
    checked, drawn and encoded), in this process, outside the queue and its counters.

    Start-up does this before the service takes connections (so before ``/health/ready``
    can say ready): the first client's request then finds every code path warm, and workers
    forked afterwards inherit it."""
    vocabulary = packs.default.vocabulary
    params = {"peltName": next(iter(vocabulary.pelts)), "colour": vocabulary.colours[0]}
    body = orjson.dumps({"payload": {"spriteNumber": 0, "params": params}})
    job = parse_render_request(body, packs)
    return answer_job(packs, job, canonical_params(job.params, job.pose))


class PendingRender(NamedTuple):
    """A checked /render request that no cache level in this process answered (see
    ``RenderService.render_now``)."""

    job: RenderJob
    params: dict[str, Any]
    """The job's canonical params (what its code holds)."""
    etag: str
    headers: tuple[tuple[str, str], ...]
    """The answer's headers besides ``X-Cache``: its ETag, then the caller's."""
    arrived: float | None = None
    """When the request's body was complete (``time.monotonic``): the render must start
    within ``CG3_MAX_WAIT_MS`` of it (``None``: counted from when it is queued)."""

    @property
    def digest(self) -> str:
        """The picture's key in the shared cache levels."""
        return self.etag.strip('"')


class RenderService:
    """Admits render requests: validation, conditional answers, the cache, then the queue.

    Single renders are looked up in the in-memory LRU, then (with several server processes)
    in the level in memory they all share, then in the shared cache (Redis, when ``shared``
    is given), then drawn; a fresh render is stored in each. ``X-Cache`` says which:
    ``hit-memory`` (either level in memory), ``hit-redis`` or ``miss``. Batch frames are
    cached apart (``frame_cache``, in memory only), each cache in its own byte budget, so one
    large batch cannot flush the answers interactive clients repeat.

    With ``inline``, a light render (one PNG at a small scale, no layers) is drawn in this
    process under the queue's rules (``RenderQueue.run_here``): for such a cat the round trip
    to a worker costs more than the drawing. Everything else goes to the workers.

    A render that has not started within ``CG3_MAX_WAIT_MS`` of its request's body being
    complete (``arrived``) is answered ``503 overloaded``, whether queued or light; answers
    from a cache never wait, so they are never shed.
    """

    def __init__(
        self,
        packs: PackSet | Renderer,
        queue: RenderQueue,
        cache: LRUCache[Any],
        frame_cache: LRUCache[Any] | None = None,
        shared: RedisCache | None = None,
        inline: bool = False,
        siblings: Siblings | None = None,
    ) -> None:
        self.packs = packs if isinstance(packs, PackSet) else PackSet.single(packs)
        self.renderer = self.packs.default
        """The default pack's renderer."""
        self.queue = queue
        self.cache = cache
        self.frame_cache: LRUCache[Any] = (
            frame_cache if frame_cache is not None else LRUCache(cache.max_entries, cache.max_bytes)
        )
        self.shared = shared
        self.siblings = siblings
        """The other server processes of this service, when there are several."""
        self.inline = inline
        """Draw light single renders (``RenderJob.light``) here rather than in a worker."""
        self._hashes = {name: renderer.pack.content_hash.encode() for name, renderer in self.packs}
        self._inline_line = InlineLine(failure_reply)
        self._aliases: OrderedDict[Alias, str] = OrderedDict()
        """The digest of a /render body (and its wanted formats) -> the ETag of its picture."""

    def _pack_hash(self, pack: str | None) -> bytes:
        """The content hash of a pack (by its normalised name): part of every cache key and
        ETag, so a changed pack never answers from an old picture."""
        return self._hashes[self.packs.name_of(pack)]

    # --- one cat -------------------------------------------------------------------------

    async def render(
        self,
        body: bytes,
        wanted: Wanted = (),
        if_none_match: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        arrived: float | None = None,
    ) -> Reply:
        """``wanted``: the image types the client accepts instead of JSON (empty: JSON);
        ``arrived``: when the body was complete (``time.monotonic``; default: a queued render
        waits from when it is queued, a light one is drawn now)."""
        step = self.render_now(body, wanted, if_none_match, extra_headers, arrived)
        if isinstance(step, Reply):
            return step
        return await self.finish(step)

    def render_now(
        self,
        body: bytes,
        wanted: Wanted = (),
        if_none_match: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        arrived: float | None = None,
        defer_light: bool = False,
    ) -> Reply | PendingRender:
        """What ``render`` does before it has to wait: the answer when it needs no waiting
        (a bad request, a 304, a picture from memory, a light render drawn here), else the
        checked request, for ``finish`` to look up in Redis and send to a worker (or, with
        ``defer_light``, a light one for ``draw_soon`` to draw here shortly).

        The direct HTTP path calls this inside the parser's callback, so most answers are
        written without a task."""
        alias = None
        if self.cache.enabled:
            alias = _alias_of(body, wanted)
            known = self._answer_alias(alias, if_none_match, extra_headers)
            if known is not None:
                return known
        try:
            job = parse_render_request(body, self.packs, wanted)
        except ApiError as error:
            return Reply.from_error(error)
        params = canonical_params(job.params, job.pose)
        canonical = canonical_body(job, params)
        output = job.output
        etag = f'"{_digest(canonical, output.encode(), self._pack_hash(job.options.pack))}"'
        if alias is not None:
            self._remember(alias, etag)
        from_memory = self._from_memory(etag, if_none_match, extra_headers)
        if from_memory is not None:
            return from_memory
        headers = (("ETag", etag), *extra_headers)
        digest = etag.strip('"')
        common = self.siblings.cache if self.siblings is not None else None
        if common is not None:
            held = common.get(digest)
            if held is not None:
                stored = pickle.loads(held)
                self.cache.put(etag, stored)
                return self._flag_pressure(
                    _with_headers(stored, *headers, ("X-Cache", "hit-memory"))
                )
        pending = PendingRender(job, params, etag, headers, arrived)
        if self.shared is None and self.inline and job.light and not defer_light:
            return self._draw_here(pending)
        return pending  # with ``defer_light``, a light one is for ``draw_soon``

    async def finish(self, pending: PendingRender) -> Reply:
        """The answer to a request ``render_now`` could not answer: from Redis, else drawn
        (here when light and ``inline``, else by a worker)."""
        if self.shared is not None:
            stored = await self.shared.get(pending.digest)
            if stored is not None:
                self.cache.put(pending.etag, stored)
                return self._flag_pressure(
                    _with_headers(stored, *pending.headers, ("X-Cache", "hit-redis"))
                )
        if self.inline and pending.job.light:
            return self._draw_here(pending)
        state = job_state(pending.job, pending.params)
        return self._store(pending, await self.queue.submit("render", state, pending.arrived))

    def draw_soon(self, pending: PendingRender, done: Callable[[Reply], None]) -> bool:
        """Line up a light render that ``render_now(..., defer_light=True)`` left to draw here
        (``runtime.inline_line``): its answer goes to ``done`` on a later pass of the event
        loop. False when it is not one to draw here (``finish`` it instead)."""
        if not (self.shared is None and self.inline and pending.job.light):
            return False
        self._inline_line.add(partial(self._draw_here, pending), done)
        return True

    def _draw_here(self, pending: PendingRender) -> Reply:
        packs, job, params = self.packs, pending.job, pending.params
        draw = self.queue.run_here(lambda: answer_job(packs, job, params), pending.arrived)
        return self._store(pending, draw)

    def _store(self, pending: PendingRender, reply: Reply) -> Reply:
        """Keep a fresh picture in every cache level; the answer to send for it."""
        if reply.status != 200:
            return reply
        self.cache.put(pending.etag, reply)
        common = self.siblings.cache if self.siblings is not None else None
        if common is not None:
            common.put(pending.digest, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        if self.shared is not None:
            self.shared.put_soon(pending.digest, reply)
        return self._flag_pressure(_with_headers(reply, *pending.headers, ("X-Cache", "miss")))

    def _answer_alias(
        self, alias: Alias, if_none_match: str | None, extra_headers: tuple[tuple[str, str], ...]
    ) -> Reply | None:
        """The answer for a body seen before, known by ``alias``: 304, or the cached
        picture; ``None`` when it is new or its picture has left the cache."""
        etag = self._aliases.get(alias)
        if etag is None:
            return None
        return self._from_memory(etag, if_none_match, extra_headers)

    def _from_memory(
        self, etag: str, if_none_match: str | None, extra_headers: tuple[tuple[str, str], ...]
    ) -> Reply | None:
        """304 when the client has the picture ``etag``, else the picture from the memory
        cache; ``None`` when it is not there."""
        if etag_matches(if_none_match, etag):
            return Reply(304, "", b"", (("ETag", etag), *extra_headers))
        cached = self.cache.get(etag) if self.cache.enabled else None
        if cached is None:
            return None
        headers = (("ETag", etag), *extra_headers, ("X-Cache", "hit-memory"))
        return self._flag_pressure(_with_headers(cached, *headers))

    def _remember(self, alias: Alias, etag: str) -> None:
        """Note that the body known by ``alias`` is the picture ``etag`` (bounded: the oldest
        go first, at twice the cache's entries, since several bodies may name one cat)."""
        aliases = self._aliases
        aliases[alias] = etag
        aliases.move_to_end(alias)
        while len(aliases) > 2 * self.cache.max_entries:
            aliases.popitem(last=False)

    def _flag_pressure(self, reply: Reply) -> Reply:
        """Set ``meta.memory_pressure`` of a JSON answer while the queue is under pressure."""
        if reply.media_type != "application/json" or not self.queue.under_pressure:
            return reply
        body = reply.body.replace(MEMORY_PRESSURE_FIELD, b'"memory_pressure":true', 1)
        return Reply(reply.status, reply.media_type, body, reply.headers)

    async def render_code(
        self,
        code: str,
        scale: int,
        if_none_match: str | None = None,
        image_format: ImageFormat = "png",
        background: str = "transparent",
        arrived: float | None = None,
    ) -> Reply:
        """``GET /render/{code}.{png,webp,gif}``: the cat a code stands for, as image bytes
        (``arrived``: when the request was complete, as for ``render``)."""
        try:
            parse_background(background)
        except TraitError as error:
            return Reply.from_error(background_error(error, "background"))
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
        options: dict[str, Any] = {"scale": scale, "format": image_format, "background": background}
        if isinstance(params.get(CODE_PACK_KEY), str):
            options["pack"] = params.pop(CODE_PACK_KEY)
        body = orjson.dumps({"payload": {"params": params}, "options": options})
        reply = await self.render(
            body, (image_format,), if_none_match, (("Cache-Control", CODE_CACHE_CONTROL),), arrived
        )
        if reply.status == 422:  # the code decoded, but its params are not valid
            problem = orjson.loads(reply.body)
            return Reply.from_error(
                ApiError(400, "invalid_code", "code: " + problem["detail"], problem["errors"])
            )
        return reply

    # --- batches -------------------------------------------------------------------------

    async def render_batch(
        self, request: BatchRequest, extra: Mapping[str, Any] | None = None
    ) -> Reply:
        """Draw a batch onto one sheet; ``extra`` fields are added to the answer."""
        began = time.perf_counter()
        try:
            tiles = plan_tiles(request)
            name, renderer = self.packs.choose(request.options.pack)
            pack = self.packs.normalised(name)
            frames = plan_batch(request, renderer, pack)
            layout = layout_sheet(request, len(frames), tiles)
        except ApiError as error:
            return Reply.from_error(error)
        options = request.options
        layer_id = options.layer_id if options.frame_mode == "layer" else None
        source_format = tiles.image_format.encode() if options.include_sources else b""
        # A frame's picture is drawn at 1x: the tile size changes only its own image.
        source_size = str(tiles.width).encode() if options.include_sources else b""
        keys = frame_keys(
            frames,
            (layer_id or "").encode(),
            source_format,
            source_size,
            tiles.background.name.encode(),
            self._pack_hash(pack),
        )
        cache = self.frame_cache
        results: list[Any] = [cache.get(key) if cache.enabled else None for key in keys]
        missing = [index for index, result in enumerate(results) if result is None]
        workers = self.queue.limits.worker_count
        tasks = plan_tasks(frames, results, layout, tiles, request, workers, pack)
        try:
            answers = await self.queue.submit_all([("frame", task) for task in tasks.tasks])
        except QueueRefusedError as refusal:
            return refusal.reply
        failed = _first_failure(tasks.chunks, answers, frames)
        if failed is not None:
            return failed
        for chunk, answer in zip(tasks.chunks, answers, strict=True):
            for index, result in zip(chunk, answer.frames, strict=True):
                results[index] = result
                cache.put(keys[index], result)
        frame_results: list[FrameResult] = results
        assemble = partial(tasks.sheet, frame_results, answers, layout, tiles, request)
        sheet = assemble() if tasks.compressed_by_workers else await asyncio.to_thread(assemble)
        meta = {
            "frames": len(frames),
            "rendered": len(missing),
            "cached": len(frames) - len(missing),
            "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            "pack": renderer.pack.content_hash,
        }
        body = batch_body(request, frames, frame_results, layout, tiles, sheet, meta)
        return Reply(200, "application/json", orjson.dumps({**body, **(extra or {})}))

    # --- diffs ---------------------------------------------------------------------------

    async def diff(self, request: DiffRequest) -> Reply:
        """``POST /diff``: the cat rendered and compared with the reference (never cached:
        each reference is different)."""
        try:
            task = check_diff_request(request, self.packs)
        except ApiError as error:
            return Reply.from_error(error)
        return await self.queue.submit("diff", task)

    # --- reporting -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The service's numbers, as /health and /metrics report them: this process's, or,
        with several server processes, all of theirs merged (see ``runtime.board``)."""
        if self.siblings is None:
            return self.local_snapshot()
        # Every sibling's last numbers, however old: a slow one's counters still count (they
        # never go back while it lives). The parent empties a dead one's slot.
        others = self.siblings.board.others(self.siblings.index)
        merged = merge_snapshots(
            [
                self.local_snapshot(latencies=True),
                *(publication.snapshot["metrics"] for publication in others),
            ]
        )
        pids = {self.siblings.index: os.getpid()}
        pids.update((publication.index, publication.pid) for publication in others)
        fresh = [publication for publication in others if publication.age <= STALE_SECONDS]
        merged["server_processes"] = {
            "count": self.siblings.board.slots,
            "reporting": 1 + len(fresh),
            "this": self.siblings.index,
            "pids": [pids[index] for index in sorted(pids)],
        }
        if self.siblings.cache is not None:
            merged["cache"]["shared_memory"] = self.siblings.cache.snapshot()
        return merged

    def local_snapshot(self, latencies: bool = False) -> dict[str, Any]:
        """This process's numbers (with its raw recent latencies when ``latencies``)."""
        cache: dict[str, Any] = {
            **self.cache.snapshot(),
            "redis": self.shared.snapshot() if self.shared is not None else {"enabled": False},
        }
        numbers = {
            **self.queue.snapshot(percentiles=not latencies),
            "cache": cache,
            "frame_cache": self.frame_cache.snapshot(),
            "gc": COLLECTIONS.snapshot(),
        }
        if latencies:
            numbers[LATENCIES] = list(self.queue.stats.latencies_ms)
        return numbers

    def publish(self) -> None:
        """Tell the other server processes this one's numbers and troubles."""
        if self.siblings is not None:
            numbers = self.local_snapshot(latencies=True)
            self.siblings.board.publish(
                self.siblings.index,
                {"metrics": numbers, "reasons": self._local_degraded_reasons(numbers)},
            )

    def degraded_reasons(self) -> list[str]:
        """Why the service is not at full strength (empty when it is): this process's
        reasons and, with several server processes, the others' and any that is missing."""
        reasons = self._local_degraded_reasons()
        if self.siblings is None:
            return reasons
        publications = self.siblings.board.others(self.siblings.index)
        for publication in publications:
            if publication.age <= STALE_SECONDS:
                reasons += [
                    f"server process {publication.index}: {reason}"
                    for reason in publication.snapshot["reasons"]
                ]
        return reasons + missing_processes(publications, self.siblings.board.slots - 1)

    def _local_degraded_reasons(self, metrics: Mapping[str, Any] | None = None) -> list[str]:
        """This process's troubles; ``metrics``: its queue's numbers, when already taken."""
        if metrics is None:
            metrics = self.queue.snapshot(percentiles=False)
        reasons = []
        if metrics["circuit_open"]:
            reasons.append("circuit open: recent renders failed")
        if metrics["workers_alive"] < metrics["worker_count"]:
            reasons.append(
                f"{metrics['workers_alive']} of {metrics['worker_count']} render workers alive "
                f"and working ({metrics.get('workers_stuck', 0)} stuck)"
            )
        reasons += self.queue.restart_reasons()
        if metrics["queue_size"] >= metrics["max_queue"]:
            reasons.append("render queue full")
        if self.shared is not None and not self.shared.up:
            reasons.append(self.shared.reason or "redis unreachable")
        return reasons

    @property
    def sheds(self) -> Sheds:
        """What this process shed and evicted (the server counts its refused and evicted
        connections here)."""
        return self.queue.sheds

    def not_ready_reason(self) -> str | None:
        """Why this replica cannot render now (``None`` when it can). The shared cache is
        never a reason: renders go on without it."""
        metrics = self.queue.snapshot(percentiles=False)
        if self.queue.closing:
            return "shutting down"
        if metrics["workers_alive"] == 0:
            return "no live render workers"
        if metrics["circuit_open"]:
            return f"circuit open for {metrics['circuit_reset_in']} s more"
        return None


def _first_failure(
    chunks: list[list[int]], answers: list[Any], frames: list[PlannedFrame]
) -> Reply | None:
    """The answer for the batch's first failed frame (``None`` when every frame drew)."""
    for position, (chunk, answer) in enumerate(zip(chunks, answers, strict=True)):
        if answer is None or answer.status == 200:
            continue
        if isinstance(answer, FramesResult) and answer.failure is not None:
            done, reply = len(answer.frames), answer.failure  # the chunk stopped there
        else:  # the whole chunk failed (the worker crashed, timed out, or raised)
            done, reply = 0, answer
        index = chunk[done]
        others = sum(
            len(other)
            for at, (other, result) in enumerate(zip(chunks, answers, strict=True))
            if at != position and (result is None or result.status != 200)
        )
        return _frame_failed(reply, index, frames[index].id, len(chunk) - done - 1 + others)
    return None


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
