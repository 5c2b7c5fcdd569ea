"""GET /health and GET /metrics: what the service is doing, for people and for Prometheus."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from renderer_service.app.state import ServiceState, get_state
from renderer_service.renderer import AnyRenderer
from renderer_service.wire import ApiError, ErrorResponse, HealthResponse, ReadyResponse

router = APIRouter(tags=["health"])


def _pack_identity(renderer: AnyRenderer) -> dict[str, Any]:
    pack = renderer.pack
    return {
        "name": pack.name,
        "groups": len(pack.groups),
        "cells": len(pack.cells),
        "hash": pack.content_hash,
    }


def _pack_entry(name: str, renderer: AnyRenderer) -> dict[str, Any]:
    return {**_pack_identity(renderer), "name": name}


@router.get("/health", response_model=HealthResponse, summary="Service status and queue metrics")
async def health(state: Annotated[ServiceState, Depends(get_state)]) -> HealthResponse:
    metrics = state.service.snapshot()
    reasons = state.service.degraded_reasons()
    return HealthResponse(
        status="degraded" if reasons else "ok",
        reasons=reasons,
        pack=_pack_identity(state.packs.default),
        packs=[_pack_entry(name, renderer) for name, renderer in state.packs],
        metrics=metrics,
    )


@router.get(
    "/health/ready",
    response_model=ReadyResponse,
    responses={
        503: {
            "model": ErrorResponse,
            "description": "This replica cannot render now: `not_ready`, with the reason.",
        }
    },
    summary="Readiness for load balancers: 200 when this replica can render",
)
async def ready(state: Annotated[ServiceState, Depends(get_state)]) -> Response:
    reason = state.service.not_ready_reason()
    if reason is not None:
        error = ApiError(503, "not_ready", f"not ready: {reason}", headers={"Retry-After": "1"})
        return Response(
            error.body(), status_code=503, media_type="application/json", headers=error.headers
        )
    body = ReadyResponse(status="ready", degraded=state.service.degraded_reasons())
    return Response(body.model_dump_json(), media_type="application/json")


@router.get(
    "/metrics",
    summary="The same metrics in Prometheus text format",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
async def metrics(state: Annotated[ServiceState, Depends(get_state)]) -> Response:
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)
