"""POST /render: one cat, as JSON with a data URL or as PNG bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from starlette.responses import Response

from ...jobs import OutputFormat, Reply
from ...models import RenderRequest, RenderResponse
from ..errors import ERROR_RESPONSES
from ..openapi import json_body
from ..state import ServiceState, get_state

router = APIRouter(tags=["render"])


def wants_png(accept: str | None) -> bool:
    """Whether the client asked for the picture itself (``Accept: image/png`` before JSON)."""
    if not accept:
        return False
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if "image/png" not in types:
        return False
    return "application/json" not in types[: types.index("image/png")]


def reply_response(reply: Reply) -> Response:
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=reply.media_type,
        headers=dict(reply.headers),
    )


@router.post(
    "/render",
    response_model=RenderResponse,
    responses={
        **ERROR_RESPONSES,
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
) -> Response:
    body = await request.body()
    output: OutputFormat = "png" if wants_png(accept) else "json"
    return reply_response(await state.queue.submit("render", (body, output)))
