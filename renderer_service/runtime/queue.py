"""The bounded render queue: admission, load shedding, dispatch to workers, draining.

Every accepted request gets exactly one answer: the worker's, or an error ``Reply`` when the
worker crashed, timed out or the service is stopping. Refusals (full queue, open circuit)
are answered at once, without touching the workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError
from ..jobs import Reply
from .circuit import CircuitBreaker
from .stats import QueueStats
from .workers import Handler, Worker, WorkerCrashedError

logger = logging.getLogger("renderer.queue")

HIGH_WATER = 0.8
"""Fraction of the queue's capacity above which it warns."""


@dataclass
class QueueLimits:
    max_queue_size: int = 120
    worker_count: int = 4
    render_timeout_seconds: float = 10.0
    retry_after_seconds: int = 1
    circuit_failure_threshold: int = 8
    circuit_reset_seconds: float = 12.0


@dataclass(eq=False)
class _Job:
    kind: str
    payload: Any
    future: asyncio.Future[Reply]
    enqueued_at: float
    trial: bool = False
    done: bool = field(default=False)


def _busy(error: str, detail: str, retry_after: float) -> Reply:
    seconds = str(max(1, math.ceil(retry_after)))
    return Reply.from_error(ApiError(503, error, detail, headers={"Retry-After": seconds}))


