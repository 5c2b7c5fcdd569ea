"""Loopback-only load generation: a lean HTTP/1.1 keep-alive client and its bookkeeping.

Generic clients (httpx, aiohttp) spend more CPU per request than a small renderer does, and on a
two-core machine the load generator shares the CPU with the service it measures. This client does
the least that is correct: one keep-alive connection per virtual user over asyncio streams,
requests serialised once up front, responses framed by ``Content-Length``.

Traffic goes to loopback only. ``parse_target`` refuses any other host before a socket is opened,
and ``HttpConnection`` checks again, so no caller can aim it elsewhere.

What the client does with awkward answers:

- any status is an answer: it is counted by status, never raised;
- ``Connection: close`` (or an HTTP/1.0 answer without keep-alive) closes the connection after the
  body, and the next request opens a new one;
- a connection the server closed while idle is noticed before reuse and reopened silently;
- a connection that closes or resets while a request is in flight is a ``dropped`` failure, a
  request with no answer by its deadline is a ``timeout``; either way the connection is discarded
  and the next request reconnects;
- a chunked (``Transfer-Encoding``) answer is a ``protocol`` failure naming the header, since the
  service never sends one.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import math
import resource
import socket
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

DEFAULT_URL = "http://127.0.0.1:8001"

SINGLE_COLOUR_WHITE: dict[str, Any] = {
    "payload": {
        "spriteNumber": 8,
        "params": {
            "peltName": "SingleColour",
            "colour": "WHITE",
            "eyeColour": "YELLOW",
            "skinColour": "PINK",
        },
    }
}
"""The default load-test payload: one plain white cat."""

REPO_ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CASES = REPO_ROOT / "tests" / "data" / "legacy-public" / "cases.json"
"""The 120 public parity cats, from the test data."""

FAILURE_KINDS = ("connect", "dropped", "timeout", "protocol")
"""Ways a request can end without an answer: no connection, connection lost mid-request,
no answer in time, an answer this client cannot read."""

T = TypeVar("T")


# --- the loopback guard -------------------------------------------------------------------------


class NotLoopbackError(ValueError):
    """The target is not a loopback address: load traffic never leaves the machine."""


def _is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def loopback_address(host: str) -> str:
    """The loopback IP literal to connect to for ``host``; ``NotLoopbackError`` otherwise.

    Accepted: IPv4 127.0.0.0/8, IPv6 ``::1`` (bracketed or not, also as ``::ffff:127.x.y.z``)
    and the name ``localhost``, which must resolve to loopback addresses only. Any other name is
    refused without a DNS lookup.
    """
    name = host.strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    refusal = (
        f"refusing to send load to {host!r}: load traffic goes to loopback only "
        "(127.0.0.0/8, localhost or ::1)"
    )
    if not name:
        raise NotLoopbackError(refusal)
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        if name.lower().rstrip(".") != "localhost":
            raise NotLoopbackError(refusal) from None
        try:
            infos = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)
        except OSError as error:
            raise NotLoopbackError(f"{refusal}; 'localhost' does not resolve: {error}") from None
        resolved = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
        if not resolved or not all(_is_loopback(each) for each in resolved):
            found = ", ".join(str(each) for each in resolved) or "nothing"
            raise NotLoopbackError(f"{refusal}; 'localhost' resolves to {found}") from None
        resolved.sort(key=lambda each: each.version)  # 127.0.0.1 before ::1
        return str(resolved[0])
    if not _is_loopback(address):
        raise NotLoopbackError(refusal)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


@dataclass(frozen=True, slots=True)
class Target:
    """Where requests go: the host as written (for ``Host:``), the loopback address, the port."""

    host: str
    address: str
    port: int
    base_path: str = ""

    @property
    def host_header(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{shown}:{self.port}"

    def url(self, path: str = "") -> str:
        return f"http://{self.host_header}{self.base_path}{path}"


def parse_target(url: str) -> Target:
    """Check ``url`` (``http://host[:port][/prefix]``) and return its ``Target``.

    Raises ``NotLoopbackError`` for a non-loopback host and ``ValueError`` for anything that is
    not a plain ``http://`` URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme != "http" or not parts.netloc:
        raise ValueError(f"expected a URL like {DEFAULT_URL}, got {url!r} (plain http:// only)")
    host = parts.hostname or ""
    address = loopback_address(host)
    try:
        port = parts.port or 80
    except ValueError as error:
        raise ValueError(f"bad port in {url!r}: {error}") from None
    if parts.query or parts.fragment:
        raise ValueError(f"the URL takes no query or fragment: {url!r}")
    return Target(host=host, address=address, port=port, base_path=parts.path.rstrip("/"))


# --- requests and responses ---------------------------------------------------------------------


def build_request(
    target: Target,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> bytes:
    """One complete HTTP/1.1 request as bytes, ready to write as many times as needed."""
    lines = [
        f"{method} {target.base_path}{path} HTTP/1.1",
        f"Host: {target.host_header}",
        "User-Agent: renderer-loadgen",
        "Accept: application/json",
    ]
    if body is not None:
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (body or b"")


def json_request(target: Target, path: str, document: object) -> bytes:
    """A ``POST`` of ``document`` as compact JSON."""
    body = json.dumps(document, separators=(",", ":")).encode()
    return build_request(target, "POST", path, body)


def load_public_cases(path: Path = PUBLIC_CASES) -> list[dict[str, Any]]:
    """The public parity cats as ``/render`` request documents: ``{"payload": {"params": ...}}``."""
    try:
        cases = json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"public cats not found at {path}") from None
    return [{"payload": {"params": case["params"]}} for case in cases]


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    will_close: bool


class ProtocolError(Exception):
    """An answer this client will not read (malformed, or framed other than by length)."""


class RequestError(Exception):
    """A request that got no usable answer; ``kind`` is one of ``FAILURE_KINDS``."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


_NO_BODY = frozenset({204, 304})


async def read_response(reader: asyncio.StreamReader) -> Response:
    """Read one answer. Raises ``asyncio.IncompleteReadError`` if the stream ends early."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise ProtocolError("response head too large") from None
        lines = head[:-4].split(b"\r\n")
        status_line = lines[0].split(b" ", 2)
        if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
        try:
            status = int(status_line[1])
        except ValueError:
            raise ProtocolError(f"bad status code: {lines[0][:80]!r}") from None
        if 100 <= status < 200 and status != 101:
            continue  # interim answer (100 Continue): the real one follows
        break
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise ProtocolError(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    connection = {token.strip().lower() for token in headers.get("connection", "").split(",")}
    will_close = "close" in connection or (
        status_line[0] == b"HTTP/1.0" and "keep-alive" not in connection
    )
    encoding = headers.get("transfer-encoding")
    if encoding is not None:
        raise ProtocolError(
            f"Transfer-Encoding: {encoding} answers are not supported "
            "(this client reads Content-Length framed bodies only)"
        )
    length = headers.get("content-length")
    if status in _NO_BODY:
        body = b""
    elif length is not None:
        try:
            size = int(length)
        except ValueError:
            raise ProtocolError(f"bad Content-Length: {length!r}") from None
        if size < 0:
            raise ProtocolError(f"bad Content-Length: {length!r}")
        body = await reader.readexactly(size)
    else:  # no length: the body runs to the end of the connection
        body = await reader.read()
        will_close = True
    return Response(status, headers, body, will_close)


class HttpConnection:
    """One keep-alive connection to a loopback target, reopened when needed.

    ``request`` returns any answer (whatever its status) or raises ``RequestError``; after a
    failure the connection is discarded and the next request opens a fresh one.
    """

    def __init__(self, target: Target, timeout: float = 30.0) -> None:
        # The guard again, for targets built by hand rather than by parse_target.
        if loopback_address(target.address) != target.address:
            raise NotLoopbackError(f"target address {target.address!r} is not a loopback literal")
        self.target = target
        self.timeout = timeout
        self.opened = 0
        """Connections opened over this object's life (1 means keep-alive held throughout)."""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def is_open(self) -> bool:
        return self._writer is not None

    async def connect(self) -> None:
        """Open the connection now if it is not open (or was closed by the server while idle)."""
        if self._writer is not None and self._reader is not None:
            if not self._reader.at_eof() and not self._writer.is_closing():
                return
            self.close()
        try:
            async with asyncio.timeout(self.timeout):
                reader, writer = await asyncio.open_connection(
                    self.target.address, self.target.port
                )
        except TimeoutError:
            raise RequestError("connect", f"no connection within {self.timeout:g} s") from None
        except OSError as error:
            raise RequestError("connect", str(error) or type(error).__name__) from None
        self._reader, self._writer = reader, writer
        self.opened += 1

    async def request(self, raw: bytes) -> Response:
        """Send one prepared request (see ``build_request``) and read its answer."""
        await self.connect()
        reader, writer = self._reader, self._writer
        assert reader is not None
        assert writer is not None
        try:
            async with asyncio.timeout(self.timeout):
                writer.write(raw)
                await writer.drain()
                response = await read_response(reader)
        except TimeoutError:
            self.close()
            raise RequestError("timeout", f"no answer within {self.timeout:g} s") from None
        except asyncio.IncompleteReadError as error:
            self.close()
            got = len(error.partial)
            raise RequestError(
                "dropped", f"connection closed mid-answer ({got} bytes of the last read)"
            ) from None
        except OSError as error:  # reset, broken pipe
            self.close()
            raise RequestError("dropped", str(error) or type(error).__name__) from None
        except ProtocolError as error:
            self.close()
            raise RequestError("protocol", str(error)) from None
        if response.will_close:
            self.close()
        return response

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    async def aclose(self) -> None:
        writer = self._writer
        self.close()
        if writer is not None:
            with contextlib.suppress(OSError, TimeoutError):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()


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
