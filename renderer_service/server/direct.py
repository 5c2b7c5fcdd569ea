"""What the direct path for ``POST /render`` (``server.protocol``) is made of: where it finds
the render service, the cycle it stands in uvicorn's place with, and how it writes an answer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from renderer_service.wire import ApiError
from renderer_service.work import Reply

if TYPE_CHECKING:
    from renderer_service.service import RenderService

logger = logging.getLogger("renderer.server")


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


ASGI_ONLY_HEADERS = frozenset({b"expect", b"transfer-encoding"})
"""Headers that send a request the ASGI way: uvicorn answers ``100-continue`` and counts a
chunked body there."""


class NoEvent:
    """What uvicorn may ``set()`` on a direct request's cycle: nothing waits on it."""

    def set(self) -> None:
        pass


NO_EVENT = NoEvent()


class DirectCycle:
    """A ``POST /render`` answered on the direct path, standing where uvicorn keeps its
    request-response cycle, so uvicorn's pipelining, shutdown and disconnect handling see a
    request in progress."""

    __slots__ = ("body", "disconnected", "inm", "keep_alive", "response_complete", "wanted")

    message_event = NO_EVENT
    more_body = False

    def __init__(self, keep_alive: bool, wanted: tuple[Any, ...], inm: str | None) -> None:
        self.body = bytearray()
        self.keep_alive = keep_alive
        self.wanted = wanted
        self.inm = inm
        self.response_complete = False
        self.disconnected = False


_default_heads: list[Any] = [None, b""]
"""The server's default headers last seen (uvicorn makes a new list when the date changes),
and their lines."""


def default_head(headers: list[tuple[bytes, bytes]]) -> bytes:
    """The lines of the server's default headers (``server``, ``date``), made once a tick."""
    if _default_heads[0] is not headers:
        lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        _default_heads[:] = [headers, lines]
    head: bytes = _default_heads[1]
    return head


def reply_head(reply: Reply) -> bytes:
    """The header lines of ``reply``, as the application's routes write them."""
    head = f"content-length: {len(reply.body)}\r\n"
    if reply.media_type:
        head += f"content-type: {reply.media_type}\r\n"
    for name, value in reply.headers:
        head += f"{name.lower()}: {value}\r\n"
    return head.encode()


def failed(exc: BaseException) -> Reply:
    """The answer to a request whose handling raised (the details go to the log)."""
    logger.error("POST /render failed", exc_info=exc)
    return Reply.from_error(ApiError(500, "internal_error", "the request failed"))
