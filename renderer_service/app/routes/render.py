"""POST /render: one cat, as JSON with a data URL or as PNG bytes.

This route documents the endpoint; ``..fastpath.RenderFastPath`` serves the same requests
with the same ``RenderService`` call, without the framework's per-request bookkeeping.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response

from renderer_service.app.errors import ERROR_RESPONSES, documented
from renderer_service.app.fastpath import BODY_COMPLETE
from renderer_service.app.openapi import json_body
from renderer_service.app.state import ServiceState, get_state
from renderer_service.renderer import MEDIA_TYPES, ImageFormat
from renderer_service.wire import BACKGROUND_DESCRIPTION, RenderRequest, RenderResponse
from renderer_service.work import (
    CODE_QUERY,
    Reply,
    accept_error,
    extension_error,
    query_error,
    wanted_formats,
)

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
        **documented({406: "The Accept header names no type the service answers in"}),
        304: {"description": "Not modified: `If-None-Match` names this answer's ETag."},
        200: {
            "content": {"image/png": {}, "image/webp": {}, "image/gif": {}},
            "description": "The cat as JSON, or as image bytes with `Accept: image/png` "
            "(or `image/webp`, `image/gif`).",
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
    refused = accept_error(accept)
    if refused is not None:
        return reply_response(Reply.from_error(refused))
    body = await request.body()
    arrived = request.scope.get(BODY_COMPLETE)  # when cg3 serve had the whole body
    reply = await state.service.render(body, wanted_formats(accept), if_none_match, (), arrived)
    return reply_response(reply)


def _code_route(image_format: ImageFormat) -> None:
    media_type = MEDIA_TYPES[image_format]

    async def render_code(
        code: str,
        request: Request,
        state: Annotated[ServiceState, Depends(get_state)],
        scale: Annotated[int, Query(ge=1, le=16, description="Enlargement, 1-16.")] = 1,
        background: Annotated[
            str, Query(min_length=1, max_length=64, description=BACKGROUND_DESCRIPTION)
        ] = "transparent",
        if_none_match: Annotated[str | None, Header()] = None,
        accept: Annotated[str | None, Header()] = None,
    ) -> Response:
        refused = query_error(request.query_params.keys(), CODE_QUERY) or accept_error(
            accept, (media_type,)
        )
        if refused is not None:
            return reply_response(Reply.from_error(refused))
        reply = await state.service.render_code(
            code, scale, if_none_match, image_format, background, request.scope.get(BODY_COMPLETE)
        )
        return reply_response(reply)

    router.add_api_route(
        f"/render/{{code}}.{image_format}",
        render_code,
        methods=["GET"],
        response_class=Response,
        responses={
            **ERROR_RESPONSES,
            **documented(
                {
                    404: "The extension is not a format the service draws (the answer lists them)",
                    406: f"The Accept header names neither {media_type} nor a wildcard that "
                    "covers it",
                }
            ),
            200: {"content": {media_type: {}}, "description": f"The cat as {media_type}."},
            304: {"description": "Not modified (the ETag matched)."},
        },
        description="Query parameters: `scale` and `background` (tracking parameters "
        "`utm_*` are ignored; any other is a 400 that lists these).",
        summary=f"Render a cat from its code, as {image_format.upper()}",
        name=f"render_code_{image_format}",
    )


for _format in MEDIA_TYPES:
    _code_route(_format)


@router.get("/render/{code}.{extension}", include_in_schema=False)
async def render_code_unknown_format(code: str, extension: str) -> Response:
    """A code with an extension the service does not draw (``.jpg``): a 404 that lists the
    ones it does, instead of a bare Not Found."""
    return reply_response(Reply.from_error(extension_error(f"{code}.{extension}")))
