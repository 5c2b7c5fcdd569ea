"""The service's runtime: a bounded queue of render tasks served by worker processes."""

from renderer_service.runtime.board import (
    LATENCIES,
    PUBLISH_SECONDS,
    STALE_SECONDS,
    ProcessBoard,
    Siblings,
    merge_snapshots,
    missing_processes,
)
from renderer_service.runtime.cache import LRUCache
from renderer_service.runtime.circuit import CircuitBreaker, CircuitState
from renderer_service.runtime.collector import COLLECTIONS, freeze_long_lived
from renderer_service.runtime.inline_line import InlineLine
from renderer_service.runtime.line import QueueRefusedError
from renderer_service.runtime.queue import QueueLimits, RenderQueue
from renderer_service.runtime.redis_cache import RedisCache
from renderer_service.runtime.restarts import MAX_PAUSE_SECONDS, YOUNG_SECONDS
from renderer_service.runtime.shared_memory_cache import SharedMemoryCache
from renderer_service.runtime.shedding import SHED_REASONS, Sheds
from renderer_service.runtime.stats import MetricsCollector, QueueStats
from renderer_service.runtime.workers import Handler, Worker, WorkerCrashedError, failure_reply

__all__ = [
    "COLLECTIONS",
    "LATENCIES",
    "MAX_PAUSE_SECONDS",
    "PUBLISH_SECONDS",
    "SHED_REASONS",
    "STALE_SECONDS",
    "YOUNG_SECONDS",
    "CircuitBreaker",
    "CircuitState",
    "Handler",
    "InlineLine",
    "LRUCache",
    "MetricsCollector",
    "ProcessBoard",
    "QueueLimits",
    "QueueRefusedError",
    "QueueStats",
    "RedisCache",
    "RenderQueue",
    "SharedMemoryCache",
    "Sheds",
    "Siblings",
    "Worker",
    "WorkerCrashedError",
    "failure_reply",
    "freeze_long_lived",
    "merge_snapshots",
    "missing_processes",
]
