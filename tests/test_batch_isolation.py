"""Batches are isolated from interactive traffic: their frames have a cache of their own, and
a failing batch stops at its first failed frame and counts once for the circuit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.renderer import Renderer
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.frames import FrameTask

CATS = [
    {"payload": {"spriteNumber": pose, "params": {"peltName": "Tabby", "colour": "GINGER"}}}
    for pose in range(6)
]
BIG_BATCH = {
    "payload": {"spriteNumber": 8, "params": {"peltName": "Tabby", "colour": "GINGER"}},
    "variants": [{"id": str(pose), "spriteNumber": pose} for pose in range(16)],
    "options": {"tileSize": 250},  # 16 frames of 244 KiB: twice the budget below
}


@pytest.fixture(scope="module")
def small_caches(renderer: Renderer) -> Iterator[TestClient]:
    settings = Settings(
        sprite_root=renderer.pack.root, worker_count=1, cache_max_bytes=2 * 1024 * 1024
    )
    with TestClient(create_app(settings, renderer)) as client:
        yield client


def test_a_big_batch_leaves_cached_single_renders_in_the_cache(small_caches: TestClient) -> None:
    for cat in CATS:
        assert small_caches.post("/render", json=cat).headers["x-cache"] == "miss"
    assert small_caches.post("/render/batch", json=BIG_BATCH).status_code == 200
    assert [small_caches.post("/render", json=cat).headers["x-cache"] for cat in CATS] == [
        "hit-memory"
    ] * len(CATS)
    metrics = small_caches.get("/health").json()["metrics"]
    assert metrics["cache"]["evictions"] == 0
    assert metrics["frame_cache"]["entries"] == 16


class FailingFrames(TaskHandler):
    """Draws renders; fails every batch frame drawn at 77 px."""

    def __call__(self, kind: str, payload: Any) -> Any:
        if kind == "frame" and isinstance(payload, FrameTask) and payload.tile_size == 77:
            raise RuntimeError("this frame cannot be drawn")
        return super().__call__(kind, payload)


@pytest.fixture(scope="module")
def failing_frames(renderer: Renderer) -> Iterator[TestClient]:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, circuit_failure_threshold=3)
    app = create_app(settings, renderer, handler_factory=FailingFrames)
    with TestClient(app) as client:
        yield client


def test_a_failing_batch_names_its_frame_stops_there_and_counts_once(
    failing_frames: TestClient,
) -> None:
    failing = {**BIG_BATCH, "options": {"tileSize": 77}}
    for _ in range(2):
        response = failing_frames.post("/render/batch", json=failing)
        assert response.status_code == 500
        problem = response.json()
        assert problem["error"] == "render_failed"
        assert problem["detail"].startswith("frame 0 ('0'): ")
        assert "15 frames not drawn" in problem["detail"]
        assert problem["field"] == "frames[0]"
    metrics = failing_frames.get("/health").json()["metrics"]
    assert metrics["total_completed"] == 2  # one frame of each batch was drawn
    assert metrics["consecutive_failures"] == 2  # two batches, two failures
    assert metrics["circuit_open"] is False
    assert failing_frames.post("/render", json=CATS[0]).status_code == 200
