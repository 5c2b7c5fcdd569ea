"""Light renders drawn in the server process a moment after they are asked for, in order.

The direct HTTP path reads every request the event loop has ready, then draws the light ones
(``RenderService.draw_soon``) from this line. Drawing them inside the parser's callback, as
soon as each is read, would hide their waiting: under overload the loop reads a request only
when it has drawn every one before it, so each would look fresh, and none would ever be shed.
Read first and drawn from here, each request's wait (``CG3_MAX_WAIT_MS``, counted from its
body being complete) is seen when its drawing starts, and those that waited too long are
answered ``503 overloaded`` without being drawn.

The line is drawn in slices of ``SLICE_SECONDS``, so that reading goes on between them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("renderer.service")

SLICE_SECONDS = 0.005
"""Longest the line is drawn before the event loop reads and writes again."""


class InlineLine:
    """Work to do in this process soon, oldest first: ``add(work, done)`` runs ``work()``
    on a later pass of the event loop and hands its result to ``done``."""

    def __init__(self, failed: Callable[[BaseException], Any]) -> None:
        self._line: deque[tuple[Callable[[], Any], Callable[[Any], None]]] = deque()
        self._failed = failed
        """The result for work that raised."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False

    def __len__(self) -> int:
        return len(self._line)

    def add(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self._line.append((work, done))
        if not self._scheduled:
            self._scheduled = True
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
            self._loop.call_soon(self._draw)

    def _draw(self) -> None:
        line = self._line
        stop = time.monotonic() + SLICE_SECONDS
        while line:
            work, done = line.popleft()
            try:
                result = work()
            except Exception as exc:  # an answer for every request, whatever went wrong
                result = self._failed(exc)
            try:
                done(result)
            except Exception:  # one connection's trouble must not stop the line
                logger.exception("an answer drawn here could not be sent")
            if line and time.monotonic() > stop:
                assert self._loop is not None
                self._loop.call_soon(self._draw)
                return
        self._scheduled = False
