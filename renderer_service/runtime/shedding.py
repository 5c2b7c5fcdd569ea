"""What the service refused to protect itself, by reason, for /health and /metrics.

A request is *shed* when the service answers 503 instead of doing its work, so that the
requests it does take are answered in time:

- ``wait``: its render had not started within ``CG3_MAX_WAIT_MS`` of its body being complete;
- ``queue_full``: the render queue held ``CG3_MAX_QUEUE_SIZE`` renders;
- ``circuit_open``: recent renders failed and the circuit breaker refuses renders;
- ``connections``: a new connection found ``CG3_MAX_CONNECTIONS`` open, every one of them with
  a request being answered (the server refused it).

Connections closed to make room for a new one are *evicted*, counted apart.

``/metrics`` has the totals (``cg3_shed_total{reason}``, ``cg3_connections_evicted_total``);
``/health`` has them and the counts of the last minute (``shed_last_minute``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

SHED_REASONS = ("wait", "queue_full", "circuit_open", "connections")
"""Why a request was shed (the label ``reason`` of ``cg3_shed_total``)."""

WINDOW_SECONDS = 60
"""What ``shed_last_minute`` covers, in one-second buckets."""


class _Window:
    """Counts of the last ``WINDOW_SECONDS`` seconds, one bucket per second."""

    __slots__ = ("_counts", "_seconds")

    def __init__(self) -> None:
        self._seconds = [-1] * WINDOW_SECONDS
        self._counts = [0] * WINDOW_SECONDS

    def add(self, second: int) -> None:
        slot = second % WINDOW_SECONDS
        if self._seconds[slot] != second:
            self._seconds[slot] = second
            self._counts[slot] = 0
        self._counts[slot] += 1

    def total(self, second: int) -> int:
        oldest = second - WINDOW_SECONDS
        return sum(
            count
            for stamp, count in zip(self._seconds, self._counts, strict=True)
            if stamp > oldest
        )


class Sheds:
    """Requests shed by reason (totals and the last minute) and connections evicted."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.totals = dict.fromkeys(SHED_REASONS, 0)
        self._recent = {reason: _Window() for reason in SHED_REASONS}
        self.evicted = 0
        """Connections closed to make room for a new one."""

    def record(self, reason: str) -> None:
        """Count one request shed for ``reason`` (one of ``SHED_REASONS``)."""
        self.totals[reason] += 1
        self._recent[reason].add(int(self._clock()))

    def record_eviction(self) -> None:
        self.evicted += 1

    def last_minute(self) -> dict[str, int]:
        second = int(self._clock())
        return {reason: window.total(second) for reason, window in self._recent.items()}

    def snapshot(self) -> dict[str, Any]:
        """``shed`` (totals), ``shed_last_minute`` and ``connections_evicted``."""
        return {
            "shed": dict(self.totals),
            "shed_last_minute": self.last_minute(),
            "connections_evicted": self.evicted,
        }
