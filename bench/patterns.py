"""Pattern colour benchmark: the 70 cats of the pattern parity set, in-process.

    uv run python bench/patterns.py [--rounds 30] [--sprite-root PATH]

Prints, in median microseconds per cat:

- cold: the cat drawn with an empty field cache, so each of its pattern colours' tiles is
  made (and an SVG one rasterised) first; the median over the 70 cats, each drawn once cold;
- warm: the same cat again, its fields cached: what every later request for the colour costs;
- plain: the same cats with WHITE in place of every pattern colour, through the renderer;
- tile per generator kind: making one tile, computed and drawn (median over all 536 colours).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from renderer_service.assets import find_sprite_root, packs_folder
from renderer_service.renderer import CatParams, Renderer, SpritePack
from renderer_service.renderer.patterns import FieldCache, PatternColours, make_tile
from renderer_service.renderer.patterns.compose import plain_params, render_pattern_cat

CASES = Path(__file__).resolve().parents[1] / "tests/data/pattern-public/cases.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sprite-root", type=Path, default=None)
    args = parser.parse_args()

    renderer = Renderer(SpritePack(find_sprite_root(args.sprite_root)))
    renderer.warm_up()
    colours = PatternColours.from_folder(packs_folder() / "palettes", FieldCache())
    cases = [case["params"] for case in json.loads(CASES.read_text())]
    plain = [CatParams.model_validate(plain_params(p, colours)[0]) for p in cases]
    import cairosvg  # noqa: F401  # its import is a one-off start-up cost, not a tile's

    cold: list[float] = []
    for params in cases:
        colours.clear()
        began = time.perf_counter()
        render_pattern_cat(renderer, colours, params)
        cold.append((time.perf_counter() - began) * 1e6)

    def per_cat(work: list[object]) -> float:
        samples = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            for item in work:
                if isinstance(item, CatParams):
                    renderer.render(item)
                else:
                    render_pattern_cat(renderer, colours, item)  # type: ignore[arg-type]
            samples.append((time.perf_counter() - began) / len(work) * 1e6)
        return statistics.median(samples)

    warm = per_cat(list(cases))
    base = per_cat(list(plain))

    computed: list[float] = []
    drawn: list[float] = []
    for colour in colours.colours.values():
        began = time.perf_counter()
        make_tile(colour.definition)
        (drawn if colour.drawn else computed).append((time.perf_counter() - began) * 1e6)

    print(f"{len(cases)} pattern cats, median us per cat ({args.rounds} rounds warm):")
    print(f"  cold (tiles made)            {statistics.median(cold):9.1f}")
    print(f"  warm (fields cached)         {warm:9.1f}")
    print(f"  plain (WHITE, renderer)      {base:9.1f}")
    print(f"  warm / plain                 {warm / base:9.2f}")
    print("one tile, median us:")
    print(f"  computed ({len(computed):3d} colours)       {statistics.median(computed):9.1f}")
    print(f"  drawn    ({len(drawn):3d} colours)       {statistics.median(drawn):9.1f}")


if __name__ == "__main__":
    main()
