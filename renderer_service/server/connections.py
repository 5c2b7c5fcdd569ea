"""Which open connection makes room for a new one at the connection cap.

At ``CG3_MAX_CONNECTIONS`` a new connection is not refused while some open connection is
doing nothing useful: the one that has gone longest without a complete request is closed
instead, taken in this order:

1. connections already closing (a refusal being read out);
2. idle keep-alive connections (answered, waiting for another request), longest idle first;
3. connections with an incomplete request (nothing sent yet, headers or body still arriving),
   the one whose last complete request (or opening) is oldest first: a stalled or very slow
   client, holding its place without ever finishing a request.

A connection with a complete request being answered is never closed for another. Only when
every open connection has one is the new connection refused (503).

Choosing costs a pass over the open connections, done only at the cap; the order found is
kept for ``REUSE_SECONDS`` and used for the next new connections (each candidate checked
again when its turn comes), so a flood of new connections costs one sort, not one pass each.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Protocol, TypeVar

CLOSING, IDLE, INCOMPLETE = 0, 1, 2
"""What a connection is doing, in the order connections are closed to make room."""

KINDS = {CLOSING: "closing", IDLE: "idle keep-alive", INCOMPLETE: "incomplete request"}

REUSE_SECONDS = 0.1
"""How long an order of candidates found is used before the connections are looked at again."""

Rank = tuple[int, float]
"""(what it is doing, when its last request was complete): the smallest goes first."""


class Evictable(Protocol):
    def eviction_rank(self) -> Rank | None:
        """Its rank, or ``None`` while it has a complete request being answered."""


C = TypeVar("C", bound=Evictable)


class Room:
    """Finds the connection to close when a new one arrives at the cap (see the module)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._candidates: list[tuple[Rank, Evictable]] = []
        """Best last, as ranked when found."""
        self._found_at = -1e18

    def victim(self, connections: Collection[C]) -> C | None:
        """The connection to close for a new one, or ``None`` when every one is busy."""
        if self._clock() - self._found_at > REUSE_SECONDS:
            self._candidates = []
        looked = False
        while True:
            if not self._candidates:
                if looked:
                    return None
                self._look(connections)
                looked = True
                continue
            rank, connection = self._candidates.pop()
            if connection in connections and connection.eviction_rank() == rank:
                return connection  # type: ignore[return-value]

    def _look(self, connections: Collection[Evictable]) -> None:
        ranked = []
        for connection in connections:
            rank = connection.eviction_rank()
            if rank is not None:
                ranked.append((rank, connection))
        ranked.sort(key=lambda item: item[0], reverse=True)
        self._candidates = ranked
        self._found_at = self._clock()
