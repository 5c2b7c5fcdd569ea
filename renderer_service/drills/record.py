"""Load-test bookkeeping: percentiles, a request cap, counts by status and cache level, the
summary lines, CPU figures and the service's ``/health`` read while the load runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import resource
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from renderer_service.drills.client import (
    FAILURE_KINDS,
    HttpConnection,
    RequestError,
    Response,
    Target,
    build_request,
)

T = TypeVar("T")


# --- bookkeeping --------------------------------------------------------------------------------


def percentiles(values: Iterable[float], points: Sequence[float]) -> list[float]:
    """Percentiles by linear interpolation between closest ranks (numpy's default method).

    ``points`` are in 0-100. An empty ``values`` gives NaN for every point.
    """
    ordered = sorted(values)
    results = []
    for point in points:
        if not 0 <= point <= 100:
            raise ValueError(f"percentile {point} is outside 0-100")
        if not ordered:
            results.append(math.nan)
            continue
        rank = (len(ordered) - 1) * point / 100
        low = math.floor(rank)
        high = min(low + 1, len(ordered) - 1)
        results.append(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))
    return results


def percentile(values: Iterable[float], point: float) -> float:
    return percentiles(values, [point])[0]


class RequestBudget:
    """A hard cap on requests: ``take`` says whether one more may be sent."""

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError("the request cap cannot be negative")
        self.limit = limit
        self.taken = 0

    def take(self) -> bool:
        if self.taken >= self.limit:
            return False
        self.taken += 1
        return True

    @property
    def exhausted(self) -> bool:
        return self.taken >= self.limit


IMAGE_MARK = b'"data:image/png;base64,'


@dataclass
class Recorder:
    """Counts and latencies for a run. Latencies are kept for answered requests only."""

    latencies_ms: list[float] = field(default_factory=list)
    ok_latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    failure_examples: dict[str, str] = field(default_factory=dict)
    rejections: Counter[str] = field(default_factory=Counter)
    """503 answers by their JSON ``error`` code (``queue_full``, ``circuit_open``...)."""
    bad_bodies: int = 0
    """200 answers whose body holds no PNG data URL."""
    by_cache: dict[str, list[float]] = field(default_factory=dict)
    """Latencies of 200 answers by their ``X-Cache`` (``miss``, ``hit-memory``, ``hit-redis``)."""

    def response(self, response: Response, seconds: float) -> None:
        elapsed_ms = seconds * 1000
        self.latencies_ms.append(elapsed_ms)
        self.statuses[response.status] += 1
        if response.status == 200:
            self.ok_latencies_ms.append(elapsed_ms)
            level = response.headers.get("x-cache")
            if level is not None:
                self.by_cache.setdefault(level, []).append(elapsed_ms)
            if IMAGE_MARK not in response.body:
                self.bad_bodies += 1
        elif response.status == 503:
            self.rejections[error_code(response.body)] += 1

    def failure(self, failed: RequestError) -> None:
        self.failures[failed.kind] += 1
        self.failure_examples.setdefault(failed.kind, failed.detail)

    def merge(self, other: Recorder) -> None:
        self.latencies_ms.extend(other.latencies_ms)
        self.ok_latencies_ms.extend(other.ok_latencies_ms)
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        for kind, detail in other.failure_examples.items():
            self.failure_examples.setdefault(kind, detail)
        self.rejections.update(other.rejections)
        self.bad_bodies += other.bad_bodies
        for level, values in other.by_cache.items():
            self.by_cache.setdefault(level, []).extend(values)

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def unanswered(self) -> int:
        return sum(self.failures.values())

    @property
    def total(self) -> int:
        return self.answered + self.unanswered


async def timed_request(connection: HttpConnection, raw: bytes, recorder: Recorder) -> bool:
    """Send ``raw`` on ``connection`` and record its answer and latency, or its failure.

    False when nothing listens (a ``connect`` failure): the caller pauses rather than spin.
    """
    began = time.perf_counter()
    try:
        response = await connection.request(raw)
    except RequestError as failed:
        recorder.failure(failed)
        return failed.kind != "connect"
    recorder.response(response, time.perf_counter() - began)
    return True


def error_code(body: bytes) -> str:
    """The ``error`` field of a JSON error body, or a short description of what came instead."""
    try:
        document = json.loads(body)
    except ValueError:
        return "non-json body"
    if isinstance(document, dict):
        code = document.get("error")
        if isinstance(code, str):
            return code
    return "no error code"


def format_ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f}"


def summary_lines(recorder: Recorder, wall_seconds: float) -> list[str]:
    """The end-of-run report shared by the load test and the benchmark."""
    p50, p95, p99 = percentiles(recorder.latencies_ms, [50, 95, 99])
    rate = recorder.answered / wall_seconds if wall_seconds > 0 else math.nan
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(recorder.statuses.items()))
    lines = [
        f"requests        {recorder.total} sent, {recorder.answered} answered "
        f"in {wall_seconds:.2f} s",
        f"throughput      {rate:.1f} answered requests/s",
        f"latency (ms)    p50 {format_ms(p50)}  p95 {format_ms(p95)}  p99 {format_ms(p99)}  "
        f"(all answers, n={len(recorder.latencies_ms)})",
    ]
    if recorder.ok_latencies_ms and len(recorder.ok_latencies_ms) != len(recorder.latencies_ms):
        q50, q95, q99 = percentiles(recorder.ok_latencies_ms, [50, 95, 99])
        lines.append(
            f"latency 200     p50 {format_ms(q50)}  p95 {format_ms(q95)}  p99 {format_ms(q99)}  "
            f"(n={len(recorder.ok_latencies_ms)})"
        )
    lines.append(f"by status       {statuses or 'none'}")
    for level, values in sorted(recorder.by_cache.items()):
        c50, c99 = percentiles(values, [50, 99])
        lines.append(
            f"X-Cache {level:<11} n={len(values)}  p50 {format_ms(c50)}  p99 {format_ms(c99)} ms"
        )
    rejected = recorder.statuses.get(503, 0)
    reasons = ", ".join(f"{code}: {n}" for code, n in recorder.rejections.most_common())
    lines.append(f"503 answers     {rejected}" + (f" ({reasons})" if reasons else ""))
    if recorder.bad_bodies:
        lines.append(f"bad 200 bodies  {recorder.bad_bodies} (no PNG data URL in the answer)")
    kinds = ", ".join(f"{kind} {recorder.failures.get(kind, 0)}" for kind in FAILURE_KINDS)
    lines.append(f"errors          {recorder.unanswered} ({kinds})")
    for kind, detail in recorder.failure_examples.items():
        lines.append(f"  first {kind}: {detail}")
    return lines


def verdict_line(recorder: Recorder) -> str:
    """The one line that says whether every request got an HTTP answer."""
    if recorder.unanswered:
        return (
            f"RESULT: FAIL - {recorder.unanswered} of {recorder.total} requests got no answer "
            "at all (see errors above)"
        )
    return f"RESULT: OK - all {recorder.total} requests got an HTTP answer"


def cpu_seconds() -> float:
    """CPU time (user + system) this process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_line(label: str, seconds: float, wall_seconds: float, requests: int) -> str:
    share = seconds / wall_seconds * 100 if wall_seconds > 0 else math.nan
    per_request = seconds / requests * 1000 if requests else math.nan
    return (
        f"{label:<15} {seconds:.2f} CPU s = {share:.0f}% of one core, "
        f"{per_request:.3f} CPU ms per request"
    )


# --- /health ------------------------------------------------------------------------------------


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys: ``{"metrics": {"size": 1}}`` gives ``metrics.size``."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def health_value(flat: Mapping[str, Any], *names: str) -> Any:
    """The first of ``names`` found at the top level, else as the end of a nested key.

    A name may itself be dotted: ``circuit.open`` finds ``{"metrics": {"circuit": {"open": ..}}}``.
    """
    for name in names:
        if name in flat:
            return flat[name]
    for name in names:
        for key, value in flat.items():
            if key.endswith("." + name):
                return value
    return None


def _p99(flat: Mapping[str, Any]) -> tuple[str, Any] | None:
    """The p99 latency field, preferring one in milliseconds, as (key shown, value)."""
    keys = [key for key in flat if "p99" in key.lower() and not isinstance(flat[key], list)]
    if not keys:
        return None
    keys.sort(key=lambda key: ("ms" not in key.lower(), key.count("."), key))
    shown = keys[0].removeprefix("metrics.")
    return shown, flat[keys[0]]


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def health_line(document: Any) -> str:
    """A compact one-line view of a /health answer; missing fields show as ``-``."""
    if not isinstance(document, Mapping):
        return f"unexpected /health answer: {str(document)[:120]}"
    flat = flatten(document)
    queue = health_value(flat, "queue_size", "queue_depth", "queue_length", "queued", "queue.size")
    limit = health_value(flat, "max_queue", "queue_limit", "max_queue_size", "queue.max")
    peak = health_value(flat, "max_observed_queue", "max_queue_observed", "queue_high_water")
    circuit = health_value(
        flat, "circuit_open", "circuit_state", "circuit", "circuit.open", "circuit.state"
    )
    reset_in = health_value(flat, "circuit_reset_in", "circuit_reset_in_s", "circuit.reset_in")
    if isinstance(circuit, bool):
        circuit_text = "OPEN" if circuit else "closed"
    else:
        circuit_text = _shown(circuit)
    if reset_in not in (None, 0, 0.0) and circuit_text not in ("closed", "-"):
        circuit_text += f" (reset in {_shown(reset_in)} s)"
    p99 = _p99(flat)
    parts = [
        f"status={_shown(flat.get('status'))}",
        f"queue={_shown(queue)}" + (f"/{_shown(limit)}" if limit is not None else ""),
        f"max_seen={_shown(peak)}",
        f"done={_shown(health_value(flat, 'total_completed', 'completed'))}",
        f"failed={_shown(health_value(flat, 'total_failed', 'failed'))}",
        f"rejected={_shown(health_value(flat, 'total_rejected', 'rejected'))}",
        f"circuit={circuit_text}",
        f"workers={_shown(health_value(flat, 'worker_count', 'workers'))}",
        f"{p99[0]}={_shown(p99[1])}" if p99 else "p99=-",
    ]
    if all(part.endswith("=-") for part in parts[1:]):
        parts.append("(no queue or latency metrics in this /health)")
    return " ".join(parts)


def health_scalars(document: Any) -> str:
    """Every scalar field of a /health answer (pack details left out), for a final snapshot."""
    if not isinstance(document, Mapping):
        return str(document)[:200]
    flat = flatten(document)
    shown = [
        f"{key}={_shown(value)}"
        for key, value in flat.items()
        if not key.startswith("pack.") and not isinstance(value, list)
    ]
    return " ".join(shown)


async def get_health(connection: HttpConnection) -> Any:
    """GET /health on ``connection``; the decoded JSON, or raises ``RequestError``."""
    raw = build_request(connection.target, "GET", "/health")
    response = await connection.request(raw)
    try:
        return json.loads(response.body)
    except ValueError:
        raise RequestError(
            "protocol", f"/health answered {response.status} with a non-JSON body"
        ) from None


async def poll_health(
    target: Target,
    interval: float,
    stop: asyncio.Event,
    emit: Callable[[str], None],
    clock: Callable[[], float],
    timeout: float = 5.0,
) -> Any:
    """Print a ``health_line`` every ``interval`` s on a connection of its own until ``stop``.

    Returns the last decoded answer (or ``None``). Bounded by ``stop``, which the caller sets
    when its run ends.
    """
    connection = HttpConnection(target, timeout=timeout)
    last: Any = None
    try:
        while not stop.is_set():
            try:
                last = await get_health(connection)
                emit(f"[{clock():6.1f} s] health {health_line(last)}")
            except RequestError as failed:
                emit(f"[{clock():6.1f} s] health unavailable: {failed}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
    finally:
        await connection.aclose()
    return last


# --- running ------------------------------------------------------------------------------------


LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def event_loop(choice: str = "auto") -> tuple[LoopFactory | None, str]:
    """The event loop to run the client on: ``uvloop`` when asked for (or, with ``auto``, when
    installed; it comes with the service's ``uvicorn[standard]`` and trims the client's CPU per
    request by about a quarter), else plain ``asyncio``.

    Returns a loop factory for ``asyncio.Runner`` (``None``: the default loop) and its name.
    """
    if choice not in ("auto", "asyncio", "uvloop"):
        raise ValueError(f"unknown event loop {choice!r}")
    if choice == "asyncio":
        return None, "asyncio"
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise
        return None, "asyncio"
    return uvloop.new_event_loop, "uvloop"


def run(main: Callable[[], Coroutine[Any, Any, T]], factory: LoopFactory | None) -> T:
    """Run ``main()`` to completion on a fresh loop made by ``factory`` (see ``event_loop``)."""
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main())