class RenderQueue:
    """Admits tasks into a bounded queue served by a pool of worker processes."""

    def __init__(
        self,
        handler: Handler,
        limits: QueueLimits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.handler = handler
        self.limits = limits
        self.stats = QueueStats()
        self.breaker = CircuitBreaker(
            limits.circuit_failure_threshold, limits.circuit_reset_seconds, clock
        )
        self._clock = clock
        self._waiting: asyncio.Queue[_Job] = asyncio.Queue()
        self._workers: list[Worker] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._in_flight = 0
        self._closing = False
        self._warned_high = False
        self._last_reject_log = -math.inf
        self._suppressed_rejects = 0

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        for index in range(self.limits.worker_count):
            worker = Worker(index, self.handler)
            self._workers.append(worker)
            self._tasks.append(asyncio.create_task(self._serve(index), name=f"serve-{index}"))

    async def close(self, grace_seconds: float) -> None:
        """Refuse new work, let queued work finish for up to ``grace_seconds``, stop workers."""
        self._closing = True
        deadline = self._clock() + grace_seconds
        while (self._waiting.qsize() or self._in_flight) and self._clock() < deadline:
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while not self._waiting.empty():
            job = self._waiting.get_nowait()
            self._answer(job, _busy("shutting_down", "the service is stopping", 1))
        await asyncio.gather(*(worker.stop() for worker in self._workers))

    # --- admission -----------------------------------------------------------------------

    async def submit(self, kind: str, payload: Any) -> Reply:
        """Queue a task and wait for its answer; refusals come back at once as 503s."""
        if self._closing:
            return _busy("shutting_down", "the service is stopping", 1)
        allowed, trial = self.breaker.allow()
        if not allowed:
            self.stats.total_rejected += 1
            self.stats.rejected_circuit_open += 1
            reset_in = self.breaker.reset_in()
            return _busy(
                "circuit_open",
                f"renders are failing; the circuit is open, retry in {reset_in:.1f} s",
                reset_in,
            )
        size = self._waiting.qsize()
        if size >= self.limits.max_queue_size:
            if trial:
                self.breaker.record(None, trial=True)
            self.stats.total_rejected += 1
            self.stats.rejected_queue_full += 1
            self._log_rejection()
            return _busy(
                "queue_full",
                f"the render queue is full ({size} of {self.limits.max_queue_size} waiting)",
                self.limits.retry_after_seconds,
            )
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        job = _Job(kind, payload, future, self._clock(), trial)
        self._waiting.put_nowait(job)
        self.stats.total_enqueued += 1
        size += 1
        self.stats.max_observed_queue = max(self.stats.max_observed_queue, size)
        self._check_high_water(size)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # The client went away. A worker still answers the job (or skips it if it has
            # not started); nothing else waits for it.
            job.done = True
            raise

    def _check_high_water(self, size: int) -> None:
        high = size > HIGH_WATER * self.limits.max_queue_size
        if high and not self._warned_high:
            logger.warning(
                "render queue above %d%% of capacity: %d of %d waiting",
                round(HIGH_WATER * 100),
                size,
                self.limits.max_queue_size,
            )
        self._warned_high = high

    def _log_rejection(self) -> None:
        now = self._clock()
        if now - self._last_reject_log >= 1.0:
            extra = f" (and {self._suppressed_rejects} more since the last report)"
            logger.warning(
                "render queue full (%d waiting): request rejected with 503%s",
                self._waiting.qsize(),
                extra if self._suppressed_rejects else "",
            )
            self._last_reject_log = now
            self._suppressed_rejects = 0
        else:
            self._suppressed_rejects += 1

    # --- dispatch ------------------------------------------------------------------------

    async def _serve(self, index: int) -> None:
        """One worker's loop: take the next job, run it, answer it, replace the worker if
        it died or hung."""
        while True:
            job = await self._waiting.get()
            if self._waiting.qsize() <= HIGH_WATER * self.limits.max_queue_size:
                self._warned_high = False
            if job.done or job.future.done():
                self.breaker.record(None, job.trial)
                continue
            self._in_flight += 1
            try:
                reply, failed = await self._run(index, job)
            except asyncio.CancelledError:
                # Stopping past the grace period: the job still gets an answer.
                self._answer(job, _busy("shutting_down", "the service stopped mid-render", 1))
                raise
            finally:
                self._in_flight -= 1
            self.stats.total_completed += 1
            if failed:
                self.stats.total_failed += 1
            self.stats.latencies_ms.append((self._clock() - job.enqueued_at) * 1000)
            self.breaker.record(not failed, job.trial)
            self._answer(job, reply)

    async def _run(self, index: int, job: _Job) -> tuple[Reply, bool]:
        worker = self._workers[index]
        timeout = self.limits.render_timeout_seconds
        try:
            reply = await asyncio.wait_for(worker.call(job.kind, job.payload), timeout)
        except TimeoutError:
            self.stats.timeouts += 1
            logger.error("worker %d took over %.1f s; replacing it", index, timeout)
            self._replace(index)
            error = ApiError(504, "render_timeout", f"the render took longer than {timeout} s")
            return Reply.from_error(error), True
        except WorkerCrashedError as exc:
            logger.error("%s; replacing it", exc)
            self._replace(index)
            error = ApiError(500, "worker_crashed", "the render worker stopped unexpectedly")
            return Reply.from_error(error), True
        return reply, reply.status >= 500

    def _replace(self, index: int) -> None:
        self._workers[index].kill()
        self._workers[index] = Worker(index, self.handler)
        self.stats.worker_restarts += 1

    def _answer(self, job: _Job, reply: Reply) -> None:
        job.done = True
        if not job.future.done():
            job.future.set_result(reply)

    # --- reporting -----------------------------------------------------------------------

    @property
    def queue_size(self) -> int:
        return self._waiting.qsize()

    def workers_alive(self) -> int:
        return sum(worker.is_alive() for worker in self._workers)

    def snapshot(self) -> dict[str, Any]:
        stats = self.stats
        return {
            "queue_size": self.queue_size,
            "max_queue": self.limits.max_queue_size,
            "max_observed_queue": stats.max_observed_queue,
            "in_flight": self._in_flight,
            "total_enqueued": stats.total_enqueued,
            "total_completed": stats.total_completed,
            "total_failed": stats.total_failed,
            "total_rejected": stats.total_rejected,
            "rejected_queue_full": stats.rejected_queue_full,
            "rejected_circuit_open": stats.rejected_circuit_open,
            "timeouts": stats.timeouts,
            "worker_restarts": stats.worker_restarts,
            "circuit_open": self.breaker.is_open,
            "circuit_state": self.breaker.state.value,
            "circuit_reset_in": round(self.breaker.reset_in(), 3),
            "consecutive_failures": self.breaker.consecutive_failures,
            "worker_count": self.limits.worker_count,
            "workers_alive": self.workers_alive(),
            "latency_ms": stats.latency_percentiles(),
        }
