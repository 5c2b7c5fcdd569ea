"""Renderer benchmark: the 120 public parity cats, in-process, warm, many times over.

    uv run python bench/render.py [--rounds 30] [--sprite-root PATH]

Prints the median microseconds per cat for composing alone, composing plus PNG encoding,
and composing with every layer collected (diagnostics). Medians over rounds, since shared
machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from renderer_service.assets import find_sprite_root
from renderer_service.renderer import CatParams, Renderer, SpritePack, encode_png

CASES = Path(__file__).resolve().parents[1] / "tests/data/legacy-public/cases.json"


def median_us(work: Callable[[CatParams], object], cats: list[CatParams], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for cat in cats:
            work(cat)
        samples.append((time.perf_counter() - began) / len(cats) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sprite-root", type=Path, default=None)
    parser.add_argument("--cases", type=Path, default=CASES)
    args = parser.parse_args()

    began = time.perf_counter()
    pack = SpritePack(find_sprite_root(args.sprite_root))
    renderer = Renderer(pack)
    print(
        f"pack: {pack.root} ({len(pack.groups)} groups) loaded in "
        f"{time.perf_counter() - began:.2f} s"
    )
    cats = [CatParams.model_validate(case["params"]) for case in json.loads(args.cases.read_text())]
    for cat in cats:  # warm up: compile the kernels, fill caches
        encode_png(renderer.render(cat, collect_layers=True, layer_images=True).image)

    rows = {
        "render (compose only)": lambda cat: renderer.render(cat),
        "render + PNG encode": lambda cat: encode_png(renderer.render(cat).image),
        "render with layers + layer images": lambda cat: renderer.render(
            cat, collect_layers=True, layer_images=True
        ),
    }
    print(f"{len(cats)} cats x {args.rounds} rounds, median us per cat:")
    for label, work in rows.items():
        print(f"  {label:36s} {median_us(work, cats, args.rounds):8.1f}")


if __name__ == "__main__":
    main()
