"""What several server processes tell each other: each one's numbers, in shared memory.

``cg3 serve`` may run several server processes on one port (``CG3_SERVER_PROCESSES``), each
with its own event loop, queue and workers. Whichever of them answers ``/health`` or
``/metrics`` must speak for the whole service. So each process publishes its snapshot (the
dict ``RenderService.snapshot`` makes for one process) to its own slot of a ``ProcessBoard``
a few times a second, and the answering process merges its own live snapshot with the others'
latest (``merge_snapshots``): counters and sizes add up, the worst circuit wins, latency
percentiles are taken over every process's recent renders. A sibling's numbers are at most
``PUBLISH_SECONDS`` old.

The board is an anonymous shared mapping made before the processes fork. Each slot has one
writer (its process), so a version number around each write (odd while writing) is all the
locking readers need: they retry a slot caught mid-write.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

from renderer_service.runtime.shared_memory_cache import SharedMemoryCache
from renderer_service.runtime.stats import latency_percentiles

PUBLISH_SECONDS = 0.25
"""How often a server process publishes its numbers."""

STALE_SECONDS = 2.0
"""A process silent for longer is reported missing (it died, or is starting again)."""

SLOT_BYTES = 256 * 1024
"""Room for one process's snapshot (about 30 KB with its latency window)."""

_SLOT_HEADER = struct.Struct("<QqdI")
"""version (odd while being written), pid, published at (epoch seconds), payload length."""


@dataclass(frozen=True)
class Publication:
    """One process's last snapshot, as read from its slot."""

    index: int
    pid: int
    published_at: float
    snapshot: dict[str, Any]

    @property
    def age(self) -> float:
        return max(0.0, time.time() - self.published_at)


class ProcessBoard:
    """``slots`` slots, one per server process, in memory shared across ``fork``."""

    def __init__(self, slots: int, slot_bytes: int = SLOT_BYTES) -> None:
        if slots < 1:
            raise ValueError("a board needs at least one slot")
        self.slots = slots
        self.slot_bytes = slot_bytes
        self._memory = mmap.mmap(-1, slots * slot_bytes)

    def __reduce__(self) -> Any:
        raise TypeError("a ProcessBoard is shared by forking, not pickled")

    def publish(self, index: int, snapshot: dict[str, Any]) -> bool:
        """Write ``snapshot`` to slot ``index`` (only its own process may); False when it
        does not fit (the slot keeps its previous content)."""
        payload = orjson.dumps(snapshot)
        room = self.slot_bytes - _SLOT_HEADER.size
        if len(payload) > room:
            return False
        memory, base = self._memory, index * self.slot_bytes
        version = _SLOT_HEADER.unpack_from(memory, base)[0]
        # Odd while writing: a reader that sees it, or sees the version change, reads again.
        _SLOT_HEADER.pack_into(memory, base, version + 1, 0, 0.0, 0)
        start = base + _SLOT_HEADER.size
        memory[start : start + len(payload)] = payload
        _SLOT_HEADER.pack_into(memory, base, version + 2, os.getpid(), time.time(), len(payload))
        return True

    def clear(self, index: int) -> None:
        """Empty slot ``index`` (its process is gone; a new one will publish there)."""
        memory, base = self._memory, index * self.slot_bytes
        version = _SLOT_HEADER.unpack_from(memory, base)[0]
        _SLOT_HEADER.pack_into(memory, base, version + (2 if version % 2 == 0 else 1), 0, 0.0, 0)

    def read(self, index: int) -> Publication | None:
        """Slot ``index``'s last snapshot; ``None`` if nothing was published there."""
        memory, base = self._memory, index * self.slot_bytes
        start = base + _SLOT_HEADER.size
        for _ in range(50):
            version, pid, published_at, length = _SLOT_HEADER.unpack_from(memory, base)
            if version % 2:
                time.sleep(0)
                continue
            payload = memory[start : start + length]
            if _SLOT_HEADER.unpack_from(memory, base)[0] != version:
                continue  # rewritten while we copied it
            if not pid:
                return None
            return Publication(index, pid, published_at, orjson.loads(payload))
        return None

    def others(self, index: int) -> list[Publication]:
        """Every other slot's last snapshot (slots with none are left out)."""
        found = (self.read(other) for other in range(self.slots) if other != index)
        return [publication for publication in found if publication is not None]


# --- merging ---------------------------------------------------------------------------------

_LARGEST = frozenset(
    {
        "max_observed_queue",
        "circuit_reset_in",
        "consecutive_failures",
        "longest_pause_ms",
        "down_for_seconds",
    }
)
"""Numbers where the service's figure is the largest process's, not the sum."""

_SHARED = frozenset({"ttl_seconds", "max_entry_bytes", "url", "key_prefix", "reason"})
"""Settings and descriptions every process has alike: the answering process's is given."""

_CIRCUIT_ORDER = {"closed": 0, "half_open": 1, "open": 2}

LATENCIES = "latencies_ms"
"""The key of a process's raw recent latencies in what it publishes (merged into
``latency_ms`` percentiles, then left out of the answer)."""


def merge_snapshots(snapshots: list[dict[str, Any]]) -> dict[str, Any]:
    """One snapshot for the whole service from each process's (the answering one first).

    Counters, current sizes and capacities add up; ``_LARGEST`` keys take the largest; a
    flag is set if any process has it set (``up``: only if every process's is); the circuit
    state is the worst; ``latency_ms`` percentiles are taken over all processes' recent
    latencies (``LATENCIES``); anything else is the first snapshot's.
    """
    merged: dict[str, Any] = _merge(
        [{k: v for k, v in s.items() if k != LATENCIES} for s in snapshots]
    )
    if any(LATENCIES in s for s in snapshots):
        merged["latency_ms"] = latency_percentiles(
            value for s in snapshots for value in s.get(LATENCIES, ())
        )
    return merged


def _merge(values: list[Any], key: str = "") -> Any:
    first = values[0]
    if key in _SHARED:
        return first
    if isinstance(first, dict):
        dicts = [value for value in values if isinstance(value, dict)]
        return {name: _merge([d[name] for d in dicts if name in d], name) for name in first}
    if isinstance(first, bool):
        flags = [bool(value) for value in values]
        return all(flags) if key == "up" else any(flags)
    if isinstance(first, int | float):
        numbers = [value for value in values if isinstance(value, int | float)]
        total = max(numbers) if key in _LARGEST else sum(numbers)
        return round(total, 3) if isinstance(total, float) else total
    if isinstance(first, list):
        lists = [value for value in values if isinstance(value, list)]
        return [_merge(list(items), key) for items in zip(*lists, strict=False)]
    if key == "circuit_state":
        return max(values, key=lambda state: _CIRCUIT_ORDER.get(str(state), 0))
    return first


def missing_processes(publications: Iterable[Publication], expected: int) -> list[str]:
    """Why the merged numbers are short of some process: one line per sibling silent for
    over ``STALE_SECONDS`` or never heard from (``expected``: the other processes' count)."""
    reasons = []
    heard = 0
    for publication in publications:
        heard += 1
        if publication.age > STALE_SECONDS:
            reasons.append(
                f"server process {publication.index} (pid {publication.pid}) silent for "
                f"{publication.age:.1f} s"
            )
    if heard < expected:
        reasons.append(f"{expected - heard} server process(es) starting or gone")
    return reasons


@dataclass(frozen=True)
class Siblings:
    """What one server process of several holds in common with the others."""

    board: ProcessBoard
    index: int
    """This process's slot on the board."""
    cache: SharedMemoryCache | None = None
    """The cache level in memory shared by all the server processes, if any."""
