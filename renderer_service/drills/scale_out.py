"""``cg3 scale-out``: the production stack on loopback: redis-server, N replicas of the service,
nginx in front.

    cg3 scale-out [--replicas 2] [--workers 1] [--json report.json]
    cg3 scale-out --bench [--bench-seconds 20]

Everything listens on 127.0.0.1, on free ports; nginx runs ``deploy/nginx/nginx.conf`` with
only its ``# loopback:`` lines rewritten. The checks, in order:

1. **cross-replica hit**: a cat drawn by replica A (``X-Cache: miss``) is a Redis hit on
   replica B (``X-Cache: hit-redis``), with the same bytes;
2. **replica loss**: traffic through the proxy while replica B is killed (SIGKILL, all its
   processes): every request gets an answer, and the figures say how many were in flight on B
   and how many nginx retried on another replica;
3. **Redis loss**: traffic through the proxy while redis-server stops: every answer is 200 and
   each replica's ``/health`` says ``degraded`` with the reason;
4. **Redis recovery**: redis-server starts again on its port; the replicas reconnect on their
   own and a cat drawn by one is again a Redis hit on the other.

``--bench`` instead measures the stack with ``cg3 load`` through the proxy: 1 vs 2
replicas, and the latency of Redis hits (replicas with no memory cache). Every run is bounded in
time and requests, and everything it started it stops, whatever happens. Needs ``redis-server``
and ``nginx`` on the PATH (Debian: ``apt-get install redis-server nginx``); exit code 0 when
every check held, 1 when one failed, 3 when a program is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renderer_service.drills.client import (
    PUBLIC_CASES,
    HttpConnection,
    RequestError,
    Target,
    json_request,
    load_public_cases,
    parse_target,
)
from renderer_service.drills.record import percentiles
from renderer_service.drills.stack import (
    UPSTREAM,
    MissingProgramError,
    Stack,
    http_get,
    wait_until,
)
from renderer_service.harness import ServiceProcess

# --- traffic -----------------------------------------------------------------------------


@dataclass
class Traffic:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    failure_examples: list[str] = field(default_factory=list)
    cache: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    bodies: Counter[str] = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def report(self) -> dict[str, Any]:
        p50, p99 = percentiles(self.latencies_ms, [50, 99]) if self.latencies_ms else (0.0, 0.0)
        return {
            "sent": self.answered + sum(self.failures.values()),
            "answered": self.answered,
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "unanswered": dict(self.failures),
            "unanswered_examples": self.failure_examples[:5],
            "x_cache": dict(self.cache),
            "non_200_errors": dict(self.bodies),
            "p50_ms": round(p50, 2),
            "p99_ms": round(p99, 2),
        }


async def drive(
    port: int,
    requests: Sequence[bytes],
    clients: int,
    seconds: float,
    max_requests: int,
    during: Callable[[], None] | None = None,
    at: float = 0.0,
) -> Traffic:
    """``clients`` keep-alive clients send ``requests`` round-robin for ``seconds`` (or up to
    ``max_requests``); ``during`` runs once, in a thread, ``at`` seconds in."""
    target: Target = parse_target(f"http://127.0.0.1:{port}")
    traffic = Traffic()
    budget = [max_requests]
    deadline = time.monotonic() + seconds

    async def client(offset: int) -> None:
        connection = HttpConnection(target, timeout=30)
        turn = offset
        try:
            while time.monotonic() < deadline and budget[0] > 0:
                budget[0] -= 1
                began = time.perf_counter()
                try:
                    response = await connection.request(requests[turn % len(requests)])
                except RequestError as failed:
                    traffic.failures[failed.kind] += 1
                    traffic.failure_examples.append(str(failed))
                    await asyncio.sleep(0.05)
                    continue
                finally:
                    turn += clients  # the clients share the list without repeating each other
                traffic.latencies_ms.append((time.perf_counter() - began) * 1000)
                traffic.statuses[response.status] += 1
                traffic.cache[response.headers.get("x-cache", "none")] += 1
                if response.status != 200:
                    with contextlib.suppress(ValueError, AttributeError):
                        traffic.bodies[json.loads(response.body).get("error", "?")] += 1
        finally:
            await connection.aclose()

    async def event() -> None:
        if during is not None:
            await asyncio.sleep(at)
            await asyncio.to_thread(during)

    await asyncio.gather(event(), *(client(offset) for offset in range(clients)))
    return traffic


def render_requests(port: int, documents: Sequence[dict[str, Any]]) -> list[bytes]:
    target = parse_target(f"http://127.0.0.1:{port}")
    return [json_request(target, "/render", document) for document in documents]


def uncached_requests(port: int, documents: Sequence[dict[str, Any]]) -> list[bytes]:
    """The cats at every scale, 1-16: more distinct answers than a short run can repeat, so
    most requests are drawn (and in flight on a replica) rather than read from a cache."""
    varied = []
    for scale in range(1, 17):
        for document in documents:
            copy = json.loads(json.dumps(document))
            copy.setdefault("options", {})["scale"] = scale
            varied.append(copy)
    return render_requests(port, varied)


def post_once(port: int, document: dict[str, Any]) -> tuple[int, str, bytes]:
    async def send() -> tuple[int, str, bytes]:
        connection = HttpConnection(parse_target(f"http://127.0.0.1:{port}"), timeout=30)
        try:
            (raw,) = render_requests(port, [document])
            response = await connection.request(raw)
        finally:
            await connection.aclose()
        return response.status, response.headers.get("x-cache", ""), response.body

    return asyncio.run(send())


def fresh_cat(number: int) -> dict[str, Any]:
    """A cat no earlier step drew (its scale makes it a different answer)."""
    return {
        "payload": {
            "spriteNumber": number % 21,
            "params": {"peltName": "Tabby", "colour": "GINGER"},
        },
        "options": {"scale": 2 + number % 14},
    }


# --- the checks -----------------------------------------------------------------------------


@dataclass
class Report:
    checks: dict[str, bool] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks[name] = ok
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}", flush=True)


def cross_replica_hit(stack: Stack, report: Report, name: str, number: int) -> None:
    cat = fresh_cat(number)
    a, b = stack.replica_ports[0], stack.replica_ports[1]
    status_a, cache_a, body_a = post_once(a, cat)
    # the write to Redis happens after A answers: give it a moment
    status_b, cache_b, body_b = 0, "", b""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status_b, cache_b, body_b = post_once(b, cat)
        if cache_b == "hit-redis":
            break
        cat = fresh_cat(number := number + 100)
        status_a, cache_a, body_a = post_once(a, cat)
        time.sleep(0.05)
    ok = (status_a, cache_a, status_b, cache_b) == (
        200,
        "miss",
        200,
        "hit-redis",
    ) and body_a == body_b
    report.figures[name] = {
        "replica_a": cache_a,
        "replica_b": cache_b,
        "same_bytes": body_a == body_b,
    }
    report.check(
        name,
        ok,
        f"replica A X-Cache {cache_a}, replica B X-Cache {cache_b}, same bytes {body_a == body_b}",
    )


def replica_loss(
    stack: Stack, report: Report, requests: Sequence[bytes], clients: int, seconds: float
) -> None:
    """Kill replica B a third of the way in. nginx's log says, per request, every replica it
    tried: a request that names B and then A was accepted by B and still unanswered (in flight
    or queued there) when B died, and nginx answered it from A."""
    victim = 1

    def kill() -> None:
        stack.replicas[victim].kill()

    logged_before = len(stack.access_log())
    traffic = asyncio.run(
        drive(stack.proxy_port, requests, clients, seconds, 20_000, kill, seconds / 3)
    )
    time.sleep(0.5)  # nginx writes its log lines as requests finish
    lines = stack.access_log()[logged_before:]
    victim_address = f"127.0.0.1:{stack.replica_ports[victim]}"
    tried = [found.group(1) for line in lines if (found := UPSTREAM.search(line))]
    retried_from_victim = [
        addresses for addresses in tried if addresses.startswith(victim_address + ",")
    ]
    upstreams = Counter(tried)
    figures = traffic.report()
    figures.update(
        answers_by_upstream=dict(upstreams),
        answered_by_killed_replica=upstreams.get(victim_address, 0),
        in_flight_on_killed_replica_retried_by_nginx=len(retried_from_victim),
    )
    report.figures["replica_loss"] = figures
    lost = sum(traffic.failures.values())
    not_ok = traffic.answered - traffic.statuses.get(200, 0)
    # A request the killed replica held may be lost with it: nginx retries what it can, and
    # the loss allowed is at most what that replica had in flight, never more.
    in_flight = len(retried_from_victim)
    report.check(
        "replica_loss",
        lost <= in_flight and not_ok == 0 and traffic.answered > 0,
        f"{figures['sent']} sent through the proxy, {traffic.statuses.get(200, 0)} answered 200, "
        f"{not_ok} other answers {figures['non_200_errors']}, {lost} unanswered; replica B "
        f"answered {figures['answered_by_killed_replica']} before it was killed and had "
        f"{len(retried_from_victim)} in flight, which nginx answered from replica A",
    )


def redis_loss(
    stack: Stack, report: Report, requests: Sequence[bytes], clients: int, seconds: float
) -> None:
    seen: dict[str, Any] = {}

    def stop_redis() -> None:
        stack.redis.stop()
        # the next requests find it gone; then every replica says so
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            states = [stack.health(index) for index in range(len(stack.replicas))]
            if all(state["status"] == "degraded" for state in states):
                seen["health"] = [
                    {"status": state["status"], "reasons": state["reasons"]} for state in states
                ]
                seen["ready"] = [http_get(port, "/health/ready")[0] for port in stack.replica_ports]
                return
            time.sleep(0.1)

    traffic = asyncio.run(
        drive(stack.proxy_port, requests, clients, seconds, 20_000, stop_redis, 1.0)
    )
    figures = traffic.report()
    figures.update(health_after_stop=seen.get("health"), ready_after_stop=seen.get("ready"))
    report.figures["redis_loss"] = figures
    all_200 = traffic.answered > 0 and traffic.statuses.get(200, 0) == traffic.answered
    lost = sum(traffic.failures.values())
    degraded = seen.get("health") is not None and all(
        any("redis" in reason for reason in state["reasons"]) for state in seen["health"]
    )
    still_ready = seen.get("ready") is not None and all(code == 200 for code in seen["ready"])
    reasons = seen["health"][0]["reasons"] if seen.get("health") else "never degraded"
    report.check(
        "redis_loss",
        all_200 and lost == 0 and degraded and still_ready,
        f"{figures['sent']} sent, {traffic.statuses.get(200, 0)} answered 200, {lost} unanswered, "
        f"X-Cache {figures['x_cache']}; /health degraded on every replica: {degraded} "
        f"({reasons}); /health/ready {seen.get('ready')}",
    )


def redis_recovery(stack: Stack, report: Report) -> None:
    began = time.monotonic()
    stack.redis.start()
    wait_until("redis-server answering", stack.redis_answers, 20, stack.redis)
    try:
        wait_until(
            "every replica ok again",
            lambda: all(
                stack.health(index)["status"] == "ok" for index in range(len(stack.replicas))
            ),
            15,
        )
        recovered = True
    except RuntimeError:
        recovered = False
    took = time.monotonic() - began
    report.figures["redis_recovery_seconds"] = round(took, 2)
    report.check(
        "redis_recovery_health",
        recovered,
        f"every replica back to ok {took:.2f} s after redis-server restarted",
    )
    cross_replica_hit(stack, report, "cross_replica_hit_after_recovery", 7)


def run_checks(args: argparse.Namespace, folder: Path) -> Report:
    report = Report()
    documents = load_public_cases(PUBLIC_CASES)
    stack = Stack(folder, args.replicas, args.workers, serve_command=args.serve_command)
    try:
        began = time.monotonic()
        stack.start()
        print(
            f"stack up in {time.monotonic() - began:.1f} s: redis :{stack.redis_port}, replicas "
            f"{', '.join(f':{port}' for port in stack.replica_ports)}, nginx :{stack.proxy_port}",
            flush=True,
        )
        cross_replica_hit(stack, report, "cross_replica_hit", 1)
        replica_loss(
            stack,
            report,
            uncached_requests(stack.proxy_port, documents),
            args.clients,
            args.seconds,
        )
        print("restarting replica B", flush=True)
        stack.restart_replica(1)
        redis_loss(
            stack,
            report,
            uncached_requests(stack.proxy_port, documents),
            args.clients,
            args.seconds,
        )
        redis_recovery(stack, report)
    finally:
        stack.close()
        left = stack.leftovers()
        report.check(
            "everything_stopped",
            not left,
            f"still running: {left}" if left else "all processes stopped",
        )
    return report


# --- the benchmark ---------------------------------------------------------------------------


def load_test(port: int, seconds: float, users: int, mixed: bool) -> dict[str, Any]:
    command = [
        sys.executable, "-m", "renderer_service.cli.main", "load",
        "--url", f"http://127.0.0.1:{port}",
        "--users", str(users), "--ramp-up", "2", "--hold", str(seconds), "--ramp-down", "1",
        "--think", "0", "--progress-interval", "0", "--max-requests", "200000",
    ]  # fmt: skip
    if mixed:
        command.append("--mixed")
    run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    figures: dict[str, Any] = {"command": " ".join(command[1:])}
    for line in run.stdout.splitlines():
        if line.startswith("throughput"):
            figures["req_per_s"] = float(line.split()[1])
        elif line.startswith("latency (ms)"):
            numbers = re.findall(r"p(\d+) ([\d.]+)", line)
            figures.update({f"p{point}_ms": float(value) for point, value in numbers})
        elif line.startswith("X-Cache"):
            level, count, p50, p99 = re.findall(
                r"X-Cache (\S+)\s+n=(\d+)\s+p50 ([\d.]+)\s+p99 ([\d.]+)", line
            )[0]
            figures.setdefault("x_cache", {})[level] = {
                "n": int(count),
                "p50_ms": float(p50),
                "p99_ms": float(p99),
            }
        elif line.startswith(("by status", "errors")):
            figures[line.split("  ")[0].strip()] = line.split("  ", 1)[1].strip()
    figures["exit"] = run.returncode
    return figures


def group_rss_mib(process: ServiceProcess) -> float:
    """Resident memory of a process and its children (its process group), in MiB. Pages the
    forked workers share with the parent are counted once per process, so this overstates."""
    if process.process is None:
        return 0.0
    group = process.process.pid  # the leader of its own session and group
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
    return round(total / 1024, 1)


NO_CACHE = {"CG3_CACHE_SIZE": "0", "CG3_CACHE_URL": ""}
REDIS_ONLY = {"CG3_CACHE_SIZE": "0"}
BENCH_RUNS: tuple[tuple[str, int, dict[str, str], int | None], ...] = (
    # label, replicas, replica environment, load test users
    ("1 replica, every request drawn", 1, NO_CACHE, None),
    ("2 replicas, every request drawn", 2, NO_CACHE, None),
    ("2 replicas, every request a Redis hit", 2, REDIS_ONLY, None),
    ("2 replicas, Redis hits, one client", 2, REDIS_ONLY, 1),
    ("2 replicas, default caches", 2, {}, None),
    ("2 replicas, default caches, one client", 2, {}, 1),
)
"""No cache at all (the render capacity), then no memory cache with Redis filled by one pass
over the cats first (every answer a Redis hit), then the default settings."""


def run_bench(args: argparse.Namespace, folder: Path) -> Report:
    report = Report()
    cats = load_public_cases(PUBLIC_CASES)
    for index, (label, replicas, env, users) in enumerate(BENCH_RUNS):
        sub = folder / f"bench-{index}"
        sub.mkdir()
        stack = Stack(sub, replicas, args.workers, env, args.serve_command)
        try:
            stack.start()
            if env is REDIS_ONLY:
                requests = render_requests(stack.proxy_port, cats)
                asyncio.run(drive(stack.proxy_port, requests, 4, 60, len(cats)))
            figures = load_test(stack.proxy_port, args.bench_seconds, users or args.users, True)
            figures["replica_rss_mib"] = [group_rss_mib(replica) for replica in stack.replicas]
            figures["workers_per_replica"] = args.workers
        finally:
            stack.close()
        report.figures[label] = figures
        print(f"{label}: {figures}", flush=True)
        report.check(
            label,
            figures.get("exit") == 0,
            f"{figures.get('req_per_s')} req/s, p99 {figures.get('p99_ms')} ms",
        )
    return report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replicas", type=int, default=2, help="replicas behind nginx (2-8, default 2)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="render workers per replica (default 1; 2 with --bench)",
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent clients during the faults (default 8)"
    )
    parser.add_argument(
        "--seconds", type=float, default=6.0, help="traffic per fault, in seconds (default 6)"
    )
    parser.add_argument(
        "--bench", action="store_true", help="measure 1 vs 2 replicas and Redis hits instead"
    )
    parser.add_argument(
        "--bench-seconds", type=float, default=20.0, help="hold of each load test (default 20)"
    )
    parser.add_argument(
        "--users", type=int, default=16, help="load test users for --bench (default 16)"
    )
    parser.add_argument(
        "--serve-command",
        nargs="+",
        default=None,
        help="command that starts one replica, before --host/--port "
        "(default: cg3 serve, as python -m renderer_service.cli.main serve)",
    )
    parser.add_argument("--json", type=Path, help="write the figures and checks here")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``parser.error`` for arguments out of their bounds; fills in ``--workers``."""
    if args.workers is None:
        args.workers = 2 if args.bench else 1
    if not 2 <= args.replicas <= 8:
        parser.error("--replicas must be 2-8")
    if not 1 <= args.workers <= 8 or not 1 <= args.clients <= 64 or not 1 <= args.users <= 200:
        parser.error("--workers 1-8, --clients 1-64, --users 1-200")
    if not 1 <= args.seconds <= 120 or not 1 <= args.bench_seconds <= 300:
        parser.error("--seconds 1-120, --bench-seconds 1-300")


def main(args: argparse.Namespace) -> int:
    """Run the checks (or ``--bench``) on a stack in a temporary folder; the exit code."""
    with tempfile.TemporaryDirectory(prefix="cg3-stack-") as temporary:
        folder = Path(temporary)
        try:
            report = run_bench(args, folder) if args.bench else run_checks(args, folder)
        except MissingProgramError as error:
            print(f"error: {error}", file=sys.stderr)
            return 3
    ok = bool(report.checks) and all(report.checks.values())
    if args.json is not None:
        args.json.write_text(
            json.dumps({"ok": ok, "checks": report.checks, "figures": report.figures}, indent=2)
        )
    held = sum(report.checks.values())
    print(f"RESULT: {'OK' if ok else 'FAIL'} - {held} of {len(report.checks)} checks held")
    return 0 if ok else 1
