"""What the fault program's faults share: the service under test, the cats they send, and
raw HTTP/1.1 exchanges over loopback."""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from renderer_service.harness import ServiceProcess, children

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
    stalled: int = 2500
    """How many connections ``stalled-bodies`` stalls mid-body."""
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


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 answer read from ``reader``: status, headers (lower-case), body."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


async def wait_for_workers(service: Service, seconds: float = 40.0) -> float | None:
    """Wait, at most ``seconds``, until all the service's render workers (``worker_count``
    counts those of every server process) run and are seen alive, none stuck, in three
    ``/health`` answers in a row; the seconds it took, or ``None``."""
    began = time.monotonic()
    in_a_row = 0
    while time.monotonic() - began < seconds:
        metrics = await service.health()
        whole = (
            metrics["workers_alive"] == metrics["worker_count"]
            and metrics.get("workers_stuck", 0) == 0
            and len(service.worker_pids()) >= metrics["worker_count"]
        )
        in_a_row = in_a_row + 1 if whole else 0
        if in_a_row >= 3:
            return time.monotonic() - began
        await asyncio.sleep(0.05)
    return None
