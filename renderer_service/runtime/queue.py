"""The bounded render queue: admission, load shedding, dispatch to workers, draining.

Every accepted request gets exactly one answer: the worker's, or an error ``Reply`` when the
worker crashed twice, timed out or the service is stopping. Refusals (full queue, open
circuit) are answered at once, without touching the workers.

Workers heal: one that dies is replaced as soon as its socket closes, busy or not, and a task
whose worker died before answering gets one more try on a fresh worker. A worker held past
the render timeout, or stopped by the system, is reported stuck. A worker that dies within
a second of its start is started again only after a pause that doubles each time (``1, 2, 4
... s``, at most 30 s; see ``runtime.restarts``), so a worker that cannot live does not make
the service fork in a loop; meanwhile ``restart_reasons`` says so (``/health`` is degraded)
and the other workers take the tasks. A worker that died holding a task was killed by that
task (or by its length): it is replaced at once, and the task tried once more.

Admission by waiting time (``QueueLimits.max_wait_seconds``, ``CG3_MAX_WAIT_MS``): a render
that has not started within that time of its request's body being complete is answered
``503 overloaded`` (``Retry-After: 1``) at once, without drawing: whoever asked has waited too
long already, and a short answer lets it retry elsewhere while the work that can still be
answered in time goes first. Queued renders are checked when a worker would take them and by
one timer on the head of the queue (so a request deep in a long queue is answered when its
time is up, not when its turn comes); light renders drawn in this process are checked when
drawing would start (``run_here``). Every shed is counted by reason (``runtime.shedding``).

A queue entry holds one task or, for a batch, many: a batch takes one place in the queue,
and while it is at the head every free worker takes its next task, so its frames spread
over all workers. An entry is one request for the circuit breaker: a batch counts as one
success or one failure, and it stops at its first failed frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from renderer_service.runtime.circuit import CircuitBreaker
from renderer_service.runtime.line import (
    Entry,
    Line,
    QueueRefusedError,
    Task,
    busy,
)
from renderer_service.runtime.restarts import Restarts
from renderer_service.runtime.shedding import Sheds
from renderer_service.runtime.stats import QueueStats
from renderer_service.runtime.workers import Handler, Worker, WorkerCrashedError, failure_reply
from renderer_service.wire import ApiError
from renderer_service.work import Reply

logger = logging.getLogger("renderer.queue")

HIGH_WATER = 0.8
"""Fraction of the queue's capacity above which it warns."""

SpawnWorker = Callable[[int, Handler], Worker]
"""What starts worker ``index`` (a ``Worker``; tests hand in a fake)."""


@dataclass
class QueueLimits:
    max_queue_size: int = 120
    worker_count: int = 4
    render_timeout_seconds: float = 10.0
    retry_after_seconds: int = 1
    circuit_failure_threshold: int = 8
    circuit_reset_seconds: float = 12.0
    max_wait_seconds: float | None = None
    """Longest a render may wait to start, from its request's body being complete; then it is
    answered ``503 overloaded`` (``None``: it waits its turn however long)."""


