"""POST /render/batch: many frames of a cat on one spritesheet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from renderer_service.app.errors import ERROR_RESPONSES
from renderer_service.app.routes.render import reply_response
from renderer_service.app.state import ServiceState, get_state
from renderer_service.wire import BatchRequest, BatchResponse

router = APIRouter(tags=["batch"])


@router.post(
    "/render/batch",
    response_model=BatchResponse,
    responses=ERROR_RESPONSES,
    summary="Render variants of a cat onto one spritesheet",
)
async def render_batch(
    request: BatchRequest, state: Annotated[ServiceState, Depends(get_state)]
) -> Response:
    return reply_response(await state.service.render_batch(request))
