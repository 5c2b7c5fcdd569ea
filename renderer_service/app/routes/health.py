"""GET /health: is the service able to draw, and from which pack."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ...models import HealthResponse
from ..state import ServiceState, get_state

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, summary="Service status")
def health(state: Annotated[ServiceState, Depends(get_state)]) -> HealthResponse:
    pack = state.renderer.pack
    return HealthResponse(
        status="ok",
        pack={
            "path": str(pack.root),
            "groups": len(pack.groups),
            "cells": len(pack.cells),
            "hash": pack.content_hash,
        },
    )
