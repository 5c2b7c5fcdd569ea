"""The fault program's worker faults: render workers killed (``dead-workers``, and
``young-worker-deaths``, each replacement killed as it starts), stopped (``stuck-worker``)
and timing out or killed mid-batch (``failing-batch``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections import Counter

from renderer_service.drills.fault_kit import (
    Service,
    big_batch,
    cat,
    uncached_cats,
    wait_for_workers,
)


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
    # The next fault must find every worker running (stuck-worker stops one of them): replacements
    # of workers that died young start after a pause.
    settled = await wait_for_workers(service)
    after = await service.health()
    restarts = after["worker_restarts"] - before["worker_restarts"]
    ok = (
        healed_after is not None
        and healed_after < 2
        and set(idle) | set(busy) == {200}
        and settled is not None
    )
    healed = f"{healed_after:.3f} s" if healed_after is not None else "never (5 s)"
    whole = f"{settled:.2f} s" if settled is not None else "never (40 s)"
    service.report(
        "dead-workers",
        ok,
        f"{count} idle workers killed: back in {healed}; uncached renders after: {dict(idle)}; "
        f"killed mid-render: {dict(busy)}, all workers alive again {whole} later; "
        f"worker_restarts +{restarts}",
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
    # The resumed worker is seen well again on its next heartbeat, not at once: wait for it.
    back = await wait_for_workers(service, 10)
    resumed = await service.health()
    seen = "never (3" if seen_after is None else f"{seen_after:.3f}"
    again = "never (10 s)" if back is None else f"after {back:.2f} s"
    ok = (
        seen_after is not None
        and gauge is not None
        and float(gauge.group(1)) == 1
        and status == "degraded"
        and back is not None
        and resumed["workers_stuck"] == 0
    )
    service.report(
        "stuck-worker",
        ok,
        f"SIGSTOP: workers_stuck=1 after {seen} s, /health {status}, "
        f"cg3_workers_stuck {gauge.group(1) if gauge else 'missing'}; after SIGCONT "
        f"workers_stuck={resumed['workers_stuck']}, all alive {again}",
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


async def young_worker_deaths(service: Service) -> None:
    """Every worker killed, then each replacement killed as soon as it starts, three times.
    The first replacements start at once (their predecessors had lived); the next after 1, 2,
    then 4 s; meanwhile /health is degraded saying why and /health/ready fails (no worker
    alive); the last ones stay up."""
    client = service.client
    # The first victims must have lived past YOUNG_SECONDS (1 s), as after a fault that
    # replaced workers they may not have: only then do their replacements start at once.
    await wait_for_workers(service)
    await asyncio.sleep(1.5)
    count = (await service.health())["worker_count"]  # those of every server process
    gaps: list[float] = []
    degraded: list[bool] = []
    not_ready: list[bool] = []
    seen: set[int] = set()
    victims = set(service.worker_pids())
    for round_ in range(4):
        seen |= victims
        for pid in victims:  # the first time old workers, then well within a second of start
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        if round_:
            await asyncio.sleep(0.1)
            health = (await client.get("/health")).json()
            degraded.append(
                health["status"] == "degraded"
                and any("starting it again after" in reason for reason in health["reasons"])
            )
            not_ready.append((await client.get("/health/ready")).status_code == 503)
        victims = set()
        while time.monotonic() - killed_at < 40 and len(victims) < count:
            victims = set(service.worker_pids()) - seen
            await asyncio.sleep(0.01)
        gaps.append(time.monotonic() - killed_at)
    settled = await wait_for_workers(service, 40)
    metrics = await service.health()
    ready = (await client.get("/health/ready")).status_code
    expected = [0, 1, 2, 4]
    ok = (
        all(want <= gap < want + 1.0 for want, gap in zip(expected, gaps, strict=True))
        and all(degraded)
        and all(not_ready)
        and settled is not None
        and metrics["workers_alive"] == count
        and ready == 200
    )
    service.report(
        "young-worker-deaths",
        ok,
        f"workers killed as they start: replaced after {', '.join(f'{g:.2f}' for g in gaps)} s "
        f"(0, 1, 2, 4 expected); /health degraded during the pauses: {degraded}; "
        f"/health/ready 503 during them: {not_ready}; then {metrics['workers_alive']} of "
        f"{count} alive, ready {ready}",
    )
