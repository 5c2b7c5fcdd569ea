"""Keeping Python's garbage collector away from the objects that live as long as the service.

After start-up the service holds some 150,000 objects it never frees: the sprite pack's index,
the schemas of pydantic and FastAPI, compiled routes, imported modules. Under load a full
collection walks all of them every few seconds (65-126 ms each on a small machine, a pause for
every request in flight) and frees nothing. ``gc.freeze()`` moves them to a permanent generation
that collections skip. It is done once warm-up has built everything, before the workers fork,
so their collections skip the inherited objects too (and do not write to, and so copy, the
pages they share with the service).
"""

from __future__ import annotations

import gc
import time
from typing import Any


def freeze_long_lived() -> int:
    """Collect what is already garbage, then exempt every object still alive from future
    collections. Returns how many objects are frozen."""
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    COLLECTIONS.note_frozen(count)
    return count


class CollectionTimer:
    """Times the collector's runs in this process (through ``gc.callbacks``), by generation:
    how many, and the longest pause, for /health and /metrics."""

    def __init__(self) -> None:
        self.counts = [0, 0, 0]
        self.longest = [0.0, 0.0, 0.0]
        self.total = 0.0
        self._began = 0.0
        self._frozen: int | None = None
        """How many objects were frozen, as counted then (``None``: not counted yet)."""

    def note_frozen(self, count: int) -> None:
        """Take ``count`` as the number of frozen objects (just counted by the caller)."""
        self._frozen = count

    def frozen_objects(self) -> int:
        """How many objects were frozen. Counted once: counting walks every frozen object
        (tens of milliseconds for 180,000 of them), and the number only changes when more
        are frozen (``freeze_long_lived`` notes it then)."""
        if self._frozen is None:
            self._frozen = gc.get_freeze_count()
        return self._frozen

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
            return
        took = time.perf_counter() - self._began
        generation = info.get("generation", 2)
        self.counts[generation] += 1
        self.longest[generation] = max(self.longest[generation], took)
        self.total += took

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def remove(self) -> None:
        while self in gc.callbacks:
            gc.callbacks.remove(self)

    def snapshot(self) -> dict[str, Any]:
        return {
            "collections": list(self.counts),
            "longest_pause_ms": [round(seconds * 1000, 3) for seconds in self.longest],
            "total_pause_ms": round(self.total * 1000, 3),
            "frozen_objects": self.frozen_objects(),
        }


COLLECTIONS = CollectionTimer()
"""The one timer of this process (the collector is per process)."""