class RenderQueue:
    """Admits tasks into a bounded queue served by a pool of worker processes."""

    def __init__(
        self,
        handler: Handler,
        limits: QueueLimits,
        clock: Callable[[], float] = time.monotonic,
        spawn: SpawnWorker = Worker,
    ) -> None:
        self.handler = handler
        self.limits = limits
        self.stats = QueueStats()
        self.sheds = Sheds(clock)
        self._max_wait = limits.max_wait_seconds or math.inf
        self._spawn_worker = spawn
        self._restarts = Restarts(limits.worker_count, clock)
        self._sweeper: asyncio.TimerHandle | None = None
        self.breaker = CircuitBreaker(
            limits.circuit_failure_threshold, limits.circuit_reset_seconds, clock
        )
        self._clock = clock
        self._waiting = Line()
        self._workers: list[Worker] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._supervisor: asyncio.Task[None] | None = None
        self._in_flight = 0
        self._closing = False
        self._warned_high = False
        self._last_reject_log = -math.inf
        self._suppressed_rejects = 0

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        for index in range(self.limits.worker_count):
            self._workers.append(self._spawn(index))
            self._tasks.append(asyncio.create_task(self._serve(index), name=f"serve-{index}"))
        self._supervisor = asyncio.create_task(self._supervise(), name="supervise-workers")

    async def close(self, grace_seconds: float) -> None:
        """Refuse new work, let queued work finish for up to ``grace_seconds``, stop workers."""
        self._closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        deadline = self._clock() + grace_seconds
        while (len(self._waiting) or self._in_flight) and self._clock() < deadline:
            await asyncio.sleep(0.01)
        tasks = [*self._tasks, *([self._supervisor] if self._supervisor else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for entry in self._waiting.drain():
            for job in entry.tasks:
                self._answer(job, busy("shutting_down", "the service is stopping", 1))
        await asyncio.gather(*(worker.stop() for worker in self._workers))

    @property
    def closing(self) -> bool:
        """Whether the queue has begun shutting down (it refuses new work)."""
        return self._closing

    # --- admission -----------------------------------------------------------------------

    async def submit(self, kind: str, payload: Any, arrived: float | None = None) -> Reply:
        """Queue a task and wait for its answer; refusals come back at once as 503s.
        ``arrived``: when its request's body was complete (the queue's clock), from which its
        waiting counts (default: now)."""
        try:
            results = await self.submit_all([(kind, payload)], arrived)
        except QueueRefusedError as refusal:
            return refusal.reply
        reply: Reply = results[0]
        return reply

    def _admit(self) -> bool:
        """Whether the circuit lets a request through (True: as its trial), or the 503 to
        send, raised as ``QueueRefusedError``: the service is stopping, or the circuit is open."""
        if self._closing:
            raise QueueRefusedError(busy("shutting_down", "the service is stopping", 1))
        allowed, trial = self.breaker.allow()
        if not allowed:
            self.stats.total_rejected += 1
            self.stats.rejected_circuit_open += 1
            self.sheds.record("circuit_open")
            reset_in = self.breaker.reset_in()
            raise QueueRefusedError(
                busy(
                    "circuit_open",
                    f"renders are failing; the circuit is open, retry in {reset_in:.1f} s",
                    reset_in,
                )
            )
        return trial

    def run_here(self, run: Callable[[], Reply], arrived: float | None = None) -> Reply:
        """Run a light task in this process, now, under the same rules as a queued one.

        For work that takes well under a millisecond (a single cat at a small scale), the
        round trip to a worker costs more than the work. It takes no place in the queue and
        no worker, but the circuit breaker admits it and counts its verdict, the counters
        and latencies count it, and a task that raises is answered 500 as a worker's would
        be. It is not timed out (it is bounded work) and, being drawn in the server process,
        a crash there is the server process's (``cg3 serve`` replaces a server process that
        dies).

        ``arrived``: when its request's body was complete; if that was longer ago than the
        most a render may wait, it is answered ``503 overloaded`` instead.
        """
        began = self._clock()
        if arrived is not None and began - arrived > self._max_wait:
            self.stats.total_rejected += 1
            self._note_shed()
            return self._overloaded()
        try:
            trial = self._admit()
        except QueueRefusedError as refusal:
            return refusal.reply
        self.stats.total_enqueued += 1
        try:
            reply = run()
        except Exception as exc:  # an answer for every task, whatever went wrong
            reply = failure_reply(exc)
        failed = reply.status >= 500
        self.stats.record((self._clock() - began) * 1000, failed)
        self.breaker.record(not failed, trial)
        return reply

    async def submit_all(
        self, tasks: Sequence[tuple[str, Any]], arrived: float | None = None
    ) -> list[Any]:
        """Queue tasks as one entry and wait for all their answers, in order.

        The entry stops at its first failed task (status 500 or more): tasks not finished by
        then are answered ``None`` and never drawn.

        Raises ``QueueRefusedError`` (with the 503 to send) when the queue will not take them,
        or when none of them had started ``max_wait_seconds`` after ``arrived`` (default: now).
        """
        trial = self._admit()
        size = len(self._waiting)
        if size >= self.limits.max_queue_size:
            if trial:
                self.breaker.record(None, trial=True)
            self.stats.total_rejected += 1
            self.stats.rejected_queue_full += 1
            self.sheds.record("queue_full")
            self._log_rejection()
            raise QueueRefusedError(
                busy(
                    "queue_full",
                    f"the render queue is full ({size} of {self.limits.max_queue_size} waiting)",
                    self.limits.retry_after_seconds,
                )
            )
        loop = asyncio.get_running_loop()
        now = self._clock()
        jobs = [Task(kind, payload, loop.create_future(), now) for kind, payload in tasks]
        if not jobs:
            if trial:
                self.breaker.record(None, trial=True)
            return []
        entry = Entry(deque(jobs), jobs, trial=trial, unsettled=len(jobs))
        entry.arrived = now if arrived is None else arrived
        self._waiting.put(entry)
        if self._sweeper is None and self._max_wait != math.inf:
            self._sweep_at(entry.arrived + self._max_wait)
        self.stats.total_enqueued += len(jobs)
        size += 1
        self.stats.max_observed_queue = max(self.stats.max_observed_queue, size)
        self._check_high_water(size)
        try:
            if len(jobs) == 1:
                # Not shielded: if the caller goes, its task's future is cancelled, which the
                # workers take as "skip it" (or, once drawn, as nobody waiting).
                results = [await jobs[0].future]
            else:
                results = list(await asyncio.shield(asyncio.gather(*(job.future for job in jobs))))
        except asyncio.CancelledError:
            # The client went away. Workers skip what they have not started.
            for job in jobs:
                job.done = True
            raise
        if entry.shed is not None:
            raise QueueRefusedError(entry.shed)
        return results

    # --- shedding by waiting time --------------------------------------------------------

    def _overloaded(self) -> Reply:
        waited = round(self._max_wait * 1000)
        return busy(
            "overloaded",
            f"the service is overloaded: the render did not start within {waited} ms; retry",
            1,
        )

    def _note_shed(self) -> None:
        self.sheds.record("wait")
        self._log_rejection("overloaded: a render waited too long to start")

    def _waited_too_long(self, entry: Entry, now: float) -> bool:
        return not entry.started and now - entry.arrived > self._max_wait

    def _shed(self, entry: Entry) -> None:
        """Answer an entry none of whose tasks started ``503 overloaded``, and drop it."""
        reply = self._overloaded()
        entry.shed = reply
        entry.tasks.clear()
        self._waiting.remove(entry)
        entry.unsettled = 0
        entry.recorded = True
        if entry.trial:
            self.breaker.record(None, trial=True)
        for job in entry.jobs:
            self._answer(job, reply)
        self.stats.total_rejected += 1
        self._note_shed()

    def _sweep_at(self, due: float) -> None:
        delay = max(0.0, due - self._clock())
        self._sweeper = asyncio.get_running_loop().call_later(delay, self._sweep)

    def _sweep(self) -> None:
        """Shed the entries at the head of the queue whose time is up; wait for the next."""
        self._sweeper = None
        now = self._clock()
        while (head := self._waiting.first()) is not None and self._waited_too_long(head, now):
            self._shed(head)
        if head is not None and not self._closing:
            self._sweep_at(max(now, head.arrived + self._max_wait))

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

    def _log_rejection(self, why: str = "") -> None:
        now = self._clock()
        if now - self._last_reject_log >= 1.0:
            extra = f" (and {self._suppressed_rejects} more since the last report)"
            logger.warning(
                "%s (%d waiting): request rejected with 503%s",
                why or "render queue full",
                len(self._waiting),
                extra if self._suppressed_rejects else "",
            )
            self._last_reject_log = now
            self._suppressed_rejects = 0
        else:
            self._suppressed_rejects += 1

    # --- dispatch ------------------------------------------------------------------------

    async def _serve(self, index: int) -> None:
        """One worker's loop: take the next task, run it, answer it."""
        available = self._restarts.available[index]
        while True:
            await available.wait()
            entry = await self._waiting.get()
            if not entry.tasks:  # a batch that stopped while it waited
                continue
            if not available.is_set():  # its worker died while this loop waited
                self._waiting.put(entry, front=True)
                continue
            if not entry.started:
                if self._waited_too_long(entry, self._clock()):
                    self._shed(entry)
                    continue
                entry.started = True
            job = entry.tasks.popleft()
            if entry.tasks:  # a batch: its next task goes to the next free worker
                self._waiting.put(entry, front=True)
            if len(self._waiting) <= HIGH_WATER * self.limits.max_queue_size:
                self._warned_high = False
            if job.done or job.future.done():
                self._settle(entry, job, None)
                continue
            self._in_flight += 1
            try:
                reply, failed = await self._run(index, job)
            except asyncio.CancelledError:
                # Stopping past the grace period: the job still gets an answer.
                self._answer(job, busy("shutting_down", "the service stopped mid-render", 1))
                raise
            finally:
                self._in_flight -= 1
            self.stats.record((self._clock() - job.enqueued_at) * 1000, failed)
            self._settle(entry, job, (reply, failed))

    def _settle(self, entry: Entry, job: Task, outcome: tuple[Any, bool] | None) -> None:
        """Answer a finished task (``outcome`` is ``None`` when it was skipped) and record
        the entry's verdict for the circuit once: its first failure, or its end."""
        entry.unsettled -= 1
        if outcome is not None:
            reply, failed = outcome
            entry.ran = True
            self._answer(job, reply)
            if failed and not entry.failed:
                entry.failed = True
                self._stop(entry)
        if entry.recorded:
            return
        if entry.failed:
            entry.recorded = True
            self.breaker.record(False, entry.trial)
        elif entry.unsettled == 0:
            entry.recorded = True
            self.breaker.record(True if entry.ran else None, entry.trial)

    def _stop(self, entry: Entry) -> None:
        """A task of ``entry`` failed: draw none of its other tasks, and answer them now
        (``None``), even those a worker still holds."""
        skipped = len(entry.tasks)
        entry.tasks.clear()
        self._waiting.remove(entry)
        entry.unsettled -= skipped
        for job in entry.jobs:
            self._answer(job, None)
        if skipped:
            logger.warning("a batch frame failed: %d frames left undrawn", skipped)

    async def _run(self, index: int, job: Task) -> tuple[Any, bool]:
        """Run ``job`` on worker ``index``; a crash gets one more try on a fresh worker."""
        timeout = self.limits.render_timeout_seconds
        causes: list[str] = []
        while True:
            worker = self._workers[index]
            worker.busy_since = self._clock()
            try:
                reply = await worker.call(job.kind, job.payload, timeout)
            except TimeoutError:
                self.stats.timeouts += 1
                logger.error("worker %d took over %.1f s; replacing it", index, timeout)
                self._replace(index, worker, held_task=True)
                error = ApiError(504, "render_timeout", f"the render took longer than {timeout} s")
                return Reply.from_error(error), True
            except WorkerCrashedError as exc:
                cause = worker.exit_cause()
                causes.append(cause)
                self._replace(index, worker, held_task=True)
                if len(causes) == 1:
                    logger.warning(
                        "%s (%s) before answering; trying again on a fresh worker", exc, cause
                    )
                    continue
                logger.error("%s (%s) again on the same task; giving up", exc, cause)
                error = ApiError(
                    500,
                    "worker_crashed",
                    "the render stopped its worker twice (" + "; then ".join(causes) + ")",
                )
                return Reply.from_error(error), True
            except Exception:  # a reply that cannot be read: an answer all the same
                logger.exception("worker %d sent an answer that cannot be read", index)
                error = ApiError(500, "render_failed", "the render's answer could not be read")
                return Reply.from_error(error), True
            finally:
                worker.busy_since = None
            return reply, reply.status >= 500

    def _spawn(self, index: int) -> Worker:
        worker = self._spawn_worker(index, self.handler)
        self._restarts.started(index)
        worker.watch(lambda: self._lost(worker))
        return worker

    def _lost(self, worker: Worker) -> None:
        """A worker's socket closed. A busy worker is replaced by the task it held (which
        retries); an idle one is replaced now, before any task is sent to it."""
        if worker.busy_since is None:
            self._replace(worker.index, worker, reason="died while idle")

    def _replace(self, index: int, old: Worker, reason: str = "", held_task: bool = False) -> None:
        """Start a new worker in place of ``old``, which died: now, or after a pause if it
        died young on its own (``runtime.restarts``). One that died holding a task
        (``held_task``: the task crashed it, or took too long) is replaced at once: the task
        gets one more try, then fails, and the circuit breaker counts it."""
        if self._closing or self._workers[index] is not old or self._restarts.waiting(index):
            return  # stopping, already replaced, or waiting to restart
        if reason:
            logger.error(
                "worker %d (pid %s) %s (%s); replacing it", index, old.pid, reason, old.exit_cause()
            )
        old.kill()
        if self._restarts.died(index, old.exit_cause, held_task):
            self._restart(index)
        else:  # back when its pause ends, not at the supervisor's next round after it
            self._heal_after(self._restarts.left(index))

    def _heal_after(self, seconds: float) -> None:
        # A little late rather than early: a timer may fire a clock tick before its time.
        with contextlib.suppress(RuntimeError):  # no running loop: the supervisor will
            asyncio.get_running_loop().call_later(seconds + 0.01, self.heal)

    def _restart(self, index: int) -> None:
        try:
            self._workers[index] = self._spawn(index)
        except OSError as exc:  # no memory or processes to fork: try again after a pause
            logger.exception("worker %d could not be started", index)
            self._restarts.could_not_start(index, exc)
            self._heal_after(self._restarts.left(index))
            return
        self.stats.worker_restarts += 1

    async def _supervise(self, every: float = 0.5) -> None:
        """Belt and braces behind the socket watch: replace idle workers that are gone, and
        start again those whose pause is over."""
        while True:
            await asyncio.sleep(every)
            self.heal()

    def heal(self) -> None:
        """One round of the supervisor (see ``_supervise``)."""
        if self._closing:
            return
        for index in self._restarts.due():
            self._restart(index)
        for worker in list(self._workers):
            if worker.busy_since is None and not worker.is_alive():
                self._replace(worker.index, worker, reason="is gone")

    def restart_reasons(self) -> list[str]:
        """Workers waiting to start again after dying young, and when (for /health)."""
        return self._restarts.reasons()

    def _answer(self, job: Task, reply: Any) -> None:
        job.done = True
        if not job.future.done():
            job.future.set_result(reply)

    # --- reporting -----------------------------------------------------------------------

    @property
    def queue_size(self) -> int:
        return len(self._waiting)

    def worker_pids(self) -> list[int]:
        return [worker.pid or 0 for worker in self._workers]

    def _is_stuck(self, worker: Worker, now: float) -> bool:
        busy = worker.busy_since is not None and now - worker.busy_since > (
            self.limits.render_timeout_seconds
        )
        return busy or worker.is_stopped()

    def workers_stuck(self) -> int:
        """Workers held past the render timeout, or stopped by the system."""
        return self._worker_counts()[1]

    def workers_alive(self) -> int:
        """Workers running and able to work (not stuck)."""
        return self._worker_counts()[0]

    def _worker_counts(self) -> tuple[int, int]:
        """(alive and not stuck, stuck), each worker looked at once."""
        now = self._clock()
        alive = stuck = 0
        for worker in self._workers:
            if self._is_stuck(worker, now):
                stuck += 1
            elif worker.is_alive():
                alive += 1
        return alive, stuck

    @property
    def under_pressure(self) -> bool:
        """Whether the queue sheds load or is close to it: more than ``HIGH_WATER`` of its
        capacity waiting, or the circuit open."""
        return self.breaker.is_open or self.queue_size > HIGH_WATER * self.limits.max_queue_size

    def snapshot(self, percentiles: bool = True) -> dict[str, Any]:
        """The queue's numbers; without ``percentiles``, no ``latency_ms`` (sorting the
        recent latencies is most of the cost, and a merge of several processes' numbers
        works them out from the latencies themselves)."""
        stats = self.stats
        alive, stuck = self._worker_counts()
        numbers: dict[str, Any] = {
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
            "memory_pressure": self.under_pressure,
            "circuit_state": self.breaker.state.value,
            "circuit_reset_in": round(self.breaker.reset_in(), 3),
            "consecutive_failures": self.breaker.consecutive_failures,
            "worker_count": self.limits.worker_count,
            "workers_alive": alive,
            "workers_stuck": stuck,
            "workers_restarting": self._restarts.count(),
            **self.sheds.snapshot(),
        }
        if percentiles:
            numbers["latency_ms"] = stats.latency_percentiles()
        return numbers
