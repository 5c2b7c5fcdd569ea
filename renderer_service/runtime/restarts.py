"""When render workers that die are started again: at once, or after a growing pause.

A worker that dies after living ``YOUNG_SECONDS`` or more, or holding a task (which killed
it), is started again at once. One that dies younger on its own is likely to die again the
same way (a broken install, no memory left, something killing it): it is started again after
a pause that doubles with each young death (``1, 2, 4 ... s``, at most ``MAX_PAUSE_SECONDS``)
and goes back to nothing once a worker of that slot dies old. Meanwhile the slot takes no
tasks and its reason is reported (``/health`` is ``degraded``; ``/health/ready`` fails once no
worker lives).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

logger = logging.getLogger("renderer.queue")

YOUNG_SECONDS = 1.0
"""A worker that dies younger than this is started again only after a pause."""

FIRST_PAUSE_SECONDS = 1.0
"""The pause after a first young death; it doubles with each one that follows."""

MAX_PAUSE_SECONDS = 30.0
"""The longest pause before starting a worker again."""


class Restarts:
    """For each worker slot: when its worker started, and when it may start again."""

    def __init__(self, count: int, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._born = [0.0] * count
        self._pause = [0.0] * count
        """Each slot's last pause (0: its worker last died old, or never died)."""
        self._due: list[float | None] = [None] * count
        """When each slot's worker may start again (``None``: not waiting)."""
        self._reason = [""] * count
        self.available = [asyncio.Event() for _ in range(count)]
        """Set while each slot's worker may be given tasks."""

    def started(self, index: int) -> None:
        """Worker ``index`` has just started."""
        self._born[index] = self._clock()
        self._due[index] = None
        self.available[index].set()

    def waiting(self, index: int) -> bool:
        """Whether worker ``index`` is dead, waiting for its pause to end."""
        return self._due[index] is not None

    def died(self, index: int, cause: Callable[[], str], held_task: bool = False) -> bool:
        """Note that worker ``index`` died (``held_task``: holding a task, which killed it:
        no sign the next one cannot live). True: start it again now; False: it waits."""
        now = self._clock()
        lived = now - self._born[index]
        if held_task or lived >= YOUNG_SECONDS:
            self._pause[index] = 0.0
            return True
        pause = min(MAX_PAUSE_SECONDS, 2 * self._pause[index] or FIRST_PAUSE_SECONDS)
        self._pause[index] = pause
        self._wait(
            index,
            now + pause,
            f"render worker {index} died {lived:.1f} s after it started ({cause()}); "
            f"starting it again after {pause:g} s",
        )
        return False

    def could_not_start(self, index: int, error: BaseException) -> None:
        """Starting worker ``index`` failed (no memory or processes to fork): try again soon."""
        pause = max(FIRST_PAUSE_SECONDS, self._pause[index])
        reason = f"render worker {index} could not be started ({error}); again in {pause:g} s"
        self._wait(index, self._clock() + pause, reason)

    def _wait(self, index: int, due: float, reason: str) -> None:
        self._due[index] = due
        self._reason[index] = reason
        self.available[index].clear()
        logger.error("%s", reason)

    def left(self, index: int) -> float:
        """Seconds until slot ``index`` may start its worker again (0 when it may now)."""
        due = self._due[index]
        return 0.0 if due is None else max(0.0, due - self._clock())

    def due(self) -> list[int]:
        """The slots whose pause is over."""
        now = self._clock()
        return [index for index, due in enumerate(self._due) if due is not None and now >= due]

    def count(self) -> int:
        """Slots waiting for their pause to end."""
        return sum(due is not None for due in self._due)

    def reasons(self) -> list[str]:
        """One line per slot waiting for its pause to end, with the time left."""
        now = self._clock()
        return [
            f"{self._reason[index]} ({max(0.0, due - now):.1f} s left)"
            for index, due in enumerate(self._due)
            if due is not None
        ]
