"""Suggesting valid names for a misspelt one, cheaply enough for hostile input.

Comparing a name with every valid name (``difflib.get_close_matches``) costs milliseconds
against the 350 accessories, and a request may hold dozens of wrong names: a few kilobytes
of JSON could hold the service's event loop for a tenth of a second. Instead each list of
names is indexed once by its letter pairs; a wrong name is compared in full only with the
few valid names that share the most pairs with it.
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

CUTOFF = 0.5
"""Least ``difflib`` similarity a suggestion needs."""

SHORTLIST = 12
"""Valid names compared in full with a wrong one."""

MAX_COMPARED_CHARS = 64
"""Longest prefix of a wrong name that is compared (valid names are far shorter)."""


@dataclass(frozen=True, slots=True)
class _Index:
    names: dict[str, str]
    """Case-folded name -> the name as the pack spells it."""
    folded: tuple[str, ...]
    pairs: dict[str, tuple[int, ...]]
    """Letter pair -> positions in ``folded`` of the names that contain it."""


def _pairs(text: str) -> set[str]:
    """The letter pairs of ``text``, its first and last letters paired with a space."""
    padded = f" {text} "
    return {padded[i : i + 2] for i in range(len(padded) - 1)}


@lru_cache(maxsize=128)
def _index(choices: tuple[str, ...]) -> _Index:
    names: dict[str, str] = {}
    for choice in choices:
        names.setdefault(choice.casefold(), choice)
    folded = tuple(names)
    postings: dict[str, list[int]] = {}
    for position, name in enumerate(folded):
        for pair in _pairs(name):
            postings.setdefault(pair, []).append(position)
    return _Index(names, folded, {pair: tuple(found) for pair, found in postings.items()})


def closest(value: str, choices: Iterable[str], limit: int = 5) -> list[str]:
    """The valid names nearest to ``value``, case-insensitively, best first."""
    index = _index(tuple(choices))
    folded = value.casefold()
    exact = index.names.get(folded)
    if exact is not None:
        return [exact]
    folded = folded[:MAX_COMPARED_CHARS]
    shared: Counter[int] = Counter()
    for pair in _pairs(folded):
        shared.update(index.pairs.get(pair, ()))
    names = index.folded
    size = len(folded)
    shortlist = heapq.nsmallest(
        SHORTLIST, shared.items(), key=lambda hit: (-hit[1], abs(len(names[hit[0]]) - size))
    )
    matcher = difflib.SequenceMatcher(b=folded, autojunk=False)
    scored = []
    for position, _count in shortlist:
        name = names[position]
        matcher.set_seq1(name)
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            score = matcher.ratio()
            if score >= CUTOFF:
                scored.append((score, name))
    return [index.names[name] for _score, name in heapq.nlargest(limit, scored)]
