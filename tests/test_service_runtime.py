"""The runtime seen over HTTP: /health and /metrics, load shedding, graceful shutdown."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.harness import running_service, uvicorn_command
from renderer_service.renderer import Renderer

from .conftest import REPO
from .slow_app import SlowHandler

CAT = {"payload": {"spriteNumber": 8, "params": {"peltName": "SingleColour", "colour": "WHITE"}}}


def test_health_reports_queue_metrics(client: TestClient) -> None:
    assert client.post("/render", json=CAT).status_code == 200
    body = client.get("/health").json()
    assert body["status"] == "ok"
    metrics = body["metrics"]
    for key in [
        "queue_size",
        "max_queue",
        "max_observed_queue",
        "total_enqueued",
        "total_completed",
        "total_failed",
        "total_rejected",
        "circuit_open",
        "circuit_reset_in",
        "worker_count",
        "workers_alive",
        "workers_stuck",
        "timeouts",
        "frame_cache",
    ]:
        assert key in metrics, key
    assert metrics["workers_stuck"] == 0
    assert metrics["total_completed"] >= 1
    assert set(metrics["latency_ms"]) == {"p50", "p95", "p99"}


def test_metrics_are_in_prometheus_text_format(client: TestClient) -> None:
    client.post("/render", json=CAT)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in [
        "cg3_queue_size",
        "cg3_max_queue",
        "cg3_renders_enqueued_total",
        "cg3_renders_completed_total",
        "cg3_renders_failed_total",
        "cg3_renders_rejected_total",
        "cg3_circuit_open",
        'cg3_render_latency_seconds{quantile="0.99"}',
        "cg3_workers_alive",
        "cg3_workers_stuck",
        "cg3_render_timeouts_total",
        'cg3_cache_evictions_total{cache="render",level="memory"}',
        'cg3_cache_hits_total{cache="frame",level="memory"}',
    ]:
        assert name in text, name


def test_bad_input_is_refused_before_the_queue(client: TestClient) -> None:
    before = client.get("/health").json()["metrics"]
    response = client.post("/render", json={"payload": {"spriteNumber": 99}})
    assert response.status_code == 422
    after = client.get("/health").json()["metrics"]
    assert after["total_failed"] == before["total_failed"]
    assert after["total_enqueued"] == before["total_enqueued"]


@pytest.fixture
def slow_client(renderer: Renderer) -> Iterator[TestClient]:
    settings = Settings(
        sprite_root=renderer.pack.root,
        worker_count=1,
        max_queue_size=2,
        retry_after_seconds=2,
        max_wait_ms=60_000,  # the queue's bound sheds here, not the waiting time
    )
    app = create_app(settings, renderer, handler_factory=lambda r: SlowHandler(r, 0.4))
    with TestClient(app) as test_client:
        yield test_client


def test_a_full_queue_answers_503_with_retry_after_over_http(slow_client: TestClient) -> None:
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: slow_client.post("/render", json=CAT), range(8)))
    statuses = sorted(response.status_code for response in responses)
    assert 200 in statuses
    refused = [response for response in responses if response.status_code == 503]
    assert refused, statuses
    assert all(response.headers["retry-after"] == "2" for response in refused)
    assert all(response.json()["error"] == "queue_full" for response in refused)
    assert set(statuses) <= {200, 503}
    health = slow_client.get("/health").json()["metrics"]
    assert health["total_rejected"] == len(refused)
    assert health["max_observed_queue"] == 2


def test_sigterm_finishes_queued_renders_then_exits_cleanly() -> None:
    with running_service(
        ["--log-level", "warning"],
        command=uvicorn_command("tests.slow_app:create", factory=True),
        env={
            "SLOW_APP_DELAY": "0.3",
            "CG3_WORKER_COUNT": "1",
            "CG3_MAX_WAIT_MS": "60000",  # all five wait their turn
        },
        cwd=REPO,
        ready_seconds=60,
    ) as service:
        base = service.url
        with ThreadPoolExecutor(5) as pool:
            cats = [{"payload": {**CAT["payload"], "spriteNumber": pose}} for pose in range(5)]
            futures = [
                pool.submit(httpx.post, f"{base}/render", json=cat, timeout=30) for cat in cats
            ]
            deadline = time.monotonic() + 30
            while httpx.get(f"{base}/health", timeout=5).json()["metrics"]["total_enqueued"] < 5:
                assert time.monotonic() < deadline, "the renders never reached the queue"
                time.sleep(0.02)
            service.send_signal(signal.SIGTERM)  # all five are queued or rendering
            responses = [future.result() for future in futures]
        assert [response.status_code for response in responses] == [200] * 5
        assert all(response.json()["image"].startswith("data:image/png") for response in responses)
        # uvicorn finishes its shutdown, then re-raises the signal it was stopped with.
        assert service.wait(timeout=30) in (0, -signal.SIGTERM)
        log = service.output()
        assert "render workers stopped" in log
        assert "Traceback" not in log


def test_the_fast_path_and_the_framework_route_answer_alike(
    client: TestClient, renderer: Renderer
) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    with TestClient(create_app(settings, renderer, fast_path=False)) as framework:
        for request in [
            {"json": CAT},
            {"json": CAT, "headers": {"Accept": "image/png"}},
            {"json": {"payload": {"spriteNumber": 50}}},
            {"content": b"{oops", "headers": {"Content-Type": "application/json"}},
        ]:
            fast = client.post("/render", **request)  # type: ignore[arg-type]
            slow = framework.post("/render", **request)  # type: ignore[arg-type]
            assert fast.status_code == slow.status_code
            assert fast.headers["content-type"] == slow.headers["content-type"]
            assert fast.headers.get("etag") == slow.headers.get("etag")
            if fast.headers["content-type"] == "application/json" and fast.status_code == 200:
                assert fast.json()["image"] == slow.json()["image"]
            else:
                assert fast.content == slow.content
