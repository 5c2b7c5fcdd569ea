"""Typed access to the keys of one saved cat, collecting every problem instead of stopping
at the first: both save readers (the 2024 one and the v0.13 one) read their keys through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from renderer_service.renderer import MAX_LIST_LENGTH

Problem = tuple[str, Any, str, str | None]
"""(save key, value, what is wrong, what is expected)."""


class FieldReader:
    """Typed access to one saved cat, collecting every problem instead of stopping."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, key: str, value: Any, detail: str, expected: str | None = None) -> None:
        self.problems.append((key, value, detail, expected))

    def text(self, key: str, *, required: bool = True, default: str | None = None) -> str | None:
        if key not in self.raw:
            if required:
                self.problem(key, None, f"{key}: missing", "a name")
            return default
        value = self.raw[key]
        if value is None:
            if required:
                self.problem(key, None, f"{key}: null", "a name")
            return default
        if not isinstance(value, str):
            self.problem(key, value, f"{key}: not a string", "a name or null")
            return default
        return value

    def flag(self, key: str, default: bool, *, game_requires: bool = False) -> bool:
        if key not in self.raw:
            if game_requires:
                self.warnings.append(f"{key} is missing: taken as {str(default).lower()}")
            return default
        value = self.raw[key]
        if not isinstance(value, bool):
            self.problem(key, value, f"{key}: not true or false", "true or false")
            return default
        return value

    def integer(
        self, key: str, low: int, high: int | None, *, fallback: str | None = None
    ) -> int | None:
        name = key if key in self.raw or fallback is None or fallback not in self.raw else fallback
        if name not in self.raw:
            also = f" (nor {fallback})" if fallback else ""
            self.problem(key, None, f"{key}: missing{also}", _range(low, high))
            return None
        value = self.raw[name]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, value, f"{name}: not an integer", _range(low, high))
            return None
        if value < low or (high is not None and value > high):
            self.problem(name, value, f"{name}: out of range", _range(low, high))
            return None
        return value

    def names(self, key: str, *, single: bool = False) -> list[str]:
        """A list of names (``scars``; ``accessory`` as Lifegen saves it), or with ``single``
        one name (``accessory`` as ClanGen saves it)."""
        value = self.raw.get(key)
        if value is None:
            return []
        if single and isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.problem(key, value, f"{key}: not a list of names", "a list of names, or null")
            return []
        names = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                names.append(item)
            elif item is not None:
                self.problem(f"{key}[{i}]", item, f"{key}[{i}]: not a string", "a name")
        if len(names) > MAX_LIST_LENGTH:
            self.problem(key, value, f"{key}: {len(names)} names", f"at most {MAX_LIST_LENGTH}")
            return names[:MAX_LIST_LENGTH]
        return names


def _range(low: int, high: int | None) -> str:
    return f"an integer {low}-{high}" if high is not None else f"an integer >= {low}"


def shown(value: object) -> object:
    if isinstance(value, str) and len(value) > 80:
        return value[:80] + "..."
    if isinstance(value, list | dict) and len(value) > 20:
        return f"(a {'list' if isinstance(value, list) else 'object'} of {len(value)} items)"
    return value
