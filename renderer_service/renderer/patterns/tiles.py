"""From a definition to the 50 x 50 colour field a coat is multiplied by, cached.

The generator's tile is repeated from the top-left pixel of the sprite cell and cut to the
cell: ``field[y, x] = tile[y mod h, x mod w]``. The field is fixed to the cell, not to the cat,
so the same colour in another pose shows the same field under another silhouette.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer.patterns.computed import CELL, COMPUTED, Generator
from renderer_service.renderer.patterns.definition import PatternDefinition
from renderer_service.renderer.patterns.drawn import DRAWN
from renderer_service.renderer.patterns.errors import PatternGenerationError

Field = NDArray[np.float32]
"""A read-only ``(50, 50, 3)`` float32 array of values 0..1."""

GENERATORS: dict[str, Generator] = {**COMPUTED, **DRAWN}
"""Every generator by the name a definition's ``type`` gives."""

GENERATOR_NAMES: frozenset[str] = frozenset(GENERATORS)

DRAWN_NAMES: frozenset[str] = frozenset(DRAWN)
"""The generators that rasterise an SVG picture (the others compute their tile)."""

K = TypeVar("K")
V = TypeVar("V")

DEFAULT_CACHE_SIZE = 1024
"""Fields kept by default: more than the 536 pattern colours of the bundled palettes
(about 30 kB each, so about 30 MB when full)."""


def make_tile(defn: PatternDefinition, colour: str | None = None) -> NDArray[np.float32]:
    """The generator's own tile, ``(h, w, 3)`` float32 in 0..1.

    Raises ``PatternGenerationError`` (naming ``colour``) if the generator fails or returns
    anything but a finite tile of that shape: a wrong tile is never drawn.
    """
    generator = GENERATORS.get(defn.type)
    if generator is None:
        raise PatternGenerationError(colour, defn.type, "no such generator")
    try:
        tile = generator(defn)
    except Exception as error:  # any failure inside a generator is the colour's failure
        raise PatternGenerationError(
            colour, defn.type, f"{type(error).__name__}: {error}"
        ) from error
    if (
        tile.dtype != np.float32
        or tile.ndim != 3
        or tile.shape[2] != 3
        or tile.shape[0] < 1
        or tile.shape[1] < 1
        or not np.isfinite(tile).all()
    ):
        raise PatternGenerationError(
            colour, defn.type, f"made a {tile.dtype} tile of shape {tile.shape}"
        )
    return tile


def tile_field(tile: NDArray[np.float32], size: int = CELL) -> Field:
    """``tile`` repeated from the top-left corner and cut to ``size`` x ``size``."""
    h, w = tile.shape[:2]
    reps = (-(-size // h), -(-size // w), 1)
    field = np.ascontiguousarray(np.tile(tile, reps)[:size, :size])
    field.flags.writeable = False
    return field


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    max_entries: int


class LruCache(Generic[K, V]):
    """A bounded, thread-safe, least-recently-used cache.

    ``get(key, make)`` returns the cached value or stores what ``make()`` returns. ``make`` runs
    outside the lock (two threads may both make a missing value; values are pure functions of
    their key, so either is right). A ``make`` that raises stores nothing.
    """

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                self._hits += 1
                return found
            self._misses += 1
        made = make()
        with self._lock:
            self._values[key] = made
            self._values.move_to_end(key)
            while len(self._values) > self.max_entries:
                self._values.popitem(last=False)
        return made

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    @property
    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._values), self.max_entries)


class FieldCache(LruCache[PatternDefinition, Field]):
    """Fields by definition. The cache changes nothing in the output: a field is a pure
    function of its definition. Failures are not cached (each request for a failing colour
    fails the same way)."""

    def __init__(self, max_entries: int = DEFAULT_CACHE_SIZE) -> None:
        super().__init__(max_entries)

    def field(self, defn: PatternDefinition, colour: str | None = None) -> Field:
        """The 50 x 50 field of ``defn``; ``colour`` only names it in errors."""
        return self.get(defn, lambda: tile_field(make_tile(defn, colour)))
