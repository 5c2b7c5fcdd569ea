"""A direct ASGI path for ``POST /render``, the one hot route.

Through the framework a request passes exception middleware, routing, dependency
resolution and response wrappers before it reaches ``RenderService``; on a 2-core machine
that bookkeeping costs the event loop about as much as the rest of the request. This
middleware answers ``POST /render`` straight from the service, with the same function the
documented FastAPI route uses, and hands every other request to the application. It sits
inside the CORS and error middleware, so those still apply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from renderer_service.work import Reply, accept_error, wanted_formats

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_COMPLETE = "cg3.body_complete"
"""Scope key: when the server had the request's whole body (``time.monotonic``), from which
the render's waiting counts (``CG3_MAX_WAIT_MS``). Servers other than ``cg3 serve``'s leave it
out: the waiting then counts from when the render is queued."""


def reply_headers(reply: Reply) -> list[tuple[bytes, bytes]]:
    headers = [(b"content-length", str(len(reply.body)).encode())]
    if reply.media_type:
        headers.append((b"content-type", reply.media_type.encode()))
    headers.extend((name.lower().encode(), value.encode()) for name, value in reply.headers)
    return headers


class RenderFastPath:
    """ASGI middleware: ``POST /render`` goes straight to the render service."""

    def __init__(self, app: ASGIApp, path: str = "/render") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        accept = if_none_match = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        service = scope["app"].state.service.service
        refused = accept_error(accept)
        if refused is not None:
            reply = Reply.from_error(refused)
        else:
            reply = await service.render(
                b"".join(chunks),
                wanted_formats(accept),
                if_none_match,
                arrived=scope.get(BODY_COMPLETE),
            )
        await send(
            {"type": "http.response.start", "status": reply.status, "headers": reply_headers(reply)}
        )
        await send({"type": "http.response.body", "body": reply.body})
