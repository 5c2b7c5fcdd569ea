"""The render service: what the event loop does with a /render request's bytes.

It checks the request (bad input never reaches a worker), answers conditional requests and
repeats without rendering, and sends the rest through the render queue. It knows the queue
but no web framework: the HTTP routes are thin wrappers around it.
"""

from __future__ import annotations

import hashlib

from .errors import ApiError
from .jobs import OutputFormat, Reply, canonical_body, parse_render_request
from .renderer import Renderer
from .runtime import RenderQueue


def etag_for(canonical: bytes, output: OutputFormat, pack_hash: str) -> str:
    digest = hashlib.blake2b(canonical, digest_size=12, person=output.encode())
    digest.update(pack_hash.encode())
    return f'"{digest.hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (or is ``*``)."""
    if not if_none_match:
        return False
    candidates = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


class RenderService:
    """Admits /render requests: validation, conditional answers, then the queue."""

    def __init__(self, renderer: Renderer, queue: RenderQueue) -> None:
        self.renderer = renderer
        self.queue = queue

    async def render(
        self, body: bytes, output: OutputFormat, if_none_match: str | None = None
    ) -> Reply:
        try:
            job = parse_render_request(body, self.renderer, output)
        except ApiError as error:
            return Reply.from_error(error)
        canonical = canonical_body(job)
        etag = etag_for(canonical, output, self.renderer.pack.content_hash)
        if etag_matches(if_none_match, etag):
            return Reply(304, "", b"", (("ETag", etag),))
        reply = await self.queue.submit("render", (canonical, output))
        if reply.status != 200:
            return reply
        return Reply(reply.status, reply.media_type, reply.body, (*reply.headers, ("ETag", etag)))
