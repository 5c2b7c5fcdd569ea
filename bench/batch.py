"""Batch benchmark: a 256-frame spritesheet (eye colours x poses), in-service, warm.

    uv run python bench/batch.py [--rounds 10] [--env CG3_NAME=VALUE ...]

Starts the service on a free loopback port (as ``bench/throughput.py`` does), then times
``POST /render/batch`` with 256 explicit variants: every eye colour the pack has, at enough
poses to make 256 frames, 100 px tiles. The first batch meets an empty cache; then
``--rounds`` batches with a new tile size each (so no frame is cached) and ``--rounds``
identical ones (every frame from the cache). Prints the median milliseconds of each kind.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadgen import HttpConnection, event_loop, run
from throughput import parse_environment, started_service

EYES = [
    "YELLOW", "AMBER", "HAZEL", "PALEGREEN", "GREEN", "BLUE", "DARKBLUE", "GREY", "CYAN",
    "EMERALD", "HEATHERBLUE", "SUNLITICE", "COPPER", "SAGE", "COBALT", "PALEBLUE", "BRONZE",
    "SILVER", "PALEYELLOW", "GOLD", "GREENYELLOW",
]  # fmt: skip


def batch_document(tile: int, frames: int = 256) -> dict[str, object]:
    variants = [
        {"id": f"{eye}-{pose}", "group": eye, "spriteNumber": pose, "params": {"eyeColour": eye}}
        for pose in range(21)
        for eye in EYES
    ][:frames]
    return {
        "payload": {
            "spriteNumber": 8,
            "params": {"peltName": "Tabby", "colour": "GINGER", "shading": True},
        },
        "variants": variants,
        "options": {"tileSize": tile},
    }


async def time_batches(url_port: int, tiles: Sequence[int]) -> list[float]:
    from loadgen import json_request, parse_target

    target = parse_target(f"http://127.0.0.1:{url_port}")
    connection = HttpConnection(target, timeout=120)
    await connection.connect()
    times = []
    try:
        for tile in tiles:
            raw = json_request(target, "/render/batch", batch_document(tile))
            began = time.perf_counter()
            response = await connection.request(raw)
            times.append((time.perf_counter() - began) * 1000)
            if response.status != 200:
                raise RuntimeError(f"batch answered {response.status}: {response.body[:300]!r}")
            meta = json.loads(response.body)["meta"]
            print(
                f"  tile {tile:3d}: {times[-1]:8.1f} ms  ({meta['frames']} frames, "
                f"{meta['rendered']} rendered, {meta['cached']} from the cache)",
                flush=True,
            )
    finally:
        await connection.aclose()
    return times


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    factory, _loop = event_loop("auto")
    with started_service(parse_environment(args.env), None, 120.0, factory) as service:
        port = service.target.port
        print("cold (empty cache, first batch):")
        run(lambda: time_batches(port, [100]), factory)
        print("uncached (a new tile size each round, so no frame is cached):")
        fresh = run(lambda: time_batches(port, [101 + n for n in range(args.rounds)]), factory)
        print("cached (the same batch again):")
        cached = run(lambda: time_batches(port, [100] * args.rounds), factory)
    print(
        f"median uncached {statistics.median(fresh):.1f} ms, "
        f"cached {statistics.median(cached):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
