"""What reading a save gives: each cat (``SaveCat``) or the reason it could not be read
(``CatError``), and the errors for a document that is no save at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from renderer_service.saves.game import LifeStage


@dataclass(frozen=True, slots=True)
class CatError:
    """Why one cat of a save cannot be drawn."""

    index: int
    id: str | None
    field: str | None
    value: Any
    detail: str
    expected: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ID": self.id,
            "field": self.field,
            "value": self.value,
            "detail": self.detail,
            "expected": self.expected,
        }


@dataclass(slots=True)
class SaveCat:
    """One cat of a save, read: who it is and the V2 params that draw it."""

    index: int
    id: str
    name: str
    status: str | None
    age: str
    moons: int
    sprite_number: int
    params: dict[str, Any]
    dead: bool
    outside: bool
    warnings: list[str] = field(default_factory=list)

    @property
    def living(self) -> bool:
        """Alive and in the Clan (not outside, not exiled)."""
        return not self.dead and not self.outside

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ID": self.id,
            "name": self.name,
            "status": self.status,
            "age": self.age,
            "moons": self.moons,
            "spriteNumber": self.sprite_number,
            "params": self.params,
            "warnings": self.warnings,
        }


@dataclass(slots=True)
class SaveReading:
    """Every cat of a save: those that convert, and why the others do not."""

    cats: list[SaveCat]
    errors: list[CatError]


class SaveFormatError(ValueError):
    """The document is not a save at all (not a list of cats, nor ``{"cats": [...]}``)."""

    def __init__(self, field: str | None, value: Any, detail: str, expected: str) -> None:
        self.field = field
        self.value = value
        self.detail = detail
        self.expected = expected
        super().__init__(detail)


class CatProblemsError(Exception):
    def __init__(self, problems: list[tuple[str, Any, str, str | None]]) -> None:
        self.problems = problems
        super().__init__("; ".join(p[2] for p in problems))


@dataclass(frozen=True, slots=True)
class DrawOptions:
    """How to draw the cats of a save: the sick ones, and an age to draw everyone at."""

    sick: frozenset[str] = frozenset()
    life_stage: LifeStage | None = None
