"""Throughput benchmark: the service over HTTP at a fixed concurrency (loopback only).

    uv run python bench/throughput.py [--requests 20000] [--concurrency 8] [--repeat 1]
        [--url http://127.0.0.1:PORT] [--env CG3_NAME=VALUE ...] [--server cg3|uvicorn]
        [--uvicorn-workers N]

Without ``--url`` it starts the service itself (``cg3 serve``, or plain uvicorn with
``--server uvicorn``, on a free loopback port, ``--log-level warning``, this environment passed
through so ``CG3_*`` settings apply, plus any ``--env``) with the harness launcher, waits for
GET /health/ready to answer 200, warms up, measures, and always stops the service again.
With ``--url`` it drives a service that is already running.

Each measurement keeps ``--concurrency`` keep-alive connections busy, with no pause, sending the
120 public parity cats in turn as JSON renders until ``--requests`` answers are in (or
``--time-limit`` runs out). With ``--repeat-rate R`` a fraction R of the requests repeat those
120 cats and the rest are cats never sent before (to measure the render cache: compare with
``--env CG3_CACHE_SIZE=0``). It prints requests/s, p50/p95/p99 latency, answers by status, and
the CPU seconds of this client and (when it started it) of the service. With ``--repeat N`` it
measures N times and also prints the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shlex
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from renderer_service.drills import (
    PUBLIC_CASES,
    REPO_ROOT,
    HttpConnection,
    NotLoopbackError,
    Recorder,
    RequestBudget,
    RequestError,
    Target,
    cpu_line,
    cpu_seconds,
    event_loop,
    json_request,
    load_public_cases,
    parse_target,
    percentiles,
    run,
    summary_lines,
    timed_request,
    verdict_line,
)
from renderer_service.harness import running_service, uvicorn_command

APP = "renderer_service.app.main:app"


# --- the service under test ---------------------------------------------------------------------


def process_group_cpu_seconds(group: int) -> float | None:
    """CPU seconds used so far by every live process in process group ``group`` (Linux /proc).

    Includes children those processes have already waited for; ``None`` where /proc is missing.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()
        # after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
        # cmajflt utime stime cutime cstime ...
        if int(fields[2]) != group:
            continue
        total += sum(int(value) for value in fields[11:15])
    return total / ticks


@dataclass
class Service:
    """A running service: where to reach it and, when this script started it, its process."""

    target: Target
    process: subprocess.Popen[bytes] | None = None

    def cpu_seconds(self) -> float | None:
        if self.process is None:
            return None
        return process_group_cpu_seconds(self.process.pid)


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    print(f"stopped by {signal.Signals(signum).name}; stopping the service", file=sys.stderr)
    raise SystemExit(128 + signum)


@contextmanager
def started_service(
    environment: Mapping[str, str],
    uvicorn_workers: int | None,
    startup_timeout: float,
    server: str = "cg3",
) -> Iterator[Service]:
    """Start the service on a free loopback port in its own process group; always stop it."""
    command = None if server == "cg3" else uvicorn_command(APP)
    extra = [] if uvicorn_workers is None else ["--workers", str(uvicorn_workers)]
    previous = {
        number: signal.signal(number, _exit_on_signal) for number in (signal.SIGTERM, signal.SIGHUP)
    }
    began = time.perf_counter()
    try:
        with running_service(
            [*extra, "--log-level", "warning"],
            env=environment,
            command=command,
            cwd=REPO_ROOT,
            ready_seconds=startup_timeout,
        ) as launched:
            seconds = time.perf_counter() - began
            print(f"service         python {shlex.join(launched.command[1:])}", flush=True)
            print(f"service up      ready after {seconds:.1f} s (pid {launched.pid})", flush=True)
            yield Service(parse_target(launched.url), launched.process)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Measurement:
    recorder: Recorder
    wall: float
    client_cpu: float
    server_cpu: float | None
    time_limited: bool

    @property
    def rate(self) -> float:
        return self.recorder.answered / self.wall if self.wall > 0 else 0.0


