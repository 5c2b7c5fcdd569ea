"""Render workers heal without flapping (issue 26, item 3): a worker that dies within a second
of its start is started again after 1, 2, 4 ... s (at most 30 s); meanwhile /health is
degraded, saying why, and /health/ready fails while no worker lives. Driven by an injected
clock and stand-in workers: nothing waits and nothing forks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from renderer_service.renderer import Renderer
from renderer_service.runtime import LRUCache, QueueLimits, RenderQueue
from renderer_service.service import RenderService


class StandInWorker:
    """A worker that lives until told it died."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.pid = 4000 + index
        self.busy_since: float | None = None
        self.alive = True
        self.on_lost: Callable[[], None] | None = None

    def is_alive(self) -> bool:
        return self.alive

    def is_stopped(self) -> bool:
        return False

    def exit_cause(self) -> str:
        return "exit code 1"

    def watch(self, on_lost: Callable[[], None]) -> None:
        self.on_lost = on_lost

    def kill(self) -> None:
        self.alive = False

    async def call(self, kind: str, payload: Any, timeout: float | None = None) -> Any:
        raise AssertionError("no task is sent in these tests")

    async def stop(self) -> None:
        self.alive = False


class Scene:
    """A one-worker queue on a clock the test moves, and the service that reports on it."""

    def __init__(self, renderer: Renderer) -> None:
        self.now = 0.0
        self.workers: list[StandInWorker] = []
        self.started_at: list[float] = []
        self.queue = RenderQueue(
            lambda kind, payload: None,
            QueueLimits(worker_count=1),
            clock=lambda: self.now,
            spawn=self._spawn,
        )
        self.service = RenderService(renderer, self.queue, LRUCache(1, 1024))

    def _spawn(self, index: int, handler: Any) -> StandInWorker:
        worker = StandInWorker(index)
        self.workers.append(worker)
        self.started_at.append(self.now)
        return worker

    def kill_current(self, after: float, by_socket: bool = False) -> None:
        """The live worker dies ``after`` seconds past its start; the queue hears of it."""
        worker = self.workers[-1]
        self.now = self.started_at[-1] + after
        worker.alive = False
        if by_socket:
            assert worker.on_lost is not None
            worker.on_lost()  # its socket closed
        else:
            self.queue.heal()  # the supervisor's round

    def restart_when_due(self) -> float:
        """Move the clock on until the worker is started again; the pause it took."""
        died_at, started = self.now, len(self.workers)
        while len(self.workers) == started:
            self.now = round(self.now + 0.25, 6)
            self.queue.heal()
            assert self.now - died_at <= 60, "never started again"
        return self.now - died_at


def run_scene(renderer: Renderer, play: Callable[[Scene], None]) -> None:
    async def main() -> None:
        scene = Scene(renderer)
        await scene.queue.start()
        assert scene.queue._supervisor is not None
        scene.queue._supervisor.cancel()  # the test plays the supervisor's rounds
        try:
            play(scene)
        finally:
            await scene.queue.close(grace_seconds=0)

    asyncio.run(main())


def test_a_worker_dying_young_restarts_after_a_doubling_pause_up_to_30_s(
    renderer: Renderer,
) -> None:
    def play(scene: Scene) -> None:
        pauses = []
        for death in range(7):
            scene.kill_current(after=0.5, by_socket=death % 2 == 0)
            reasons = scene.service.degraded_reasons()
            assert any("died 0.5 s after it started (exit code 1)" in r for r in reasons)
            assert scene.service.not_ready_reason() == "no live render workers"
            assert scene.queue.snapshot()["workers_restarting"] == 1
            pauses.append(scene.restart_when_due())
            assert scene.service.degraded_reasons() == []
            assert scene.service.not_ready_reason() is None
        assert pauses == [1, 2, 4, 8, 16, 30, 30]

    run_scene(renderer, play)


def test_a_worker_that_lived_past_a_second_restarts_at_once_and_the_pause_starts_over(
    renderer: Renderer,
) -> None:
    def play(scene: Scene) -> None:
        scene.kill_current(after=0.2)
        assert scene.restart_when_due() == 1
        scene.kill_current(after=0.2)
        assert scene.restart_when_due() == 2
        scene.kill_current(after=5.0)  # it lived: a crash, not a worker that cannot start
        assert len(scene.workers) == 4  # started again at once
        assert scene.started_at[-1] == scene.now
        assert scene.service.degraded_reasons() == []
        scene.kill_current(after=0.2)
        assert scene.restart_when_due() == 1  # the pause starts over
        assert scene.queue.snapshot()["worker_restarts"] == 4

    run_scene(renderer, play)


def test_a_death_noticed_twice_is_one_death(renderer: Renderer) -> None:
    def play(scene: Scene) -> None:
        scene.kill_current(after=0.5, by_socket=True)
        scene.queue.heal()  # the supervisor sees the same dead worker
        assert scene.workers[-1].on_lost is not None
        scene.workers[-1].on_lost()
        assert scene.restart_when_due() == 1  # not 2 or 4

    run_scene(renderer, play)
