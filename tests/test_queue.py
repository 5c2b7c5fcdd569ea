"""The render queue with real worker processes: shedding, circuit, crashes, metrics."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop

from renderer_service.runtime import QueueLimits, RenderQueue
from renderer_service.work.reply import Reply


def scripted(kind: str, payload: Any) -> Reply:
    """A worker handler driven by its payload: ``ok``, ``sleep:S``, ``fail``, ``crash``, ``bad``,
    ``crash-once:PATH`` (crashes unless PATH exists, creating it)."""
    command = str(payload)
    if command.startswith("crash-once:"):
        marker = Path(command.split(":", 1)[1])
        if not marker.exists():
            marker.touch()
            os._exit(3)
    if command.startswith("sleep:"):
        time.sleep(float(command.split(":", 1)[1]))
    elif command == "fail":
        raise RuntimeError("the renderer broke")
    elif command == "crash":
        os._exit(3)
    elif command == "bad":
        return Reply(422, "application/json", b'{"error": "invalid_params"}')
    return Reply(200, "text/plain", f"{kind}:{command}:{os.getpid()}".encode())


LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop] | None] = {
    "asyncio": None,
    "uvloop": uvloop.new_event_loop,  # what uvicorn runs the service on
}


@pytest.fixture(params=sorted(LOOPS), autouse=True)
def event_loop_kind(request: pytest.FixtureRequest) -> Iterator[None]:
    global _LOOP_FACTORY
    _LOOP_FACTORY = LOOPS[request.param]
    yield
    _LOOP_FACTORY = None


_LOOP_FACTORY: Callable[[], asyncio.AbstractEventLoop] | None = None


def run_on_loop(main: Callable[[], Awaitable[Any]]) -> Any:
    with asyncio.Runner(loop_factory=_LOOP_FACTORY) as runner:
        return runner.run(main())  # type: ignore[arg-type]


def run(limits: QueueLimits, scenario: Callable[[RenderQueue], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        queue = RenderQueue(scripted, limits)
        await queue.start()
        try:
            return await scenario(queue)
        finally:
            await queue.close(grace_seconds=5)

    return run_on_loop(main)


def test_every_task_is_answered_by_a_worker() -> None:
    async def scenario(queue: RenderQueue) -> list[Reply]:
        return await asyncio.gather(*(queue.submit("render", "ok") for _ in range(20)))

    replies = run(QueueLimits(worker_count=2), scenario)
    assert [reply.status for reply in replies] == [200] * 20
    pids = {reply.body.split(b":")[-1] for reply in replies}
    assert str(os.getpid()).encode() not in pids
    assert len(pids) == 2  # both workers took work


def test_a_full_queue_answers_503_at_once_with_retry_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario(queue: RenderQueue) -> tuple[list[Reply], float, dict[str, Any]]:
        first = asyncio.ensure_future(queue.submit("render", "sleep:0.5"))
        await asyncio.sleep(0.2)  # the worker is busy with it
        waiting = [asyncio.ensure_future(queue.submit("render", "ok")) for _ in range(2)]
        await asyncio.sleep(0)
        refused = await queue.submit("render", "ok")
        answered_at_once = not first.done()  # the refusal did not wait for the worker
        snapshot_during = queue.snapshot()
        replies = [await first, *(await asyncio.gather(*waiting)), refused]
        return replies, answered_at_once, snapshot_during

    with caplog.at_level(logging.WARNING, logger="renderer.queue"):
        replies, answered_at_once, during = run(
            QueueLimits(worker_count=1, max_queue_size=2, retry_after_seconds=3), scenario
        )
    *served, refused = replies
    assert [reply.status for reply in served] == [200, 200, 200]
    assert refused.status == 503
    assert dict(refused.headers)["Retry-After"] == "3"
    assert b'"error":"queue_full"' in refused.body
    assert answered_at_once
    assert during["queue_size"] == 2
    assert during["total_rejected"] == 1
    assert during["max_observed_queue"] == 2
    assert "render queue full" in caplog.text
    assert "above 80% of capacity" in caplog.text


def test_failures_open_the_circuit_and_a_good_trial_closes_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario(queue: RenderQueue) -> dict[str, Any]:
        failures = [await queue.submit("render", "fail") for _ in range(3)]
        refused = await queue.submit("render", "ok")
        open_snapshot = queue.snapshot()
        await asyncio.sleep(0.45)
        trial = await queue.submit("render", "ok")
        after = await queue.submit("render", "ok")
        return {
            "failures": failures,
            "refused": refused,
            "open": open_snapshot,
            "trial": trial,
            "after": after,
            "closed": queue.snapshot(),
        }

    limits = QueueLimits(worker_count=1, circuit_failure_threshold=3, circuit_reset_seconds=0.4)
    with caplog.at_level(logging.WARNING, logger="renderer.queue"):
        result = run(limits, scenario)
    assert [reply.status for reply in result["failures"]] == [500, 500, 500]
    assert b'"error":"render_failed"' in result["failures"][0].body
    assert b"the renderer broke" not in result["failures"][0].body  # details stay in the log
    assert result["refused"].status == 503
    assert b'"error":"circuit_open"' in result["refused"].body
    assert "Retry-After" in dict(result["refused"].headers)
    assert result["open"]["circuit_open"] is True
    assert 0 < result["open"]["circuit_reset_in"] <= 0.4
    assert result["trial"].status == 200
    assert result["after"].status == 200
    assert result["closed"]["circuit_open"] is False
    assert result["closed"]["total_failed"] == 3
    assert "circuit opened" in caplog.text
    assert "circuit closed" in caplog.text


def test_bad_input_never_counts_as_a_failure() -> None:
    async def scenario(queue: RenderQueue) -> dict[str, Any]:
        for _ in range(10):
            assert (await queue.submit("render", "bad")).status == 422
        return queue.snapshot()

    snapshot = run(QueueLimits(worker_count=1, circuit_failure_threshold=2), scenario)
    assert snapshot["circuit_open"] is False
    assert snapshot["total_failed"] == 0
    assert snapshot["total_completed"] == 10


def test_a_task_that_crashes_its_worker_twice_is_a_500_naming_the_cause_counted_once() -> None:
    async def scenario(queue: RenderQueue) -> tuple[Reply, Reply, dict[str, Any]]:
        crashed = await queue.submit("render", "crash")
        snapshot = queue.snapshot()
        after = await queue.submit("render", "ok")
        return crashed, after, snapshot

    crashed, after, snapshot = run(QueueLimits(worker_count=1), scenario)
    assert crashed.status == 500
    assert b"worker_crashed" in crashed.body
    assert b"exit code 3" in crashed.body
    assert after.status == 200
    assert snapshot["worker_restarts"] == 2  # the first try and the retry
    assert snapshot["workers_alive"] == 1
    assert snapshot["total_failed"] == 1
    assert snapshot["consecutive_failures"] == 1


def test_a_task_whose_worker_died_before_answering_is_retried_on_a_live_worker() -> None:
    async def scenario(queue: RenderQueue) -> tuple[Reply, list[int], dict[str, Any]]:
        pids = queue.worker_pids()
        task = asyncio.ensure_future(queue.submit("render", "sleep:0.5"))
        await asyncio.sleep(0.2)  # the worker holds the task
        os.kill(pids[0], signal.SIGKILL)
        return await task, pids, queue.snapshot()

    reply, pids, snapshot = run(QueueLimits(worker_count=1), scenario)
    assert reply.status == 200
    assert int(reply.body.split(b":")[-1]) not in pids  # drawn by the replacement
    assert snapshot["worker_restarts"] == 1
    assert snapshot["total_failed"] == 0


def test_workers_killed_while_idle_are_replaced_at_once_and_no_task_fails() -> None:
    async def scenario(queue: RenderQueue) -> tuple[float, list[int], list[int], list[Reply]]:
        before = queue.worker_pids()
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        while queue.snapshot()["worker_restarts"] < len(before):
            assert time.monotonic() - killed_at < 2, "the dead workers were not replaced"
            await asyncio.sleep(0.01)
        healed_after = time.monotonic() - killed_at
        replies = await asyncio.gather(*(queue.submit("render", "ok") for _ in range(8)))
        return healed_after, before, queue.worker_pids(), list(replies)

    healed_after, before, after, replies = run(QueueLimits(worker_count=3), scenario)
    assert healed_after < 2
    assert not set(before) & set(after)
    assert [reply.status for reply in replies] == [200] * 8


def test_a_sigterm_to_the_process_group_neither_stops_workers_nor_loses_their_work() -> None:
    """SIGTERM often reaches the whole process group at once: the server stops its workers
    when their work is done, so they ignore it, busy or idle, and no worker is replaced."""

    async def scenario(queue: RenderQueue) -> tuple[list[int], list[int], Reply, int]:
        before = queue.worker_pids()
        busy = asyncio.ensure_future(queue.submit("render", "sleep:0.3"))
        await asyncio.sleep(0.1)
        for pid in before:
            os.kill(pid, signal.SIGTERM)
        drawn = await busy
        await asyncio.sleep(0.3)
        return before, queue.worker_pids(), drawn, queue.snapshot()["worker_restarts"]

    before, after, drawn, restarts = run(QueueLimits(worker_count=2), scenario)
    assert drawn.status == 200
    assert after == before
    assert restarts == 0


def test_a_stopped_worker_is_reported_stuck_not_alive() -> None:
    async def scenario(queue: RenderQueue) -> tuple[dict[str, Any], dict[str, Any]]:
        pid = queue.worker_pids()[0]
        os.kill(pid, signal.SIGSTOP)
        try:
            for _ in range(100):  # the system marks it stopped within a moment
                stopped = queue.snapshot()
                if stopped["workers_stuck"]:
                    break
                await asyncio.sleep(0.01)
        finally:
            os.kill(pid, signal.SIGCONT)
        for _ in range(100):
            resumed = queue.snapshot()
            if not resumed["workers_stuck"]:
                break
            await asyncio.sleep(0.01)
        return stopped, resumed

    stopped, resumed = run(QueueLimits(worker_count=2), scenario)
    assert stopped["workers_stuck"] == 1
    assert stopped["workers_alive"] == 1
    assert resumed["workers_stuck"] == 0
    assert resumed["workers_alive"] == 2


def test_a_worker_busy_past_the_render_timeout_is_stuck() -> None:
    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()

    async def main() -> tuple[int, int]:
        queue = RenderQueue(scripted, QueueLimits(worker_count=1, render_timeout_seconds=60), clock)
        await queue.start()
        try:
            task = asyncio.ensure_future(queue.submit("render", "sleep:0.3"))
            await asyncio.sleep(0.1)
            before = queue.workers_stuck()
            clock.now += 61  # the queue's clock says the render has run past its timeout
            stuck = queue.workers_stuck()
            await task
            return before, stuck
        finally:
            await queue.close(grace_seconds=5)

    assert run_on_loop(main) == (0, 1)


def test_a_batch_stops_at_its_first_failed_frame_and_counts_once() -> None:
    async def scenario(queue: RenderQueue) -> tuple[list[Any], dict[str, Any]]:
        frames = await queue.submit_all([("frame", "fail"), *[("frame", "ok")] * 14])
        return frames, queue.snapshot()

    frames, snapshot = run(QueueLimits(worker_count=1, circuit_failure_threshold=2), scenario)
    assert frames[0].status == 500
    assert frames[1:] == [None] * 14  # never drawn
    assert snapshot["total_completed"] == 1
    assert snapshot["consecutive_failures"] == 1
    assert snapshot["circuit_open"] is False


def test_a_batch_of_timeouts_does_not_open_the_circuit_for_everyone() -> None:
    async def scenario(queue: RenderQueue) -> tuple[list[Any], Reply, dict[str, Any]]:
        frames = await queue.submit_all([("frame", "sleep:5")] * 15)
        after = await queue.submit("render", "ok")
        return frames, after, queue.snapshot()

    limits = QueueLimits(worker_count=2, render_timeout_seconds=0.3, circuit_failure_threshold=3)
    frames, after, snapshot = run(limits, scenario)
    assert sum(frame is not None and frame.status == 504 for frame in frames) >= 1
    assert frames.count(None) >= 13
    assert snapshot["timeouts"] <= 2  # the frames in flight, not all fifteen
    assert after.status == 200
    assert snapshot["circuit_open"] is False


def test_a_batch_frame_whose_worker_crashed_is_retried(tmp_path: Path) -> None:
    marker = tmp_path / "crashed"

    async def scenario(queue: RenderQueue) -> tuple[list[Any], dict[str, Any]]:
        tasks = [("frame", "ok")] * 6 + [("frame", f"crash-once:{marker}")] + [("frame", "ok")]
        return await queue.submit_all(tasks), queue.snapshot()

    frames, snapshot = run(QueueLimits(worker_count=2), scenario)
    assert [frame.status for frame in frames] == [200] * 8
    assert marker.exists()
    assert snapshot["worker_restarts"] == 1
    assert snapshot["total_failed"] == 0


def test_a_hung_worker_times_out_and_is_replaced() -> None:
    async def scenario(queue: RenderQueue) -> tuple[Reply, Reply, dict[str, Any]]:
        hung = await queue.submit("render", "sleep:30")
        after = await queue.submit("render", "ok")
        return hung, after, queue.snapshot()

    hung, after, snapshot = run(QueueLimits(worker_count=1, render_timeout_seconds=0.3), scenario)
    assert hung.status == 504
    assert b"render_timeout" in hung.body
    assert after.status == 200
    assert snapshot["timeouts"] == 1
    assert snapshot["total_failed"] == 1


def test_metrics_count_what_happened() -> None:
    async def scenario(queue: RenderQueue) -> dict[str, Any]:
        await asyncio.gather(*(queue.submit("render", "ok") for _ in range(5)))
        await queue.submit("render", "fail")
        return queue.snapshot()

    snapshot = run(QueueLimits(worker_count=2), scenario)
    assert snapshot["total_enqueued"] == 6
    assert snapshot["total_completed"] == 6
    assert snapshot["total_failed"] == 1
    assert snapshot["total_rejected"] == 0
    assert snapshot["queue_size"] == 0
    assert snapshot["worker_count"] == 2
    latency = snapshot["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"]


async def _closed_while_busy(
    job: str, count: int, grace_seconds: float
) -> tuple[RenderQueue, list[asyncio.Future[Reply]]]:
    """A one-worker queue closed with ``count`` renders of ``job`` submitted, and their
    answers to come."""
    queue = RenderQueue(scripted, QueueLimits(worker_count=1))
    await queue.start()
    tasks = [asyncio.ensure_future(queue.submit("render", job)) for _ in range(count)]
    await asyncio.sleep(0.05)
    await queue.close(grace_seconds=grace_seconds)
    return queue, tasks


def test_closing_answers_queued_work_before_stopping() -> None:
    async def main() -> list[Reply]:
        queue, tasks = await _closed_while_busy("sleep:0.1", 4, grace_seconds=5)
        late = await queue.submit("render", "ok")
        return [*(await asyncio.gather(*tasks)), late]

    *drained, late = run_on_loop(main)
    assert [reply.status for reply in drained] == [200] * 4
    assert late.status == 503
    assert b"shutting_down" in late.body


def test_closing_past_the_grace_period_still_answers_everyone() -> None:
    async def main() -> list[Reply]:
        _, tasks = await _closed_while_busy("sleep:1", 3, grace_seconds=0.1)
        return list(await asyncio.gather(*tasks))

    replies = run_on_loop(main)
    assert [reply.status for reply in replies] == [503, 503, 503]


def test_a_batch_is_one_queue_entry_spread_over_all_workers() -> None:
    async def scenario(queue: RenderQueue) -> tuple[list[Reply], int]:
        blocker = asyncio.ensure_future(queue.submit("render", "sleep:0.3"))
        blocker2 = asyncio.ensure_future(queue.submit("render", "sleep:0.3"))
        await asyncio.sleep(0.1)  # both workers busy
        batch = queue.submit_all([("frame", "sleep:0.05") for _ in range(8)])
        frames = asyncio.ensure_future(batch)
        await asyncio.sleep(0.05)
        waiting = queue.queue_size
        await blocker
        await blocker2
        return list(await frames), waiting

    replies, waiting = run(QueueLimits(worker_count=2, max_queue_size=1), scenario)
    assert waiting == 1  # eight frames, one place in the queue
    assert [reply.status for reply in replies] == [200] * 8
    assert len({reply.body.split(b":")[-1] for reply in replies}) == 2
