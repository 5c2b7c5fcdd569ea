"""Scaling curve: how latency and CPU grow with the work asked for (docs/performance.md).

    uv run python bench/scaling.py [--seconds 3] [--markdown]

Starts ``cg3 serve`` (the README's start command) with the cache off, so every request is
drawn, and drives it with ``wrk`` (Debian package ``wrk``) from loopback. One row per point:

- ``scale`` 1, 4, 16 (JSON answer of one cat, concurrency 1);
- ``layers``: ``collectLayers``, and with ``includeLayerImages`` (concurrency 1);
- ``frames`` 16, 64, 256 in one batch at 100 px tiles, and ``tile`` sizes 50, 100, 250, 333
  for a 64-frame batch (concurrency 1);
- ``concurrency`` 1, 8, 32, 128 for plain JSON renders of the 120 public cats in turn.

Each row gives requests/s, latency p50 and p99 (wrk), the service's CPU per request
(every process of the service, from /proc) and the answers that were not 2xx (a full
render queue refuses with 503 + Retry-After; light renders, drawn in the server processes,
take no queue place and wait their turn instead).
``--markdown`` prints the table as docs/performance.md shows it. The parity check it runs first:
the 120 public cats through ``POST /render``, pixel-equal to the parity set.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_load import CASES, LUA, check_parity, parse_wrk, run_wrk
from throughput import Service, started_service

BATCH_EYES = ["YELLOW", "AMBER", "HAZEL", "GREEN", "BLUE", "GREY", "COPPER", "SAGE"]


@dataclass
class Row:
    dimension: str
    value: str
    concurrency: int
    rate: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float | None
    refused: int
    """Answers that were not 2xx: 503s once the bounded queue is full."""


def render_body(scale: int = 1, **options: object) -> dict[str, object]:
    cat = {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN", "shading": True}
    return {"payload": {"spriteNumber": 8, "params": cat}, "options": {"scale": scale, **options}}


def batch_body(frames: int, tile: int) -> dict[str, object]:
    variants = [
        {"id": f"{eye}-{pose}", "spriteNumber": pose, "params": {"eyeColour": eye}}
        for pose in range(21)
        for eye in BATCH_EYES
    ][:frames]
    return {
        "payload": {"params": {"peltName": "Tabby", "colour": "GINGER"}},
        "variants": variants,
        "options": {"tileSize": tile},
    }


def script_for(folder: Path, name: str, path: str, bodies: list[dict[str, object]]) -> Path:
    lines = folder / f"{name}.txt"
    lines.write_text("\n".join(json.dumps(body) for body in bodies) + "\n")
    script = folder / f"{name}.lua"
    script.write_text((LUA % {"bodies": lines}).replace('"/render"', f'"{path}"'))
    return script


def measure(
    service: Service, url: str, script: Path, concurrency: int, seconds: float
) -> tuple[float, float, float, float | None, int]:
    before = service.cpu_seconds()
    output = run_wrk(url, script, concurrency, seconds)
    after = service.cpu_seconds()
    rate, p50, p99, _max, errors, total = parse_wrk(output)
    cpu = (after - before) / total * 1000 if before is not None and after is not None else None
    return rate, p50, p99, cpu, errors


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per point (default 3)")
    parser.add_argument("--markdown", action="store_true", help="print the docs' table")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench/scaling.py needs wrk (Debian: apt-get install -y wrk)")
    cases = json.loads(CASES.read_text())
    points: list[tuple[str, str, int, str, list[dict[str, object]]]] = []
    for scale in (1, 4, 16):
        points.append(("scale", str(scale), 1, "/render", [render_body(scale)]))
    points.append(("layers", "collectLayers", 1, "/render", [render_body(collectLayers=True)]))
    points.append(
        (
            "layers",
            "+ includeLayerImages",
            1,
            "/render",
            [render_body(collectLayers=True, includeLayerImages=True)],
        )
    )
    for frames in (16, 64, 256):
        points.append(
            ("frames", f"{frames} x 100 px", 1, "/render/batch", [batch_body(frames, 100)])
        )
    for tile in (50, 100, 250, 333):
        points.append(("tile", f"64 x {tile} px", 1, "/render/batch", [batch_body(64, tile)]))
    public: list[dict[str, object]] = [{"payload": {"params": case["params"]}} for case in cases]
    for concurrency in (1, 8, 32, 128):
        points.append(("concurrency", str(concurrency), concurrency, "/render", public))

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with started_service({"CG3_CACHE_SIZE": "0"}, None, 300.0) as service:
            url = f"http://{service.target.host}:{service.target.port}"
            print(check_parity(url, cases), flush=True)
            warm = script_for(folder, "warm", "/render", public)
            run_wrk(url, warm, 8, 2)
            for index, (dimension, value, concurrency, path, bodies) in enumerate(points):
                script = script_for(folder, f"point{index}", path, bodies)
                rate, p50, p99, cpu, refused = measure(
                    service, url, script, concurrency, args.seconds
                )
                row = Row(dimension, value, concurrency, rate, p50, p99, cpu, refused)
                rows.append(row)
                cpu_text = f"{cpu:8.3f}" if cpu is not None else "       -"
                print(
                    f"{dimension:12s} {value:22s} c={concurrency:<4d} {rate:8.0f} req/s  "
                    f"p50 {p50:8.2f} ms  p99 {p99:8.2f} ms  CPU/req {cpu_text} ms  "
                    f"not 2xx {refused}",
                    flush=True,
                )
    if args.markdown:
        print()
        print(
            "| dimension | value | concurrency | req/s | p50 ms | p99 ms | CPU ms/req | not 2xx |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for row in rows:
            cpu_cell = f"{row.cpu_ms:.3f}" if row.cpu_ms is not None else "-"
            print(
                f"| {row.dimension} | {row.value} | {row.concurrency} | {row.rate:.0f} | "
                f"{row.p50_ms:.2f} | {row.p99_ms:.2f} | {cpu_cell} | {row.refused} |"
            )


if __name__ == "__main__":
    main()
