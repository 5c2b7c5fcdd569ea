"""Backgrounds and formats benchmark: the 120 public parity cats, in-process, warm.

    uv run python bench/formats.py [--rounds 10] [--scale 4]

Prints the median microseconds per cat to render and encode it as PNG (the baseline), then on a
colour and on a platform, and as lossless WebP and GIF, each with its ratio to the baseline.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from render import CASES, median_us  # the same cats and timing as bench/render.py

from renderer_service.packs.bundled import find_sprite_root
from renderer_service.renderer import (
    CatParams,
    ImageFormat,
    Renderer,
    SpritePack,
    encode_image,
    parse_background,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--sprite-root", type=Path, default=None)
    args = parser.parse_args()

    renderer = Renderer(SpritePack(find_sprite_root(args.sprite_root)))
    cats = [CatParams.model_validate(case["params"]) for case in json.loads(CASES.read_text())]

    def work(background: str, image_format: ImageFormat) -> Callable[[CatParams], object]:
        chosen = parse_background(background)

        def draw(cat: CatParams) -> bytes:
            picture, _ = renderer.picture(cat, cat.sprite_number or 0, chosen)
            return encode_image(picture, image_format, args.scale)

        return draw

    rows: dict[str, Callable[[CatParams], object]] = {
        "transparent, PNG": work("transparent", "png"),
        "#336699, PNG": work("#336699", "png"),
        "platform:auto:forest..., PNG": work("platform:auto:forest:greenleaf:light", "png"),
        "transparent, WebP (lossless)": work("transparent", "webp"),
        "transparent, GIF": work("transparent", "gif"),
        "platform:auto:forest..., GIF": work("platform:auto:forest:greenleaf:light", "gif"),
    }
    for draw in rows.values():  # warm up
        for cat in cats[:5]:
            draw(cat)
    print(f"{len(cats)} cats x {args.rounds} rounds at scale {args.scale}, median us per cat:")
    baseline = None
    for label, draw in rows.items():
        median = median_us(draw, cats, args.rounds)
        baseline = baseline or median
        print(f"  {label:32s} {median:9.1f}  x{median / baseline:5.2f}")


if __name__ == "__main__":
    main()
