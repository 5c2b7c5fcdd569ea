"""POST /render: one cat, as JSON with a data URL or as PNG bytes.

This route documents the endpoint; ``..fastpath.RenderFastPath`` serves the same requests
with the same ``RenderService`` call, without the framework's per-request bookkeeping.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from ...jobs import OutputFormat, Reply
from ...models import RenderRequest, RenderResponse
from ..errors import ERROR_RESPONSES
from ..fastpath import wants_png
from ..openapi import json_body
from ..state import ServiceState, get_state

router = APIRouter(tags=["render"])


def reply_response(reply: Reply) -> Response:
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=reply.media_type or None,
        headers=dict(reply.headers),
    )


@router.post(
    "/render",
    response_model=RenderResponse,
    responses={
        **ERROR_RESPONSES,
        304: {"description": "Not modified: `If-None-Match` names this answer's ETag."},
        200: {
            "content": {"image/png": {}},
            "description": "The cat as JSON, or as PNG bytes with `Accept: image/png`.",
        },
    },
    openapi_extra=json_body(RenderRequest),
    summary="Render one cat",
)
async def render(
    request: Request,
    state: Annotated[ServiceState, Depends(get_state)],
    accept: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    body = await request.body()
    output: OutputFormat = "png" if wants_png(accept) else "json"
    return reply_response(await state.service.render(body, output, if_none_match))


@router.get(
    "/render/{code}.png",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"image/png": {}}, "description": "The cat as PNG bytes."},
        304: {"description": "Not modified (the ETag matched)."},
    },
    summary="Render a cat from its code",
)
async def render_code(
    code: str,
    state: Annotated[ServiceState, Depends(get_state)],
    scale: Annotated[int, Query(ge=1, le=16, description="Enlargement, 1-16.")] = 1,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    return reply_response(await state.service.render_code(code, scale, if_none_match))
