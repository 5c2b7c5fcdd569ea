"""``cg3 scale-out``: redis-server, replicas of the service and nginx on loopback, through a
replica's loss and Redis's loss and return."""

from __future__ import annotations

from typing import Any

from renderer_service.cli.common import add_drill

SUMMARY = "run the production stack on loopback and check its failover"
DESCRIPTION = (
    "Start redis-server, N replicas of cg3 serve and nginx (deploy/nginx/"
    "nginx.conf, its '# loopback:' lines rewritten) on free loopback ports, then check: "
    "a cat drawn by one replica is a Redis hit on another; traffic survives a replica "
    "killed and Redis stopped; the replicas reconnect when Redis returns. --bench "
    "measures 1 vs 2 replicas and Redis hits with cg3 load instead. Everything started "
    "is stopped."
)
EXAMPLE = """\
example:
  cg3 scale-out --replicas 2 --seconds 6 --json stack.json
  cg3 scale-out --bench --bench-seconds 20

Needs redis-server and nginx on the PATH. Exit code 0 when every check held, 1 when one
failed, 3 when a program is missing."""


def register(subparsers: Any) -> None:
    add_drill(subparsers, "scale-out", SUMMARY, DESCRIPTION, EXAMPLE)
