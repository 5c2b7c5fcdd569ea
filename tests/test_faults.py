"""``cg3 faults`` runs its new faults end to end against a service it starts: stalled bodies
(with fewer connections than the 2,500 of the full program) and young worker deaths."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO

FAULTS = [sys.executable, "-m", "renderer_service.cli.main", "faults"]


def test_stalled_bodies_and_young_worker_deaths_are_handled() -> None:
    command = [*FAULTS, "--only", "young-worker-deaths", "stalled-bodies"]
    command += ["--stalled-connections", "200"]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=400)
    lines = [line for line in run.stdout.splitlines() if line.startswith(("PASS", "FAIL"))]
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line.split()[1] for line in lines] == ["young-worker-deaths", "stalled-bodies"]
    assert "200 stalled bodies" in lines[1]
    assert "2 of 2 faults handled" in run.stdout
