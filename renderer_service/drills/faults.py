"""``cg3 faults``: fault injection against ``cg3 serve`` on loopback: each way the service was
once hurt, reproduced, with one summary line each.

    cg3 faults [--only NAME ...] [--render-timeout 2]

It starts ``cg3 serve`` on a free loopback port (your ``CG3_*`` settings apply, except
``CG3_RENDER_TIMEOUT_SECONDS``, set by ``--render-timeout`` so that timing-out batches take
seconds, not minutes), runs the faults in order, stops the service with SIGTERM while a client
is stalled mid-body (the last fault), and exits 1 if any fault's check failed.

The faults: ``dead-workers`` (every worker killed, idle and busy), ``stuck-worker``
(SIGSTOP), ``big-headers`` (64 KiB, 1 MiB and 4 x 64 MiB of headers), ``slow-clients``
(500 idle and 50 slowloris connections while a normal client measures its latency),
``failing-batch`` (a batch whose frames all time out, and one whose worker is killed
mid-batch), ``pipelining`` (a request and a malformed one in one packet), ``batch-cache``
(a 256-frame batch at 250 px after interactive renders) and ``shutdown`` (SIGTERM while a
client has sent 11 of 1,000 body bytes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from renderer_service.harness import ServiceProcess, ServiceStartError, children, running_service

HOST = "127.0.0.1"


def cat(pose: int = 8, scale: int = 1, colour: str = "GINGER") -> dict[str, Any]:
    return {
        "payload": {"spriteNumber": pose, "params": {"peltName": "Tabby", "colour": colour}},
        "options": {"scale": scale},
    }


def uncached_cats(start: int, count: int) -> list[dict[str, Any]]:
    """``count`` different cats; different ``start`` values give different cats."""
    return [cat(pose=n % 21, scale=1 + (n // 21) % 16) for n in range(start, start + count)]


async def big_batch(client: httpx.AsyncClient, colour: str, tile: int) -> dict[str, Any]:
    """A 256-frame batch: every eye colour the catalog lists, at every pose, ``tile`` px."""
    eyes = (await client.get("/catalog")).json()["eyeColours"]
    return {
        "payload": cat(colour=colour)["payload"],
        "variants": [
            {"id": f"{eye}-{pose}", "spriteNumber": pose, "params": {"eyeColour": eye}}
            for eye in eyes
            for pose in range(21)
        ][:256],
        "options": {"tileSize": tile},
    }


@dataclass
class Service:
    launched: ServiceProcess
    client: httpx.AsyncClient
    settings: dict[str, str]
    results: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.launched.url

    @property
    def port(self) -> int:
        return self.launched.port

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self.launched.process is not None
        return self.launched.process

    async def health(self) -> dict[str, Any]:
        metrics: dict[str, Any] = (await self.client.get("/health")).json()["metrics"]
        return metrics

    def server_pids(self) -> list[int]:
        """The processes that serve HTTP: the service's own, or with several server
        processes (``CG3_SERVER_PROCESSES``) the ones its parent forked."""
        forked = children(self.process.pid)
        if forked and any(children(pid) for pid in forked):
            return forked
        return [self.process.pid]

    def worker_pids(self) -> list[int]:
        return [pid for server in self.server_pids() for pid in children(server)]

    def rss_mib(self) -> float:
        return sum(_rss_mib(pid) for pid in self.server_pids())

    def report(self, name: str, ok: bool, summary: str) -> None:
        self.results.append((name, ok, summary))
        print(f"{'PASS' if ok else 'FAIL'}  {name:<14} {summary}", flush=True)


def _rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def raw_exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a fresh connection; everything answered until the server closes."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        chunks = []
        with contextlib.suppress(ConnectionError, TimeoutError):
            async with asyncio.timeout(timeout):
                while chunk := await reader.read(65536):
                    chunks.append(chunk)
        return b"".join(chunks)
    finally:
        writer.close()


def statuses(data: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * len(ordered)))]


# --- the faults ------------------------------------------------------------------------------


async def dead_workers(service: Service) -> None:
    """Finding 1: kill every worker while the cache serves repeats, then while they render."""
    client = service.client
    await client.post("/render", json=cat())
    before = await service.health()
    count = before["worker_count"]
    pids = service.worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    healed_after = None
    repeats = Counter[int]()
    while time.monotonic() - killed_at < 5:
        repeats[(await client.post("/render", json=cat())).status_code] += 1
        metrics = await service.health()
        if metrics["workers_alive"] == count and not set(service.worker_pids()) & set(pids):
            healed_after = time.monotonic() - killed_at
            break
    idle = Counter(
        response.status_code
        for response in await asyncio.gather(
            *(client.post("/render", json=body) for body in uncached_cats(1000, 12))
        )
    )
    # Now kill them while they hold renders: each render gets one retry on a fresh worker.
    renders = [
        asyncio.ensure_future(client.post("/render", json=body)) for body in uncached_cats(2000, 12)
    ]
    await asyncio.sleep(0.05)
    for pid in service.worker_pids():
        os.kill(pid, signal.SIGKILL)
    busy = Counter(response.status_code for response in await asyncio.gather(*renders))
    after = await service.health()
    restarts = after["worker_restarts"] - before["worker_restarts"]
    ok = healed_after is not None and healed_after < 2 and set(idle) | set(busy) == {200}
    healed = f"{healed_after:.3f} s" if healed_after is not None else "never (5 s)"
    service.report(
        "dead-workers",
        ok,
        f"{count} idle workers killed: back in {healed}; uncached renders after: {dict(idle)}; "
        f"killed mid-render: {dict(busy)}; worker_restarts +{restarts}",
    )


async def stuck_worker(service: Service) -> None:
    """Finding 2: a stopped worker is reported stuck, not alive."""
    pid = service.worker_pids()[0]
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        seen_after = None
        while time.monotonic() - stopped_at < 3:
            metrics = await service.health()
            if metrics["workers_stuck"] == 1:
                seen_after = time.monotonic() - stopped_at
                break
            await asyncio.sleep(0.02)
        text = (await service.client.get("/metrics")).text
        gauge = re.search(r"^cg3_workers_stuck (\S+)$", text, re.MULTILINE)
        status = (await service.client.get("/health")).json()["status"]
    finally:
        os.kill(pid, signal.SIGCONT)
    await asyncio.sleep(0.1)
    resumed = await service.health()
    seen = "never (3" if seen_after is None else f"{seen_after:.3f}"
    ok = (
        seen_after is not None
        and gauge is not None
        and float(gauge.group(1)) == 1
        and status == "degraded"
        and resumed["workers_stuck"] == 0
    )
    service.report(
        "stuck-worker",
        ok,
        f"SIGSTOP: workers_stuck=1 after {seen} s, /health {status}, "
        f"cg3_workers_stuck {gauge.group(1) if gauge else 'missing'}; "
        f"after SIGCONT workers_stuck={resumed['workers_stuck']}",
    )


async def big_headers(service: Service) -> None:
    """Finding 4: headers over the limit get 431, cheaply."""
    rss_before = service.rss_mib()
    found: dict[str, Any] = {}
    for label, size in [("64 KiB", 64 * 1024), ("1 MiB", 1024 * 1024)]:
        request = b"GET /health HTTP/1.1\r\nHost: f\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
        found[label] = statuses(await raw_exchange(service.port, request))

    async def endless_header() -> tuple[list[int], int]:
        """Up to 64 MiB of one header, in 1 MiB writes, until the server stops reading."""
        reader, writer = await asyncio.open_connection(HOST, service.port)
        sent = 0
        try:
            writer.write(b"GET /health HTTP/1.1\r\nHost: f\r\nX-Big: ")
            chunk = b"a" * (1024 * 1024)
            with contextlib.suppress(ConnectionError, TimeoutError):
                async with asyncio.timeout(20):
                    while sent < 64 * 1024 * 1024 and not reader.at_eof():
                        writer.write(chunk)
                        await writer.drain()
                        sent += len(chunk)
            answer = b""
            with contextlib.suppress(ConnectionError, TimeoutError):
                async with asyncio.timeout(5):
                    answer = await reader.read()
            return statuses(answer), sent
        finally:
            writer.close()

    endless = await asyncio.gather(*(endless_header() for _ in range(4)))
    rss_after = service.rss_mib()
    growth = rss_after - rss_before
    ok = all(codes == [431] for codes in found.values()) and growth < 16
    service.report(
        "big-headers",
        ok,
        f"64 KiB: {found['64 KiB']}, 1 MiB: {found['1 MiB']}, 4 x 64 MiB: "
        f"{[codes for codes, _ in endless]} (clients sent up to "
        f"{max(sent for _, sent in endless) // (1024 * 1024)} MiB, dropped unparsed); server RSS "
        f"{rss_before:.0f} -> {rss_after:.0f} MiB",
    )


async def timed_requests(client: httpx.AsyncClient, seconds: float) -> list[float]:
    """One normal client's cached /render latencies (ms) for ``seconds``."""
    body = cat(pose=3)
    await client.post("/render", json=body)
    latencies = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        response = await client.post("/render", json=body)
        latencies.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.status_code
    return latencies


