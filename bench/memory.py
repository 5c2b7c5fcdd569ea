"""Memory of the service as started by default: the proportional set size (PSS) of every
process, summed, after start-up and a few renders on each pack.

    uv run python bench/memory.py [--env CG3_NAME=VALUE ...] [--rounds 3] [--checkout PATH]

PSS counts a page shared by n processes as 1/n in each, so the sum is what the whole service
costs the machine, forked workers' shared pages counted once. It is read from
``/proc/<pid>/smaps_rollup`` (Linux). Each round starts ``cg3 serve`` afresh on a loopback
port, draws a cat on every pack it serves, sums, and stops it; the median is printed with
the per-process figures of the last round. ``--checkout`` measures the service of another
checkout of this repository (``python -m`` runs the package found there), to compare two
versions under the same conditions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import urllib.request
from pathlib import Path

from renderer_service.harness import running_service


def pss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def post(url: str, body: dict[str, object]) -> int:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return int(answer.status)


def measure(env: dict[str, str], checkout: Path | None) -> tuple[int, dict[int, int], list[str]]:
    with running_service(env=env, cwd=checkout) as service:
        with urllib.request.urlopen(service.url + "/health", timeout=30) as answer:
            packs = [entry["name"] for entry in json.load(answer).get("packs", [])]
        for pack in packs or [None]:
            options = {"pack": pack} if pack else {}
            post(service.url + "/render", {"payload": {"params": {}}, "options": options})
        sizes = {pid: pss_kib(pid) for pid in service.pids()}
    return sum(sizes.values()), sizes, packs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", action="append", default=[], metavar="CG3_NAME=VALUE")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--checkout", type=Path, help="another checkout's service to measure")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    totals = []
    for _ in range(args.rounds):
        total, sizes, packs = measure(env, args.checkout)
        totals.append(total)
    print(f"packs: {', '.join(packs) or '(one)'}; {len(sizes)} processes")
    for pid, size in sizes.items():
        print(f"  pid {pid}: {size / 1024:.0f} MB")
    print(f"PSS, all processes, median of {args.rounds}: {statistics.median(totals) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
