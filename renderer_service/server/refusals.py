"""How the server refuses: a complete JSON error response that closes the connection, and a
log of refusals that says at most once a second what it refused."""

from __future__ import annotations

import http
import logging
import time

from renderer_service.wire import ApiError

logger = logging.getLogger("renderer.server")


class RateLimitedLog:
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


refusals = RateLimitedLog()


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
