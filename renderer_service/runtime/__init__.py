"""The service's runtime: a bounded queue of render tasks served by worker processes."""

from .cache import LRUCache
from .circuit import CircuitBreaker, CircuitState
from .queue import QueueLimits, QueueRefusedError, RenderQueue
from .redis_cache import RedisCache
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
    "RedisCache",
    "RenderQueue",
    "Worker",
    "WorkerCrashedError",
]
