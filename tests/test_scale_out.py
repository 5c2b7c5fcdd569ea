"""The production stack on loopback (``cg3 scale-out``): redis-server, two replicas and
nginx in front, through a replica's loss and Redis's loss and return.

Needs Debian's ``redis-server`` and ``nginx`` (``.ci/run`` installs them); skipped without.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from renderer_service.drills import NGINX_CONF, loopback_nginx_conf

from .conftest import REPO

SCALE_OUT = [sys.executable, "-m", "renderer_service.cli.main", "scale-out"]
MISSING = [program for program in ("redis-server", "nginx") if shutil.which(program) is None]

pytestmark = pytest.mark.stack


@pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)}")
def test_two_replicas_behind_nginx_share_redis_and_survive_losing_a_replica_and_redis(
    tmp_path: Path,
) -> None:
    figures_file = tmp_path / "stack.json"
    command = [*SCALE_OUT, "--seconds", "5", "--json", str(figures_file)]
    # The replica-loss check counts every answer but 200 as lost. It drives eight clients of
    # renders up to 16x onto the one replica left (two workers), whose renders then wait
    # longer than CG3_MAX_WAIT_MS's 250 ms: they would be shed, by design, and nginx, with no
    # other replica live, turns those 503s into 502s. This drill is about failover, not
    # admission: renders wait their turn here.
    env = {**os.environ, "CG3_MAX_WAIT_MS": "60000"}
    run = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert figures_file.exists(), run.stdout + run.stderr
    report = json.loads(figures_file.read_text())
    assert report["checks"] == {
        "cross_replica_hit": True,
        "replica_loss": True,
        "redis_loss": True,
        "redis_recovery_health": True,
        "cross_replica_hit_after_recovery": True,
        "everything_stopped": True,
    }, run.stdout + run.stderr
    assert run.returncode == 0
    figures = report["figures"]
    assert figures["cross_replica_hit"] == {
        "replica_a": "miss",
        "replica_b": "hit-redis",
        "same_bytes": True,
    }
    loss = figures["replica_loss"]
    # nothing is lost beyond what the killed replica had in flight
    lost = sum(loss["unanswered"].values())
    assert lost <= loss["in_flight_on_killed_replica_retried_by_nginx"]
    assert loss["statuses"] == {"200": loss["answered"]}
    down = figures["redis_loss"]
    assert down["statuses"] == {"200": down["answered"]}
    assert all(state["status"] == "degraded" for state in down["health_after_stop"])
    assert down["ready_after_stop"] == [200, 200]


def test_the_loopback_config_rewrites_only_the_marked_lines() -> None:
    template = NGINX_CONF.read_text()
    conf = loopback_nginx_conf(template, 18080, [18001, 18002], Path("/tmp/stack"))
    assert "server 127.0.0.1:18001 max_fails=2 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:18002 max_fails=2 fail_timeout=5s;" in conf
    assert "listen 127.0.0.1:18080;" in conf
    assert "renderer:8001" not in conf
    assert "/tmp/nginx-" not in conf
    unmarked = [line for line in template.splitlines() if "# loopback:" not in line]
    assert all(line in conf.splitlines() for line in unmarked)


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_loopback_config(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(loopback_nginx_conf(NGINX_CONF.read_text(), 18080, [18001], tmp_path))
    check = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr
