"""Suggestions for misspelt names: as good as a full fuzzy search, at a bounded cost."""

from __future__ import annotations

import difflib
import random
from collections.abc import Collection

import pytest

from renderer_service.renderer import Renderer
from renderer_service.renderer.suggest import SHORTLIST, closest


def full_search(value: str, choices: Collection[str]) -> list[str]:
    """What ``difflib`` finds comparing ``value`` with every name (case-insensitively)."""
    by_folded = {choice.casefold(): choice for choice in choices}
    matches = difflib.get_close_matches(value.casefold(), list(by_folded), n=5, cutoff=0.5)
    return [by_folded[match] for match in matches]


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def typos(name: str, rng: random.Random) -> list[str]:
    """A letter dropped, changed and added somewhere in ``name``."""
    i = rng.randrange(len(name))
    letter = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return [
        name[:i] + name[i + 1 :],
        name[:i] + letter + name[i + 1 :],
        name[:i] + letter + name[i:],
    ]


@pytest.mark.parametrize(
    "kind", ["pelts", "colours", "tortie_masks", "white_patches", "accessories", "all_scars"]
)
def test_the_best_suggestion_is_as_close_as_a_full_search_finds(
    renderer: Renderer, kind: str
) -> None:
    choices: Collection[str] = getattr(renderer.vocabulary, kind)
    rng = random.Random(kind)
    names = [name for name in sorted(choices) if len(name) >= 3]
    for name in rng.sample(names, min(len(names), 80)):
        for typo in typos(name, rng):
            if typo.casefold() in {choice.casefold() for choice in choices}:
                continue
            ours, best = closest(typo, choices), full_search(typo, choices)
            assert bool(ours) == bool(best), typo
            if best:  # the same name, or one just as close (difflib breaks ties by name)
                assert similarity(typo, ours[0]) == similarity(typo, best[0]), typo


def test_an_exact_name_in_another_case_is_the_only_suggestion() -> None:
    assert closest("ginger", ["GINGER", "DARKGINGER", "PALEGINGER"]) == ["GINGER"]


def test_at_most_a_shortlist_of_names_is_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = []
    real = difflib.SequenceMatcher.set_seq1

    def counting(self: difflib.SequenceMatcher[str], name: str) -> None:
        compared.append(name)
        real(self, name)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", counting)
    choices = [f"NAME{i:04d}" for i in range(2000)]
    closest("NAME12345", choices)
    compared.remove("")  # the matcher's constructor sets an empty first string
    assert 0 < len(compared) <= SHORTLIST


def test_a_name_sharing_nothing_gets_no_suggestion() -> None:
    assert closest("###", ["GINGER", "WHITE"]) == []
