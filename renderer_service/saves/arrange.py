"""Which of a save's cats a sheet shows, and in what order (by rank, age, name ...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from renderer_service.saves.cats import SaveCat
from renderer_service.saves.game import AGE_STAGES, RANKS, Include, Order


def included(cat: SaveCat, include: Include) -> bool:
    if include == "all":
        return True
    if include == "dead":
        return cat.dead
    return cat.living


def rank_of(cat: SaveCat) -> int:
    """Position of the cat's rank in ``RANKS``; outsiders and the dead come last."""
    if cat.living:
        for position, statuses in enumerate(RANKS):
            if cat.status in statuses:
                return position
    return len(RANKS)


ORDERS: Mapping[str, Callable[[SaveCat], Any]] = {
    "rank": rank_of,
    "name": lambda cat: cat.name.casefold(),
    "moons": lambda cat: cat.moons,
}
"""Sort keys of each ``order`` but ``given`` (sorts are stable: ties keep the save's order)."""


def arrange(cats: Sequence[SaveCat], include: Include, order: Order) -> list[SaveCat]:
    """The cats ``include`` selects, in ``order``."""
    chosen = [cat for cat in cats if included(cat, include)]
    if order != "given":
        chosen.sort(key=ORDERS[order])
    return chosen


def age_ranges() -> list[tuple[str, int, int | None]]:
    """``(age, first moon, last moon or None)`` of each of ClanGen's ages."""
    ends = [first - 1 for _, first in AGE_STAGES[1:]]
    return [
        (name, first, end) for (name, first), end in zip(AGE_STAGES, [*ends, None], strict=True)
    ]
