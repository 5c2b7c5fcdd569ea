"""Drills: the service driven from outside, over loopback, the way users and operators do.

``client`` is a lean loopback-only HTTP/1.1 client and ``record`` its bookkeeping (latency
percentiles, answers by status, summary lines); ``load`` ramps virtual users against
``POST /render`` (``cg3 load``); ``soak`` sends mixed valid and invalid traffic and watches
memory (``cg3 soak``), ``soak_memory`` its longer mode with every process's PSS (``cg3 soak
--memory``); ``faults`` reproduces each way the service was once hurt (``cg3 faults``; the
faults by concern in ``faults_workers`` and ``faults_load``, their shared pieces in
``fault_kit``); ``stack`` and ``scale_out`` run redis-server, replicas and nginx on loopback and
check failover (``cg3 scale-out``). Each starts the service with the harness's launcher
when it needs one, and stops everything it started; ``registry`` lists them by subcommand.
"""

from renderer_service.drills.client import (
    DEFAULT_URL,
    PUBLIC_CASES,
    REPO_ROOT,
    SINGLE_COLOUR_WHITE,
    HttpConnection,
    NotLoopbackError,
    RequestError,
    Response,
    Target,
    build_request,
    json_request,
    load_public_cases,
    loopback_address,
    parse_target,
)
from renderer_service.drills.load import Profile
from renderer_service.drills.record import (
    LoopFactory,
    Recorder,
    RequestBudget,
    cpu_line,
    cpu_seconds,
    event_loop,
    get_health,
    health_line,
    health_scalars,
    percentile,
    percentiles,
    poll_health,
    run,
    summary_lines,
    timed_request,
    verdict_line,
)
from renderer_service.drills.registry import DRILLS, Drill
from renderer_service.drills.stack import NGINX_CONF, loopback_nginx_conf

__all__ = [
    "DEFAULT_URL",
    "DRILLS",
    "NGINX_CONF",
    "PUBLIC_CASES",
    "REPO_ROOT",
    "SINGLE_COLOUR_WHITE",
    "Drill",
    "HttpConnection",
    "LoopFactory",
    "NotLoopbackError",
    "Profile",
    "Recorder",
    "RequestBudget",
    "RequestError",
    "Response",
    "Target",
    "build_request",
    "cpu_line",
    "cpu_seconds",
    "event_loop",
    "get_health",
    "health_line",
    "health_scalars",
    "json_request",
    "load_public_cases",
    "loopback_address",
    "loopback_nginx_conf",
    "parse_target",
    "percentile",
    "percentiles",
    "poll_health",
    "run",
    "summary_lines",
    "timed_request",
    "verdict_line",
]
