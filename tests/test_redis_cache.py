"""The shared render cache in Redis: cross-replica hits, keys, caps, outages and recovery.

Two apps stand for two replicas; they share one in-process Redis (``fakeredis``), whose
``connected`` switch stands for Redis going away. The loopback stack test
(``test_scale_out.py``) does the same with a real redis-server, nginx and two processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import fakeredis
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings, SettingsError, load_settings
from renderer_service.renderer import Renderer
from renderer_service.runtime import RedisCache
from renderer_service.runtime.redis_cache import KEY_VERSION, decode_entry, encode_entry
from renderer_service.work.reply import Reply

CAT = {"payload": {"spriteNumber": 4, "params": {"peltName": "Tabby", "colour": "GINGER"}}}
OTHER = {"payload": {"spriteNumber": 6, "params": {"peltName": "Smoke", "colour": "BLACK"}}}


def shared_level(server: fakeredis.FakeServer, pack_hash: str, **overrides: Any) -> RedisCache:
    options: dict[str, Any] = {
        "namespace": pack_hash,
        "ttl_seconds": 7 * 24 * 3600,
        "max_entry_bytes": 1024 * 1024,
        "timeout_seconds": 0.5,
        "retry_seconds": 0.05,
    }
    options.update(overrides)
    return RedisCache(
        "redis://fake:6379/0", client=fakeredis.FakeAsyncRedis(server=server), **options
    )


@contextlib.contextmanager
def replica(
    renderer: Renderer, server: fakeredis.FakeServer, **overrides: Any
) -> Iterator[TestClient]:
    """One replica: its own workers and LRU, the shared level on ``server``."""
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    app = create_app(settings, renderer=renderer)
    with TestClient(app) as client:
        state = app.state.service
        state.service.shared = shared_level(server, renderer.pack.content_hash, **overrides)
        yield client
        client.portal.call(state.service.shared.close)  # type: ignore[union-attr]


def health(client: TestClient) -> dict[str, Any]:
    result: dict[str, Any] = client.get("/health").json()
    return result


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def stored_keys(server: fakeredis.FakeServer) -> list[bytes]:
    probe = fakeredis.FakeRedis(server=server)
    return sorted(probe.keys("*"))


def test_a_cat_drawn_by_one_replica_is_a_redis_hit_on_another(renderer: Renderer) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server) as a, replica(renderer, server) as b:
        first = a.post("/render", json=CAT, headers={"Accept": "image/png"})
        assert first.headers["x-cache"] == "miss"
        wait_for(lambda: len(stored_keys(server)) == 1)
        enqueued = health(b)["metrics"]["total_enqueued"]
        second = b.post("/render", json=CAT, headers={"Accept": "image/png"})
        assert second.headers["x-cache"] == "hit-redis"
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert health(b)["metrics"]["total_enqueued"] == enqueued  # nothing was drawn
        third = b.post("/render", json=CAT, headers={"Accept": "image/png"})
        assert third.headers["x-cache"] == "hit-memory"
        redis = health(b)["metrics"]["cache"]["redis"]
        assert (redis["hits"], redis["up"]) == (1, True)
        text = b.get("/metrics").text
        assert 'cg3_cache_hits_total{cache="render",level="redis"} 1.0' in text
        assert 'cg3_cache_hits_total{cache="render",level="memory"} 1.0' in text
        assert "cg3_cache_redis_up 1.0" in text


def test_keys_name_the_key_version_and_the_pack_and_expire(renderer: Renderer) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server, ttl_seconds=3600) as a:
        a.post("/render", json=CAT)
        wait_for(lambda: len(stored_keys(server)) == 1)
    (key,) = stored_keys(server)
    prefix = f"cg3:v{KEY_VERSION}:{renderer.pack.content_hash}:".encode()
    assert key.startswith(prefix)
    ttl = fakeredis.FakeRedis(server=server).ttl(key)
    assert 3590 <= ttl <= 3600


def test_answers_above_the_entry_cap_are_not_stored(renderer: Renderer) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server, max_entry_bytes=64) as a:
        assert a.post("/render", json=CAT).status_code == 200
        redis = health(a)["metrics"]["cache"]["redis"]
    assert redis["skipped_too_large"] == 1
    assert stored_keys(server) == []


def test_redis_down_never_fails_a_render_and_health_says_why(renderer: Renderer) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server) as a:
        server.connected = False
        answer = a.post("/render", json=CAT)
        assert answer.status_code == 200
        assert answer.headers["x-cache"] == "miss"
        report = health(a)
        assert report["status"] == "degraded"
        assert any("redis unreachable" in reason for reason in report["reasons"])
        assert report["metrics"]["cache"]["redis"]["up"] is False
        # while down no request waits on Redis: lookups are skipped, renders go on
        assert a.post("/render", json=OTHER).status_code == 200
        assert health(a)["metrics"]["cache"]["redis"]["skipped_down"] >= 1
        ready = a.get("/health/ready")
        assert ready.status_code == 200
        assert any("redis" in reason for reason in ready.json()["degraded"])
        text = a.get("/metrics").text
        assert "cg3_cache_redis_up 0.0" in text
        assert 'cg3_cache_errors_total{level="redis"}' in text


def test_redis_coming_back_brings_hits_back_on_its_own(renderer: Renderer) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server) as a, replica(renderer, server) as b:
        server.connected = False
        assert a.post("/render", json=CAT).status_code == 200
        assert health(a)["status"] == "degraded"
        server.connected = True
        wait_for(lambda: health(a)["status"] == "ok")  # the probe reconnected, no request
        assert health(a)["metrics"]["cache"]["redis"]["outages"] == 1
        a.post("/render", json=OTHER)
        wait_for(lambda: len(stored_keys(server)) == 1)
        assert b.post("/render", json=OTHER).headers["x-cache"] == "hit-redis"


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never answers: a Redis that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_hanging_redis_is_cut_off_by_the_timeout() -> None:
    async def scenario(port: int) -> RedisCache:
        level = RedisCache(
            f"redis://127.0.0.1:{port}/0",
            namespace="pack",
            ttl_seconds=60,
            max_entry_bytes=1024,
            timeout_seconds=0.05,
            retry_seconds=30,
        )
        try:
            assert await asyncio.wait_for(level.get("abc"), 5) is None
            assert await level.get("abc") is None  # now skipped: it is down
        finally:
            await level.close()
        return level

    with silent_server() as port:
        level = asyncio.run(scenario(port))
    assert level.up is False
    assert "Timeout" in (level.reason or "")
    assert level.skipped_down == 1


def test_an_unreachable_redis_at_start_up_is_reported_not_raised() -> None:
    async def scenario() -> RedisCache:
        level = RedisCache(
            f"redis://:secret@127.0.0.1:{free_port()}/0",
            namespace="pack",
            ttl_seconds=60,
            max_entry_bytes=1024,
            retry_seconds=30,
        )
        assert await level.check() is False
        await level.close()
        return level

    level = asyncio.run(scenario())
    assert level.up is False
    assert "secret" not in (level.reason or "")
    assert "secret" not in str(level.snapshot())


def test_an_entry_round_trips_status_type_headers_and_bytes() -> None:
    reply = Reply(200, "image/png", b"\x89PNG\n\x00binary\n", (("X-Render", "1"),))
    assert decode_entry(encode_entry(reply)) == reply


def test_an_entry_this_version_cannot_read_is_a_miss() -> None:
    server = fakeredis.FakeServer()

    async def scenario() -> tuple[Reply | None, int]:
        level = shared_level(server, "pack")
        await fakeredis.FakeAsyncRedis(server=server).set(level.key("abc"), b"not an entry")
        found = await level.get("abc")
        await level.close()
        return found, level.misses

    assert asyncio.run(scenario()) == (None, 1)


def test_readiness_fails_while_the_circuit_is_open(renderer: Renderer) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    app = create_app(settings, renderer=renderer)
    with TestClient(app) as client:
        assert client.get("/health/ready").json() == {"status": "ready", "degraded": []}
        breaker = app.state.service.queue.breaker
        for _ in range(settings.circuit_failure_threshold):
            breaker.record(False)
        answer = client.get("/health/ready")
        assert answer.status_code == 503
        assert answer.json()["error"] == "not_ready"
        assert "circuit open" in answer.json()["detail"]
        assert client.get("/health").status_code == 200


def test_readiness_fails_once_shutdown_begins(renderer: Renderer) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    app = create_app(settings, renderer=renderer)
    with TestClient(app) as client:
        queue = app.state.service.queue
        queue._closing = True  # what close() sets first, before it waits for queued work
        try:
            answer = client.get("/health/ready")
        finally:
            queue._closing = False
    assert answer.status_code == 503
    assert "shutting down" in answer.json()["detail"]


def test_a_cache_url_of_another_scheme_stops_start_up_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="CG3_CACHE_URL"):
        load_settings(cache_url="http://cache:6379")
    assert load_settings(cache_url="").cache_url is None


def test_an_outage_shows_in_health_even_with_no_request_touching_redis(
    renderer: Renderer,
) -> None:
    server = fakeredis.FakeServer()
    with replica(renderer, server) as a:
        a.post("/render", json=CAT)
        assert health(a)["status"] == "ok"
        server.connected = False
        wait_for(lambda: health(a)["status"] == "degraded")  # the monitor's ping noticed
        assert a.post("/render", json=CAT).headers["x-cache"] == "hit-memory"


class BrokenClient:
    """A client that fails in a way no Redis error class names."""

    async def get(self, key: str) -> bytes:
        raise RuntimeError("unexpected reply")

    async def ping(self) -> bool:
        raise RuntimeError("unexpected reply")

    async def aclose(self) -> None:
        return None


def test_an_unexpected_client_failure_is_an_outage_not_an_error() -> None:
    async def scenario() -> RedisCache:
        level = RedisCache(
            "redis://fake:6379/0",
            namespace="pack",
            ttl_seconds=60,
            max_entry_bytes=1024,
            retry_seconds=0.01,
            client=BrokenClient(),  # type: ignore[arg-type]
        )
        assert await level.get("abc") is None
        await asyncio.sleep(0.05)  # the watch keeps pinging through the same failure
        await level.close()
        return level

    level = asyncio.run(scenario())
    assert level.up is False
    assert "RuntimeError: unexpected reply" in (level.reason or "")
    assert level.errors >= 2
