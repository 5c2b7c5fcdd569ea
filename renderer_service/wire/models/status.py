"""The answers of /health and /health/ready, and the error body every route answers with."""

from __future__ import annotations

from typing import Any

from pydantic import (
    BaseModel,
    Field,
)


class HealthResponse(BaseModel):
    status: str = Field(
        description="`ok`, or `degraded` while the circuit is open, the queue is full, a "
        "worker is missing or stuck, or the shared cache (Redis) is unreachable."
    )
    reasons: list[str] = Field(
        default_factory=list, description="Why the status is `degraded` (empty when `ok`)."
    )
    pack: dict[str, Any] = Field(
        description="The default sprite pack: `name`, `groups`, `cells` and content `hash`."
    )
    packs: list[dict[str, Any]] = Field(
        description="Every pack the service draws with (`options.pack` names one), the "
        "default first: name, group and cell counts, content hash."
    )
    metrics: dict[str, Any] = Field(
        description="Queue and worker metrics: queue_size, max_queue, max_observed_queue, "
        "total_enqueued, total_completed, total_failed, total_rejected, circuit_open, "
        "circuit_reset_in, worker_count, workers_alive, workers_stuck, timeouts, "
        "worker_restarts, latency_ms {p50, p95, p99}, cache and frame_cache {hits, misses, "
        "entries, bytes, evictions}, gc {collections, longest_pause_ms by generation, "
        "total_pause_ms, frozen_objects} of the service process, and more. With several "
        "server processes (`cg3 serve`, `CG3_SERVER_PROCESSES`), the numbers of all of them "
        "merged, `server_processes` {count, reporting, this, pids} and "
        "`cache.shared_memory` (the cache level they share; its `footprint_bytes` is the "
        "shared memory it takes, up to `CG3_CACHE_MAX_BYTES` once its ring has gone round)."
    )


class ReadyResponse(BaseModel):
    status: str = Field(description="`ready`: this replica can render.")
    degraded: list[str] = Field(
        default_factory=list,
        description="What is degraded but does not stop rendering (e.g. Redis unreachable).",
    )


class ErrorItem(BaseModel):
    field: str | None = Field(
        None, description="Where the problem is, e.g. `payload.params.colour`."
    )
    value: Any = Field(None, description="The value that was given.")
    detail: str = Field(description="What is wrong.")
    expected: str | None = Field(None, description="What would be accepted.")
    suggestions: list[str] = Field(default_factory=list, description="Closest valid names.")


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: str = Field(description="A short machine-readable code, e.g. `invalid_params`.")
    detail: str = Field(description="A sentence for people.")
    field: str | None = Field(None, description="The first field at fault, where one applies.")
    errors: list[ErrorItem] = Field(default_factory=list, description="Every problem found.")
