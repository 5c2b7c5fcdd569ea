"""``cg3 soak --memory``: a longer soak of mixed traffic that follows every process's memory.

    cg3 soak --memory --minutes 10 [--clients 16] [--workers 2] [--json soak.json]
    cg3 soak --memory --duration 20          (a short form, for tests)

It starts ``cg3 serve`` on a free loopback port and first fills its caches (``--fill-seconds``,
below), then sends, for the given time, renders the
cache holds and renders it cannot (a new size or pose each time), small batches, saves
(``/save/params`` with the public ``clan_cats.json``), diffs against the public expected
pictures, the hostile bodies of the plain soak (invalid, malformed, oversized, chunked,
unknown routes) and slow clients (a render's body sent in pieces, seconds apart). It reports
the requests sent, the answers by kind and status, the unanswered ones, and the proportional
set size (PSS, ``/proc/<pid>/smaps_rollup``) of every process of the service (the server, its
forked servers and their render workers) before the traffic, once the caches are full, after the
warm-up, in the middle and at the end, with the growth after the warm-up in percent
(``--max-growth-percent``, 5 by default), and how much of that growth is the caches' memory
(from ``/health``). It exits 1 when a request went unanswered, an answer was a 500 or 504, an
answer was not one its kind may get, or the growth was over the limit.

Why the caches are filled first: they are bounded, but their bounds are large beside a
warm-up's traffic. The in-process render and frame caches hold up to ``CG3_CACHE_SIZE``
answers in ``CG3_CACHE_MAX_BYTES`` per server process (divided between them), and the ring
the server processes share takes its pages as its first lap writes them, up to
``CG3_CACHE_MAX_BYTES``; with the defaults and this mix they take six minutes or more to
fill. A service whose caches are still filling grows by design, and that growth would hide a
leak or pass for one. So before the timed traffic, the fill phase sends renders and batches
no cache holds yet (large scales, so the ring laps sooner) until ``/health`` shows each
cache at its bound: entries or bytes for the in-process ones (summed over the server
processes, so every process's is full), a whole lap for the shared ring
(``footprint_bytes``). The memory after it is the service's steady size; what grows after
the warm-up is not a cache filling. ``--fill-seconds 0`` skips the phase.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renderer_service.drills.client import REPO_ROOT
from renderer_service.drills.soak import (
    EXPECTED,
    FAILING,
    HOST,
    Connection,
    Request,
    Traffic,
    UnansweredError,
    _pss_kib,
    children,
    soak,
)
from renderer_service.harness import running_service

SAVE = REPO_ROOT / "tests" / "data" / "save-public" / "clan_cats.json"
EXPECTED_PICTURES = REPO_ROOT / "tests" / "data" / "legacy-public" / "expected"

LONG_MIX = (
    "valid=30,uncached=12,batch=6,save=4,diff=6,slow=4,"
    "invalid=10,malformed=8,oversized=4,chunked=3,unknown=13"
)
LONG_EXPECTED = {
    **EXPECTED,
    "uncached": {200, 503},
    "batch": {200, 503},
    "save": {200, 503},
    "diff": {200, 503},
    "slow": {200, 503},
}
"""The answers each kind may rightly get (503: the service shed load or its queue was full)."""


class LongTraffic(Traffic):
    """The plain soak's requests, and renders the cache lacks, batches, saves and diffs."""

    def __init__(self, cases: list[dict[str, object]], rng: random.Random, save: bytes) -> None:
        super().__init__(cases, rng)
        self.save_body = save
        self.serial = rng.randrange(1_000_000)
        self.fills = 0

    def draw(self, kind: str) -> Request:
        extra = {
            "uncached": self.uncached,
            "batch": self.batch,
            "save": self.save,
            "diff": self.diff,
            "slow": self.slow,
        }
        return extra[kind]() if kind in extra else super().draw(kind)

    def _new_cat(self) -> dict[str, object]:
        """A cat the cache does not hold yet: a case at a size and pose not drawn before
        (cycling after 21 poses x 16 sizes x 120 cases, far beyond a 10-minute soak's
        cache capacity)."""
        self.serial += 1
        case = self.cases[self.serial % len(self.cases)]
        pose, scale = self.serial % 21, 1 + (self.serial // 21) % 16
        params = {**case["params"], "spriteNumber": pose}  # type: ignore[dict-item]
        return {"payload": {"params": params}, "options": {"scale": scale}}

    def uncached(self) -> Request:
        return self._json("uncached", self._new_cat())

    def batch(self) -> Request:
        case = self.rng.choice(self.cases)
        poses = self.rng.sample(range(21), 4)
        body = {
            "payload": {"params": case["params"]},
            "variants": [{"id": f"p{pose}", "spriteNumber": pose} for pose in poses],
            "options": {"tileSize": self.rng.choice([50, 100])},
        }
        request = self._json("batch", body)
        return Request("batch", "POST", "/render/batch", request.body, request.headers)

    def save(self) -> Request:
        headers = (("Content-Type", "application/json"),)
        return Request("save", "POST", "/save/params", self.save_body, headers)

    def diff(self) -> Request:
        case = self.rng.choice(self.cases)
        picture = EXPECTED_PICTURES / f"{case['id']}.png"
        url = "data:image/png;base64," + base64.b64encode(picture.read_bytes()).decode()
        body = {"payload": {"params": case["params"]}, "reference": url}
        request = self._json("diff", body)
        return Request("diff", "POST", "/diff", request.body, request.headers)

    def fill(self) -> Request:
        """A request that adds to the caches: one in four every pose of one cat as batch
        frames, the others a render at a scale of 8 to 16 not asked for before (its PNG laps
        the shared ring sooner; 22,680 of them before one repeats)."""
        self.fills += 1
        number = self.fills // 4
        if self.fills % 4 == 0:
            case = self.cases[number % len(self.cases)]
            body = {
                "payload": {"params": case["params"]},
                "variants": [{"id": f"p{pose}", "spriteNumber": pose} for pose in range(21)],
                "options": {"tileSize": 50},
            }
            request = self._json("batch", body)
            return Request("batch", "POST", "/render/batch", request.body, request.headers)
        number = self.fills - number - 1  # the renders' own count: 0, 1, 2 ...
        case = self.cases[(number // 21) % len(self.cases)]
        params = {**case["params"], "spriteNumber": number % 21}  # type: ignore[dict-item]
        scale = 8 + (number // (21 * len(self.cases))) % 9
        return self._json("uncached", {"payload": {"params": params}, "options": {"scale": scale}})

    def slow(self) -> Request:
        request = self._json("slow", self._new_cat())
        return Request("slow", "POST", "/render", request.body, request.headers)


async def send_slowly(host: str, port: int, request: Request, pieces: int, gap: float) -> int:
    """``request`` on a new connection, its body in ``pieces`` writes ``gap`` s apart; the
    answer's status. ``UnansweredError`` when none came."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = [f"POST {request.path} HTTP/1.1", f"Host: {host}", "Connection: close"]
        head += [f"{name}: {value}" for name, value in request.headers]
        head.append(f"Content-Length: {len(request.body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        step = -(-len(request.body) // pieces)
        for start in range(0, len(request.body), step):
            await asyncio.sleep(gap)
            writer.write(request.body[start : start + step])
            await writer.drain()
        try:
            status, _headers, _body = await Connection._read_answer(reader)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
            raise UnansweredError(f"{type(error).__name__}: {error}") from None
        return status
    finally:
        writer.close()


# --- every process's memory ---------------------------------------------------------------


def family(pid: int) -> list[tuple[str, int]]:
    """The service's processes with a role each: ``server``, forked ``server N`` (with
    ``CG3_SERVER_PROCESSES``) and their ``worker N.M``, in a stable order."""
    found = [("server", pid)]
    with contextlib.suppress(OSError):
        forked = sorted(children(pid))
        if forked and any(children(child) for child in forked):
            for n, server in enumerate(forked, 1):
                found.append((f"server {n}", server))
                found += [(f"worker {n}.{m}", w) for m, w in enumerate(sorted(children(server)), 1)]
        else:
            found += [(f"worker {m}", w) for m, w in enumerate(forked, 1)]
    return found


@dataclass
class Snapshot:
    """Every process's PSS (MiB) at one moment, ``at`` seconds into the soak."""

    label: str
    at: float
    pss: dict[str, float]
    cached: float
    """MiB the service's render and frame caches hold (bounded by their settings)."""

    @classmethod
    async def take(cls, label: str, pid: int, port: int, since: float) -> Snapshot:
        pss = {role: _pss_kib(child) / 1024 for role, child in family(pid)}
        return cls(label, time.monotonic() - since, pss, await cached_mib(port))

    @property
    def total(self) -> float:
        return sum(self.pss.values())

    def line(self) -> str:
        each = "  ".join(f"{role} {mib:.1f}" for role, mib in self.pss.items())
        return (
            f"  {self.label:<14} at {self.at:6.1f} s  total {self.total:7.1f} MiB, "
            f"caches hold {self.cached:5.1f} MiB   ({each})"
        )


async def cached_mib(port: int) -> float:
    """The memory of the caches, from ``/health`` (whichever process answers adds up the
    others'), in MiB; 0 if it did not answer: the bytes in the render and frame caches of
    every server process and the footprint of their shared ring (see ``caches_memory``)."""
    return caches_memory(await health_metrics(port)) / 2**20


async def health_metrics(port: int) -> dict[str, Any]:
    """``/health``'s ``metrics`` (empty when it did not answer)."""
    connection = Connection(HOST, port)
    try:
        status, body = await asyncio.wait_for(
            connection.send(Request("probe", "GET", "/health")), 10
        )
        return dict(json.loads(body)["metrics"]) if status == 200 else {}
    except (UnansweredError, TimeoutError, OSError, ValueError, KeyError):
        return {}
    finally:
        await connection.close()


def caches_memory(metrics: dict[str, Any]) -> int:
    """Bytes the caches take: the in-process caches' contents and, for the ring the server
    processes share, its ``footprint_bytes`` (pages taken as the first lap writes them, not
    only the records still reachable); ``bytes`` from a service without that figure."""
    held = 0
    for name in ("cache", "frame_cache"):
        cache = metrics.get(name) or {}
        held += cache.get("bytes", 0)
        shared = cache.get("shared_memory") or {}  # the level several server processes share
        if shared.get("enabled"):
            held += shared.get("footprint_bytes", shared.get("bytes", 0))
    return int(held)


def caches_still_filling(metrics: dict[str, Any]) -> list[str]:
    """The caches not yet at their bound, by name (empty: all full). An in-process cache is
    full once its entries or bytes reach its limits (summed over the server processes, each
    of which is at most at its own: so every one is nearly full); the shared ring once its
    first lap is written. A disabled cache is full."""
    filling = []
    for name, label in (("cache", "render cache"), ("frame_cache", "frame cache")):
        cache = metrics.get(name)
        if not cache:
            filling.append(f"{label} (no figures)")
            continue
        if cache.get("enabled", True) and cache.get("max_entries", 0) and cache.get("max_bytes"):
            full = cache["entries"] >= cache["max_entries"]
            full = full or cache["bytes"] >= FULL_SHARE * cache["max_bytes"]
            if not full:
                filling.append(
                    f"{label} {cache['entries']}/{cache['max_entries']} entries, "
                    f"{cache['bytes'] / 2**20:.1f}/{cache['max_bytes'] / 2**20:.1f} MiB"
                )
        shared = cache.get("shared_memory") or {}
        if shared.get("enabled") and shared["footprint_bytes"] < shared["max_bytes"]:
            filling.append(
                f"shared ring {shared['footprint_bytes'] / 2**20:.1f}"
                f"/{shared['max_bytes'] / 2**20:.1f} MiB"
            )
    return filling


RECONNECT_EVERY = 16
"""Fill requests (over all fill clients) after which one client opens a new connection."""

FULL_SHARE = 0.9
"""An in-process cache whose bytes reach this share of its budget counts as full (the next
answer may not fit, and each process's share of a sum is at least 0.8 of its own)."""


async def fill_caches(
    port: int, traffic: LongTraffic, clients: int, seconds: float, timeout: float
) -> tuple[float, list[str], Counter[int]]:
    """Send ``fill`` requests from ``clients`` connections until every cache is full or
    ``seconds`` passed: the time taken, what was still filling then, and the answers."""
    began = time.monotonic()
    statuses: Counter[int] = Counter()
    done = asyncio.Event()

    async def client() -> None:
        connection = Connection(HOST, port)
        try:
            while not done.is_set():
                try:
                    status, _ = await asyncio.wait_for(connection.send(traffic.fill()), timeout)
                except (UnansweredError, TimeoutError, OSError):
                    await connection.close()
                    status = 0
                statuses[status] += 1
                if sum(statuses.values()) % RECONNECT_EVERY == 0:
                    # A new connection now and then: each server process accepts its share,
                    # and each one's caches fill.
                    await connection.close()
        finally:
            await connection.close()

    senders = [asyncio.ensure_future(client()) for _ in range(clients)]
    filling = ["(not asked yet)"]
    try:
        while filling and time.monotonic() - began < seconds:
            await asyncio.sleep(1.0)
            filling = caches_still_filling(await health_metrics(port))
    finally:
        done.set()
        await asyncio.gather(*senders)
    return time.monotonic() - began, filling, statuses


# --- the run -------------------------------------------------------------------------------


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    unanswered: list[tuple[str, str, str]] = field(default_factory=list)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)

    def note(self, kind: str, status: int) -> None:
        self.statuses[(kind, status)] += 1
        if status not in LONG_EXPECTED[kind]:
            self.unexpected[(kind, status)] += 1


async def one_client(
    port: int,
    traffic: LongTraffic,
    mix: dict[str, float],
    until: float,
    timeout: float,
    tally: Tally,
) -> None:
    kinds, weights = list(mix), list(mix.values())
    connection = Connection(HOST, port)
    while time.monotonic() < until:
        kind = traffic.rng.choices(kinds, weights)[0]
        request = traffic.draw(kind)
        tally.sent += 1
        try:
            if kind == "slow":
                sending = send_slowly(HOST, port, request, pieces=4, gap=0.4)
                status = await asyncio.wait_for(sending, timeout)
            else:
                status, _ = await asyncio.wait_for(connection.send(request), timeout)
        except (UnansweredError, TimeoutError, OSError) as error:
            tally.unanswered.append((kind, request.path, repr(error)[:120]))
            await connection.close()
            continue
        tally.note(kind, status)
    await connection.close()


def parse_long_mix(text: str) -> dict[str, float]:
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in LONG_EXPECTED:
            raise SystemExit(
                f"--mix: unknown kind {name.strip()!r}; kinds are {', '.join(LONG_EXPECTED)}"
            )
        mix[name.strip()] = float(weight)
    if not any(mix.values()):
        raise SystemExit("--mix: every weight is zero")
    return mix


def soak_either(args: argparse.Namespace) -> int:
    """``cg3 soak``: the memory soak with ``--memory``, the plain one otherwise."""
    return main(args) if args.memory else soak(args)


def main(args: argparse.Namespace) -> int:
    """The long soak against a service started here; the exit code."""
    seconds = args.duration
    env = {} if args.workers is None else {"CG3_WORKER_COUNT": str(args.workers)}
    with running_service(["--log-level", "warning"], env=env, ready_seconds=180) as service:
        return asyncio.run(soak_memory(args, service.port, service.pid, seconds))


async def soak_memory(args: argparse.Namespace, port: int, pid: int, seconds: float) -> int:
    mix = parse_long_mix(args.mix or LONG_MIX)
    cases = json.loads(Path(args.cases).read_text())
    save = SAVE.read_bytes()
    rng = random.Random(args.seed)
    origin = time.monotonic()  # snapshots count from here; the mixed traffic from ``began``
    snapshots = [await Snapshot.take("before traffic", pid, port, origin)]
    fill = None
    if args.fill_seconds > 0:
        filler = LongTraffic(cases, random.Random(rng.random()), save)
        fill = await fill_caches(port, filler, args.clients, args.fill_seconds, args.timeout)
        snapshots.append(await Snapshot.take("caches full", pid, port, origin))
    tally = Tally()
    began = time.monotonic()
    until = began + seconds
    clients = [
        asyncio.ensure_future(
            one_client(
                port,
                LongTraffic(cases, random.Random(rng.random()), save),
                mix,
                until,
                args.timeout,
                tally,
            )
        )
        for _ in range(args.clients)
    ]
    warm_up = min(args.warm_up, seconds / 4)
    for label, at in (("after warm-up", warm_up), ("middle", seconds / 2)):
        await asyncio.sleep(max(0.0, began + at - time.monotonic()))
        snapshots.append(await Snapshot.take(label, pid, port, origin))
    await asyncio.gather(*clients)
    snapshots.append(await Snapshot.take("end", pid, port, origin))
    return report(args, tally, time.monotonic() - began, snapshots, fill)


def report(
    args: argparse.Namespace,
    tally: Tally,
    elapsed: float,
    snapshots: list[Snapshot],
    fill: tuple[float, list[str], Counter[int]] | None = None,
) -> int:
    answered = sum(tally.statuses.values())
    if fill is not None:
        took, filling, fill_answers = fill
        listed = "  ".join(
            f"{status or 'unanswered'}: {n}" for status, n in sorted(fill_answers.items())
        )
        state = "full" if not filling else "still filling: " + "; ".join(filling)
        print(
            f"filling the caches: {took:.1f} s, {sum(fill_answers.values())} requests "
            f"({listed}); {state}"
        )
    print(f"soak --memory: {elapsed:.1f} s, {args.clients} clients")
    print(
        f"  {tally.sent} requests, {answered} answered ({answered / elapsed:.0f}/s), "
        f"{len(tally.unanswered)} unanswered"
    )
    print("answers by kind and status:")
    for kind in LONG_EXPECTED:
        answers = {s: n for (k, s), n in sorted(tally.statuses.items()) if k == kind}
        if answers:
            listed = "  ".join(f"{status}: {count}" for status, count in answers.items())
            print(f"  {kind:<10} {sum(answers.values()):7d}  {listed}")
    by_status = Counter[int]()
    for (_kind, status), count in tally.statuses.items():
        by_status[status] += count
    print("  all        " + "  ".join(f"{s}: {n}" for s, n in sorted(by_status.items())))
    for (kind, status), count in sorted(tally.unexpected.items()):
        print(f"  unexpected: {kind} got {status} x{count}")
    for kind, path, error in tally.unanswered[:10]:
        print(f"  unanswered: {kind} {path}: {error}")
    print("memory, PSS by process (MiB):")
    for snapshot in snapshots:
        print(snapshot.line())
    warm = next(snapshot for snapshot in snapshots if snapshot.label == "after warm-up")
    end = snapshots[-1]
    growth = (end.total - warm.total) / warm.total * 100 if warm.total else 0.0
    uncached = end.total - end.cached - (warm.total - warm.cached)
    print(
        f"  growth after warm-up: {end.total - warm.total:+.1f} MiB ({growth:+.2f} %, "
        f"limit {args.max_growth_percent:g} %); of it the caches' memory "
        f"{end.cached - warm.cached:+.1f} MiB, the rest {uncached:+.1f} MiB "
        f"({uncached / warm.total * 100 if warm.total else 0.0:+.2f} %)"
    )
    broken = sum(n for (_k, status), n in tally.statuses.items() if status in FAILING)
    failed = bool(tally.unanswered or tally.unexpected or broken)
    # Filling: renders and batches, answered 200 or shed (503) like any others.
    failed = failed or (fill is not None and bool(set(fill[2]) - {200, 503}))
    failed = failed or growth > args.max_growth_percent
    print("FAILED" if failed else "OK")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "seconds": elapsed,
                    "fill": None
                    if fill is None
                    else {
                        "seconds": fill[0],
                        "still_filling": fill[1],
                        "answers": {str(status): n for status, n in sorted(fill[2].items())},
                    },
                    "requests": tally.sent,
                    "answered": answered,
                    "unanswered": len(tally.unanswered),
                    "statuses": {f"{k} {s}": n for (k, s), n in tally.statuses.items()},
                    "by_status": {str(s): n for s, n in sorted(by_status.items())},
                    "pss_mib": [vars(snapshot) for snapshot in snapshots],
                    "growth_percent": growth,
                    "growth_besides_caches_mib": uncached,
                    "ok": not failed,
                },
                indent=2,
            )
        )
    return 1 if failed else 0
