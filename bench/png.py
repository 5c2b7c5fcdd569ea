"""PNG benchmark: enlarged cats written straight from the 50 x 50 picture, against enlarging
first and encoding the big picture (the way it was done before), in-process, warm.

    uv run python bench/png.py [--rounds 9] [--cats 20]

For each output size it prints the median microseconds per cat of both ways, their ratio and
the median file size. Sizes that are not multiples of 50 are included: they must cost what a
multiple does. It first checks that the public cats decode pixel-exact at scales 1, 4 and 16.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from parity import check, public_cases

from renderer_service.packs.bundled import find_sprite_root
from renderer_service.renderer import CatParams, Renderer, SpritePack, encode_png
from renderer_service.renderer.png import encode_png_resized

SIZES = (50, 100, 200, 400, 800, 1000, 1024)


def materialised(image: NDArray[np.uint8], size: int) -> bytes:
    rows = np.arange(size) * image.shape[0] // size
    return encode_png(np.ascontiguousarray(image[rows][:, rows]))


def median_us(
    work: Callable[[NDArray[np.uint8], int], bytes],
    images: list[NDArray[np.uint8]],
    size: int,
    rounds: int,
) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for image in images:
            work(image, size)
        samples.append((time.perf_counter() - began) / len(images) * 1e6)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--cats", type=int, default=20)
    args = parser.parse_args()

    renderer = Renderer(SpritePack(find_sprite_root(None)))
    cats = {case["id"]: CatParams.model_validate(case["params"]) for case in public_cases()}

    def enlarged(case: dict[str, object], scale: int) -> bytes:
        image = renderer.render(cats[str(case["id"])]).image
        return encode_png_resized(image, 50 * scale)

    print(check(enlarged, (1, 4, 16)))
    images = [renderer.render(cat).image for cat in list(cats.values())[: args.cats]]
    print(f"{len(images)} cats x {args.rounds} rounds, median us per cat (noisy machine: compare")
    print("the ratio within this run)")
    print(f"{'size':>6} {'direct':>9} {'enlarge+encode':>15} {'ratio':>6} {'bytes':>8}")
    for size in SIZES:
        direct = median_us(encode_png_resized, images, size, args.rounds)
        before = median_us(materialised, images, size, max(3, args.rounds // 3))
        size_bytes = statistics.median(len(encode_png_resized(image, size)) for image in images)
        ratio = before / direct
        print(f"{size:>6} {direct:>9.1f} {before:>15.1f} {ratio:>6.1f} {size_bytes:>8.0f}")


if __name__ == "__main__":
    main()
