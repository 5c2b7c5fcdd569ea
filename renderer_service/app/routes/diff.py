"""POST /diff: a cat rendered here, compared pixel by pixel with a reference picture."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from renderer_service.app.errors import ERROR_RESPONSES
from renderer_service.app.routes.render import reply_response
from renderer_service.app.state import ServiceState, get_state
from renderer_service.wire import DiffRequest, DiffResponse

router = APIRouter(tags=["diff"])


@router.post(
    "/diff",
    response_model=DiffResponse,
    responses=ERROR_RESPONSES,
    summary="Compare a render with a reference picture",
    description="Renders the cat as `/render` would and compares it with `reference` (the "
    "50 x 50 cat or a whole-number enlargement of it). Two pixels are equal when both are "
    "fully transparent or no channel differs by more than `tolerance`. The answer counts "
    "the differing pixels, bounds them, draws them, and names the compositing stages whose "
    "own pixels cover them, most first.",
)
async def diff(
    request: DiffRequest, state: Annotated[ServiceState, Depends(get_state)]
) -> Response:
    return reply_response(await state.service.diff(request))
