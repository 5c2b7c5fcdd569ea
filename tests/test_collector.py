"""Objects alive after start-up are kept out of the garbage collector's full collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.renderer import Renderer
from renderer_service.runtime.collector import CollectionTimer, freeze_long_lived


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezing_exempts_the_live_objects_from_collection(unfrozen: None) -> None:
    kept: list[list[int]] = [[index] for index in range(10)]
    assert any(item is kept[0] for item in gc.get_objects())
    frozen = freeze_long_lived()
    # What it returns is the frozen generation's size; a server thread left by another test
    # may free a frozen object meanwhile, but nothing joins the frozen generation.
    assert 10_000 < gc.get_freeze_count() <= frozen
    collectable = {id(item) for item in gc.get_objects()}
    assert not any(id(item) in collectable for item in kept)


def test_a_full_collection_after_freezing_walks_only_new_objects(unfrozen: None) -> None:
    freeze_long_lived()
    assert len(gc.get_objects(generation=2)) < 1_000


@pytest.mark.parametrize("enabled", [True, False])
def test_the_service_freezes_at_start_up_unless_told_not_to(
    renderer: Renderer, unfrozen: None, enabled: bool
) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, gc_freeze=enabled)
    with TestClient(create_app(settings, renderer=renderer)) as client:
        assert client.get("/health").status_code == 200
        assert (gc.get_freeze_count() > 10_000) is enabled


def test_the_timer_counts_collections_and_their_longest_pause() -> None:
    timer = CollectionTimer()
    timer.install()
    try:
        gc.collect(0)
        gc.collect(2)
    finally:
        timer.remove()
    snapshot = timer.snapshot()
    assert snapshot["collections"][0] >= 1
    assert snapshot["collections"][2] >= 1
    assert snapshot["longest_pause_ms"][2] > 0
    assert snapshot["total_pause_ms"] >= snapshot["longest_pause_ms"][2]
    gc.collect()
    assert timer.snapshot()["collections"] == snapshot["collections"]  # removed: stops counting


def test_health_and_metrics_show_the_collector(renderer: Renderer, unfrozen: None) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    with TestClient(create_app(settings, renderer=renderer)) as client:
        gc.collect()
        health = client.get("/health").json()
        metrics = client.get("/metrics").text
    collector = health["metrics"]["gc"]
    assert collector["frozen_objects"] > 10_000
    assert collector["collections"][2] >= 1
    assert 'cg3_gc_longest_pause_seconds{generation="2"}' in metrics
    assert "cg3_gc_frozen_objects" in metrics
