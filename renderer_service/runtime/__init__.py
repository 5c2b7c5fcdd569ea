"""The service's runtime: a bounded queue of render tasks served by worker processes."""

from .cache import LRUCache
from .circuit import CircuitBreaker, CircuitState
from .queue import QueueLimits, QueueRefusedError, RenderQueue
from .stats import MetricsCollector, QueueStats
from .workers import Handler, Worker, WorkerCrashedError

__all__ = [
    "CircuitBreaker",
    "CircuitState",
    "Handler",
    "LRUCache",
    "MetricsCollector",
    "QueueLimits",
    "QueueRefusedError",
    "QueueStats",
    "RenderQueue",
    "Worker",
    "WorkerCrashedError",
]