async def slow_clients(service: Service) -> None:
    """Finding 5: idle and slowloris connections are closed on time; others keep latency."""
    timeout = float(service.settings.get("CG3_HEADER_TIMEOUT_SECONDS", "10"))
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as normal:
        quiet = await timed_requests(normal, 3)
        opened = time.monotonic()
        idle = [await asyncio.open_connection(HOST, service.port) for _ in range(500)]
        closed_at: list[float] = []

        async def wait_closed(reader: asyncio.StreamReader) -> None:
            with contextlib.suppress(ConnectionError):
                await reader.read()
            closed_at.append(time.monotonic() - opened)

        async def slowloris() -> None:
            reader, writer = await asyncio.open_connection(HOST, service.port)
            waiter = asyncio.ensure_future(wait_closed(reader))
            try:
                for byte in b"GET /health HTTP/1.1\r\nHost: f\r\nX-Slow: " + b"a" * 1000:
                    if waiter.done():
                        break
                    writer.write(bytes([byte]))
                    await asyncio.sleep(0.1)
                await waiter
            except ConnectionError:
                pass
            finally:
                writer.close()

        watchers = [asyncio.ensure_future(wait_closed(reader)) for reader, _ in idle]
        slow = [asyncio.ensure_future(slowloris()) for _ in range(50)]
        loaded = await timed_requests(normal, 3)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout + 10):
                await asyncio.gather(*watchers, *slow)
        still_open = 550 - len(closed_at)
        for _, writer in idle:
            writer.close()
    ratio = p99(loaded) / p99(quiet)
    ok = still_open == 0 and max(closed_at) < timeout + 2 and ratio <= 2
    service.report(
        "slow-clients",
        ok,
        f"500 idle + 50 slowloris: all closed by {max(closed_at):.1f} s (header timeout "
        f"{timeout:g} s), {still_open} still open; normal client p99 {p99(quiet):.2f} ms idle, "
        f"{p99(loaded):.2f} ms with them ({ratio:.2f}x), median {statistics.median(quiet):.2f}"
        f" -> {statistics.median(loaded):.2f} ms",
    )


