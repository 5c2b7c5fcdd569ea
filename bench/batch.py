"""Batch benchmark: a 256-frame spritesheet (eye colours x poses) at 100 px tiles, in-service.

    uv run python bench/batch.py [--rounds 10] [--tile 100] [--env CG3_NAME=VALUE ...]

Starts the service on a free loopback port (as ``bench/throughput.py`` does), then times
``POST /render/batch`` with 256 explicit variants: every eye colour the pack has, at enough
poses to make 256 frames. The first batch meets fresh workers and an empty cache. Then:

- cold: ``--rounds`` batches of a coat colour not drawn before (a frame's cache key is its
  cat, so a new colour means no frame is cached: all 256 are drawn);
- warm: ``--rounds`` repeats of the last cold batch (every frame from the frame cache).

Prints each batch's time and the service's CPU time for it (the server and its workers),
then the medians, the ratio of the cold median to the 25 ms target, and the median time
inside the service (``meta.duration_ms``: what is left of the wall time is HTTP, reading and
checking the request's JSON, and the client). It also checks parity:
every tile of the last cold batch's sheet must equal that cat drawn in-process by the
renderer and resized to the tile, pixel for pixel (a mismatch exits non-zero).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import Service, parse_environment, started_service

from renderer_service.drills import HttpConnection, event_loop, json_request, parse_target, run

EYES = [
    "YELLOW", "AMBER", "HAZEL", "PALEGREEN", "GREEN", "BLUE", "DARKBLUE", "GREY", "CYAN",
    "EMERALD", "HEATHERBLUE", "SUNLITICE", "COPPER", "SAGE", "COBALT", "PALEBLUE", "BRONZE",
    "SILVER", "PALEYELLOW", "GOLD", "GREENYELLOW",
]  # fmt: skip
COLOURS = [
    "GINGER", "WHITE", "PALEGREY", "SILVER", "GREY", "DARKGREY", "GHOST", "BLACK", "CREAM",
    "PALEGINGER", "GOLDEN", "DARKGINGER", "SIENNA", "LIGHTBROWN", "LILAC", "BROWN",
    "GOLDEN-BROWN", "DARKBROWN", "CHOCOLATE",
]  # fmt: skip
TARGET_MS = 25.0


def batch_document(colour: str, tile: int, frames: int = 256) -> dict[str, Any]:
    variants = [
        {"id": f"{eye}-{pose}", "group": eye, "spriteNumber": pose, "params": {"eyeColour": eye}}
        for pose in range(21)
        for eye in EYES
    ][:frames]
    return {
        "payload": {
            "spriteNumber": 8,
            "params": {"peltName": "Tabby", "colour": colour, "shading": True},
        },
        "variants": variants,
        "options": {"tileSize": tile},
    }


async def time_batches(
    service: Service, documents: Sequence[dict[str, Any]], label: str
) -> tuple[list[float], list[float], list[float], dict[str, Any]]:
    """Each document's wall time, service CPU time and time inside the service (its
    ``meta.duration_ms``: from the parsed request to the answer's body), in ms, and the last
    answer."""
    target = parse_target(f"http://127.0.0.1:{service.target.port}")
    connection = HttpConnection(target, timeout=120)
    await connection.connect()
    times: list[float] = []
    cpu: list[float] = []
    inside: list[float] = []
    answer: dict[str, Any] = {}
    try:
        for document in documents:
            raw = json_request(target, "/render/batch", document)
            cpu_before = service.cpu_seconds()
            began = time.perf_counter()
            response = await connection.request(raw)
            times.append((time.perf_counter() - began) * 1000)
            cpu_after = service.cpu_seconds()
            if response.status != 200:
                raise RuntimeError(f"batch answered {response.status}: {response.body[:300]!r}")
            if cpu_before is not None and cpu_after is not None:
                cpu.append((cpu_after - cpu_before) * 1000)
            answer = json.loads(response.body)
            meta = answer["meta"]
            inside.append(meta["duration_ms"])
            used = f", service CPU {cpu[-1]:6.1f} ms" if cpu else ""
            colour = document["payload"]["params"]["colour"]
            print(
                f"  {label} {colour:<11} {times[-1]:7.1f} ms{used}  ({meta['frames']} frames, "
                f"{meta['rendered']} drawn, {meta['cached']} from the cache)",
                flush=True,
            )
    finally:
        await connection.aclose()
    return times, cpu, inside, answer


def check_parity(document: dict[str, Any], answer: dict[str, Any]) -> tuple[int, int]:
    """How many tiles of ``answer``'s sheet equal the renderer's own picture of that frame's
    cat, resized to the tile (nearest neighbour), out of how many."""
    from renderer_service.packs.bundled import find_sprite_root, load_bundled_palettes
    from renderer_service.renderer import CatParams, Renderer, SpritePack
    from renderer_service.renderer.png import resize_nearest

    pack = SpritePack(find_sprite_root(None))
    renderer = Renderer(pack, palettes=load_bundled_palettes(pack))
    sheet = np.asarray(
        Image.open(io.BytesIO(base64.b64decode(answer["sheet"].split(",", 1)[1]))).convert("RGBA")
    )
    base = document["payload"]["params"]
    variants = {variant["id"]: variant for variant in document["variants"]}
    equal = 0
    for frame in answer["frames"]:
        variant = variants[frame["id"]]
        params = CatParams.model_validate({**base, **variant["params"]})
        expected = resize_nearest(
            renderer.render(params, variant["spriteNumber"]).image, frame["width"]
        )
        tile = sheet[
            frame["y"] : frame["y"] + frame["height"], frame["x"] : frame["x"] + frame["width"]
        ]
        equal += bool(tile.shape == expected.shape and (tile == expected).all())
    return equal, len(answer["frames"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--tile", type=int, default=100)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds < len(COLOURS):
        parser.error(f"--rounds must be 1-{len(COLOURS) - 1}")
    colours = COLOURS
    first = batch_document(colours[0], args.tile)
    cold_documents = [batch_document(colour, args.tile) for colour in colours[1 : args.rounds + 1]]
    factory, _loop = event_loop("auto")
    with started_service(parse_environment(args.env), None, 120.0) as service:
        print("first batch (fresh workers, empty cache):")
        run(lambda: time_batches(service, [first], "first"), factory)
        print("cold (a coat colour not drawn before: every frame drawn):")
        cold, cold_cpu, cold_inside, answer = run(
            lambda: time_batches(service, cold_documents, "cold"), factory
        )
        print("warm (the last batch again: every frame from the cache):")
        repeats = [cold_documents[-1]] * args.rounds
        warm, warm_cpu, warm_inside, _ = run(
            lambda: time_batches(service, repeats, "warm"), factory
        )
    equal, frames = check_parity(cold_documents[-1], answer)
    print(
        f"parity: {equal} of {frames} tiles of the last cold sheet equal the renderer's own "
        f"picture (in-process, resized to {args.tile} px)"
    )
    cpu = (
        f"; service CPU per batch cold {statistics.median(cold_cpu):.1f} ms, "
        f"warm {statistics.median(warm_cpu):.1f} ms"
        if cold_cpu and warm_cpu
        else ""
    )
    cold_median = statistics.median(cold)
    print(
        f"median of {args.rounds}: cold {cold_median:.1f} ms ({cold_median / TARGET_MS:.2f}x the "
        f"{TARGET_MS:.0f} ms target), warm {statistics.median(warm):.1f} ms{cpu}; inside the "
        f"service (meta.duration_ms) cold {statistics.median(cold_inside):.1f} ms, warm "
        f"{statistics.median(warm_inside):.1f} ms"
    )
    return 0 if equal == frames else 1


if __name__ == "__main__":
    sys.exit(main())
