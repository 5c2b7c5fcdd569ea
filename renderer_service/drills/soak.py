"""``cg3 soak``: mixed valid, invalid and oversized traffic against the service, over loopback.

    cg3 soak [--duration 60] [--clients 16] [--mix valid=60,invalid=12,...]
    cg3 soak --url http://127.0.0.1:8001 [--pid SERVER_PID]
    cg3 soak --memory --minutes 10       (the longer soak: see ``soak_memory``)

Without ``--url`` it starts the service itself (``cg3 serve`` on a free loopback port) and stops
it afterwards. Each client keeps one HTTP/1.1 connection alive and sends, in the proportions of
``--mix``:

- ``valid``: one of the 120 public parity cats, as JSON, as PNG, enlarged or with layers;
- ``invalid``: params the service must refuse (unknown names, paths, bad poses, wrong types);
- ``malformed``: bodies that are not JSON, or not whole;
- ``oversized``: a body over the size limit with its ``Content-Length``;
- ``chunked``: a body over the size limit sent chunked, with no length;
- ``unknown``: routes and methods the service does not have.

It reports the answers by kind and status, latency percentiles, every request that got no
answer (a dropped connection or a timeout), and the server's memory (its own and its render
workers', from ``/proc``) before the traffic, after a warm-up, sampled during and at the end.
It exits non-zero when a request went unanswered, an answer was a 500 or 504, or memory grew
by more than ``--max-growth-mib`` after the warm-up. Only loopback addresses are accepted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from renderer_service.drills.client import PUBLIC_CASES as CASES
from renderer_service.harness import running_service

HOST = "127.0.0.1"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_MIX = "valid=60,invalid=12,malformed=8,oversized=6,chunked=4,unknown=10"
BODY_LIMIT = 262_144
"""The service's default body limit (``CG3_MAX_BODY_BYTES``); oversized bodies exceed it."""

EXPECTED = {
    "valid": {200, 304, 503},
    "invalid": {422},
    "malformed": {422},
    "oversized": {413},
    "chunked": {413},
    "unknown": {404, 405},
}
"""The answers each kind of request may rightly get (503: the queue shed load)."""

FAILING = {500, 504}
"""Answers that mean the service broke, whatever the request."""


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    chunked: bool = False


class Traffic:
    """Draws requests of each kind."""

    def __init__(self, cases: list[dict[str, object]], rng: random.Random) -> None:
        self.cases = cases
        self.rng = rng

    def draw(self, kind: str) -> Request:
        make: dict[str, Callable[[], Request]] = {
            "valid": self.valid,
            "invalid": self.invalid,
            "malformed": self.malformed,
            "oversized": self.oversized,
            "chunked": self.chunked,
            "unknown": self.unknown,
        }
        return make[kind]()

    def _json(self, kind: str, document: object, accept: str = "application/json") -> Request:
        headers = (("Content-Type", "application/json"), ("Accept", accept))
        return Request(kind, "POST", "/render", json.dumps(document).encode(), headers)

    def valid(self) -> Request:
        case = self.rng.choice(self.cases)
        body: dict[str, object] = {"payload": {"params": case["params"]}}
        roll = self.rng.random()
        if roll < 0.25:
            return self._json("valid", body, accept="image/png")
        if roll < 0.35:
            body["options"] = {"scale": self.rng.randint(2, 16)}
        elif roll < 0.45:
            body["options"] = {"collectLayers": True, "includeLayerImages": True}
        return self._json("valid", body)

    def invalid(self) -> Request:
        case = self.rng.choice(self.cases)
        params = dict(case["params"])  # type: ignore[call-overload]
        field_name, value = self.rng.choice(
            [
                ("colour", "GINGR"),
                ("peltName", "../../etc/passwd"),
                ("eyeColour", "/etc/passwd"),
                ("accessory", "singleGINGER\x00.png"),
                ("scars", ["%2e%2e%2f", "ONEE"]),
                ("accessories", ["lineart"] * 17),
                ("tint", "x" * 5000),
                ("spriteNumber", 99),
                ("shading", "yes"),
                ("whitePatches", 12),
                ("eyeColor", "BLUE"),
            ]
        )
        params[field_name] = value
        return self._json("invalid", {"payload": {"params": params}})

    def malformed(self) -> Request:
        whole = json.dumps({"payload": {"spriteNumber": 3, "params": {"colour": "WHITE"}}})
        body = self.rng.choice(
            [
                whole[: self.rng.randint(1, len(whole) - 1)].encode(),
                b"\xff\xfe\x00garbage",
                b"[" * 5000 + b"]" * 5000,
                b'{"payload": {"spriteNumber": 1' + b"0" * 40 + b"}}",
                b"null",
                b"",
            ]
        )
        return Request(
            "malformed", "POST", "/render", body, (("Content-Type", "application/json"),)
        )

    def oversized(self) -> Request:
        size = BODY_LIMIT + self.rng.randint(1, 200_000)
        body = b'{"payload": {"spriteNumber": 1}}'.ljust(size)
        return Request(
            "oversized", "POST", "/render", body, (("Content-Type", "application/json"),)
        )

    def chunked(self) -> Request:
        size = BODY_LIMIT + self.rng.randint(1, 100_000)
        body = b'{"payload": {"spriteNumber": 1}}'.ljust(size)
        headers = (("Content-Type", "application/json"),)
        return Request("chunked", "POST", "/render", body, headers, chunked=True)

    def unknown(self) -> Request:
        method, path = self.rng.choice(
            [
                ("GET", "/nope"),
                ("GET", "/render"),
                ("DELETE", "/health"),
                ("POST", "/render/../../etc/passwd"),
                ("GET", "/static/%2e%2e/%2e%2e/etc/passwd"),
                ("PUT", "/metrics"),
            ]
        )
        return Request("unknown", method, path)