async def failing_batch(service: Service) -> None:
    """Finding 6: a batch of timing-out frames does not open the circuit for everyone; a
    frame whose worker is killed is retried."""
    client = service.client
    before = await service.health()
    pids = service.worker_pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)  # every frame sent to them will time out
    batch = {
        "payload": cat()["payload"],
        "variants": [{"id": f"p{pose}", "spriteNumber": pose} for pose in range(15)],
        "options": {"tileSize": 100},
    }
    try:
        began = time.monotonic()
        answer = await client.post("/render/batch", json=batch)
        took = time.monotonic() - began
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
    after = await service.health()
    single = await client.post("/render", json=cat(pose=5, scale=3))
    timeouts = after["timeouts"] - before["timeouts"]
    # A 256-frame batch, with a worker killed while it runs.
    big = await big_batch(client, "BLACK", 100)
    started = asyncio.ensure_future(client.post("/render/batch", json=big))
    while (await service.health())["in_flight"] == 0 and not started.done():
        await asyncio.sleep(0.005)
    with contextlib.suppress(IndexError, ProcessLookupError):
        os.kill(service.worker_pids()[0], signal.SIGKILL)
    crashed = await started
    ok = (
        answer.status_code == 504
        and not after["circuit_open"]
        and single.status_code == 200
        and crashed.status_code == 200
    )
    service.report(
        "failing-batch",
        ok,
        f"15 timing-out frames: {answer.status_code} after {took:.1f} s, {timeouts} timeouts "
        f"(frames in flight), circuit {after['circuit_state']}, next /render "
        f"{single.status_code}; 256-frame batch with a worker killed mid-way: "
        f"{crashed.status_code}",
    )


