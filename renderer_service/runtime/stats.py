"""Counters and latency percentiles of the render queue, for /health and /metrics."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CACHES = {"render": "cache", "frame": "frame_cache"}
"""The caches /metrics reports (label ``cache``), by their key in the snapshot."""

LATENCY_WINDOW = 2048
"""How many recent requests the latency percentiles cover."""


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class QueueStats:
    """What the queue has done since start-up."""

    total_enqueued: int = 0
    total_completed: int = 0
    total_failed: int = 0
    total_rejected: int = 0
    rejected_queue_full: int = 0
    rejected_circuit_open: int = 0
    timeouts: int = 0
    worker_restarts: int = 0
    max_observed_queue: int = 0
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def latency_percentiles(self) -> dict[str, float]:
        return latency_percentiles(self.latencies_ms)

    def record(self, latency_ms: float, failed: bool) -> None:
        """Count a finished task (drawn by a worker or in the server process)."""
        self.total_completed += 1
        if failed:
            self.total_failed += 1
        self.latencies_ms.append(latency_ms)


def latency_percentiles(latencies_ms: Iterable[float]) -> dict[str, float]:
    """p50, p95 and p99 of ``latencies_ms``, as /health and /metrics give them."""
    ordered = sorted(latencies_ms)
    return {
        "p50": round(percentile(ordered, 0.50), 3),
        "p95": round(percentile(ordered, 0.95), 3),
        "p99": round(percentile(ordered, 0.99), 3),
    }


class MetricsCollector(Collector):
    """Exposes the service's numbers (``snapshot()``, as /health shows them) to Prometheus,
    read at scrape time."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot()
        gauges = {
            "queue_size": "Renders waiting for a worker",
            "max_queue": "Capacity of the render queue",
            "max_observed_queue": "Most renders ever waiting at once",
            "in_flight": "Renders being drawn by a worker now",
            "worker_count": "Render worker processes",
            "workers_alive": "Render workers running and able to work",
            "workers_stuck": "Render workers held past the render timeout or stopped by the system",
            "circuit_open": "1 while the circuit breaker refuses renders",
            "circuit_reset_in": "Seconds until the open circuit lets a trial request through",
            "workers_restarting": "Render workers that died young, waiting to start again",
        }
        for name, help_text in gauges.items():
            if name in snapshot:
                yield GaugeMetricFamily(f"cg3_{name}", help_text, value=float(snapshot[name]))
        counters = {
            "total_enqueued": ("cg3_renders_enqueued", "Renders accepted into the queue"),
            "total_completed": ("cg3_renders_completed", "Renders answered by a worker"),
            "total_failed": ("cg3_renders_failed", "Renders that failed (5xx, crash, timeout)"),
            "total_rejected": ("cg3_renders_rejected", "Renders refused with 503"),
            "worker_restarts": ("cg3_worker_restarts", "Workers replaced after a crash or hang"),
            "timeouts": ("cg3_render_timeouts", "Renders that took longer than the render timeout"),
        }
        for key, (name, help_text) in counters.items():
            yield CounterMetricFamily(name, help_text, value=float(snapshot[key]))
        if "shed" in snapshot:
            shed = CounterMetricFamily(
                "cg3_shed",
                "Requests answered 503 to protect the service, by reason: wait (the render did "
                "not start within CG3_MAX_WAIT_MS), queue_full, circuit_open, connections (a "
                "new connection refused: every open one had a request being answered)",
                labels=["reason"],
            )
            for reason, count in snapshot["shed"].items():
                shed.add_metric([reason], float(count))
            yield shed
            yield CounterMetricFamily(
                "cg3_connections_evicted",
                "Connections closed to make room for a new one at CG3_MAX_CONNECTIONS",
                value=float(snapshot["connections_evicted"]),
            )
        collector = snapshot.get("gc")
        if collector is not None:
            runs = CounterMetricFamily(
                "cg3_gc_collections",
                "Garbage collections in the service process",
                labels=["generation"],
            )
            longest = GaugeMetricFamily(
                "cg3_gc_longest_pause_seconds",
                "Longest garbage-collection pause in the service process",
                labels=["generation"],
            )
            for generation, (count, pause_ms) in enumerate(
                zip(collector["collections"], collector["longest_pause_ms"], strict=True)
            ):
                runs.add_metric([str(generation)], float(count))
                longest.add_metric([str(generation)], pause_ms / 1000)
            yield runs
            yield longest
            yield GaugeMetricFamily(
                "cg3_gc_frozen_objects",
                "Objects exempt from garbage collection (frozen after start-up)",
                value=float(collector["frozen_objects"]),
            )
        latency = GaugeMetricFamily(
            "cg3_render_latency_seconds",
            f"Render latency percentiles over the last {LATENCY_WINDOW} renders",
            labels=["quantile"],
        )
        for label, key in (("0.5", "p50"), ("0.95", "p95"), ("0.99", "p99")):
            latency.add_metric([label], snapshot["latency_ms"][key] / 1000)
        yield latency
        caches = {name: snapshot[key] for name, key in CACHES.items() if key in snapshot}
        if caches:
            yield from _cache_metrics(caches)


def _cache_metrics(caches: dict[str, dict[str, Any]]) -> Iterator[Metric]:
    """Each cache (label ``cache``: ``render``, ``frame``) by level (label ``level``: the
    in-process ``memory`` LRU, ``shared_memory`` when several server processes share one, and
    ``redis`` when the shared level is configured)."""
    labels = ["cache", "level"]
    families: dict[str, CounterMetricFamily | GaugeMetricFamily] = {
        "hits": CounterMetricFamily("cg3_cache_hits", "Answers served from a cache", labels=labels),
        "misses": CounterMetricFamily(
            "cg3_cache_misses", "Cache lookups that missed", labels=labels
        ),
        "evictions": CounterMetricFamily(
            "cg3_cache_evictions",
            "Answers dropped to stay within the cache's budget",
            labels=labels,
        ),
        "entries": GaugeMetricFamily("cg3_cache_entries", "Answers in the cache", labels=labels),
        "bytes": GaugeMetricFamily("cg3_cache_bytes", "Bytes held by the cache", labels=labels),
    }
    for name, cache in caches.items():
        for key, family in families.items():
            family.add_metric([name, "memory"], float(cache[key]))
        common = cache.get("shared_memory") or {}
        if common.get("enabled"):  # the level several server processes share
            for key, family in families.items():
                family.add_metric([name, "shared_memory"], float(common[key]))
    shared = [
        (name, cache["redis"])
        for name, cache in caches.items()
        if (cache.get("redis") or {}).get("enabled")
    ]
    for name, redis in shared:
        families["hits"].add_metric([name, "redis"], float(redis["hits"]))
        families["misses"].add_metric([name, "redis"], float(redis["misses"]))
    yield from families.values()
    for _, redis in shared[:1]:
        yield GaugeMetricFamily(
            "cg3_cache_redis_up", "1 while the shared cache (Redis) answers", float(redis["up"])
        )
        errors = CounterMetricFamily(
            "cg3_cache_errors", "Shared cache calls that failed or timed out", labels=["level"]
        )
        errors.add_metric(["redis"], float(redis["errors"]))
        yield errors
        yield CounterMetricFamily(
            "cg3_cache_redis_outages", "Times the shared cache became unreachable", redis["outages"]
        )
        yield CounterMetricFamily(
            "cg3_cache_redis_writes", "Answers stored in the shared cache", redis["writes"]
        )
