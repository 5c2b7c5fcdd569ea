"""Overload, measured from a bystander's side: ``wrk`` holds many connections of uncached
renders while one client sends a render every 40 ms and times each answer.

    uv run python bench/overload.py [--connections 512] [--seconds 12] [--max-wait-ms 50 600000]

For each ``CG3_MAX_WAIT_MS`` given it starts ``cg3 serve`` with the cache off
(``CG3_CACHE_SIZE=0``) on a loopback port, runs ``wrk`` at ``--connections`` for ``--seconds``
over the 120 public cats, and meanwhile sends one of them every 40 ms on a connection of its
own. It prints wrk's rate and its non-2xx answers, and the paced client's answers by status
(503s with ``Retry-After`` counted apart), its p50, p99 and max. A large ``CG3_MAX_WAIT_MS``
(600000) stands for no shedding. Loopback only; every run stops by itself and stops the
service it started.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from http_load import LUA, SETS, bodies_of, parse_wrk

from renderer_service.harness import running_service

PACE_SECONDS = 0.040


def paced_client(port: int, bodies: list[bytes], until: float) -> list[tuple[int, bool, float]]:
    """(status, Retry-After given, milliseconds) for a render sent every 40 ms until ``until``."""
    answers: list[tuple[int, bool, float]] = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = 0
    next_at = time.monotonic()
    while next_at < until:
        time.sleep(max(0.0, next_at - time.monotonic()))
        body = bodies[sent % len(bodies)]
        began = time.monotonic()
        try:
            connection.request(
                "POST", "/render", body, {"Content-Type": "application/json", "Accept": "image/png"}
            )
            answer = connection.getresponse()
            answer.read()
            answers.append((answer.status, answer.getheader("Retry-After") is not None, 0.0))
        except (OSError, http.client.HTTPException):
            answers.append((0, False, 0.0))
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        status, retry, _ = answers[-1]
        answers[-1] = (status, retry, (time.monotonic() - began) * 1000)
        sent += 1
        next_at += PACE_SECONDS
    connection.close()
    return answers


def run(max_wait_ms: int, connections: int, seconds: float, script: Path) -> None:
    cases = bodies_of(SETS["legacy"])
    bodies = [body for _, body in cases]
    env = {"CG3_CACHE_SIZE": "0", "CG3_MAX_WAIT_MS": str(max_wait_ms)}
    with running_service(["--log-level", "warning"], env=env) as service:
        command = [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            service.url,
        ]
        load = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)  # let wrk open its connections first
        found: list[list[tuple[int, bool, float]]] = []
        bystander = threading.Thread(
            target=lambda: found.append(
                paced_client(service.port, bodies, time.monotonic() + seconds - 2)
            )
        )
        bystander.start()
        out, _ = load.communicate(timeout=seconds + 60)
        bystander.join(timeout=seconds + 60)
    rate, _, wrk_p99, _, errors, total = parse_wrk(out)
    answers = found[0] if found else []
    statuses = Counter(status for status, _, _ in answers)
    shed = sum(1 for status, retry, _ in answers if status == 503 and retry)
    times = sorted(ms for _, _, ms in answers)
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] if times else float("nan")
    print(
        f"CG3_MAX_WAIT_MS={max_wait_ms}: wrk c={connections} {rate:,.0f} req/s, {errors} of "
        f"{total} not 2xx, p99 {wrk_p99:.0f} ms | paced client: {len(answers)} requests "
        f"{dict(statuses)} ({shed} 503 with Retry-After), p50 "
        f"{statistics.median(times) if times else float('nan'):.1f} ms, p99 {p99:.1f} ms, "
        f"max {times[-1] if times else float('nan'):.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=512)
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--max-wait-ms", type=int, nargs="+", default=[50, 600_000])
    args = parser.parse_args()
    cases = bodies_of(SETS["legacy"])
    with tempfile.TemporaryDirectory() as folder:
        bodies = Path(folder) / "bodies.txt"
        bodies.write_text("\n".join(body.decode() for _, body in cases) + "\n")
        script = Path(folder) / "render.lua"
        script.write_text(LUA % {"bodies": bodies})
        for max_wait in args.max_wait_ms:
            run(max_wait, args.connections, args.seconds, script)


if __name__ == "__main__":
    main()
