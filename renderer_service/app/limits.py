"""The request body limit: bodies over ``max_bytes`` get a 413 before anything parses them.

A pure ASGI wrapper, placed outside ``RenderFastPath`` so it guards every route. A request
that declares a ``Content-Length`` over the limit is answered at once, unread; one without a
length (chunked) has its body counted as it arrives, and the 413 goes out as soon as the count
passes the limit, whatever the application was doing with it. A request with an acceptable
``Content-Length`` passes straight through: the server already holds it to that length.
"""

from __future__ import annotations

from collections.abc import Mapping

from renderer_service.app.fastpath import ASGIApp, Message, Receive, Scope, Send
from renderer_service.wire import error_body, error_item

BODY_TOO_LARGE = "body_too_large"


class _BodyTooLargeError(Exception):
    """Raised into the application when a streamed body passes the limit."""


def too_large_answer(max_bytes: int, size: int, declared: bool) -> list[Message]:
    """The two ASGI messages of the 413 for a body of ``size`` bytes (or more)."""
    amount = f"{size} bytes" if declared else f"over {max_bytes} bytes ({size} read so far)"
    detail = f"the request body is {amount}; the limit is {max_bytes} bytes"
    body = error_body(
        BODY_TOO_LARGE,
        detail,
        [error_item(None, size, detail, f"a body of at most {max_bytes} bytes")],
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The rest of the body is not wanted: the server may stop reading it.
        (b"connection", b"close"),
    ]
    return [
        {"type": "http.response.start", "status": 413, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


class BodyLimit:
    """ASGI middleware: 413 for request bodies over ``max_bytes``, or over the limit
    ``route_limits`` gives the request's path."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, route_limits: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.route_limits = dict(route_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.route_limits.get(scope["path"], self.max_bytes)
        declared: int | None = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None  # counted instead, like a chunked body
                break
        if declared is not None and declared >= 0:
            if declared > limit:
                for message in too_large_answer(limit, declared, declared=True):
                    await send(message)
                return
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the application with a ``receive`` that counts the body as it arrives."""
        received = 0
        started = answered = False

        async def counting_receive() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started:
                        for reply in too_large_answer(limit, received, declared=False):
                            await send(reply)
                        answered = True
                    raise _BodyTooLargeError
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the 413 has gone out; whatever the application says now is moot
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLargeError:
            if not answered:
                raise  # the application had begun its answer: the server drops the connection
