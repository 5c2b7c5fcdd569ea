"""HTTP benchmark with ``wrk``: the service as the README starts it, under a low-CPU client.

    uv run python bench/http_load.py [--mode uncached|cached|both] [--concurrency 8 32 128]
        [--seconds 10] [--rounds 3] [--env CG3_NAME=VALUE ...] [--url http://127.0.0.1:PORT]

``wrk`` (Debian package ``wrk``) keeps ``--concurrency`` keep-alive connections busy with
``POST /render`` JSON requests, cycling through the 120 public parity cats (a Lua script
written next to a temporary copy of their bodies). Two modes:

- ``uncached``: the service runs with ``CG3_CACHE_SIZE=0``, so every request is rendered;
- ``cached``: the cache is on and warmed with the 120 cats first, so every request is a hit.

Without ``--url`` it starts ``cg3 serve`` itself (the README's start command) on a free
loopback port, waits for ``/health``, warms up, measures, and always stops it. Each line gives
requests/s, latency p50 / p99 / max from wrk, non-2xx answers, and the service's CPU
microseconds per request (every process of the service, from /proc). With ``--rounds N`` each
point is measured N times and the median line printed. Before measuring it renders the 120
cats through the service once and checks each answer's ``image`` is pixel-equal to the parity
set's expected picture, and prints that check.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from renderer_service.harness import pcm_body

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import (
    Service,
    started_service,
)

REPO = Path(__file__).resolve().parents[1]
SETS = {"legacy": REPO / "tests/data/legacy-public", "modern": REPO / "tests/data/modern-public"}
"""``--set``: the 120 public legacy cats (lifegen) or the 100 modern ones (clangen)."""


def bodies_of(folder: Path) -> list[tuple[str, bytes]]:
    """Each public cat of a parity set as ``(id, /render body)``: pixel-cat-maker cases (with a
    ``lineart``) on the clangen pack, the others on the default pack."""
    cases = json.loads((folder / "cases.json").read_text())
    return [
        (
            case["id"],
            json.dumps(
                pcm_body(case["params"], case["lineart"])
                if "lineart" in case
                else {"payload": {"params": case["params"]}}
            ).encode(),
        )
        for case in cases
    ]


LUA = """
local bodies = {}
local f = io.open("%(bodies)s", "rb")
for line in f:lines() do bodies[#bodies + 1] = line end
f:close()
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  return wrk.format(nil, "/render", nil, bodies[(counter %% #bodies) + 1])
end
"""


@dataclass
class Point:
    mode: str
    concurrency: int
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    cpu_us: float | None

    def line(self) -> str:
        cpu = f"{self.cpu_us:7.0f}" if self.cpu_us is not None else "      -"
        return (
            f"{self.mode:9s} c={self.concurrency:<4d} {self.rate:9.0f} req/s   "
            f"p50 {self.p50_ms:7.2f} ms  p99 {self.p99_ms:7.2f} ms  max {self.max_ms:8.2f} ms  "
            f"non-2xx {self.errors:<5d} service CPU/req {cpu} us"
        )


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"cannot read a wrk duration from {text!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(output: str) -> tuple[float, float, float, float, int, int]:
    """requests/s, p50 ms, p99 ms, max ms, non-2xx answers and requests from wrk's report."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    max_ms = _ms(latency.group(1)) if latency else float("nan")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = int(bad.group(1)) if bad else 0
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rate, p50, p99, max_ms, errors, total


def post(url: str, body: bytes) -> dict[str, object]:
    request = urllib.request.Request(
        url + "/render", body, {"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # loopback only
        document: dict[str, object] = json.loads(answer.read())
        return document


def check_parity(url: str, cases: list[tuple[str, bytes]], expected: Path) -> str:
    equal = 0
    for case_id, body in cases:
        document = post(url, body)
        image = str(document["image"]).split(",", 1)[1]
        got = np.asarray(Image.open(io.BytesIO(base64.b64decode(image))).convert("RGBA"))
        want = np.asarray(Image.open(expected / f"{case_id}.png").convert("RGBA"))
        # Pixels with alpha 0 carry no colour.
        got = np.where(got[..., 3:] == 0, 0, got)
        want = np.where(want[..., 3:] == 0, 0, want)
        equal += int(got.shape == want.shape and np.array_equal(got, want))
    return f"parity: {equal}/{len(cases)} public cats pixel-equal through POST /render"


def run_wrk(url: str, script: Path, concurrency: int, seconds: float) -> str:
    threads = 1 if concurrency < 16 else 2
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    return done.stdout


@contextmanager
def service_for(mode: str, args: argparse.Namespace) -> Iterator[tuple[str, Service | None]]:
    if args.url:
        yield args.url.rstrip("/"), None
        return
    environment: dict[str, str] = {}
    if mode == "uncached":
        environment["CG3_CACHE_SIZE"] = "0"
    for item in args.env:
        name, _, value = item.partition("=")
        environment[name] = value
    with started_service(environment, None, 300.0) as service:
        target = service.target
        yield f"http://{target.host}:{target.port}", service


def measure(
    mode: str, url: str, service: Service | None, script: Path, concurrency: int, seconds: float
) -> Point:
    before = service.cpu_seconds() if service is not None else None
    output = run_wrk(url, script, concurrency, seconds)
    after = service.cpu_seconds() if service is not None else None
    rate, p50, p99, max_ms, errors, total = parse_wrk(output)
    cpu_us = None
    if before is not None and after is not None and total:
        cpu_us = (after - before) / total * 1e6
    return Point(mode, concurrency, rate, p50, p99, max_ms, errors, cpu_us)


def median_point(points: list[Point]) -> Point:
    def med(values: list[float]) -> float:
        return float(statistics.median(values))

    cpus = [p.cpu_us for p in points if p.cpu_us is not None]
    return Point(
        points[0].mode,
        points[0].concurrency,
        med([p.rate for p in points]),
        med([p.p50_ms for p in points]),
        med([p.p99_ms for p in points]),
        med([p.max_ms for p in points]),
        sum(p.errors for p in points),
        med(cpus) if cpus else None,
    )


def bench(args: argparse.Namespace, cases: list[tuple[str, bytes]], script: Path) -> None:
    modes = ["uncached", "cached"] if args.mode == "both" else [args.mode]
    for mode in modes:
        with service_for(mode, args) as (url, service):
            print(check_parity(url, cases, SETS[args.set] / "expected"), flush=True)
            run_wrk(url, script, 8, 2)  # warm up (and fill the cache in cached mode)
            for concurrency in args.concurrency:
                points = [
                    measure(mode, url, service, script, concurrency, args.seconds)
                    for _ in range(args.rounds)
                ]
                best = median_point(points)
                prefix = f"median of {args.rounds}: " if args.rounds > 1 else ""
                print(prefix + best.line(), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["uncached", "cached", "both"], default="both")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32, 128])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--url", help="a running loopback service instead of starting one")
    parser.add_argument(
        "--set", choices=sorted(SETS), default="legacy", help="which public cats to send"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("bench/http_load.py needs wrk (Debian: apt-get install -y wrk)")
    if args.url and not re.match(r"^http://(127\.\d+\.\d+\.\d+|localhost)(:\d+)?/?$", args.url):
        raise SystemExit("--url must be a loopback address such as http://127.0.0.1:8001")
    cases = bodies_of(SETS[args.set])
    print(
        f"machine: {os.cpu_count()} cores; wrk; {len(cases)} public {args.set} cats, bodies cycled"
    )
    with tempfile.TemporaryDirectory() as folder:
        bodies = Path(folder) / "bodies.txt"
        bodies.write_text("\n".join(body.decode() for _, body in cases) + "\n")
        script = Path(folder) / "render.lua"
        script.write_text(LUA % {"bodies": bodies})
        began = time.perf_counter()
        bench(args, cases, script)
        print(f"done in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