def parse_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in EXPECTED:
            raise SystemExit(f"--mix: unknown kind {name!r}; kinds are {', '.join(EXPECTED)}")
        mix[name] = float(weight)
    if not any(mix.values()):
        raise SystemExit("--mix: every weight is zero")
    return mix


# --- a small HTTP/1.1 keep-alive client --------------------------------------------------------


class UnansweredError(Exception):
    """The request got no complete answer: the connection dropped, or it timed out."""


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, request: Request) -> tuple[int, bytes]:
        """One request and its answer's status and body; ``UnansweredError`` if none came.

        A kept-alive connection the server has closed meanwhile (its keep-alive time passed
        while this client sent elsewhere) is not used again, as no HTTP client would: the
        request goes on a new one."""
        if self.reader is not None and self.reader.at_eof():
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.reader, self.writer
        assert reader is not None
        head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {self.host}"]
        head += [f"{name}: {value}" for name, value in request.headers]
        if request.chunked:
            head.append("Transfer-Encoding: chunked")
        elif request.body or request.method == "POST":
            head.append(f"Content-Length: {len(request.body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if request.chunked:
            step = 16_384
            for start in range(0, len(request.body), step):
                piece = request.body[start : start + step]
                data += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            data += b"0\r\n\r\n"
        else:
            data += request.body
        # Read while writing: the server may answer (413) and close before the body is sent.
        writing = asyncio.ensure_future(self._write(writer, data))
        try:
            status, headers, body = await self._read_answer(reader)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
            await self.close()
            raise UnansweredError(f"{type(error).__name__}: {error}") from None
        finally:
            if not writing.done():
                writing.cancel()
            with contextlib.suppress(BaseException):
                await writing
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    @staticmethod
    async def _write(writer: asyncio.StreamWriter, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            writer.write(data)
            await writer.drain()

    @staticmethod
    async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
        status_line = await reader.readuntil(b"\r\n")
        parts = status_line.decode("latin-1").split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ValueError(f"not an HTTP answer: {status_line[:60]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while (size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)) > 0:
                body += await reader.readexactly(size + 2)
                body = body[:-2]
            await reader.readuntil(b"\r\n")
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:
            body = await reader.read()  # until the server closes
        return status, headers, body


# --- the server and its memory ---------------------------------------------------------------


async def wait_until_up(host: str, port: int) -> None:
    """Wait until a service given by ``--url`` answers ``/health`` (at most 180 s)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        connection = Connection(host, port)
        try:
            status, _ = await connection.send(Request("probe", "GET", "/health"))
            if status == 200:
                return
        except (OSError, UnansweredError):
            pass
        finally:
            await connection.close()
        await asyncio.sleep(0.3)
    raise SystemExit("the service did not answer /health within 180 s")


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _pss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


@dataclass
class Memory:
    """The server's memory at one moment, in MiB."""

    at: float
    server_rss: float
    workers_rss: float
    workers: int
    total_pss: float

    @classmethod
    def read(cls, pid: int, since: float) -> Memory | None:
        try:
            workers = children(pid)
            server = _status_kib(pid, "VmRSS")
            worker_rss = sum(_status_kib(child, "VmRSS") for child in workers)
            pss = _pss_kib(pid) + sum(_pss_kib(child) for child in workers)
        except OSError:
            return None
        mib = 1024.0
        return cls(
            time.monotonic() - since, server / mib, worker_rss / mib, len(workers), pss / mib
        )

    def line(self, label: str) -> str:
        return (
            f"  {label:<16} server RSS {self.server_rss:7.1f} MiB   "
            f"{self.workers} workers RSS {self.workers_rss:7.1f} MiB   "
            f"all PSS {self.total_pss:7.1f} MiB"
        )


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Results:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unanswered: list[tuple[str, str, str]] = field(default_factory=list)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)


async def client(
    host: str,
    port: int,
    traffic: Traffic,
    mix: dict[str, float],
    until: float,
    timeout: float,
    results: Results,
) -> None:
    kinds, weights = list(mix), list(mix.values())
    connection = Connection(host, port)
    while time.monotonic() < until:
        request = traffic.draw(traffic.rng.choices(kinds, weights)[0])
        began = time.perf_counter()
        try:
            status, _body = await asyncio.wait_for(connection.send(request), timeout)
        except (UnansweredError, TimeoutError, OSError) as error:
            results.unanswered.append((request.kind, request.path, repr(error)[:120]))
            await connection.close()
            continue
        results.latencies[request.kind].append((time.perf_counter() - began) * 1000)
        results.statuses[(request.kind, status)] += 1
        if status not in EXPECTED[request.kind]:
            results.unexpected[(request.kind, status)] += 1
    await connection.close()


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


async def sample_memory(pid: int, since: float, every: float, samples: list[Memory]) -> None:
    while True:
        await asyncio.sleep(every)
        reading = Memory.read(pid, since)
        if reading is not None:
            samples.append(reading)


def soak(args: argparse.Namespace) -> int:
    """Soak the service at ``--url``, or one started here; the exit code."""
    if args.url is None:
        env = {} if args.workers is None else {"CG3_WORKER_COUNT": str(args.workers)}
        with running_service(["--log-level", "warning"], env=env) as service:
            return asyncio.run(run(args, HOST, service.port, service.pid))
    url = urlsplit(args.url)
    host, port = url.hostname or "", url.port or 80
    if host not in LOOPBACK:
        raise SystemExit(f"refusing {args.url}: soak traffic goes to loopback only")

    async def soak_running() -> int:
        await wait_until_up(host, port)
        return await run(args, host, port, args.pid)

    return asyncio.run(soak_running())


async def run(args: argparse.Namespace, host: str, port: int, pid: int | None) -> int:
    cases = json.loads(Path(args.cases).read_text())
    mix = parse_mix(args.mix or DEFAULT_MIX)
    rng = random.Random(args.seed)
    began = time.monotonic()
    idle = Memory.read(pid, began) if pid else None
    results = Results()
    samples: list[Memory] = []
    warm_up = min(args.warm_up, args.duration / 4)
    until = began + args.duration
    sampler = (
        asyncio.ensure_future(sample_memory(pid, began, args.sample_every, samples))
        if pid
        else None
    )
    clients = [
        asyncio.ensure_future(
            client(
                host,
                port,
                Traffic(cases, random.Random(rng.random())),
                mix,
                until,
                args.timeout,
                results,
            )
        )
        for _ in range(args.clients)
    ]
    await asyncio.gather(*clients)
    elapsed = time.monotonic() - began
    if sampler is not None:
        sampler.cancel()
    end = Memory.read(pid, began) if pid else None
    baseline = next((sample for sample in samples if sample.at >= warm_up), None)
    return report(args, results, elapsed, idle, baseline, samples, end)


def report(
    args: argparse.Namespace,
    results: Results,
    elapsed: float,
    idle: Memory | None,
    baseline: Memory | None,
    samples: list[Memory],
    end: Memory | None,
) -> int:
    total = sum(results.statuses.values())
    print(f"soak: {elapsed:.1f} s, {args.clients} clients, mix {args.mix or DEFAULT_MIX}")
    print(f"  {total} answered ({total / elapsed:.0f}/s), {len(results.unanswered)} unanswered")
    print("answers by kind and status:")
    for kind in EXPECTED:
        answers = {s: n for (k, s), n in sorted(results.statuses.items()) if k == kind}
        if not answers:
            continue
        times = results.latencies[kind]
        print(
            f"  {kind:<10} {sum(answers.values()):7d}  "
            + "  ".join(f"{status}: {count}" for status, count in answers.items())
            + f"   p50 {percentile(times, 0.5):.1f} ms  p99 {percentile(times, 0.99):.1f} ms"
        )
    everything = [value for times in results.latencies.values() for value in times]
    by_status = Counter[int]()
    for (_kind, status), count in results.statuses.items():
        by_status[status] += count
    print("  all        " + "  ".join(f"{s}: {n}" for s, n in sorted(by_status.items())))
    print(
        f"latency: p50 {percentile(everything, 0.5):.1f} ms  p99 "
        f"{percentile(everything, 0.99):.1f} ms  max {max(everything, default=0):.1f} ms"
    )
    for kind, status in sorted(results.unexpected):
        print(f"  unexpected: {kind} got {status} x{results.unexpected[(kind, status)]}")
    for kind, path, error in results.unanswered[:10]:
        print(f"  unanswered: {kind} {path}: {error}")
    failed = bool(results.unanswered)
    broken = sum(n for (_k, status), n in results.statuses.items() if status in FAILING)
    if broken:
        print(f"  {broken} answers were 500 or 504")
        failed = True
    if end is not None and idle is not None:
        print("memory (MiB):")
        print(idle.line("before traffic"))
        if baseline is not None:
            print(baseline.line(f"after {baseline.at:.0f} s"))
        for sample in samples[:: max(1, len(samples) // 6)]:
            print(sample.line(f"at {sample.at:.0f} s"))
        print(end.line("at the end"))
        reference = baseline or idle
        growth = end.total_pss - reference.total_pss
        print(
            f"  growth after warm-up: {growth:+.1f} MiB PSS (limit {args.max_growth_mib:.0f} MiB)"
        )
        if growth > args.max_growth_mib:
            failed = True
    else:
        print("memory: not measured (pass --pid with --url)")
    print("FAILED" if failed else "OK")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "seconds": elapsed,
                    "answered": total,
                    "unanswered": len(results.unanswered),
                    "statuses": {f"{k} {s}": n for (k, s), n in results.statuses.items()},
                    "p50_ms": percentile(everything, 0.5),
                    "p99_ms": percentile(everything, 0.99),
                    "memory_mib": [vars(m) for m in (idle, baseline, end) if m is not None],
                    "ok": not failed,
                },
                indent=2,
            )
        )
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of traffic")
    parser.add_argument("--clients", type=int, default=16, help="concurrent connections")
    parser.add_argument("--minutes", type=float, help="minutes of traffic (instead of --duration)")
    parser.add_argument("--mix", help=f"kind=weight,... ({DEFAULT_MIX})")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="the longer soak: renders with and without cache, batches, saves, diffs, hostile "
        "bodies and slow clients, with every process's PSS at start, middle and end",
    )
    parser.add_argument(
        "--max-growth-percent",
        type=float,
        default=5.0,
        help="with --memory: the PSS growth after warm-up allowed, in percent (default 5)",
    )
    parser.add_argument(
        "--fill-seconds",
        type=float,
        default=600.0,
        help="with --memory: before the timed traffic, fill every cache to its bound for at "
        "most this long (default 600; 0 skips it), so growth after it is not a cache filling",
    )
    parser.add_argument("--url", help="a running service on loopback (default: start one)")
    parser.add_argument("--pid", type=int, help="with --url: the server's pid, for memory")
    parser.add_argument("--workers", type=int, help="render workers of the started service")
    parser.add_argument("--cases", type=Path, default=CASES, help="the public parity cats")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--warm-up",
        type=float,
        help="seconds of traffic before the memory baseline (default 10; with --memory 60, "
        "after the caches are full)",
    )
    parser.add_argument("--sample-every", type=float, default=2.0, help="memory sampling, s")
    parser.add_argument("--max-growth-mib", type=float, default=64.0)
    parser.add_argument("--json", help="also write the figures to this file")


def check_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.minutes is not None:
        args.duration = args.minutes * 60
    if args.warm_up is None:
        args.warm_up = 60.0 if args.memory else 10.0
    if args.duration <= 0 or args.clients < 1:
        parser.error("--duration (or --minutes) and --clients must be positive")
    if args.memory and args.url is not None:
        parser.error("--memory starts its own service: it does not take --url")
