"""HTTP/1.1 connections that hostile or broken clients cannot hold hostage.

uvicorn's httptools protocol, with what it lacks for a service open to anyone:

- a cap on the request line and headers (``max_header_bytes``): past it the client gets 431
  and the connection closes; nothing beyond the cap is ever buffered;
- a header read timeout: a connection that has not sent a request's complete headers within
  ``header_timeout_seconds`` of opening (or of that request's first byte) is closed, with a
  408 when it had started one, so idle and slowloris connections cannot pile up;
- the keep-alive idle timeout from the same limits;
- a cap on open connections (``max_connections``): one more gets 503 and is closed;
- pipelining in order: when a malformed or oversized request follows others in the same
  stream, the earlier requests are answered first, then the 4xx;
- a direct path for ``POST /render``, the one hot route: the plain case (a body of declared
  length within the limit, no query, no CORS preflight to answer, no ``Expect``) goes from
  the parser straight to ``RenderService``, whose answer is written in one piece. What it
  answers without waiting (a repeat found in the cache, a light render drawn in this
  process, a bad request) is answered inside the parser's callback, without a task. Everything
  else takes the ASGI application, which answers the same request the same way; only the
  framework's per-request bookkeeping is skipped.

Every refusal is JSON in the service's one error shape.
"""

from __future__ import annotations

import asyncio
import http
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from renderer_service.wire import ApiError
from renderer_service.work import Reply, accept_error, wanted_formats

if TYPE_CHECKING:
    from renderer_service.service import PendingRender, RenderService

logger = logging.getLogger("renderer.server")

LINGER_SECONDS = 2.0
"""After refusing a request, how long the rest of what the client sends is read and dropped
before the connection closes: closing with unread input would reset the connection, and the
client could lose the answer before reading it."""


@dataclass(frozen=True)
class ServerLimits:
    max_header_bytes: int = 16 * 1024
    header_timeout_seconds: float = 10.0
    keep_alive_seconds: float = 5.0
    max_connections: int = 1024
    max_body_bytes: int = 1024 * 1024
    """The body limit of ``POST /render``: a longer declared body takes the ASGI path (413)."""
    cors: bool = False
    """Whether the application answers CORS: then a request with an ``Origin`` takes the
    ASGI path, where the CORS middleware adds its headers."""


class ServiceSource:
    """Where a connection finds the render service once the application has started
    (``None`` before, and in applications without one): an object with an ``app`` whose
    ``state.service.service`` is the ``RenderService``."""

    def __init__(self, app: Any = None) -> None:
        self.app = app
        self._found: RenderService | None = None

    def service(self) -> RenderService | None:
        # Kept once found: the application sets its service once, at start-up, and reading
        # it through Starlette's state object costs more than the rest of a cache hit's
        # lookup.
        if self._found is None:
            state = getattr(getattr(self.app, "state", None), "service", None)
            self._found = getattr(state, "service", None)
        return self._found


_ASGI_ONLY_HEADERS = frozenset({b"expect", b"transfer-encoding"})
"""Headers that send a request the ASGI way: uvicorn answers ``100-continue`` and counts a
chunked body there."""


class _NoEvent:
    """What uvicorn may ``set()`` on a direct request's cycle: nothing waits on it."""

    def set(self) -> None:
        pass


_NO_EVENT = _NoEvent()


class _DirectCycle:
    """A ``POST /render`` answered on the direct path, standing where uvicorn keeps its
    request-response cycle, so uvicorn's pipelining, shutdown and disconnect handling see a
    request in progress."""

    __slots__ = ("body", "disconnected", "inm", "keep_alive", "response_complete", "wanted")

    message_event = _NO_EVENT
    more_body = False

    def __init__(self, keep_alive: bool, wanted: tuple[Any, ...], inm: str | None) -> None:
        self.body = bytearray()
        self.keep_alive = keep_alive
        self.wanted = wanted
        self.inm = inm
        self.response_complete = False
        self.disconnected = False