async def drive(
    target: Target,
    requests: Sequence[bytes],
    count: int,
    concurrency: int,
    timeout: float,
    time_limit: float,
    service: Service | None = None,
) -> Measurement:
    """Send ``count`` requests over ``concurrency`` busy keep-alive connections."""
    recorder = Recorder()
    budget = RequestBudget(count)
    connections = [HttpConnection(target, timeout=timeout) for _ in range(concurrency)]
    for connection in connections:  # connect before the clock starts
        try:
            await connection.connect()
        except RequestError as failed:
            for each in connections:
                await each.aclose()
            raise RuntimeError(f"cannot reach {target.url()}: {failed.detail}") from None
    deadline = time.perf_counter() + time_limit
    next_case = 0

    async def user(connection: HttpConnection) -> None:
        nonlocal next_case
        while time.perf_counter() < deadline and budget.take():
            raw = requests[next_case % len(requests)]
            next_case += 1
            if not await timed_request(connection, raw, recorder):
                await asyncio.sleep(0.1)

    server_before = service.cpu_seconds() if service else None
    client_before = cpu_seconds()
    began = time.perf_counter()
    try:
        async with asyncio.timeout(time_limit + timeout + 5):  # safety net; users stop by then
            await asyncio.gather(*(user(connection) for connection in connections))
    finally:
        wall = time.perf_counter() - began
        client_cpu = cpu_seconds() - client_before
        server_after = service.cpu_seconds() if service else None
        for connection in connections:
            await connection.aclose()
    server_cpu = (
        server_after - server_before
        if server_after is not None and server_before is not None
        else None
    )
    return Measurement(recorder, wall, client_cpu, server_cpu, not budget.exhausted)


def report(measurement: Measurement, label: str) -> None:
    recorder = measurement.recorder
    print(f"--- {label} ---")
    for line in summary_lines(recorder, measurement.wall):
        print(line)
    if measurement.time_limited:
        print("time limit      reached before the request count")
    print(cpu_line("client CPU", measurement.client_cpu, measurement.wall, recorder.total))
    if measurement.server_cpu is not None:
        print(cpu_line("service CPU", measurement.server_cpu, measurement.wall, recorder.total))
    print(verdict_line(recorder), flush=True)


def report_medians(measurements: Sequence[Measurement]) -> None:
    rates = [each.rate for each in measurements]
    quantiles = [percentiles(each.recorder.latencies_ms, [50, 95, 99]) for each in measurements]
    medians = [statistics.median(values) for values in zip(*quantiles, strict=True)]
    print(f"--- median of {len(measurements)} runs ---")
    print(
        f"throughput      {statistics.median(rates):.1f} requests/s "
        f"(runs: {', '.join(f'{rate:.1f}' for rate in rates)})"
    )
    print(f"latency (ms)    p50 {medians[0]:.1f}  p95 {medians[1]:.1f}  p99 {medians[2]:.1f}")
    servers = [each.server_cpu for each in measurements if each.server_cpu is not None]
    if servers:
        answered = statistics.median(each.recorder.answered for each in measurements)
        per_request = statistics.median(servers) / answered * 1000 if answered else float("nan")
        print(f"service CPU     {per_request:.3f} CPU ms per request (median)")
    client = statistics.median(
        each.client_cpu / each.recorder.total * 1000 for each in measurements if each.recorder.total
    )
    print(f"client CPU      {client:.3f} CPU ms per request (median)")


async def benchmark(
    args: argparse.Namespace,
    target: Target,
    requests: list[bytes],
    service: Service | None,
    run_requests: Callable[[int], list[bytes]] | None = None,
) -> int:
    """Warm up with ``requests``, then measure ``args.repeat`` runs; run ``n`` sends
    ``run_requests(n)`` when given, else ``requests`` again."""
    if args.warmup:
        warm = await drive(
            target, requests, args.warmup, args.concurrency, args.timeout, args.time_limit
        )
        print(
            f"warm-up         {warm.recorder.answered} answers in {warm.wall:.1f} s "
            f"({warm.rate:.1f}/s, statuses {dict(warm.recorder.statuses)}, "
            f"errors {warm.recorder.unanswered})",
            flush=True,
        )
    measurements = []
    for number in range(1, args.repeat + 1):
        measurement = await drive(
            target,
            run_requests(number) if run_requests else requests,
            args.requests,
            args.concurrency,
            args.timeout,
            args.time_limit,
            service,
        )
        measurements.append(measurement)
        report(measurement, f"run {number} of {args.repeat}")
    if args.repeat > 1:
        report_medians(measurements)
    failed = any(each.recorder.unanswered for each in measurements)
    return 1 if failed else 0


def with_repeat_rate(
    documents: Sequence[dict[str, object]], count: int, rate: float, run: int = 0
) -> list[dict[str, object]]:
    """``count`` documents: a fraction ``rate`` drawn from ``documents``, the rest cats no
    earlier run sent (the public cats' traits recombined, each combination used once)."""
    params = [dict(document["payload"]["params"]) for document in documents]  # type: ignore[index]
    values = {
        key: sorted({str(p[key]) for p in params if key in p})
        for key in ("eyeColour", "colour", "peltName")
    }
    generator = random.Random(run)
    chosen: list[dict[str, object]] = []
    fresh = run * count
    for index in range(count):
        if generator.random() < rate:
            chosen.append(dict(documents[index % len(documents)]))
            continue
        base = dict(params[fresh % len(params)])
        combination = fresh
        for key, names in values.items():
            base[key] = names[combination % len(names)]
            combination //= len(names)
        base["spriteNumber"] = combination % 21
        base["scars"] = []
        base["accessories"] = [] if fresh % 2 else base.get("accessories", [])
        chosen.append({"payload": {"params": base}})
        fresh += 1
    return chosen


