"""Start-up benchmark: how long a fresh clone takes to serve its first cat, and later starts.

    uv run python bench/startup.py [--starts 4] [--workers 4]

Clones the committed repository into an empty temporary folder (so numba has no cache yet),
then starts the service there with the README's command (``cg3 serve``, on a free loopback
port, with the harness launcher) ``--starts`` times in a row. Each start is timed from launch
until the first ``POST /render`` answers with a PNG; the service is then stopped with SIGTERM.
The first start is the cold one (the kernels compile), the others are warm (numba's on-disk
cache). Prints each start with its phase lines, the cold time and the median of the warm ones.
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


def start_once(clone: Path, workers: int, timeout: float) -> tuple[float, list[str]]:
    """Seconds from launch to the first cat served, and the start-up's phase lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CG3_", "NUMBA_CACHE"))}
    began = time.perf_counter()
    with running_service(
        base_env=env,
        env={"PYTHONPATH": str(clone), "CG3_WORKER_COUNT": str(workers)},
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=4, help="starts in a row (at least 2)")
    parser.add_argument("--workers", type=int, default=4, help="CG3_WORKER_COUNT")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one start may take")
    args = parser.parse_args()
    git = shutil.which("git")
    if git is None:
        sys.exit("git is needed to clone the repository")
    with tempfile.TemporaryDirectory(prefix="cg3-startup-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run([git, "clone", "--quiet", str(REPO), str(clone)], check=True)
        times = []
        for index in range(max(2, args.starts)):
            seconds, phases = start_once(clone, args.workers, args.timeout)
            times.append(seconds)
            kind = "cold" if index == 0 else "warm"
            print(f"start {index + 1} ({kind}): first cat after {seconds:.1f} s")
            for phase in phases:
                print(f"    {phase}")
    warm = statistics.median(times[1:])
    print(f"cold start {times[0]:.1f} s; warm start median {warm:.1f} s over {len(times) - 1}")
    print(f"cold / warm: {times[0] / warm:.2f}")


if __name__ == "__main__":
    main()
