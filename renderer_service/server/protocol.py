"""HTTP/1.1 connections that hostile or broken clients cannot hold hostage.

uvicorn's httptools protocol, with what it lacks for a service open to anyone:

- a cap on the request line and headers (``max_header_bytes``): past it the client gets 431
  and the connection closes; nothing beyond the cap is ever buffered;
- a header read timeout: a connection that has not sent a request's complete headers within
  ``header_timeout_seconds`` of opening (or of that request's first byte) is closed, with a
  408 when it had started one, so idle and slowloris connections cannot pile up;
- the keep-alive idle timeout from the same limits;
- a body deadline: once a request's headers are complete, its body must be complete within
  ``body_timeout_seconds`` plus 1 s per 64 KiB of its declared length (of a chunked body: per
  64 KiB received so far), or the client gets 408 and the connection closes, so a client that
  stalls mid-body cannot hold its connection;
- a cap on open connections (``max_connections``): a new connection past it closes the open
  one that has gone longest without a complete request (``server.connections``: idle
  keep-alives first, then the slowest incomplete request); only when every open connection has
  a request being answered is the new one answered 503 and closed;
- pipelining in order: when a malformed or oversized request follows others in the same
  stream, the earlier requests are answered first, then the 4xx;
- a direct path for ``POST /render``, the one hot route: the plain case (a body of declared
  length within the limit, no query, no CORS preflight to answer, no ``Expect``) goes from
  the parser straight to ``RenderService``, whose answer is written in one piece. What it
  answers without waiting (a repeat found in the cache, a bad request) is answered inside
  the parser's callback, without a task; a light render is drawn in this process just after,
  once the loop has read what else is ready (``runtime.inline_line``: so its waiting is seen
  and overload shed), also without a task. Everything
  else takes the ASGI application, which answers the same request the same way; only the
  framework's per-request bookkeeping is skipped.

Every refusal is JSON in the service's one error shape. Refused connections (``connections``)
and evicted ones are counted in the render service's ``sheds`` (``/health``, ``/metrics``).

The moment a request's body is complete (``time.monotonic``) goes with it: to the render
service on the direct path, in the ASGI scope (``BODY_COMPLETE``) otherwise; a render that
has not started within ``CG3_MAX_WAIT_MS`` of it is answered ``503 overloaded``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

import httptools
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from renderer_service.app.fastpath import BODY_COMPLETE
from renderer_service.server.connections import CLOSING, IDLE, INCOMPLETE, KINDS, Rank, Room
from renderer_service.server.deadline import Deadline
from renderer_service.server.direct import (
    ASGI_ONLY_HEADERS,
    DirectCycle,
    ServiceSource,
    default_head,
    failed,
    reply_head,
)
from renderer_service.server.refusals import error_response, refusals
from renderer_service.work import Reply, accept_error, wanted_formats

if TYPE_CHECKING:
    from renderer_service.service import PendingRender, RenderService

logger = logging.getLogger("renderer.server")

BODY_RATE = 64 * 1024
"""Bytes of body a client is given one more second for, beyond ``body_timeout_seconds``."""

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
    body_timeout_seconds: float = 10.0
    """Longest a body may take once its headers are complete, plus 1 s per ``BODY_RATE``."""
    cors: bool = False
    """Whether the application answers CORS: then a request with an ``Origin`` takes the
    ASGI path, where the CORS middleware adds its headers."""


class _HeadersTooLargeError(Exception):
    """Raised from a parser callback to stop parsing a request whose headers are too big."""


class ProtectedHttpProtocol(HttpToolsProtocol):
    """One client connection (see the module's description). Use ``protected_protocol``
    to get the class for a set of limits."""

    limits: ClassVar[ServerLimits] = ServerLimits()
    source: ClassVar[ServiceSource] = ServiceSource()
    room: ClassVar[Room] = Room()
    """Chooses the connection to close when a new one arrives at the cap."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._direct: DirectCycle | None = None
        self.timeout_keep_alive = self.limits.keep_alive_seconds  # type: ignore[assignment]
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        self._header_deadline = Deadline(self.loop, self._header_timeout)
        """When the current request's headers must be complete (``None``: not waiting)."""
        self._idle_deadline = Deadline(self.loop, self.timeout_keep_alive_handler)
        """When this keep-alive connection, idle since its last answer, is closed."""
        self._body_deadline = Deadline(self.loop, self._body_timeout)
        """When the current request's body must be complete (``None``: not waiting)."""
        self._chunked = False
        """The current request's body is chunked: its deadline grows as it arrives."""
        self._since = time.monotonic()
        """When this connection's last request was complete (or it opened)."""
        self._refused = False
        self._lingering = False
        self._deferred: bytes | None = None
        """An error answer waiting for the answers to earlier pipelined requests."""

    # --- connection life -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        if len(self.connections) >= self.limits.max_connections and not self._make_room():
            self._refused = True
            self.transport = transport
            refusals.warning(
                "connections",
                f"{len(self.connections)} connections open, the most allowed, each with a "
                "request being answered: a new one was answered 503 and closed",
            )
            service = self.source.service()
            if service is not None:
                service.sheds.record("connections")
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

    def _make_room(self) -> bool:
        """Close the connection that has gone longest without a complete request, for a new
        one; False when every open connection has a request being answered."""
        victim = self.room.victim(cast("set[ProtectedHttpProtocol]", self.connections))
        if victim is None:
            return False
        rank = victim.eviction_rank() or (CLOSING, 0.0)
        refusals.warning(
            "evicted",
            f"{len(self.connections)} connections open, the most allowed: closed one "
            f"({KINDS[rank[0]]}, {time.monotonic() - rank[1]:.1f} s without a complete "
            "request) to make room for a new one",
        )
        victim.evict(rank[0])
        service = self.source.service()
        if service is not None:
            service.sheds.record_eviction()
        return True

    def eviction_rank(self) -> Rank | None:
        """What this connection is doing, for ``server.connections``: ``None`` while it has
        a complete request being answered."""
        transport = self.transport
        if transport is None or transport.is_closing() or self._lingering:
            return CLOSING, self._since
        cycle = self.cycle
        if self.pipeline or (
            cycle is not None
            and not cycle.response_complete
            and self._direct is None
            and not cycle.more_body
        ):
            return None
        if cycle is not None and self._reading_headers and not self._header_bytes:
            return IDLE, self._since
        return INCOMPLETE, self._since

    def evict(self, kind: int) -> None:
        """Close this connection to make room for a new one (``kind``: its rank's first part);
        a client in the middle of a request is told so."""
        self.connections.discard(self)  # room now: it is gone once closed
        self._stop_deadlines()
        if kind == INCOMPLETE and (self._header_bytes or not self._reading_headers):
            self.transport.write(
                error_response(
                    503,
                    "too_many_connections",
                    "the connection was closed to make room for others: its request was not "
                    "complete and the service has the most connections it allows; retry",
                    self.server_state.default_headers,
                    (("Retry-After", "1"),),
                )
            )
        self.transport.close()

    def _stop_deadlines(self) -> None:
        self._header_deadline.stop()
        self._idle_deadline.stop()
        self._body_deadline.stop()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadlines()
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
            self._await_asgi_body()
            return
        self._direct = direct
        self.cycle = direct  # type: ignore[assignment]

    def _await_asgi_body(self) -> None:
        """Set the body deadline of a request that takes the ASGI path, if it has a body."""
        length = None
        chunked = False
        for name, value in self.headers:
            if name == b"content-length":
                length = int(value) if value.isdigit() else 0
            elif name == b"transfer-encoding":
                chunked = True
        self._chunked = chunked
        if length is not None or chunked:
            self._await_body(length or 0)

    def _await_body(self, length: int) -> None:
        """The body of ``length`` bytes (so far) must be complete by the deadline."""
        timeout = self.limits.body_timeout_seconds + length / BODY_RATE
        self._body_deadline.set(self.loop.time() + timeout)

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
        if self._chunked and self._body_deadline.due is not None:
            self._body_deadline.due += len(body) / BODY_RATE
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        self._body_deadline.due = None
        self._since = now = time.monotonic()
        direct = self._direct
        if direct is None:
            self.scope[BODY_COMPLETE] = now  # type: ignore[literal-required]
            super().on_message_complete()
            return
        self._direct = None
        self._answer_direct(direct, now)

    # --- the direct path for POST /render ------------------------------------------------

    def _direct_cycle(self) -> DirectCycle | None:
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
            elif name in ASGI_ONLY_HEADERS or (name == b"origin" and self.limits.cors):
                return None
        if length is None or not length.isdigit() or int(length) > self.limits.max_body_bytes:
            return None  # the application counts the body, or answers 413
        self._await_body(int(length))
        keep_alive = self.parser.get_http_version() == "1.1" and self.parser.should_keep_alive()
        return DirectCycle(keep_alive, wanted_formats(accept), inm)

    def _answer_direct(self, direct: DirectCycle, arrived: float) -> None:
        """Answer a direct request whose body was complete at ``arrived``."""
        service = self.source.service()
        body = bytes(direct.body)
        if service is None:
            self._write_direct(direct, failed(RuntimeError("the render service is not running")))
            return
        try:
            step = service.render_now(body, direct.wanted, direct.inm, (), arrived, True)
            if not isinstance(step, Reply) and service.draw_soon(
                step, partial(self._write_direct, direct)
            ):
                return  # a light render, drawn here shortly (``runtime.inline_line``)
        except Exception as exc:  # an answer for every request, whatever went wrong
            step = failed(exc)
        if isinstance(step, Reply):
            self._write_direct(direct, step)
            return
        task = self.loop.create_task(self._finish_direct(direct, service, step))
        task.add_done_callback(self.tasks.discard)
        self.tasks.add(task)  # the server's shutdown waits for it

    async def _finish_direct(
        self, direct: DirectCycle, service: RenderService, pending: PendingRender
    ) -> None:
        try:
            reply = await service.finish(pending)
        except Exception as exc:  # an answer for every request, whatever went wrong
            reply = failed(exc)
        self._write_direct(direct, reply)

    def _write_direct(self, direct: DirectCycle, reply: Reply) -> None:
        """Write ``reply`` as one piece, then go on as uvicorn does after an answer."""
        direct.response_complete = True
        if direct.disconnected or self.transport.is_closing():
            return
        parts = [STATUS_LINE[reply.status], default_head(self.server_state.default_headers)]
        parts.append(reply_head(reply))
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
        refusals.warning("headers", f"request headers over {limit} bytes refused with 431")
        self._fail(
            431,
            "headers_too_large",
            f"the request line and headers are over {limit} bytes, the most this service reads",
        )

    def _fail(self, status: int, error: str, detail: str) -> None:
        """Answer ``status`` and close, after the answers to earlier pipelined requests."""
        self._cancel_header_timer()
        self._body_deadline.due = None
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
        self._body_deadline.due = None
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
            refusals.warning("timeout", f"request headers not complete after {seconds} s: 408")
            self.transport.write(
                error_response(
                    408,
                    "request_timeout",
                    f"the request's headers did not arrive within {seconds} s",
                    self.server_state.default_headers,
                )
            )
        self.transport.close()

    # --- the body deadline ---------------------------------------------------------------

    def _body_timeout(self) -> None:
        if self.transport.is_closing():
            return
        seconds = self.limits.body_timeout_seconds
        if self.pipeline or self.flow.read_paused:
            # This side stopped reading (an earlier answer is pending, or the application has
            # not taken what came): the client is not the one late.
            self._body_deadline.set(self.loop.time() + seconds)
            return
        refusals.warning("body", f"request body not complete {seconds} s after its headers: 408")
        if not getattr(self.cycle, "response_started", False):
            self.transport.write(
                error_response(
                    408,
                    "request_timeout",
                    f"the request's body did not arrive within {seconds} s of its headers "
                    f"(and 1 s per {BODY_RATE // 1024} KiB)",
                    self.server_state.default_headers,
                )
            )
        self._close_after_answer()


def protected_protocol(
    limits: ServerLimits, source: ServiceSource | None = None
) -> type[ProtectedHttpProtocol]:
    """The protocol class uvicorn builds each connection with, for ``limits``; ``source``
    finds the render service for the direct path (without it, every request takes the
    ASGI application)."""
    attributes = {"limits": limits, "source": source or ServiceSource(), "room": Room()}
    return type("ProtectedHttpProtocol", (ProtectedHttpProtocol,), attributes)