def parse_environment(pairs: Sequence[str]) -> dict[str, str]:
    environment = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--env takes NAME=VALUE, got {pair!r}")
        environment[name] = value
    return environment


def _git(*args: str) -> str:
    """What ``git args`` prints in the repository, stripped."""
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5, check=True
    ).stdout.strip()


def git_revision() -> str:
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty else "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests/s and latency of POST /render at a fixed concurrency (loopback)."
    )
    parser.add_argument("--requests", type=int, default=20_000, help="per run (default 20000)")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (default 8)")
    parser.add_argument("--repeat", type=int, default=1, help="runs; prints medians (default 1)")
    parser.add_argument(
        "--warmup", type=int, default=600, help="unmeasured requests first (default 600)"
    )
    parser.add_argument("--url", help="drive this running loopback service instead of starting one")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the started service (repeatable), e.g. CG3_...=...",
    )
    parser.add_argument(
        "--server",
        choices=["cg3", "uvicorn"],
        default="cg3",
        help="start the service with `cg3 serve` (default) or plain uvicorn",
    )
    parser.add_argument(
        "--uvicorn-workers",
        type=int,
        help="uvicorn --workers for the started service (with --server uvicorn)",
    )
    parser.add_argument("--cases", type=Path, default=PUBLIC_CASES, help="the cats to send")
    parser.add_argument(
        "--repeat-rate",
        type=float,
        default=None,
        help="fraction of requests that repeat the public cats; the rest are new cats",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per answer")
    parser.add_argument(
        "--time-limit", type=float, default=600.0, help="seconds per run at most (default 600)"
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=60.0, help="seconds for the service to be healthy"
    )
    parser.add_argument("--loop", choices=["auto", "asyncio", "uvloop"], default="auto")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= 10_000_000:
        parser.error("--requests must be 1-10000000")
    if not 1 <= args.concurrency <= 1000:
        parser.error("--concurrency must be 1-1000")
    if not 1 <= args.repeat <= 100:
        parser.error("--repeat must be 1-100")
    if not 0 <= args.warmup <= 1_000_000:
        parser.error("--warmup must be 0-1000000")
    for name in ("timeout", "time_limit", "startup_timeout"):
        if not 0 < getattr(args, name) <= 3600:
            parser.error(f"--{name.replace('_', '-')} must be in (0, 3600] s")
    if args.uvicorn_workers is not None and args.server != "uvicorn":
        parser.error("--uvicorn-workers needs --server uvicorn")
    if args.uvicorn_workers is not None and args.uvicorn_workers < 1:
        parser.error("--uvicorn-workers must be at least 1")
    if args.url and (args.env or args.uvicorn_workers):
        parser.error("--env and --uvicorn-workers apply to a service this script starts, not --url")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        environment = parse_environment(args.env)
        target = parse_target(args.url) if args.url else None
        documents = load_public_cases(args.cases)
        if args.repeat_rate is not None and not 0 <= args.repeat_rate <= 1:
            raise ValueError("--repeat-rate must be between 0 and 1")
    except (NotLoopbackError, ValueError, OSError, KeyError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    factory, loop = event_loop(args.loop)
    shown = shlex.join(["bench/throughput.py", *(sys.argv[1:] if argv is None else argv)])
    settings = {
        name: value
        for name, value in {**os.environ, **environment}.items()
        if name.startswith("CG3_")
    }
    print(f"command         {shown}")
    print(
        f"config          requests {args.requests}, concurrency {args.concurrency}, "
        f"repeat {args.repeat}, warm-up {args.warmup}, {len(documents)} cats as JSON, "
        f"time limit {args.time_limit:g} s"
    )
    print(f"CG3_ settings   {' '.join(f'{k}={v}' for k, v in sorted(settings.items())) or 'none'}")
    print(
        f"machine         {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"client loop {loop}, revision {git_revision()}",
        flush=True,
    )

    def measure(target: Target, service: Service | None) -> int:
        requests = [json_request(target, "/render", document) for document in documents]
        print(f"target          {target.url('/render')}", flush=True)
        run_requests = None
        if args.repeat_rate is not None:
            rate = args.repeat_rate

            def run_requests(number: int) -> list[bytes]:
                chosen = with_repeat_rate(documents, args.requests, rate, number)
                return [json_request(target, "/render", document) for document in chosen]

            print(f"repeat rate     {rate:.0%} public cats, the rest never sent before")
        return run(lambda: benchmark(args, target, requests, service, run_requests), factory)

    try:
        if target is not None:
            return measure(target, None)
        with started_service(
            environment, args.uvicorn_workers, args.startup_timeout, args.server
        ) as service:
            return measure(service.target, service)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
