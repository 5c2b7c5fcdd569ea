"""A deadline a connection moves with every request, rarely reached, at the cost of a timer
every few seconds rather than one per request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Deadline:
    """A time by which something must happen, moved with every request and rarely reached.

    Moving it (``due``) is an attribute write; its one timer, set at the first ``set``, is set
    again only when it fires before ``due``. A busy keep-alive connection thus makes a timer
    every few seconds, not one (and a cancellation) for each request. ``on_due`` runs once
    ``due`` has passed; ``due = None`` stops the wait."""

    __slots__ = ("_loop", "_on_due", "_timer", "due")

    def __init__(self, loop: asyncio.AbstractEventLoop, on_due: Callable[[], None]) -> None:
        self._loop = loop
        self._on_due = on_due
        self._timer: asyncio.TimerHandle | None = None
        self.due: float | None = None

    def set(self, due: float) -> None:
        """Wait until ``due`` (never earlier than a ``due`` set before it: times only grow)."""
        self.due = due
        if self._timer is None:
            self._timer = self._loop.call_at(due, self._check)

    def stop(self) -> None:
        """Stop waiting and drop the timer (the connection is gone)."""
        self.due = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        due = self.due
        if due is None:
            return
        if self._loop.time() < due:  # moved since the timer was set
            self._timer = self._loop.call_at(due, self._check)
            return
        self.due = None
        self._on_due()
