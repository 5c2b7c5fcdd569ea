"""The service's runtime: a bounded queue of render tasks served by worker processes."""

from .circuit import CircuitBreaker, CircuitState
from .queue import QueueLimits, RenderQueue
from .stats import QueueCollector, QueueStats
from .workers import Handler, Worker, WorkerCrashedError

__all__ = [
    "CircuitBreaker",
    "CircuitState",
    "Handler",
    "QueueCollector",
    "QueueLimits",
    "QueueStats",
    "RenderQueue",
    "Worker",
    "WorkerCrashedError",
]
