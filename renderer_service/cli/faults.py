"""``cg3 faults``: reproduce each way the service was once hurt, against ``cg3 serve`` on
loopback, with one summary line each."""

from __future__ import annotations

from typing import Any

from renderer_service.cli.common import add_drill

SUMMARY = "inject faults into a cg3 serve it starts on loopback"
DESCRIPTION = (
    "Start cg3 serve on a free loopback port (your CG3_* settings apply, "
    "except CG3_RENDER_TIMEOUT_SECONDS, set by --render-timeout), run the faults in "
    "order (dead-workers, stuck-worker, big-headers, slow-clients, failing-batch, "
    "pipelining, batch-cache, overload, young-worker-deaths, stalled-bodies), then stop "
    "the service with SIGTERM while a client is stalled mid-body (shutdown)."
)
EXAMPLE = """\
example:
  cg3 faults
  cg3 faults --only dead-workers pipelining shutdown --render-timeout 2
  cg3 faults --only stalled-bodies --stalled-connections 300

Exit code 1 if any fault's check failed."""


def register(subparsers: Any) -> None:
    add_drill(subparsers, "faults", SUMMARY, DESCRIPTION, EXAMPLE)
