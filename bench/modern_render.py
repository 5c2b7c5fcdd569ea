"""Modern renderer benchmark: the modern cats' compose against the legacy cats', in-process.

    uv run python bench/modern_render.py [--rounds 30]

First checks the pictures it is about to time: every cat of ``tests/data/modern-public`` must
equal ClanGen v0.13.2's picture pixel for pixel, and every cat of ``tests/data/legacy-public``
the legacy one (it stops if one does not). Then prints, for both layouts, the median
microseconds of CPU time per cat of a render with the traits already checked (the service's
path), of a render that checks them, and of the trait check alone. Round by round, every row
in turn, so each sees the same load on a shared machine. The target: a modern compose within
1.5 x of a legacy one.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from parity import same_picture
from render import expected_picture, median_us  # the same pictures and timing

from renderer_service.packs.bundled import find_sprite_root
from renderer_service.renderer import CatParams, Renderer, SpritePack, check_traits
from renderer_service.renderer.modern import ModernRenderer, read_pcm

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests/data"
MODERN_PACK = REPO / "renderer_service/packs/clangen"
TARGET_RATIO = 1.5


def _cases(folder: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((DATA / folder / "cases.json").read_text())
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()

    began = time.perf_counter()
    legacy = Renderer(SpritePack(find_sprite_root(None)))
    print(f"legacy pack loaded in {time.perf_counter() - began:.2f} s")
    began = time.perf_counter()
    modern = ModernRenderer.from_folder(MODERN_PACK)
    print(f"modern pack loaded in {time.perf_counter() - began:.2f} s")

    legacy_cases = _cases("legacy-public")
    legacy_cats = [CatParams.model_validate(case["params"]) for case in legacy_cases]
    for case, cat in zip(legacy_cases, legacy_cats, strict=True):
        if not same_picture(
            legacy.render(cat).image, expected_picture("legacy-public", case["id"])
        ):
            raise SystemExit(f"PARITY FAILED: legacy-public {case['id']}")
    modern_cases = _cases("modern-public")
    modern_cats = [read_pcm(case["params"], case["lineart"]) for case in modern_cases]
    for case, mcat in zip(modern_cases, modern_cats, strict=True):
        if not same_picture(
            modern.render(mcat).image, expected_picture("modern-public", case["id"])
        ):
            raise SystemExit(f"PARITY FAILED: modern-public {case['id']}")
    print(
        f"parity: {len(legacy_cats)}/{len(legacy_cats)} legacy-public and "
        f"{len(modern_cats)}/{len(modern_cats)} modern-public pixel-equal"
    )

    vocabulary = legacy.vocabulary
    rows: dict[str, tuple[Callable[[Any], object], Sequence[Any]]] = {
        "legacy render, traits already checked": (
            lambda cat: legacy.render(cat, checked=True),
            legacy_cats,
        ),
        "modern render, traits already checked": (
            lambda cat: modern.render(cat, checked=True),
            modern_cats,
        ),
        "legacy render (checks the traits)": (legacy.render, legacy_cats),
        "modern render (checks the traits)": (modern.render, modern_cats),
        "legacy check_traits": (lambda cat: check_traits(cat, vocabulary), legacy_cats),
        "modern check_traits": (modern.check_traits, modern_cats),
    }
    print(f"{len(legacy_cats)} legacy / {len(modern_cats)} modern cats x {args.rounds} rounds:")
    samples: dict[str, list[float]] = {label: [] for label in rows}
    for _ in range(args.rounds):
        for label, (work, cats) in rows.items():
            samples[label].append(median_us(work, cats, clock=time.thread_time))
    medians = {label: statistics.median(values) for label, values in samples.items()}
    for label, us in medians.items():
        print(f"  {label:40s} {us:8.1f} us")
    ratio = (
        medians["modern render, traits already checked"]
        / medians["legacy render, traits already checked"]
    )
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(f"modern / legacy compose: {ratio:.2f} x ({verdict} the {TARGET_RATIO} x target)")


if __name__ == "__main__":
    main()
