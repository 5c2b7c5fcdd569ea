"""Admission by waiting time (issue 26, item 1): a render that has not started within
``CG3_MAX_WAIT_MS`` of its body being complete is answered ``503 overloaded`` at once, queued
or light; cache hits, /health and /metrics never are; every shed is counted by reason."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest

from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import LRUCache, QueueLimits, QueueRefusedError, RenderQueue
from renderer_service.service import RenderService
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.reply import Reply

from .slow_app import SlowHandler
from .test_queue import run, scripted
from .test_server import CAT, Running, settings_for


def overloaded(reply: Reply) -> bool:
    return (
        reply.status == 503
        and orjson.loads(reply.body)["error"] == "overloaded"
        and ("Retry-After", "1") in reply.headers
    )


def test_a_queued_render_not_started_in_time_is_answered_overloaded_before_its_turn() -> None:
    async def scenario(queue: RenderQueue) -> tuple[Reply, bool, Reply, dict[str, Any]]:
        busy = asyncio.ensure_future(queue.submit("render", "sleep:2"))
        while queue.snapshot()["in_flight"] < 1:
            await asyncio.sleep(0.01)
        shed = await queue.submit("render", "ok")
        busy_still_drawing = not busy.done()  # answered at its deadline, not at its turn
        return shed, busy_still_drawing, await busy, queue.snapshot()

    shed, busy_still_drawing, drawn, snapshot = run(
        QueueLimits(worker_count=1, max_wait_seconds=0.05), scenario
    )
    assert overloaded(shed)
    assert busy_still_drawing
    assert drawn.status == 200
    assert snapshot["shed"] == {"wait": 1, "queue_full": 0, "circuit_open": 0, "connections": 0}
    assert snapshot["shed_last_minute"]["wait"] == 1
    assert snapshot["total_rejected"] == 1
    assert snapshot["total_completed"] == 1  # the shed render was never drawn


def test_a_batch_that_waited_too_long_is_refused_whole() -> None:
    async def scenario(queue: RenderQueue) -> Reply:
        busy = asyncio.ensure_future(queue.submit("render", "sleep:1"))
        while queue.snapshot()["in_flight"] < 1:
            await asyncio.sleep(0.01)
        try:
            await queue.submit_all([("frame", "ok")] * 3)
        except QueueRefusedError as refusal:
            return refusal.reply
        finally:
            await busy
        raise AssertionError("the batch was drawn")

    assert overloaded(run(QueueLimits(worker_count=1, max_wait_seconds=0.05), scenario))


def test_waiting_counts_from_when_the_body_was_complete() -> None:
    now = [100.0]
    queue = RenderQueue(scripted, QueueLimits(max_wait_seconds=0.25), clock=lambda: now[0])
    drawn: list[str] = []

    def draw() -> Reply:
        drawn.append("cat")
        return Reply(200, "text/plain", b"cat")

    assert queue.run_here(draw, arrived=99.80).status == 200  # 200 ms: in time
    assert overloaded(queue.run_here(draw, arrived=99.70))  # 300 ms: too late, not drawn
    assert queue.run_here(draw).status == 200  # no arrival time: drawn now
    assert drawn == ["cat", "cat"]
    assert queue.sheds.totals["wait"] == 1
    now[0] += 61
    assert queue.sheds.last_minute()["wait"] == 0  # a minute later
    assert queue.sheds.totals["wait"] == 1


def _light_service(renderer: Renderer, max_wait: float) -> RenderService:
    packs = PackSet.single(renderer)
    queue = RenderQueue(TaskHandler(packs), QueueLimits(max_wait_seconds=max_wait))
    return RenderService(packs, queue, LRUCache(64, 1 << 24), inline=True)


def test_a_light_render_drawn_here_is_shed_too_but_never_a_cache_hit(renderer: Renderer) -> None:
    service = _light_service(renderer, 0.25)
    body = orjson.dumps(CAT)
    late = time.monotonic() - 1.0  # its body was complete a second ago
    shed = service.render_now(body, arrived=late)
    assert isinstance(shed, Reply)
    assert overloaded(shed)
    drawn = service.render_now(body, arrived=time.monotonic())
    assert isinstance(drawn, Reply)
    assert drawn.status == 200
    hit = service.render_now(body, arrived=late)  # the same cat, late: from the cache
    assert isinstance(hit, Reply)
    assert hit.status == 200
    assert ("X-Cache", "hit-memory") in hit.headers
    assert service.sheds.totals["wait"] == 1


@pytest.fixture
def overloaded_server(renderer: Renderer) -> Any:
    running = Running(
        renderer,
        settings_for(renderer, max_wait_ms=50, max_connections=64),
        handler_factory=lambda r: SlowHandler(r, 1.5),
    )
    yield running
    running.stop()


def test_over_http_a_slow_render_makes_the_next_one_wait_too_long(
    overloaded_server: Running,
) -> None:
    base = f"http://127.0.0.1:{overloaded_server.port}"
    queue = overloaded_server.app.state.service.queue
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(httpx.post, f"{base}/render", json=CAT, timeout=30)
        while queue.snapshot()["in_flight"] < 1:  # the only worker is drawing it
            time.sleep(0.01)
        other = {"payload": {**CAT["payload"], "spriteNumber": 3}}
        shed = httpx.post(f"{base}/render", json=other, timeout=30)
        assert shed.status_code == 503
        assert shed.json()["error"] == "overloaded"
        assert shed.headers["retry-after"] == "1"
        health = httpx.get(f"{base}/health", timeout=10)  # never shed
        metrics = httpx.get(f"{base}/metrics", timeout=10)
        assert first.result().status_code == 200
    assert health.status_code == 200
    assert health.json()["metrics"]["shed_last_minute"]["wait"] == 1
    assert metrics.status_code == 200
    assert 'cg3_shed_total{reason="wait"} 1.0' in metrics.text
    assert 'cg3_shed_total{reason="connections"} 0.0' in metrics.text
    assert "cg3_connections_evicted_total 0.0" in metrics.text
    repeat = httpx.post(f"{base}/render", json=CAT, timeout=30)  # a cache hit: never waits
    assert repeat.status_code == 200
    assert repeat.headers["x-cache"] == "hit-memory"


def test_light_renders_lined_up_on_the_direct_path_are_shed_when_drawing_starts_late(
    renderer: Renderer,
) -> None:
    """The direct path reads every ready request first, then draws the light ones from a
    line: each one's waiting is judged when its drawing starts, not when it was read."""
    now = [50.0]
    packs = PackSet.single(renderer)
    queue = RenderQueue(TaskHandler(packs), QueueLimits(max_wait_seconds=0.25), lambda: now[0])
    service = RenderService(packs, queue, LRUCache(64, 1 << 24), inline=True)
    answers: dict[int, Reply] = {}

    async def scenario() -> None:
        for pose, arrived in ((1, 49.9), (2, 49.6), (3, 49.95)):  # 100, 400 and 50 ms ago
            body = orjson.dumps({"payload": {**CAT["payload"], "spriteNumber": pose}})
            pending = service.render_now(body, arrived=arrived, defer_light=True)
            assert not isinstance(pending, Reply)  # not drawn in the parser's callback
            assert service.draw_soon(
                pending, lambda reply, pose=pose: answers.update({pose: reply})
            )
        assert answers == {}
        while len(answers) < 3:
            await asyncio.sleep(0)

    asyncio.run(scenario())
    assert answers[1].status == 200
    assert overloaded(answers[2])
    assert answers[3].status == 200
    assert service.sheds.totals["wait"] == 1
