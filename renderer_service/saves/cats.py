"""What reading a save gives: each cat (``SaveCat``) or the reason it could not be read
(``CatError``), and the errors for a document that is no save at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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
    pose: str | None = None
    """The pose by name (v0.13 saves); None for a 2024 save, whose pose is ``sprite_number``."""
    pack: str = "lifegen"
    """The pack that draws the cat as the game drew it: ``lifegen`` or ``clangen``."""

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
            **({"pose": self.pose} if self.pose is not None else {}),
            "pack": self.pack,
            "params": self.params,
            "request": self.request(),
            "warnings": self.warnings,
        }

    def request(self) -> dict[str, Any]:
        """A body ``POST /render`` takes as it is: the pose, the params and the pack."""
        pose: dict[str, Any] = (
            {"pose": self.pose} if self.pose is not None else {"spriteNumber": self.sprite_number}
        )
        return {"payload": {**pose, "params": self.params}, "options": {"pack": self.pack}}


@dataclass(slots=True)
class SaveReading:
    """Every cat of a save: those that convert, and why the others do not."""

    cats: list[SaveCat]
    errors: list[CatError]


SaveFormat = Literal["legacy", "v0.13"]
"""The save formats read: ClanGen 2024 / Lifegen (``legacy``) and ClanGen v0.13."""


class SaveFormatError(ValueError):
    """The document is not a save this project reads: not a list of cats, another file of the
    save folder, a fork's format or a newer ClanGen's."""

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
    conditions: Mapping[str, object] | None = None
    """Each cat's ``conditions/<ID>_conditions.json`` by ID; None when the save came without
    its ``conditions/`` folder (a bare ``clan_cats.json``)."""
    group_ids: Mapping[str, str] | None = None
    """The Clan file's ``used_group_IDs``; None without the Clan file (the game's 1-4)."""
