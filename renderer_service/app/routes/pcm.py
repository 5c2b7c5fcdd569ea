"""POST /import/pixel-cat-maker: a pixel-cat-maker share link -> a /render body (or picture)."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Header, Request
from pydantic import ValidationError
from starlette.responses import Response

from renderer_service.app.errors import ERROR_RESPONSES
from renderer_service.app.openapi import json_body
from renderer_service.app.routes.render import reply_response
from renderer_service.app.state import ServiceState, get_state
from renderer_service.wire import (
    ApiError,
    PcmImportRequest,
    PcmImportResponse,
    validation_error_from,
)
from renderer_service.work import Reply, import_pcm_link, parse_render_request, wanted_formats

router = APIRouter(tags=["render"])


@router.post(
    "/import/pixel-cat-maker",
    response_model=PcmImportResponse,
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {"image/png": {}, "image/webp": {}, "image/gif": {}},
            "description": "The `POST /render` body of the cat, or with `Accept: image/png` "
            "(or `image/webp`, `image/gif`) its picture.",
        },
    },
    openapi_extra=json_body(PcmImportRequest),
    summary="Open a pixel-cat-maker share link",
    description="Reads the link as pixel-cat-maker's own `CatData.fromURL` does and answers "
    "the `POST /render` body that draws the cat on the `clangen` pack (ClanGen v0.13's "
    "layout), with `warnings` for what the link held that draws nothing. A name the pack "
    "cannot draw is a 422, as `/render` answers it.",
)
async def import_pixel_cat_maker(
    request: Request,
    state: Annotated[ServiceState, Depends(get_state)],
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    try:
        asked = PcmImportRequest.model_validate_json(await request.body())
        answer = import_pcm_link(asked.url, asked.lineart, asked.april_fools)
        body = orjson.dumps(answer["request"])
        wanted = wanted_formats(accept)
        if wanted:
            return reply_response(await state.service.render(body, wanted))
        parse_render_request(body, state.packs)  # a 422 now rather than from /render later
    except ValidationError as error:
        return reply_response(Reply.from_error(validation_error_from(error, PcmImportRequest)))
    except ApiError as error:
        return reply_response(Reply.from_error(error))
    return Response(orjson.dumps(answer), media_type="application/json")
