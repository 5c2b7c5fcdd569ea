"""Several server processes report as one: each publishes its numbers to a shared board, and
whichever answers /health or /metrics merges them."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

import pytest

from renderer_service.runtime.board import (
    LATENCIES,
    ProcessBoard,
    Publication,
    merge_snapshots,
    missing_processes,
)


def _publish_from_child(board: ProcessBoard, index: int, value: int) -> None:
    board.publish(index, {"metrics": {"total_completed": value}, "reasons": []})
    os._exit(0)


def test_a_snapshot_published_in_a_forked_process_is_read_in_the_parent() -> None:
    board = ProcessBoard(3)
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_publish_from_child, args=(board, index, 10 * index))
        for index in (1, 2)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(10)
        assert child.exitcode == 0
    board.publish(0, {"metrics": {"total_completed": 5}, "reasons": []})
    others = board.others(0)
    assert [(p.index, p.snapshot["metrics"]["total_completed"]) for p in others] == [
        (1, 10),
        (2, 20),
    ]
    assert {p.pid for p in others} == {child.pid for child in children}
    assert all(p.age < 10 for p in others)


def test_an_empty_or_cleared_slot_reads_as_nothing() -> None:
    board = ProcessBoard(2)
    assert board.read(1) is None
    board.publish(1, {"metrics": {}})
    assert board.read(1) is not None
    board.clear(1)
    assert board.read(1) is None
    board.publish(1, {"metrics": {"again": True}})
    publication = board.read(1)
    assert publication is not None
    assert publication.snapshot == {"metrics": {"again": True}}


def test_a_snapshot_too_big_for_its_slot_is_refused_and_the_last_one_kept() -> None:
    board = ProcessBoard(1, slot_bytes=256)
    assert board.publish(0, {"small": 1})
    assert not board.publish(0, {"big": "x" * 1000})
    publication = board.read(0)
    assert publication is not None
    assert publication.snapshot == {"small": 1}


def test_a_board_is_shared_by_forking_not_pickled() -> None:
    import pickle

    with pytest.raises(TypeError, match="forking"):
        pickle.dumps(ProcessBoard(1))


def _process(completed: int, **extra: Any) -> dict[str, Any]:
    return {
        "queue_size": 1,
        "max_queue": 120,
        "max_observed_queue": completed // 10,
        "total_completed": completed,
        "circuit_open": False,
        "circuit_state": "closed",
        "circuit_reset_in": 0.0,
        "worker_count": 1,
        "cache": {
            "enabled": True,
            "hits": completed,
            "redis": {"enabled": True, "up": True, "url": "redis://a", "ttl_seconds": 60},
        },
        "gc": {"collections": [completed, 1, 0], "longest_pause_ms": [0.5, 2.0, 0.0]},
        **extra,
    }


def test_merging_adds_counters_and_sizes_and_keeps_the_largest_where_a_sum_means_nothing() -> None:
    merged = merge_snapshots([_process(100), _process(40)])
    assert merged["total_completed"] == 140
    assert merged["queue_size"] == 2
    assert merged["max_queue"] == 240
    assert merged["worker_count"] == 2
    assert merged["max_observed_queue"] == 10  # the largest one process saw, not a sum
    assert merged["cache"]["hits"] == 140
    assert merged["gc"]["collections"] == [140, 2, 0]
    assert merged["gc"]["longest_pause_ms"] == [0.5, 2.0, 0.0]
    # Settings and descriptions every process has alike are given once, not added.
    assert merged["cache"]["redis"]["ttl_seconds"] == 60
    assert merged["cache"]["redis"]["url"] == "redis://a"


def test_merging_takes_the_worst_circuit_and_any_flag_but_up_only_if_all_are() -> None:
    calm = _process(1)
    failing = _process(1, circuit_open=True, circuit_state="open", circuit_reset_in=4.5)
    failing["cache"]["redis"]["up"] = False
    merged = merge_snapshots([calm, failing])
    assert merged["circuit_open"] is True
    assert merged["circuit_state"] == "open"
    assert merged["circuit_reset_in"] == 4.5
    assert merged["cache"]["redis"]["up"] is False
    assert merge_snapshots([calm, _process(1)])["cache"]["redis"]["up"] is True


def test_latency_percentiles_are_taken_over_every_process_recent_renders() -> None:
    fast = {**_process(1), LATENCIES: [1.0] * 90}
    slow = {**_process(1), LATENCIES: [50.0] * 10}
    merged = merge_snapshots([fast, slow])
    assert merged["latency_ms"] == {"p50": 1.0, "p95": 50.0, "p99": 50.0}
    assert LATENCIES not in merged


def test_silent_and_missing_processes_are_reasons() -> None:
    fresh = Publication(1, 101, time.time(), {})
    silent = Publication(2, 102, time.time() - 30, {})
    reasons = missing_processes([fresh, silent], expected=3)
    assert len(reasons) == 2
    assert "server process 2 (pid 102) silent" in reasons[0]
    assert "1 server process(es) starting or gone" in reasons[1]
    assert missing_processes([fresh], expected=1) == []
