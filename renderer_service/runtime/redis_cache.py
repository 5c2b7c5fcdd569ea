"""The shared render cache: Redis as a second level behind each replica's in-memory LRU.

Replicas behind one proxy each hold their own LRU; a cat drawn by one replica is stored in
Redis, so the next replica asked for it answers without rendering. Redis is an optimisation,
never a dependency: every call is bounded by a short timeout, and any error (refused, reset,
timed out, out of memory) marks the level *down*. While it is down no request waits on it,
renders go on without it and ``/health`` says why. A background task pings Redis every
``retry_seconds``, so an outage shows even while every answer comes from memory, and the level
is used again as soon as Redis answers.

Keys are ``<prefix>:v<KEY_VERSION>:<pack hash>:<answer digest>``, so a new sprite pack or a
new entry layout never reads old entries; entries expire after ``ttl_seconds`` and answers
above ``max_entry_bytes`` are not stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from renderer_service.work import Reply

KEY_VERSION = 1
"""Bumped whenever the stored layout of an entry changes."""

MAX_PENDING_WRITES = 64
"""Writes in the air at once; beyond that a fresh render is not stored (counted)."""

logger = logging.getLogger("renderer.cache.redis")

T = TypeVar("T")


def encode_entry(reply: Reply) -> bytes:
    """A finished answer as one Redis value: a JSON head line, then the body bytes."""
    head = orjson.dumps({"s": reply.status, "m": reply.media_type, "h": reply.headers})
    return head + b"\n" + reply.body


def decode_entry(raw: bytes) -> Reply:
    head, _, body = raw.partition(b"\n")
    fields = orjson.loads(head)
    headers = tuple((str(name), str(value)) for name, value in fields["h"])
    return Reply(int(fields["s"]), str(fields["m"]), body, headers)


class RedisCache:
    """One Redis database shared by every replica. All methods are safe to call while
    Redis is unreachable: they return at once (a miss) or within ``timeout_seconds``."""

    def __init__(
        self,
        url: str,
        *,
        namespace: str,
        ttl_seconds: int,
        max_entry_bytes: int,
        timeout_seconds: float = 0.1,
        retry_seconds: float = 1.0,
        prefix: str = "cg3",
        max_connections: int = 32,
        client: redis.Redis | None = None,
    ) -> None:
        self.url = url
        self.ttl_seconds = ttl_seconds
        self.max_entry_bytes = max_entry_bytes
        self.timeout_seconds = timeout_seconds
        self.retry_seconds = retry_seconds
        self.key_prefix = f"{prefix}:v{KEY_VERSION}:{namespace}:"
        self._client = client or redis.Redis.from_url(
            url,
            max_connections=max_connections,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            health_check_interval=30,
            retry=Retry(NoBackoff(), 0),  # one try: a slow Redis must not slow a render
        )
        self.up = True
        self.reason: str | None = None
        self.down_since: float | None = None
        self.hits = 0
        self.misses = 0
        self.errors = 0
        self.writes = 0
        self.skipped_too_large = 0
        self.skipped_busy = 0
        self.skipped_down = 0
        self.outages = 0
        self._pending: set[asyncio.Task[None]] = set()
        self._monitor: asyncio.Task[None] | None = None

    def key(self, digest: str) -> str:
        return self.key_prefix + digest

    # --- the two operations --------------------------------------------------------------

    async def get(self, digest: str) -> Reply | None:
        """The stored answer, or ``None`` on a miss, while down, or on any error."""
        self._ensure_monitor()
        if not self.up:
            self.skipped_down += 1
            return None
        raw = await self._call(lambda: self._client.get(self.key(digest)))
        if raw is None:
            if self.up:
                self.misses += 1
            return None
        try:
            reply = decode_entry(raw if isinstance(raw, bytes) else raw.encode())
        except (ValueError, KeyError, TypeError):  # an entry this version cannot read
            self.misses += 1
            return None
        self.hits += 1
        return reply

    def put_soon(self, digest: str, reply: Reply) -> None:
        """Store a fresh answer in the background; the caller does not wait for Redis."""
        self._ensure_monitor()
        if not self.up:
            self.skipped_down += 1
            return
        value = encode_entry(reply)
        if len(value) > self.max_entry_bytes:
            self.skipped_too_large += 1
            return
        if len(self._pending) >= MAX_PENDING_WRITES:
            self.skipped_busy += 1
            return
        task = asyncio.create_task(self._put(digest, value))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _put(self, digest: str, value: bytes) -> None:
        done = await self._call(
            lambda: self._client.set(self.key(digest), value, ex=self.ttl_seconds)
        )
        if done:
            self.writes += 1

    # --- failure handling ----------------------------------------------------------------

    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await asyncio.wait_for(operation(), self.timeout_seconds)
        except Exception as error:  # whatever goes wrong in the cache, the render goes on
            self._mark_down(error)
            return None

    def _mark_down(self, error: BaseException) -> None:
        self.errors += 1
        self.reason = f"redis unreachable at {self._safe_url()}: {type(error).__name__}: {error}"
        self.reason = self.reason.rstrip(": ")
        if not self.up:
            return
        self.up = False
        self.outages += 1
        self.down_since = time.monotonic()
        logger.warning("%s; rendering without the shared cache", self.reason)

    def _ensure_monitor(self) -> None:
        if self._monitor is None:
            self._monitor = asyncio.create_task(self._watch(), name="redis-monitor")

    async def _watch(self) -> None:
        """Ping Redis every ``retry_seconds``: an outage shows in /health even when every
        request is answered from memory, and a down Redis is used again once it answers."""
        while True:
            await asyncio.sleep(self.retry_seconds)
            try:
                await asyncio.wait_for(self._client.ping(), self.timeout_seconds)
            except Exception as error:  # the watch must outlive any failure
                self._mark_down(error)
                continue
            if not self.up:
                down_for = time.monotonic() - (self.down_since or time.monotonic())
                self.up, self.reason, self.down_since = True, None, None
                logger.warning("redis at %s is back after %.1f s", self._safe_url(), down_for)

    async def check(self) -> bool:
        """Ping now (at start-up): an unreachable Redis is reported, never raised."""
        self._ensure_monitor()
        result = await self._call(self._client.ping)
        return bool(result)

    @property
    def url_for_logs(self) -> str:
        return self._safe_url()

    def _safe_url(self) -> str:
        """The URL without a password, for logs and /health."""
        scheme, sep, rest = self.url.partition("://")
        if "@" in rest:
            rest = rest.split("@", 1)[1]
        return f"{scheme}{sep}{rest}"

    async def close(self) -> None:
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=self.timeout_seconds * 2)
        for task in set(self._pending):
            task.cancel()
        with contextlib.suppress(Exception):
            await self._client.aclose()

    # --- reporting -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "enabled": True,
            "url": self._safe_url(),
            "up": self.up,
            "reason": self.reason,
            "down_for_seconds": (
                round(time.monotonic() - self.down_since, 3) if self.down_since else 0.0
            ),
            "hits": self.hits,
            "misses": self.misses,
            "errors": self.errors,
            "outages": self.outages,
            "writes": self.writes,
            "skipped_too_large": self.skipped_too_large,
            "skipped_busy": self.skipped_busy,
            "skipped_down": self.skipped_down,
            "ttl_seconds": self.ttl_seconds,
            "max_entry_bytes": self.max_entry_bytes,
            "key_prefix": self.key_prefix,
        }
