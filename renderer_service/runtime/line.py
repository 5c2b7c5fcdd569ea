"""The render queue's line: its entries (one request's tasks each), and the 503 of a refusal."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from renderer_service.wire import ApiError
from renderer_service.work import Reply


@dataclass(eq=False)
class Task:
    """One unit of work for a worker, and where its answer goes."""

    kind: str
    payload: Any
    future: asyncio.Future[Any]
    enqueued_at: float
    done: bool = field(default=False)
    """Answered, or abandoned by its caller: a worker skips it."""


@dataclass(eq=False)
class Entry:
    """One place in the queue: one request's tasks, and its verdict for the circuit."""

    tasks: deque[Task]
    """Tasks not yet handed to a worker."""
    jobs: list[Task] = field(default_factory=list)
    """All its tasks."""
    trial: bool = False
    unsettled: int = 0
    """Tasks not yet finished by a worker (or skipped)."""
    ran: bool = False
    failed: bool = False
    recorded: bool = False
    arrived: float = 0.0
    """When its request's body was complete (the queue's clock): its waiting began."""
    started: bool = False
    """A worker took one of its tasks: it is no longer shed for waiting."""
    shed: Reply | None = None
    """The 503 it was answered with when it waited too long."""


class Line:
    """A FIFO of entries that workers wait on; an entry can go back to the front."""

    def __init__(self) -> None:
        self._entries: deque[Entry] = deque()
        self._wakeup = asyncio.Event()

    def __len__(self) -> int:
        return len(self._entries)

    def first(self) -> Entry | None:
        return self._entries[0] if self._entries else None

    def put(self, entry: Entry, front: bool = False) -> None:
        if front:
            self._entries.appendleft(entry)
        else:
            self._entries.append(entry)
        self._wakeup.set()

    async def get(self) -> Entry:
        while not self._entries:
            self._wakeup.clear()
            await self._wakeup.wait()
        return self._entries.popleft()

    def remove(self, entry: Entry) -> None:
        with contextlib.suppress(ValueError):
            self._entries.remove(entry)

    def drain(self) -> list[Entry]:
        entries = list(self._entries)
        self._entries.clear()
        return entries


class QueueRefusedError(Exception):
    """The queue would not take the work; ``reply`` is the 503 to send."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        super().__init__(reply.status)


def busy(error: str, detail: str, retry_after: float) -> Reply:
    seconds = str(max(1, math.ceil(retry_after)))
    return Reply.from_error(ApiError(503, error, detail, headers={"Retry-After": seconds}))
