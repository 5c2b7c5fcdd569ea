"""``cg3 load``: ramp virtual users against ``POST /render`` on a loopback service."""

from __future__ import annotations

from typing import Any

from renderer_service.cli.common import add_drill

SUMMARY = "load-test POST /render with ramping virtual users (loopback only)"
DESCRIPTION = (
    "Virtual users ramp up, hold and ramp down against POST /render, each on "
    "one keep-alive connection: send a render, wait, think, repeat. Prints requests/s, "
    "latency percentiles, answers by status and X-Cache level, and requests with no "
    "answer. Traffic goes to loopback addresses only."
)
EXAMPLE = """\
example:
  cg3 load --url http://127.0.0.1:8001 --users 40 --ramp-up 10 --hold 20 --ramp-down 10
  cg3 load --start --users 8 --hold 10 --mixed     (starts cg3 serve itself, then stops it)

Exit code 1 if any request got no answer (refused, dropped, timed out, unreadable), 2 for
bad arguments."""


def register(subparsers: Any) -> None:
    add_drill(subparsers, "load", SUMMARY, DESCRIPTION, EXAMPLE)