class _Deadline:
    """A time by which something must happen, moved with every request and rarely reached.

    Moving it (``due``) is an attribute write; its one timer, set at the first ``set``, is set
    again only when it fires before ``due``. A busy keep-alive connection thus makes a timer
    every few seconds, not one (and a cancellation) for each request. ``on_due`` runs once
    ``due`` has passed; ``due = None`` stops the wait."""

    __slots__ = ("_loop", "_on_due", "_timer", "due")

    def __init__(self, loop: asyncio.AbstractEventLoop, on_due: Callable[[], None]) -> None:
        self._loop = loop
        self._on_due = on_due
        self._timer: asyncio.TimerHandle | None = None
        self.due: float | None = None

    def set(self, due: float) -> None:
        """Wait until ``due`` (never earlier than a ``due`` set before it: times only grow)."""
        self.due = due
        if self._timer is None:
            self._timer = self._loop.call_at(due, self._check)

    def stop(self) -> None:
        """Stop waiting and drop the timer (the connection is gone)."""
        self.due = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check(self) -> None:
        self._timer = None
        due = self.due
        if due is None:
            return
        if self._loop.time() < due:  # moved since the timer was set
            self._timer = self._loop.call_at(due, self._check)
            return
        self.due = None
        self._on_due()


class _HeadersTooLargeError(Exception):
    """Raised from a parser callback to stop parsing a request whose headers are too big."""


class _RateLimitedLog:
    """At most one warning a second per kind of refusal, with a count of those left out."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._left_out: dict[str, int] = {}

    def warning(self, kind: str, message: str) -> None:
        now = time.monotonic()
        if now - self._last.get(kind, -1e9) < 1.0:
            self._left_out[kind] = self._left_out.get(kind, 0) + 1
            return
        left_out = self._left_out.pop(kind, 0)
        self._last[kind] = now
        suffix = f" (and {left_out} more since the last report)" if left_out else ""
        logger.warning("%s%s", message, suffix)


_refusals = _RateLimitedLog()


def error_response(
    status: int,
    error: str,
    detail: str,
    default_headers: list[tuple[bytes, bytes]] | None = None,
    extra_headers: tuple[tuple[str, str], ...] = (),
) -> bytes:
    """A complete HTTP/1.1 error response that closes the connection."""
    body = ApiError(status, error, detail).body()
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}\r\n".encode()]
    for name, value in default_headers or []:
        lines.append(name + b": " + value + b"\r\n")
    for extra_name, extra_value in extra_headers:
        lines.append(f"{extra_name}: {extra_value}\r\n".encode("latin-1"))
    lines.append(b"content-type: application/json\r\n")
    lines.append(b"content-length: " + str(len(body)).encode() + b"\r\n")
    lines.append(b"connection: close\r\n\r\n")
    lines.append(body)
    return b"".join(lines)


_default_heads: list[Any] = [None, b""]
"""The server's default headers last seen (uvicorn makes a new list when the date changes),
and their lines."""


def _default_head(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The lines of the server's default headers (``server``, ``date``), made once a tick."""
    if _default_heads[0] is not headers:
        lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        _default_heads[:] = [headers, lines]
    head: bytes = _default_heads[1]
    return head


def _reply_head(reply: Reply) -> bytes:
    """The header lines of ``reply``, as the application's routes write them."""
    head = f"content-length: {len(reply.body)}\r\n"
    if reply.media_type:
        head += f"content-type: {reply.media_type}\r\n"
    for name, value in reply.headers:
        head += f"{name.lower()}: {value}\r\n"
    return head.encode()


def _failed(exc: BaseException) -> Reply:
    """The answer to a request whose handling raised (the details go to the log)."""
    logger.error("POST /render failed", exc_info=exc)
    return Reply.from_error(ApiError(500, "internal_error", "the request failed"))


