"""The bounded render queue: admission, load shedding, dispatch to workers, draining.

Every accepted request gets exactly one answer: the worker's, or an error ``Reply`` when the
worker crashed, timed out or the service is stopping. Refusals (full queue, open circuit)
are answered at once, without touching the workers.

A queue entry holds one task or, for a batch, many: a batch takes one place in the queue,
and while it is at the head every free worker takes its next task, so its frames spread
over all workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
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
class _Task:
    """One unit of work for a worker, and where its answer goes."""

    kind: str
    payload: Any
    future: asyncio.Future[Any]
    enqueued_at: float
    trial: bool = False
    done: bool = field(default=False)
    """Answered, or abandoned by its caller: a worker skips it."""


@dataclass(eq=False)
class _Entry:
    """One place in the queue: the tasks of a request not yet handed to a worker."""

    tasks: deque[_Task]


class _Line:
    """A FIFO of entries that workers wait on; an entry can go back to the front."""

    def __init__(self) -> None:
        self._entries: deque[_Entry] = deque()
        self._wakeup = asyncio.Event()

    def __len__(self) -> int:
        return len(self._entries)

    def put(self, entry: _Entry, front: bool = False) -> None:
        if front:
            self._entries.appendleft(entry)
        else:
            self._entries.append(entry)
        self._wakeup.set()

    async def get(self) -> _Entry:
        while not self._entries:
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._entries.popleft()

    def drain(self) -> list[_Entry]:
        entries = list(self._entries)
        self._entries.clear()
        return entries


class QueueRefusedError(Exception):
    """The queue would not take the work; ``reply`` is the 503 to send."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        super().__init__(reply.status)


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
        self._waiting = _Line()
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
        while (len(self._waiting) or self._in_flight) and self._clock() < deadline:
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for entry in self._waiting.drain():
            for job in entry.tasks:
                self._answer(job, _busy("shutting_down", "the service is stopping", 1))
        await asyncio.gather(*(worker.stop() for worker in self._workers))

    @property
    def closing(self) -> bool:
        """Whether the queue has begun shutting down (it refuses new work)."""
        return self._closing

    # --- admission -----------------------------------------------------------------------

    async def submit(self, kind: str, payload: Any) -> Reply:
        """Queue a task and wait for its answer; refusals come back at once as 503s."""
        try:
            results = await self.submit_all([(kind, payload)])
        except QueueRefusedError as refusal:
            return refusal.reply
        reply: Reply = results[0]
        return reply

    async def submit_all(self, tasks: Sequence[tuple[str, Any]]) -> list[Any]:
        """Queue tasks as one entry and wait for all their answers, in order.

        Raises ``QueueRefusedError`` (with the 503 to send) when the queue will not take them.
        """
        if self._closing:
            raise QueueRefusedError(_busy("shutting_down", "the service is stopping", 1))
        allowed, trial = self.breaker.allow()
        if not allowed:
            self.stats.total_rejected += 1
            self.stats.rejected_circuit_open += 1
            reset_in = self.breaker.reset_in()
            raise QueueRefusedError(
                _busy(
                    "circuit_open",
                    f"renders are failing; the circuit is open, retry in {reset_in:.1f} s",
                    reset_in,
                )
            )
        size = len(self._waiting)
        if size >= self.limits.max_queue_size:
            if trial:
                self.breaker.record(None, trial=True)
            self.stats.total_rejected += 1
            self.stats.rejected_queue_full += 1
            self._log_rejection()
            raise QueueRefusedError(
                _busy(
                    "queue_full",
                    f"the render queue is full ({size} of {self.limits.max_queue_size} waiting)",
                    self.limits.retry_after_seconds,
                )
            )
        loop = asyncio.get_running_loop()
        now = self._clock()
        jobs = [
            _Task(kind, payload, loop.create_future(), now, trial and index == 0)
            for index, (kind, payload) in enumerate(tasks)
        ]
        if not jobs:
            return []
        self._waiting.put(_Entry(deque(jobs)))
        self.stats.total_enqueued += len(jobs)
        size += 1
        self.stats.max_observed_queue = max(self.stats.max_observed_queue, size)
        self._check_high_water(size)
        try:
            if len(jobs) == 1:
                return [await asyncio.shield(jobs[0].future)]
            return list(await asyncio.shield(asyncio.gather(*(job.future for job in jobs))))
        except asyncio.CancelledError:
            # The client went away. Workers skip what they have not started.
            for job in jobs:
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
                len(self._waiting),
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
            entry = await self._waiting.get()
            job = entry.tasks.popleft()
            if entry.tasks:  # a batch: its next task goes to the next free worker
                self._waiting.put(entry, front=True)
            if len(self._waiting) <= HIGH_WATER * self.limits.max_queue_size:
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

    async def _run(self, index: int, job: _Task) -> tuple[Any, bool]:
        worker = self._workers[index]
        timeout = self.limits.render_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                reply = await worker.call(job.kind, job.payload)
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

    def _answer(self, job: _Task, reply: Any) -> None:
        job.done = True
        if not job.future.done():
            job.future.set_result(reply)

    # --- reporting -----------------------------------------------------------------------

    @property
    def queue_size(self) -> int:
        return len(self._waiting)

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
