"""``cg3 soak`` runs end to end against a service it starts, and refuses non-loopback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from renderer_service.drills.soak import Connection, Request
from renderer_service.drills.soak_memory import caches_memory, caches_still_filling
from renderer_service.harness import running_service

from .conftest import REPO

SOAK = [sys.executable, "-m", "renderer_service.cli.main", "soak"]


def test_a_short_soak_answers_every_request(tmp_path: Path) -> None:
    figures = tmp_path / "soak.json"
    command = [*SOAK, "--duration", "4", "--clients", "4"]
    command += ["--warm-up", "1", "--workers", "2", "--json", str(figures)]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(figures.read_text())
    assert report["ok"]
    assert report["unanswered"] == 0
    assert report["answered"] > 0
    kinds = {key.split()[0] for key in report["statuses"]}
    assert kinds <= {"valid", "invalid", "malformed", "oversized", "chunked", "unknown"}
    assert report["statuses"].get("valid 200", 0) > 0
    assert set(report["statuses"]) <= {
        "valid 200",
        "valid 503",
        "invalid 422",
        "malformed 422",
        "oversized 413",
        "chunked 413",
        "unknown 404",
        "unknown 405",
    }
    assert len(report["memory_mib"]) >= 2
    assert "memory (MiB):" in run.stdout


def test_a_short_memory_soak_fills_the_caches_then_reports_every_process_pss(
    tmp_path: Path,
) -> None:
    figures = tmp_path / "soak.json"
    command = [*SOAK, "--memory", "--duration", "20", "--clients", "4", "--workers", "2"]
    # Small caches, so the fill phase ends in seconds; a 20 s soak's growth is not judged.
    command += ["--warm-up", "5", "--max-growth-percent", "100", "--json", str(figures)]
    small = {"CG3_CACHE_SIZE": "32", "CG3_CACHE_MAX_BYTES": str(2**20)}
    small["CG3_FRAME_CACHE_MAX_BYTES"] = str(2**20)
    run = subprocess.run(
        command,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **small},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(figures.read_text())
    assert report["fill"]["still_filling"] == [], run.stdout
    assert set(report["fill"]["answers"]) <= {"200", "503"}
    assert report["unanswered"] == 0
    assert report["requests"] == report["answered"] > 0
    kinds = {key.split()[0] for key in report["statuses"]}
    assert {"valid", "uncached", "batch", "save", "diff", "slow"} <= kinds
    assert set(report["by_status"]) <= {"200", "304", "404", "405", "413", "422", "503"}
    labels = [snapshot["label"] for snapshot in report["pss_mib"]]
    assert labels == ["before traffic", "caches full", "after warm-up", "middle", "end"]
    for snapshot in report["pss_mib"]:
        assert "server" in snapshot["pss"]
        assert any(role.startswith("worker") for role in snapshot["pss"])
        assert all(mib > 0 for mib in snapshot["pss"].values())
    # Once full, the caches' memory is at their bounds: the shared ring at its size.
    full = report["pss_mib"][1]["cached"]
    assert full >= 1.0
    assert "filling the caches:" in run.stdout
    assert "growth after warm-up" in run.stdout


def health(entries: int, max_entries: int, size: int, max_size: int) -> dict[str, object]:
    return {"entries": entries, "max_entries": max_entries, "bytes": size, "max_bytes": max_size}


def test_a_cache_counts_as_full_at_its_entry_or_byte_bound() -> None:
    frames_full = health(2048, 2048, 10, 2**20)
    metrics = {"cache": health(2048, 2048, 10, 2**20), "frame_cache": frames_full}
    assert caches_still_filling(metrics) == []
    metrics["cache"] = health(100, 2048, 950_000, 2**20)  # 90 % of its bytes
    assert caches_still_filling(metrics) == []
    metrics["cache"] = health(100, 2048, 10_000, 2**20)
    assert caches_still_filling(metrics) == ["render cache 100/2048 entries, 0.0/1.0 MiB"]
    assert caches_still_filling({}) == ["render cache (no figures)", "frame cache (no figures)"]


def test_the_shared_ring_is_full_once_its_first_lap_is_written() -> None:
    ring = {"enabled": True, "bytes": 50_000, "max_bytes": 2**20, "footprint_bytes": 500_000}
    metrics = {
        "cache": {**health(64, 64, 0, 2**20), "shared_memory": ring},
        "frame_cache": health(64, 64, 0, 2**20),
    }
    assert caches_still_filling(metrics) == ["shared ring 0.5/1.0 MiB"]
    # The caches' memory counts the ring's pages, not only the answers still reachable.
    assert caches_memory(metrics) == 500_000
    ring["footprint_bytes"] = 2**20 + 65_600
    assert caches_still_filling(metrics) == []
    assert caches_memory(metrics) == 2**20 + 65_600


def test_a_connection_the_server_closed_after_its_keep_alive_time_is_not_reused() -> None:
    settings = {"CG3_KEEP_ALIVE_SECONDS": "1", "CG3_WORKER_COUNT": "1"}
    settings["CG3_SERVER_PROCESSES"] = "1"

    async def twice(port: int) -> list[int]:
        connection = Connection("127.0.0.1", port)
        request = Request("probe", "GET", "/health")
        try:
            first, _ = await connection.send(request)
            await asyncio.sleep(2.5)  # the server closes the idle connection after 1 s
            second, _ = await connection.send(request)
        finally:
            await connection.close()
        return [first, second]

    with running_service(["--log-level", "warning"], env=settings) as service:
        assert asyncio.run(twice(service.port)) == [200, 200]


def test_traffic_goes_to_loopback_only() -> None:
    for url in ["http://example.com:8001", "http://10.0.0.1:8001", "http://[2001:db8::1]:80"]:
        run = subprocess.run(
            [*SOAK, "--url", url, "--duration", "1"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode != 0
        assert "loopback only" in run.stderr
