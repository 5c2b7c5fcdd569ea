"""A bounded in-memory LRU of finished answers, keyed by what makes them equal."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, Protocol, TypeVar


class Sized(Protocol):
    @property
    def nbytes(self) -> int: ...


V = TypeVar("V", bound=Sized)


class LRUCache(Generic[V]):
    """At most ``max_entries`` values and ``max_bytes`` bytes; the least recently used go
    first. ``max_entries == 0`` disables it (every lookup misses, nothing is kept)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, V] = OrderedDict()
        self.bytes = 0
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> V | None:
        value = self._items.get(key)
        if value is None:
            self.misses += 1
            return None
        self._items.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: str, value: V) -> None:
        if not self.enabled:
            return
        size = value.nbytes
        if size > self.max_bytes:
            return
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old.nbytes
        self._items[key] = value
        self.bytes += size
        while len(self._items) > self.max_entries or self.bytes > self.max_bytes:
            _, evicted = self._items.popitem(last=False)
            self.bytes -= evicted.nbytes
            self.evictions += 1

    def snapshot(self) -> dict[str, int | bool]:
        return {
            "enabled": self.enabled,
            "entries": len(self._items),
            "max_entries": self.max_entries,
            "bytes": self.bytes,
            "max_bytes": self.max_bytes,
            "hits": self.hits,
            "misses": self.misses,
            "evictions": self.evictions,
        }
