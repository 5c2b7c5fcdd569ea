"""``cg3 soak`` runs end to end against a service it starts, and refuses non-loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


def test_a_short_memory_soak_reports_every_process_pss(tmp_path: Path) -> None:
    figures = tmp_path / "soak.json"
    command = [*SOAK, "--memory", "--duration", "20", "--clients", "4", "--workers", "2"]
    # A 20 s soak is mostly warm-up (caches filling): its growth is not judged here.
    command += ["--warm-up", "5", "--max-growth-percent", "100", "--json", str(figures)]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(figures.read_text())
    assert report["unanswered"] == 0
    assert report["requests"] == report["answered"] > 0
    kinds = {key.split()[0] for key in report["statuses"]}
    assert {"valid", "uncached", "batch", "save", "diff", "slow"} <= kinds
    assert set(report["by_status"]) <= {"200", "304", "404", "405", "413", "422", "503"}
    labels = [snapshot["label"] for snapshot in report["pss_mib"]]
    assert labels == ["before traffic", "after warm-up", "middle", "end"]
    for snapshot in report["pss_mib"]:
        assert "server" in snapshot["pss"]
        assert any(role.startswith("worker") for role in snapshot["pss"])
        assert all(mib > 0 for mib in snapshot["pss"].values())
    assert "growth after warm-up" in run.stdout


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