async def pipelining(service: Service) -> None:
    """Finding 7: pipelined answers come first, in order, then the 400."""
    health = b"GET /health HTTP/1.1\r\nHost: f\r\n\r\n"
    one = statuses(await raw_exchange(service.port, health + b"NOT HTTP AT ALL\x01\r\n\r\n"))
    three = statuses(
        await raw_exchange(service.port, health + health + health + b"\x00garbage\r\n\r\n")
    )
    ok = one == [200, 400] and three == [200, 200, 200, 400]
    service.report("pipelining", ok, f"GET + malformed: {one}; 3 GETs + malformed: {three}")


async def batch_cache(service: Service) -> None:
    """Finding 8: a 256-frame batch at 250 px leaves /render cache hits intact."""
    client = service.client
    cats = uncached_cats(3000, 100)
    for body in cats:
        await client.post("/render", json=body)
    batch = await big_batch(client, "WHITE", 250)
    answer = await client.post("/render/batch", json=batch)
    hits = Counter[str | None]()
    for body in cats:
        hits[(await client.post("/render", json=body)).headers.get("x-cache")] += 1
    metrics = await service.health()
    ok = answer.status_code == 200 and hits["hit-memory"] == len(cats)
    service.report(
        "batch-cache",
        ok,
        f"100 renders, then a {len(batch['variants'])}-frame batch at 250 px "
        f"({answer.status_code}): {hits['hit-memory']}/100 renders still cache hits; frame cache "
        f"{metrics['frame_cache']['bytes'] / 2**20:.1f} MiB, render cache "
        f"{metrics['cache']['bytes'] / 2**20:.1f} MiB",
    )


async def shutdown(service: Service) -> None:
    """Finding 3: SIGTERM with a client stalled mid-body ends within the grace period."""
    grace = float(service.settings.get("CG3_SHUTDOWN_GRACE_SECONDS", "10"))
    _, writer = await asyncio.open_connection(HOST, service.port)
    writer.write(
        b"POST /render HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b'{"payload":'
    )
    await writer.drain()
    await asyncio.sleep(0.3)
    began = time.monotonic()
    service.process.send_signal(signal.SIGTERM)
    loop = asyncio.get_running_loop()
    try:
        code = await loop.run_in_executor(None, service.process.wait, grace + 30)
    except subprocess.TimeoutExpired:
        code = None
    took = time.monotonic() - began
    writer.close()
    ok = code is not None and took <= grace + 3
    service.report(
        "shutdown",
        ok,
        f"SIGTERM with 11 of 1,000 body bytes sent: exited ({code}) after {took:.1f} s "
        f"(CG3_SHUTDOWN_GRACE_SECONDS={grace:g})",
    )


FAULTS: dict[str, Callable[[Service], Awaitable[None]]] = {
    "dead-workers": dead_workers,
    "stuck-worker": stuck_worker,
    "big-headers": big_headers,
    "slow-clients": slow_clients,
    "failing-batch": failing_batch,
    "pipelining": pipelining,
    "batch-cache": batch_cache,
    "shutdown": shutdown,
}


def main(args: argparse.Namespace) -> int:
    """Start the service, inject the chosen faults, stop it; the exit code."""
    settings = {k: v for k, v in os.environ.items() if k.startswith("CG3_")}
    settings["CG3_RENDER_TIMEOUT_SECONDS"] = str(args.render_timeout)
    try:
        with running_service(
            ["--log-level", "warning"], env=settings, ready_seconds=180, stop_seconds=30
        ) as launched:
            print(f"service   cg3 serve --host {HOST} --port {launched.port}", flush=True)
            results = asyncio.run(inject(args, launched, settings))
    except ServiceStartError as error:
        print(f"the service did not start: {error}", file=sys.stderr)
        return 1
    failed = [name for name, ok, _ in results if not ok]
    print(f"{len(results) - len(failed)} of {len(results)} faults handled", end="")
    print(f"; failed: {', '.join(failed)}" if failed else "")
    return 1 if failed else 0


async def inject(
    args: argparse.Namespace, launched: ServiceProcess, settings: dict[str, str]
) -> list[tuple[str, bool, str]]:
    async with httpx.AsyncClient(base_url=launched.url, timeout=60) as client:
        service = Service(launched, client, settings)
        chosen = args.only or list(FAULTS)
        for name in [name for name in FAULTS if name in chosen and name != "shutdown"]:
            await FAULTS[name](service)
        if "shutdown" in chosen:
            await shutdown(service)
    return service.results


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", nargs="+", choices=list(FAULTS), help="run only these faults")
    parser.add_argument(
        "--render-timeout",
        type=float,
        default=2.0,
        help="CG3_RENDER_TIMEOUT_SECONDS for the service (default 2)",
    )
