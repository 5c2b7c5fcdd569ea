"""Start-up benchmark: a start from a kernel cache the image build prepared, against a fresh
clone's first start with no cache at all.

    uv run python bench/startup.py [--starts 3] [--workers 2]

Clones the committed repository into an empty temporary folder, then, ``--starts`` times each:

- **first start of a fresh clone**: ``cg3 serve`` (the README's command, on a free loopback
  port, with the harness launcher) with ``NUMBA_CACHE_DIR`` a new empty folder, so every
  kernel compiles;
- **start from a prepared cache**: the same, with ``NUMBA_CACHE_DIR`` a folder filled once
  beforehand by the command the Dockerfile runs (``fill_kernel_cache()`` from
  ``renderer_service.app.startup``), as a replica of the image starts.

Each start is timed from launch until the first ``POST /render`` answers with a PNG; the
service is then stopped with SIGTERM. Prints each start with its phase lines, how long filling
the cache took, and the median of each kind of start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from renderer_service.harness import running_service

REPO = Path(__file__).resolve().parents[1]
CAT = b'{"payload": {"params": {"peltName": "Tabby", "colour": "GINGER"}}}'
PHASES = ("pack loaded", "kernels compiled", "ready in")
FILL = "from renderer_service.app.startup import fill_kernel_cache; fill_kernel_cache()"
"""The Dockerfile's build step that fills the image's kernel cache."""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("CG3_", "NUMBA_CACHE"))}


def start_once(clone: Path, cache: Path, workers: int, timeout: float) -> tuple[float, list[str]]:
    """Seconds from launch to the first cat served, and the start-up's phase lines."""
    began = time.perf_counter()
    with running_service(
        base_env=clean_env(),
        env={
            "PYTHONPATH": str(clone),
            "NUMBA_CACHE_DIR": str(cache),
            "CG3_WORKER_COUNT": str(workers),
        },
        cwd=clone,
        ready_seconds=timeout,
        stop_seconds=60,
    ) as service:
        request = urllib.request.Request(
            f"{service.url}/render",
            data=CAT,
            headers={"Content-Type": "application/json", "Accept": "image/png"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        seconds = time.perf_counter() - began
        lines = service.output().splitlines()
    phases = [line.split(": ", 1)[-1].strip() for line in lines if any(p in line for p in PHASES)]
    return seconds, phases


def fill_cache(clone: Path, cache: Path, timeout: float) -> float:
    """Seconds the Dockerfile's ``fill_kernel_cache()`` step takes to fill ``cache``."""
    env = {**clean_env(), "PYTHONPATH": str(clone), "NUMBA_CACHE_DIR": str(cache)}
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", FILL], cwd=clone, env=env, check=True, timeout=timeout)
    if not any(cache.iterdir()):
        sys.exit(f"fill_kernel_cache() left {cache} empty")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="starts of each kind")
    parser.add_argument("--workers", type=int, default=2, help="CG3_WORKER_COUNT")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one start may take")
    args = parser.parse_args()
    git = shutil.which("git")
    if git is None:
        sys.exit("git is needed to clone the repository")
    starts = max(1, args.starts)
    times: dict[str, list[float]] = {"fresh": [], "prepared": []}
    with tempfile.TemporaryDirectory(prefix="cg3-startup-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run([git, "clone", "--quiet", str(REPO), str(clone)], check=True)
        prepared = Path(folder) / "prepared-cache"
        prepared.mkdir()
        filled = fill_cache(clone, prepared, args.timeout)
        print(f"fill_kernel_cache() (the Dockerfile's step): {filled:.1f} s")
        for index in range(starts):
            for kind in ("fresh", "prepared"):
                cache = prepared
                if kind == "fresh":
                    cache = Path(folder) / f"empty-cache-{index}"
                    cache.mkdir()
                seconds, phases = start_once(clone, cache, args.workers, args.timeout)
                times[kind].append(seconds)
                label = "fresh clone, empty cache" if kind == "fresh" else "prepared cache"
                print(f"start {index + 1} ({label}): first cat after {seconds:.1f} s")
                for phase in phases:
                    print(f"    {phase}")
    fresh, ready = statistics.median(times["fresh"]), statistics.median(times["prepared"])
    print(
        f"median over {starts}: fresh clone's first start {fresh:.1f} s; "
        f"start from the prepared cache {ready:.1f} s ({fresh / ready:.1f}x faster)"
    )


if __name__ == "__main__":
    main()
