"""Diff benchmark: the 120 public parity cats compared with their ClanGen pictures,
in-process, warm.

    uv run python bench/diff.py [--rounds 10]

Prints the median microseconds per cat for a plain render, for ``diff_cat`` (a render with
every layer's picture, the comparison and the layer blame: what ``POST /diff`` and ``cg3 diff``
do for each cat), and for the pictures a differing cat adds (heat map and side by side, PNG
encoded). Medians over rounds, since shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from renderer_service.packs.bundled import load_sprite_pack
from renderer_service.renderer import CatParams, Renderer, encode_png
from renderer_service.renderer.diff import decode_picture, diff_cat, heatmap, side_by_side

DATA = Path(__file__).resolve().parents[1] / "tests/data/legacy-public"


def median_us(work: Callable[[int], object], count: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for index in range(count):
            work(index)
        samples.append((time.perf_counter() - began) / count * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    renderer = Renderer(load_sprite_pack(None))
    cases = json.loads((DATA / "cases.json").read_text())
    cats = [CatParams.model_validate(case["params"]) for case in cases]
    references = [
        decode_picture((DATA / "expected" / f"{case['id']}.png").read_bytes()) for case in cases
    ]
    found = [diff_cat(renderer, cat, ref) for cat, ref in zip(cats, references, strict=True)]
    assert not any(item.difference.differing for item in found), "the parity set must diff clean"

    rows: dict[str, Callable[[int], object]] = {
        "render (compose only)": lambda i: renderer.render(cats[i]),
        "diff_cat (layers, compare, blame)": lambda i: diff_cat(renderer, cats[i], references[i]),
        "heat map + side by side, as PNGs": lambda i: (
            encode_png(heatmap(found[i].difference)),
            encode_png(side_by_side(references[i], found[i].image, found[i].difference, 4)),
        ),
    }
    print(f"{len(cats)} cats x {args.rounds} rounds, median us per cat:")
    for label, work in rows.items():
        print(f"  {label:36s} {median_us(work, len(cats), args.rounds):8.1f}")


if __name__ == "__main__":
    main()
