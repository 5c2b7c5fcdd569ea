"""Cells made from the pack's cells while rendering: a dead cat's recoloured sprites.

A dead StarClan or Dark Forest cat draws its missing-part masks and accessories with their
opaque black pixels in the afterlife's lineart colour; a dead Unknown Residence cat draws a
sprite's second and later draws with the black taken from ``line_ur_gradient`` (``recolour``
says why). Such a cell is made once, on first use, and kept: ``DerivedCells`` hands out its id,
negative as the kernel reads extra cells (``-1 - i`` is ``cells[i]``), and the arrays to pass
with it. The store only grows, and at most one cell per (pack cell, afterlife), so it is
bounded by the pack; a render holds on to the arrays it was given, which keep every id it
was given, so threads may share the store.
"""

from __future__ import annotations

import threading

import numpy as np
from numpy.typing import NDArray

from ..sprites import CELL_SIZE
from .pack import ModernSpritePack
from .recolour import lineart_colour, ur_gradient
from .vocabulary import AFTERLIFE_LINEART_COLOURS, UR_GRADIENT

UNKNOWN_RESIDENCE = "unknownResidence"


class DerivedCells:
    """Recoloured cells of one pack, made on first use."""

    def __init__(self, pack: ModernSpritePack, capacity: int = 64) -> None:
        self.pack = pack
        self.cells: NDArray[np.uint8] = np.zeros(
            (capacity, CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8
        )
        self.bboxes: NDArray[np.int32] = np.zeros((capacity, 4), dtype=np.int32)
        self._arrays = (self.cells, self.bboxes)
        self._ids: dict[tuple[int, str], int] = {}
        self._used = 0
        self._lock = threading.Lock()

    def arrays(self) -> tuple[NDArray[np.uint8], NDArray[np.int32]]:
        """The cells and their boxes, to pass to the kernel with ids this store gave (one
        attribute, so a render never gets the cells of one size and the boxes of another)."""
        return self._arrays

    def recoloured(self, cell: int, afterlife: str, pose: int) -> int:
        """The (negative) id of pack cell ``cell`` as a dead cat in ``afterlife`` shows it on
        a recoloured draw."""
        key = (cell, afterlife)
        found = self._ids.get(key)
        if found is not None:
            return found
        source = self.pack.cells[cell]
        if afterlife == UNKNOWN_RESIDENCE:
            made = ur_gradient(source, self.pack.cells[self.pack.cell_id(UR_GRADIENT, pose)])
        else:
            made = lineart_colour(source, AFTERLIFE_LINEART_COLOURS[afterlife])
        with self._lock:
            found = self._ids.get(key)
            if found is not None:
                return found
            if self._used == len(self.cells):
                cells = np.zeros((2 * len(self.cells), *self.cells.shape[1:]), dtype=np.uint8)
                bboxes = np.zeros((2 * len(self.bboxes), 4), dtype=np.int32)
                cells[: self._used] = self.cells
                bboxes[: self._used] = self.bboxes
                self.cells, self.bboxes = cells, bboxes
                self._arrays = (cells, bboxes)
            self.cells[self._used] = made
            self.bboxes[self._used] = self.pack.bboxes[cell]  # recolouring keeps the alpha
            found = -1 - self._used
            self._used += 1
            self._ids[key] = found
        return found

    def cell(self, cell_id: int) -> NDArray[np.uint8]:
        """The cell of a pack id (0 or more) or of an id this store gave (negative)."""
        cells = self.pack.cells if cell_id >= 0 else self.cells
        picked: NDArray[np.uint8] = cells[cell_id if cell_id >= 0 else -1 - cell_id]
        return picked

    def draw(self, cell: int, afterlife: str | None, pose: int, drawn: set[int]) -> int:
        """The id to draw for pack cell ``cell`` of a cat in ``afterlife`` (None: living):
        recoloured where the game recolours it; ``drawn`` holds the cells this cat has drawn
        so far (an Unknown Residence cat's first draw of a sprite keeps its black)."""
        if afterlife is None or cell == 0:
            return cell
        if afterlife == UNKNOWN_RESIDENCE and cell not in drawn:
            drawn.add(cell)
            return cell
        return self.recoloured(cell, afterlife, pose)
