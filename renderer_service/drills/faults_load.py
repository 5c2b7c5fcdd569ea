"""The fault program's connection and load faults: idle and slowloris connections
(``slow-clients``), more uncached renders at once than the service can start in time
(``overload``) and thousands of connections stalled mid-body (``stalled-bodies``)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections import Counter
from typing import Any

import httpx
import orjson

from renderer_service.drills.fault_kit import (
    HOST,
    Service,
    cat,
    p99,
    read_answer,
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


def heavy_uncached_cats(count: int) -> list[dict[str, Any]]:
    """``count`` (at most 504) different large cats with their layers, none of which
    another fault draws: slow enough that 400 at once outlast CG3_MAX_WAIT_MS even on a fast
    machine."""
    cats = []
    for n in range(count):
        body = cat(
            pose=n % 21, scale=9 + (n // 21) % 8, colour=("GINGER", "BLACK", "WHITE")[n // 168]
        )
        body["options"].update(collectLayers=True, includeLayerImages=True)
        cats.append(body)
    return cats


async def overload(service: Service) -> None:
    """400 uncached renders (light and heavy) sent at the same moment on
    400 connections, more than the service can start within CG3_MAX_WAIT_MS. The excess is
    answered 503 ``overloaded`` with Retry-After: 1 instead of waiting its turn (or
    ``queue_full``, for heavy ones past the queue's bound); a cache hit,
    /health and /metrics sent meanwhile are answered 200; /metrics counts the sheds."""
    max_wait = float(service.settings.get("CG3_MAX_WAIT_MS", "250")) / 1000
    client = service.client
    await client.post("/render", json=cat(pose=1))  # a cat the cache now holds
    before = (await client.get("/health")).json()["metrics"]["shed"]["wait"]
    bodies = [orjson.dumps(body) for body in heavy_uncached_cats(400)]
    hit = orjson.dumps(cat(pose=1))
    connections = [await asyncio.open_connection(HOST, service.port) for _ in bodies]
    extra = [await asyncio.open_connection(HOST, service.port) for _ in range(3)]
    sent_at = time.monotonic()
    for (_, writer), body in zip(connections, bodies, strict=True):
        writer.write(
            b"POST /render HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
    extra[0][1].write(
        b"POST /render HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(hit)).encode() + b"\r\n\r\n" + hit
    )
    extra[1][1].write(b"GET /health HTTP/1.1\r\nHost: f\r\n\r\n")
    extra[2][1].write(b"GET /metrics HTTP/1.1\r\nHost: f\r\n\r\n")

    async def timed(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes, float]:
        status, headers, body = await read_answer(reader)
        return status, headers, body, time.monotonic() - sent_at

    results = await asyncio.gather(*(timed(reader) for reader, _ in [*connections, *extra]))
    for _, writer in [*connections, *extra]:
        writer.close()
    drawn, (hit_answer, health, metrics) = results[: len(bodies)], results[len(bodies) :]
    shed = [r for r in drawn if r[0] == 503]
    kinds = Counter(orjson.loads(r[2]).get("error") for r in shed)
    statuses = Counter(r[0] for r in drawn)
    await asyncio.sleep(0.6)  # every server process has published its numbers since
    after = (await client.get("/health")).json()["metrics"]["shed"]["wait"]
    ok = (
        set(statuses) <= {200, 503}
        and kinds["overloaded"] > 0
        and set(kinds) <= {"overloaded", "queue_full"}
        and all(r[1].get("retry-after") == "1" for r in shed)
        and hit_answer[0] == 200
        and hit_answer[1].get("x-cache") == "hit-memory"
        and health[0] == 200
        and metrics[0] == 200
        and b'cg3_shed_total{reason="wait"}' in metrics[2]
        and after - before == kinds["overloaded"]
    )
    slowest = max((r[3] for r in drawn if r[0] == 200), default=0.0)
    service.report(
        "overload",
        ok,
        f"400 uncached renders at once: {dict(statuses)} {dict(kinds)}; slowest 200 after "
        f"{slowest:.2f} s, slowest 503 after {max((r[3] for r in shed), default=0):.2f} s "
        f"(CG3_MAX_WAIT_MS {max_wait * 1000:g}); a cache hit meanwhile {hit_answer[0]} "
        f"({hit_answer[1].get('x-cache')}) after {hit_answer[3]:.2f} s, /health {health[0]}, "
        f"/metrics {metrics[0]}; shed wait +{after - before}",
    )


async def stalled_bodies(service: Service) -> None:
    """``service.stalled`` (2,500 by default) connections from one client each send a head
    announcing 1,000 body bytes and 10 of them. A normal request 3 s, 15 s and 35 s later is
    answered 200, and none of the stalled connections is open after 35 s (the body deadline
    closes them, or they are closed to make room for new connections)."""
    count = service.stalled
    head = (
        b"POST /render HTTP/1.1\r\nHost: f\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b'{"payload"'
    )
    before = (await service.client.get("/health")).json()["metrics"]["connections_evicted"]
    began = time.monotonic()
    stalled = []
    for _ in range(count):
        reader, writer = await asyncio.open_connection(HOST, service.port)
        writer.write(head)
        stalled.append((reader, writer))
    opened_in = time.monotonic() - began
    open_now = [count]

    async def wait_closed(reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while await reader.read(65536):
                pass
        open_now[0] -= 1

    watchers = [asyncio.ensure_future(wait_closed(reader)) for reader, _ in stalled]
    answers, still_open = [], []
    for at in (3, 15, 35):
        await asyncio.sleep(max(0.0, began + at - time.monotonic()))
        still_open.append(open_now[0])
        async with httpx.AsyncClient(base_url=service.url, timeout=30) as normal:  # a new client
            answers.append((await normal.post("/render", json=cat(pose=at % 21))).status_code)
    for watcher in watchers:
        watcher.cancel()
    for _, writer in stalled:
        writer.close()
    evicted = (await service.client.get("/health")).json()["metrics"]["connections_evicted"]
    ok = answers == [200, 200, 200] and still_open[-1] == 0
    service.report(
        "stalled-bodies",
        ok,
        f"{count} stalled bodies (opened in {opened_in:.1f} s): normal requests at 3, 15, 35 s "
        f"{answers}; stalled still open then {still_open}; connections evicted "
        f"+{evicted - before}",
    )
