"""``cg3 faults``: fault injection against ``cg3 serve`` on loopback: each way the service was
once hurt, reproduced, with one summary line each.

    cg3 faults [--only NAME ...] [--render-timeout 2] [--stalled-connections 2500]

It starts ``cg3 serve`` on a free loopback port (your ``CG3_*`` settings apply, except
``CG3_RENDER_TIMEOUT_SECONDS``, set by ``--render-timeout`` so that timing-out batches take
seconds, not minutes), runs the faults in order, stops the service with SIGTERM while a client
is stalled mid-body (the last fault), and exits 1 if any fault's check failed.

The faults: ``dead-workers`` (every worker killed, idle and busy), ``stuck-worker``
(SIGSTOP), ``big-headers`` (64 KiB, 1 MiB and 4 x 64 MiB of headers), ``slow-clients``
(500 idle and 50 slowloris connections while a normal client measures its latency),
``failing-batch`` (a batch whose frames all time out, and one whose worker is killed
mid-batch), ``pipelining`` (a request and a malformed one in one packet), ``batch-cache``
(a 256-frame batch at 250 px after interactive renders), ``overload`` (400 uncached renders
at once: the excess shed with 503 while a cache hit, /health and /metrics answer),
``young-worker-deaths`` (each replacement worker killed as it starts, three times: restarts
back off 1, 2, 4 s), ``stalled-bodies`` (``--stalled-connections`` connections, 2,500 by
default, each stalled after 10 of 1,000 body bytes: normal requests still answered, every
stalled one closed within 35 s) and ``shutdown`` (SIGTERM while a client has sent 11 of 1,000
body bytes). The faults live by concern in ``faults_workers`` and ``faults_load``, their shared
pieces in ``fault_kit``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from renderer_service.drills.fault_kit import (
    HOST,
    Service,
    big_batch,
    raw_exchange,
    statuses,
    uncached_cats,
)
from renderer_service.drills.faults_load import overload, slow_clients, stalled_bodies
from renderer_service.drills.faults_workers import (
    dead_workers,
    failing_batch,
    stuck_worker,
    young_worker_deaths,
)
from renderer_service.harness import ServiceProcess, ServiceStartError, running_service

# --- the faults ------------------------------------------------------------------------------


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
    "overload": overload,
    "young-worker-deaths": young_worker_deaths,
    "stalled-bodies": stalled_bodies,
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
        service = Service(launched, client, settings, stalled=args.stalled_connections)
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
    parser.add_argument(
        "--stalled-connections",
        type=int,
        default=2500,
        help="connections stalled mid-body by stalled-bodies (default 2500)",
    )
