"""Renderer benchmark: the 120 public parity cats, in-process, warm, many times over.

    uv run python bench/render.py [--rounds 30] [--sprite-root PATH] [--png-level 1]

First checks the pictures it is about to time: every cat of ``tests/data/legacy-public`` and
``tests/data/legacy-features`` must equal ClanGen's picture pixel for pixel (it stops if one
does not). Then prints the median microseconds per cat: a plain render (which checks the
traits), the same with the traits already checked (as the service renders them), its parts
(check, flat planner, compiled kernel), rendering plus PNG encoding, and rendering with every
layer collected (diagnostics). Medians over rounds, since shared machines are noisy; the
targets are 25 us to compose a cat and 50 us with its PNG.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from parity import same_picture
from PIL import Image

from renderer_service.packs.bundled import find_sprite_root
from renderer_service.renderer import (
    DEFAULT_POSE,
    CatParams,
    Renderer,
    SpritePack,
    blend,
    check_traits,
    encode_png,
)
from renderer_service.renderer.png import LEVEL

DATA = Path(__file__).resolve().parents[1] / "tests/data"
CASES = DATA / "legacy-public/cases.json"
PARITY_SETS = ("legacy-public", "legacy-features")
COMPOSE_TARGET_US = 25.0
PNG_TARGET_US = 50.0


def median_us(
    work: Callable[[Any], object],
    cats: Sequence[Any],
    rounds: int = 1,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Median over ``rounds`` of the microseconds per cat, timed by ``clock``
    (``time.thread_time``: this thread's CPU time, which other processes on a shared machine
    take nothing from)."""
    samples = []
    for _ in range(rounds):
        began = clock()
        for cat in cats:
            work(cat)
        samples.append((clock() - began) / len(cats) * 1e6)
    return statistics.median(samples)


def expected_picture(folder: str, case_id: str) -> NDArray[np.uint8]:
    with Image.open(DATA / folder / "expected" / f"{case_id}.png") as image:
        return np.asarray(image.convert("RGBA"), dtype=np.uint8)


def check_parity(renderer: Renderer) -> list[str]:
    """Render every cat of the parity sets; stop at the first that differs from ClanGen's
    picture, else return one line per set."""
    lines = []
    for folder in PARITY_SETS:
        cases: list[dict[str, Any]] = json.loads((DATA / folder / "cases.json").read_text())
        for case in cases:
            image = renderer.render(CatParams.model_validate(case["params"])).image
            if not same_picture(image, expected_picture(folder, case["id"])):
                raise SystemExit(f"PARITY FAILED: {folder} {case['id']}")
        lines.append(
            f"parity: {len(cases)}/{len(cases)} pixel-equal with tests/data/{folder}/expected"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sprite-root", type=Path, default=None)
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument(
        "--png-level", type=int, default=LEVEL, help=f"ISA-L level of the PNG (default {LEVEL})"
    )
    args = parser.parse_args()
    level = args.png_level

    began = time.perf_counter()
    pack = SpritePack(find_sprite_root(args.sprite_root))
    renderer = Renderer(pack)
    print(
        f"pack: {pack.root.name} ({len(pack.groups)} groups) loaded in "
        f"{time.perf_counter() - began:.2f} s"
    )
    for line in check_parity(renderer):
        print(line)
    cats = [CatParams.model_validate(case["params"]) for case in json.loads(args.cases.read_text())]
    for cat in cats:  # warm up: compile the kernels, fill caches
        encode_png(renderer.render(cat, collect_layers=True, layer_images=True).image)
    poses = {
        id(cat): DEFAULT_POSE if cat.sprite_number is None else cat.sprite_number for cat in cats
    }
    planned = {id(cat): renderer.planner.ops(cat, poses[id(cat)]) for cat in cats}
    flat = sum(ops is not None for ops in planned.values())
    print(f"flat planner: {flat}/{len(cats)} cats planned without stages")
    cells, bboxes, vocabulary = pack.cells, pack.bboxes, renderer.vocabulary

    def kernel(cat: CatParams) -> object:
        ops = planned[id(cat)]
        return None if ops is None else blend.compose(cells, bboxes, ops, cat.reverse)

    rows: dict[str, tuple[Callable[[CatParams], object], float | None]] = {
        "render (checks the traits)": (renderer.render, COMPOSE_TARGET_US),
        "render, traits already checked": (
            lambda cat: renderer.render(cat, checked=True),
            COMPOSE_TARGET_US,
        ),
        "  check_traits": (lambda cat: check_traits(cat, vocabulary), None),
        "  flat planner": (lambda cat: renderer.planner.ops(cat, poses[id(cat)]), None),
        "  kernel (blend.compose)": (kernel, None),
        "render + PNG encode": (
            lambda cat: encode_png(renderer.render(cat).image, level),
            PNG_TARGET_US,
        ),
        "traits already checked + PNG encode": (
            lambda cat: encode_png(renderer.render(cat, checked=True).image, level),
            PNG_TARGET_US,
        ),
        "render with layers + layer images": (
            lambda cat: renderer.render(cat, collect_layers=True, layer_images=True),
            None,
        ),
    }
    print(f"{len(cats)} cats x {args.rounds} rounds, median us per cat:")
    # Round by round, every row in turn: on a shared machine each row sees the same load.
    samples: dict[str, list[float]] = {label: [] for label in rows}
    for _ in range(args.rounds):
        for label, (work, _target) in rows.items():
            samples[label].append(median_us(work, cats, 1))
    for label, (_work, target) in rows.items():
        us = statistics.median(samples[label])
        versus = f"  ({us / target:.2f} x the {target:.0f} us target)" if target else ""
        print(f"  {label:36s} {us:8.1f}{versus}")


if __name__ == "__main__":
    main()