class ProtectedHttpProtocol(HttpToolsProtocol):
    """One client connection (see the module's description). Use ``protected_protocol``
    to get the class for a set of limits."""

    limits: ClassVar[ServerLimits] = ServerLimits()
    source: ClassVar[ServiceSource] = ServiceSource()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._direct: _DirectCycle | None = None
        self.timeout_keep_alive = self.limits.keep_alive_seconds  # type: ignore[assignment]
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        self._header_deadline = _Deadline(self.loop, self._header_timeout)
        """When the current request's headers must be complete (``None``: not waiting)."""
        self._idle_deadline = _Deadline(self.loop, self.timeout_keep_alive_handler)
        """When this keep-alive connection, idle since its last answer, is closed."""
        self._refused = False
        self._lingering = False
        self._deferred: bytes | None = None
        """An error answer waiting for the answers to earlier pipelined requests."""

    # --- connection life -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections:
            self._refused = True
            self.transport = transport
            _refusals.warning(
                "connections",
                f"{len(self.connections)} connections open, the most allowed: "
                "a new one was answered 503 and closed",
            )
            transport.write(
                error_response(
                    503,
                    "too_many_connections",
                    f"the service has {self.limits.max_connections} connections open, the "
                    "most it allows; retry shortly",
                    self.server_state.default_headers,
                    (("Retry-After", "1"),),
                )
            )
            transport.close()
            return
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_deadline.stop()
        self._idle_deadline.stop()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        if self._refused:
            return
        super().shutdown()

    # --- reading -------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused or self._lingering or self._deferred is not None or self.parser is None:
            return
        self._idle_deadline.due = None  # not idle: the keep-alive timeout stops
        limit = self.limits.max_header_bytes
        while data:
            if self._reading_headers:
                room = limit - self._header_bytes
                if room <= 0:
                    self._refuse_headers()
                    return
                piece, data = (data, b"") if len(data) <= room else (data[:room], data[room:])
                self._header_bytes += len(piece)
            else:
                piece, data = data, b""
            try:
                self.parser.feed_data(piece)
            except httptools.HttpParserError:
                if self._message_header_bytes > limit:
                    self._refuse_headers()
                else:
                    self._fail(400, "invalid_http", "the request is not valid HTTP/1.1")
                return
            except httptools.HttpParserUpgrade:
                if self._should_upgrade():
                    self.handle_websocket_upgrade()
                else:
                    self._unsupported_upgrade_warning()
                return
            if self._deferred is not None or self.transport.is_closing():
                return
        if self._reading_headers and self._header_bytes >= limit:
            self._refuse_headers()

    def on_message_begin(self) -> None:
        # uvicorn's, except that the ASGI scope is made in on_headers_complete, and only for
        # a request that takes the application: the direct path never reads it.
        self.url = b""
        self.expect_100_continue = False
        self.headers = []
        self._message_header_bytes = 0
        if self._header_deadline.due is None:
            self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        size = self._message_header_bytes + len(url)
        self._message_header_bytes = size
        if size > self.limits.max_header_bytes:
            raise _HeadersTooLargeError  # the parser stops and raises HttpParserError
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        size = self._message_header_bytes + len(name) + len(value) + 4
        self._message_header_bytes = size
        if size > self.limits.max_header_bytes:
            raise _HeadersTooLargeError
        # What uvicorn's on_header does, in this call rather than a second one per header.
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self.expect_100_continue = True
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._header_bytes = 0
        self._header_deadline.due = None
        direct = self._direct_cycle()
        if direct is None:
            self._make_scope()
            super().on_headers_complete()
            return
        self._direct = direct
        self.cycle = direct  # type: ignore[assignment]

    def _make_scope(self) -> None:
        """The ASGI scope uvicorn makes when a request begins, for the request so far."""
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()
        self.url, self.headers, self.expect_100_continue = url, headers, expect
        self.scope["headers"] = headers

    def on_body(self, body: bytes) -> None:
        if self._direct is not None:
            self._direct.body += body  # no more than the declared length, within the limit
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        direct = self._direct
        if direct is None:
            super().on_message_complete()
            return
        self._direct = None
        self._answer_direct(direct)

    # --- the direct path for POST /render ------------------------------------------------

    def _direct_cycle(self) -> _DirectCycle | None:
        """A cycle for the direct path if this request may take it, else ``None``."""
        if self.url != b"/render" or self.parser.get_method() != b"POST":
            return None
        if self.pipeline or (self.cycle is not None and not self.cycle.response_complete):
            return None  # behind another answer: uvicorn keeps the order
        if self.parser.should_upgrade() or self.source.service() is None:
            return None
        length = None
        accept = inm = None
        for name, value in self.headers:
            if name == b"content-length":
                length = value
            elif name == b"accept":
                accept = value.decode("latin-1")
                if accept_error(accept) is not None:
                    return None  # the application answers the 406
            elif name == b"if-none-match":
                inm = value.decode("latin-1")
            elif name in _ASGI_ONLY_HEADERS or (name == b"origin" and self.limits.cors):
                return None
        if length is None or not length.isdigit() or int(length) > self.limits.max_body_bytes:
            return None  # the application counts the body, or answers 413
        keep_alive = self.parser.get_http_version() == "1.1" and self.parser.should_keep_alive()
        return _DirectCycle(keep_alive, wanted_formats(accept), inm)

    def _answer_direct(self, direct: _DirectCycle) -> None:
        service = self.source.service()
        body = bytes(direct.body)
        if service is None:
            self._write_direct(direct, _failed(RuntimeError("the render service is not running")))
            return
        try:
            step = service.render_now(body, direct.wanted, direct.inm)
        except Exception as exc:  # an answer for every request, whatever went wrong
            step = _failed(exc)
        if isinstance(step, Reply):
            self._write_direct(direct, step)
            return
        task = self.loop.create_task(self._finish_direct(direct, service, step))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)  # the server's shutdown waits for it

    async def _finish_direct(
        self, direct: _DirectCycle, service: RenderService, pending: PendingRender
    ) -> None:
        try:
            reply = await service.finish(pending)
        except Exception as exc:  # an answer for every request, whatever went wrong
            reply = _failed(exc)
        self._write_direct(direct, reply)

    def _write_direct(self, direct: _DirectCycle, reply: Reply) -> None:
        """Write ``reply`` as one piece, then go on as uvicorn does after an answer."""
        direct.response_complete = True
        if direct.disconnected or self.transport.is_closing():
            return
        parts = [STATUS_LINE[reply.status], _default_head(self.server_state.default_headers)]
        parts.append(_reply_head(reply))
        if self.limits.cors:  # as the CORS middleware marks every answer to a request sans Origin
            parts.append(b"vary: Origin\r\n")
        keep_alive = direct.keep_alive
        if not keep_alive:
            parts.append(b"connection: close\r\n")
        parts += [b"\r\n", reply.body]
        self.transport.write(b"".join(parts))
        if self.access_log:
            # The five arguments uvicorn's access formatter reads (it colours the status).
            self.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                "%s:%d" % self.client if self.client else "-",  # noqa: UP031
                "POST",
                "/render",
                "1.1",
                reply.status,
            )
        if not keep_alive:
            self.transport.close()
            return
        self.on_response_complete()

    def on_response_complete(self) -> None:
        if self._deferred is not None and not self.pipeline:
            # Every request before the bad one is answered: now the error, then close.
            self.server_state.total_requests += 1
            if not self.transport.is_closing():
                self.transport.write(self._deferred)
                self._close_after_answer()
            return
        # uvicorn's on_response_complete, with the keep-alive timeout as a deadline.
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._idle_deadline.due = None
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_deadline.set(self.loop.time() + self.timeout_keep_alive)

    def _unset_keepalive_if_required(self) -> None:
        self._idle_deadline.due = None

    # --- refusals ------------------------------------------------------------------------

    def _refuse_headers(self) -> None:
        limit = self.limits.max_header_bytes
        _refusals.warning("headers", f"request headers over {limit} bytes refused with 431")
        self._fail(
            431,
            "headers_too_large",
            f"the request line and headers are over {limit} bytes, the most this service reads",
        )

    def _fail(self, status: int, error: str, detail: str) -> None:
        """Answer ``status`` and close, after the answers to earlier pipelined requests."""
        self._cancel_header_timer()
        response = error_response(status, error, detail, self.server_state.default_headers)
        if (self.cycle is not None and not self.cycle.response_complete) or self.pipeline:
            self._deferred = response
            self.flow.pause_reading()
            return
        self.transport.write(response)
        self._close_after_answer()

    def _close_after_answer(self) -> None:
        """Close once the client has the answer: say we are done (FIN), drop whatever it still
        sends, and close when it does or after ``LINGER_SECONDS``."""
        self._lingering = True
        self._cancel_header_timer()
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    # --- the header read timeout ---------------------------------------------------------

    def _arm_header_timer(self) -> None:
        self._header_deadline.set(self.loop.time() + self.limits.header_timeout_seconds)

    def _cancel_header_timer(self) -> None:
        self._header_deadline.due = None

    def _header_timeout(self) -> None:
        if self.transport.is_closing():
            return
        if (self.cycle is not None and not self.cycle.response_complete) or self.pipeline:
            # An earlier request is still being answered: its client waits on us, not we on it.
            self._arm_header_timer()
            return
        seconds = self.limits.header_timeout_seconds
        if self._header_bytes:
            _refusals.warning("timeout", f"request headers not complete after {seconds} s: 408")
            self.transport.write(
                error_response(
                    408,
                    "request_timeout",
                    f"the request's headers did not arrive within {seconds} s",
                    self.server_state.default_headers,
                )
            )
        self.transport.close()


def protected_protocol(
    limits: ServerLimits, source: ServiceSource | None = None
) -> type[ProtectedHttpProtocol]:
    """The protocol class uvicorn builds each connection with, for ``limits``; ``source``
    finds the render service for the direct path (without it, every request takes the
    ASGI application)."""
    attributes = {"limits": limits, "source": source or ServiceSource()}
    return type("ProtectedHttpProtocol", (ProtectedHttpProtocol,), attributes)
