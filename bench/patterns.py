"""Pattern colour benchmark: the 70 cats of the pattern parity set, in-process.

    uv run python bench/patterns.py [--rounds 30] [--sprite-root PATH]

Prints, in median microseconds per cat:

- cold: the cat drawn with empty pattern caches, so each of its pattern colours' tiles is
  made (an SVG one rasterised) first; the median over the 70 cats, each drawn once cold;
- warm: the same cats again, their tiles and patterned sprites cached: what every later
  request for the colour costs;
- plain: the same cats with WHITE in place of every pattern colour;
- one tile of each kind: computed and drawn (median over all 536 colours).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from renderer_service.packs.bundled import find_sprite_root, load_bundled_palettes
from renderer_service.renderer import CatParams, Renderer, SpritePack
from renderer_service.renderer.patterns import make_tile
from renderer_service.wire import RequestParams
from renderer_service.wire.normalise import normalise_params

CASES = Path(__file__).resolve().parents[1] / "tests/data/pattern-public/cases.json"


def plain(params: dict[str, Any], patterns: Any) -> dict[str, Any]:
    """``params`` with WHITE in place of every pattern colour."""
    out = dict(params)
    for key in ("colour", "tortieColour"):
        if out.get(key) in patterns:
            out[key] = "WHITE"
    if "tortie" in out:
        out["tortie"] = [
            {**layer, "colour": "WHITE"} if layer["colour"] in patterns else layer
            for layer in out["tortie"]
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sprite-root", type=Path, default=None)
    args = parser.parse_args()

    pack = SpritePack(find_sprite_root(args.sprite_root))
    renderer = Renderer(pack, palettes=load_bundled_palettes(pack))
    renderer.warm_up()
    patterns = renderer.palettes.patterns
    raw = [case["params"] for case in json.loads(CASES.read_text())]

    def read(params: dict[str, Any]) -> CatParams:
        return normalise_params(RequestParams.model_validate(params), renderer.vocabulary)

    cats = [read(p) for p in raw]
    plain_cats = [read(plain(p, patterns)) for p in raw]
    import cairosvg  # noqa: F401  # its import is a one-off start-up cost, not a tile's

    cold: list[float] = []
    for cat in cats:
        patterns.clear()
        began = time.perf_counter()
        renderer.render(cat)
        cold.append((time.perf_counter() - began) * 1e6)

    def per_cat(work: list[CatParams]) -> float:
        samples = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            for cat in work:
                renderer.render(cat)
            samples.append((time.perf_counter() - began) / len(work) * 1e6)
        return statistics.median(samples)

    for cat in cats:
        renderer.render(cat)
    warm = per_cat(cats)
    base = per_cat(plain_cats)

    computed: list[float] = []
    drawn: list[float] = []
    for colour in patterns.colours.values():
        began = time.perf_counter()
        make_tile(colour.definition)
        (drawn if colour.drawn else computed).append((time.perf_counter() - began) * 1e6)

    print(f"{len(cats)} pattern cats, median us per cat ({args.rounds} rounds warm):")
    print(f"  cold (tiles made)            {statistics.median(cold):9.1f}")
    print(f"  warm (tiles cached)          {warm:9.1f}")
    print(f"  plain (WHITE instead)        {base:9.1f}")
    print(f"  warm / plain                 {warm / base:9.2f}")
    print("one tile, median us:")
    print(f"  computed ({len(computed):3d} colours)       {statistics.median(computed):9.1f}")
    print(f"  drawn    ({len(drawn):3d} colours)       {statistics.median(drawn):9.1f}")


if __name__ == "__main__":
    main()
