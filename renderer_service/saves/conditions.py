"""A cat's ``conditions/<ID>_conditions.json``, read as the game reads it for the picture.

``Cat.load_conditions`` reads the file of every cat, dead ones too. Two things in it change
the pose: any illness or injury whose saved ``severity`` is not ``minor`` makes the cat sick
(``Cat.not_working``), and ``paralyzed`` among the ``permanent conditions`` makes it
paralysed. Condition names are not checked. A file that is not an object of objects is
reported and ignored, as the game ignores a file it cannot read; a sickness record without
``severity`` stops the game from drawing the cat, so it is a problem of that cat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from renderer_service.saves.fields import Problem

SICKNESS_KEYS = ("illnesses", "injuries")
PERMANENT_KEY = "permanent conditions"
MINOR = "minor"


@dataclass(slots=True)
class Conditions:
    """What a cat's conditions file says about its picture."""

    sick: bool = False
    paralysed: bool = False
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def file_name(cat_id: str) -> str:
    return f"conditions/{cat_id}_conditions.json"


def read_conditions(document: object, cat_id: str) -> Conditions:
    """The sickness and paralysis a cat's conditions document gives it."""
    found = Conditions()
    where = file_name(cat_id)
    if not isinstance(document, Mapping):
        found.warnings.append(f"{where} is not a JSON object: ignored, as the game ignores it")
        return found
    for key in (*SICKNESS_KEYS, PERMANENT_KEY):
        records = document.get(key)
        if records is None:
            continue
        if not isinstance(records, Mapping):
            found.warnings.append(f"{where}: {key!r} is not an object: ignored")
            continue
        for name, record in records.items():
            if key == PERMANENT_KEY:
                found.paralysed |= name == "paralyzed"
                continue
            severity = record.get("severity") if isinstance(record, Mapping) else None
            if not isinstance(severity, str):
                found.problems.append(
                    (
                        f"{where}:{key}.{name}",
                        record if not isinstance(record, Mapping) else None,
                        f"{where}: the {key[:-1]} {name!r} has no severity; the game cannot "
                        "draw a cat without it",
                        'a "severity" ("minor", "major" or "severe")',
                    )
                )
            elif severity != MINOR:
                found.sick = True
    return found
