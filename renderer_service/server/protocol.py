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
  stream, the earlier requests are answered first, then the 4xx.

Every refusal is JSON in the service's one error shape.
"""

from __future__ import annotations

import asyncio
import http
import logging
import time
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import ApiError

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


class ProtectedHttpProtocol(HttpToolsProtocol):
    """One client connection (see the module's description). Use ``protected_protocol``
    to get the class for a set of limits."""

    limits: ClassVar[ServerLimits] = ServerLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout_keep_alive = self.limits.keep_alive_seconds  # type: ignore[assignment]
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        self._header_timer: asyncio.TimerHandle | None = None
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
        self._cancel_header_timer()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        if self._refused:
            return
        super().shutdown()

    # --- reading -------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._refused or self._lingering or self._deferred is not None or self.parser is None:
            return
        self._unset_keepalive_if_required()
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
        super().on_message_begin()
        self._message_header_bytes = 0
        if self._header_timer is None:
            self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        self._count_header_bytes(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_header_bytes(len(name) + len(value) + 4)
        super().on_header(name, value)

    def _count_header_bytes(self, size: int) -> None:
        self._message_header_bytes += size
        if self._message_header_bytes > self.limits.max_header_bytes:
            raise _HeadersTooLargeError  # the parser stops and raises HttpParserError

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._header_bytes = 0
        self._cancel_header_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_headers = True
        self._header_bytes = 0
        """Bytes received while a request's headers are incomplete (bounds what is buffered)."""
        self._message_header_bytes = 0
        """The current request's line and headers, as parsed (exact, whatever the chunks)."""
        super().on_message_complete()

    def on_response_complete(self) -> None:
        if self._deferred is not None and not self.pipeline:
            # Every request before the bad one is answered: now the error, then close.
            self.server_state.total_requests += 1
            if not self.transport.is_closing():
                self.transport.write(self._deferred)
                self._close_after_answer()
            return
        super().on_response_complete()

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
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(
            self.limits.header_timeout_seconds, self._header_timeout
        )

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
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


def protected_protocol(limits: ServerLimits) -> type[ProtectedHttpProtocol]:
    """The protocol class uvicorn builds each connection with, for ``limits``."""
    return type("ProtectedHttpProtocol", (ProtectedHttpProtocol,), {"limits": limits})
