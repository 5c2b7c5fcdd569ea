"""Collector pauses: the tail latency of the service with and without ``gc.freeze()``.

    uv run python bench/pauses.py [--requests 20000] [--concurrency 32] [--rounds 2]

Starts ``cg3 serve`` (loopback, free port) with ``CG3_GC_FREEZE=false`` and then ``true``,
``--rounds`` times each, alternating so that a busy machine hurts both alike. Each start sends
JSON renders over ``--concurrency`` keep-alive connections: a share ``--repeat-rate`` of them the
120 public cats (cache hits), the rest new cats whose answers fill the cache with long-lived
objects, which is what makes the collector's full runs come, and reports
the median rate, p50, p99, p99.9 and the largest latency, and from /health the longest full
(generation 2) collection the service's process made: every request in flight waits for it.
First, in-process, it times one full collection with the service's objects built, before and
after freezing them: the pause a full run costs. Before timing, each service's answers for
the public cats are checked pixel-exact.
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import statistics
import time
import urllib.request
from typing import Any

from parity import check
from throughput import drive, started_service, with_repeat_rate

from renderer_service.drills import json_request, load_public_cases, percentiles, run

PREFIX = "data:image/png;base64,"


def rendered_png(url: str, case: dict[str, Any], scale: int) -> bytes:
    body = json.dumps({"payload": {"params": case["params"]}, "options": {"scale": scale}})
    request = urllib.request.Request(
        url + "/render", body.encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        image: str = json.loads(answer.read())["image"]
    return base64.b64decode(image.removeprefix(PREFIX))


def measure(
    freeze: str, count: int, concurrency: int, repeat_rate: float
) -> tuple[float, list[float]]:
    """Start the service with ``CG3_GC_FREEZE=freeze``, check parity, then time ``count``
    requests: (requests/s, [p50, p99, p99.9, max, longest full collection] in ms)."""
    with started_service({"CG3_GC_FREEZE": freeze}, None, 120.0) as service:
        target = service.target
        url = target.url().rstrip("/")
        print(check(lambda case, scale: rendered_png(url, case, scale), (1, 4)))
        documents = with_repeat_rate(load_public_cases(), count, repeat_rate)
        requests = [json_request(target, "/render", document) for document in documents]
        measured = run(lambda: drive(target, requests, count, concurrency, 30.0, 120.0), None)
        with urllib.request.urlopen(url + "/health", timeout=30) as answer:
            collector = json.loads(answer.read())["metrics"]["gc"]
    print(
        f"service's own collector: {collector['collections']} collections by generation, "
        f"longest pause by generation {collector['longest_pause_ms']} ms, "
        f"{collector['frozen_objects']} objects frozen"
    )
    latencies = measured.recorder.latencies_ms
    return measured.rate, [
        *percentiles(latencies, [50, 99, 99.9]),
        max(latencies),
        collector["longest_pause_ms"][2],
    ]


def full_collection_ms() -> tuple[float, float, int]:
    """In this process, with the service's app built and its sprite pack loaded and warmed as
    at start-up: the median time of a full collection before and after freezing, and how
    many objects were frozen."""
    from renderer_service.app.main import create_app
    from renderer_service.config import Settings
    from renderer_service.packs.bundled import find_sprite_root
    from renderer_service.renderer import Renderer, SpritePack
    from renderer_service.runtime.collector import freeze_long_lived

    renderer = Renderer(SpritePack(find_sprite_root(None)))
    renderer.warm_up()
    app = create_app(Settings(), renderer=renderer)
    app.openapi()

    def timed() -> float:
        samples = []
        for _ in range(7):
            began = time.perf_counter()
            gc.collect()
            samples.append((time.perf_counter() - began) * 1000)
        return statistics.median(samples)

    before = timed()
    frozen = freeze_long_lived()
    after = timed()
    gc.unfreeze()
    return before, after, frozen


def line(freeze: str, rate: float, points: list[float]) -> str:
    p50, p99, p999, worst, pause = points
    return (
        f"CG3_GC_FREEZE={freeze:5s} {rate:8.0f} req/s  p50 {p50:.1f}  p99 {p99:.1f}  "
        f"p99.9 {p999:.1f}  max {worst:.1f} ms; longest full collection {pause:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--repeat-rate",
        type=float,
        default=0.5,
        help="share of requests repeating a public cat (cache hits); the rest are new cats, "
        "whose answers fill the cache with long-lived objects (default 0.5)",
    )
    args = parser.parse_args()

    before, after, frozen = full_collection_ms()
    print(
        f"full collection {before:.1f} ms with the service's objects unfrozen, "
        f"{after * 1000:.0f} us "
        f"with {frozen} frozen (median of 7, in-process)",
        flush=True,
    )
    results: dict[str, list[tuple[float, list[float]]]] = {"false": [], "true": []}
    for _ in range(args.rounds):
        for freeze, runs in results.items():
            rate, points = measure(freeze, args.requests, args.concurrency, args.repeat_rate)
            runs.append((rate, points))
            print(line(freeze, rate, points), flush=True)
    print(f"--- medians of {args.rounds} rounds, concurrency {args.concurrency} ---")
    for freeze, runs in results.items():
        rate = statistics.median(each[0] for each in runs)
        columns = zip(*(each[1] for each in runs), strict=True)
        print(line(freeze, rate, [statistics.median(column) for column in columns]))


if __name__ == "__main__":
    main()
