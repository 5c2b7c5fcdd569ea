"""``cg3 soak``: mixed valid, invalid and oversized traffic against the service, over loopback."""

from __future__ import annotations

from typing import Any

from renderer_service.cli.common import add_drill

SUMMARY = "soak the service with mixed traffic and watch its memory (loopback only)"
DESCRIPTION = (
    "Each client keeps one connection alive and sends, in the proportions of "
    "--mix, valid renders, invalid params, malformed, oversized and chunked bodies and "
    "unknown routes. Reports answers by kind and status, latency, unanswered requests "
    "and the server's memory (its own and its workers', from /proc). Without --url it "
    "starts cg3 serve on a free loopback port and stops it afterwards. With --memory, a longer "
    "soak (--minutes) first fills every cache to its bound (--fill-seconds), then also sends "
    "uncached renders, batches, saves, diffs and slow clients, and reports every process's PSS "
    "at start, once the caches are full, after the warm-up, in the middle and at the end."
)
EXAMPLE = """\
example:
  cg3 soak --duration 60 --clients 16        (starts cg3 serve itself, then stops it)
  cg3 soak --url http://127.0.0.1:8001 --pid 12345 --json soak.json
  cg3 soak --memory --minutes 10 --workers 2 --json soak.json

Exit code 1 when a request went unanswered, an answer was a 500 or 504, or memory grew by
more than --max-growth-mib after the warm-up (with --memory: --max-growth-percent, 5 %)."""


def register(subparsers: Any) -> None:
    add_drill(subparsers, "soak", SUMMARY, DESCRIPTION, EXAMPLE)
