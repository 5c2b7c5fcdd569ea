"""GET /health and GET /metrics: what the service is doing, for people and for Prometheus."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from ...models import HealthResponse
from ..state import ServiceState, get_state

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, summary="Service status and queue metrics")
async def health(state: Annotated[ServiceState, Depends(get_state)]) -> HealthResponse:
    pack = state.renderer.pack
    metrics = state.service.snapshot()
    degraded = (
        metrics["circuit_open"]
        or metrics["workers_alive"] < metrics["worker_count"]
        or metrics["queue_size"] >= metrics["max_queue"]
    )
    return HealthResponse(
        status="degraded" if degraded else "ok",
        pack={
            "name": pack.name,
            "groups": len(pack.groups),
            "cells": len(pack.cells),
            "hash": pack.content_hash,
        },
        metrics=metrics,
    )


@router.get(
    "/metrics",
    summary="The same metrics in Prometheus text format",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(state: Annotated[ServiceState, Depends(get_state)]) -> Response:
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
