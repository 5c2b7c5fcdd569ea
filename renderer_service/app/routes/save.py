"""POST /save/params and POST /save/sheet: a player's ClanGen save (the 2024 / Lifegen
format or v0.13), every cat drawn.

The body is the content of ``clan_cats.json`` (or ``{"cats": [...], "sick": [ID, ...]}``), or
the Clan's save folder as a zip, recognised by its first bytes whatever the content type, up
to ``CG3_SAVE_MAX_BODY_BYTES``; the options are in the query string. Reading a save runs in a
thread so the event loop keeps answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from renderer_service.app.errors import ERROR_RESPONSES
from renderer_service.app.openapi import json_body
from renderer_service.app.routes.render import reply_response
from renderer_service.app.state import ServiceState, get_state
from renderer_service.wire import (
    ApiError,
    SaveDocument,
    SaveParamsQuery,
    SaveParamsResponse,
    SaveSheetQuery,
    SaveSheetResponse,
)
from renderer_service.work import Reply, answer_save_params, legacy_pack, plan_save_sheet

router = APIRouter(tags=["save"])

SAVE_PATHS = ("/save/params", "/save/sheet")
"""Routes whose body is a save, with their own body limit (``CG3_SAVE_MAX_BODY_BYTES``)."""

SAVE_BODY = json_body(SaveDocument)
SAVE_BODY["requestBody"]["content"]["application/json"]["schema"] = {
    "anyOf": [
        {
            "type": "array",
            "items": {},
            "description": "The content of clan_cats.json: cat objects (an entry that is "
            "not one is listed in the answer's `errors`).",
        },
        SAVE_BODY["requestBody"]["content"]["application/json"]["schema"],
    ]
}
SAVE_BODY["requestBody"]["content"]["application/zip"] = {
    "schema": {
        "type": "string",
        "format": "binary",
        "description": "The Clan's save folder zipped: clan_cats.json and conditions/ at the "
        "root or under one top folder, the Clan file <name>clan.json beside them or at the "
        "root (optional). Any content type is taken: a zip is known by its first bytes.",
    }
}


@router.post(
    "/save/params",
    response_model=SaveParamsResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=SAVE_BODY,
    summary="Read a ClanGen save: every cat as V2 render params",
    description="One entry per cat in the save's order, with the params `POST /render` "
    "accepts and that draw what ClanGen draws, the name the game shows, the age, the pose, "
    "the pack, and `request`: a body `POST /render` takes as it is. `saveFormat` says which "
    "save it is (`legacy`: 2024 / Lifegen; `v0.13`). A cat that cannot be read is listed in "
    "`errors` (index, ID, field, value, why); the others still convert. A cat is sick when "
    "`sick` lists it or, for a zipped folder, when its conditions say so.",
)
async def save_params(
    request: Request,
    query: Annotated[SaveParamsQuery, Query()],
    state: Annotated[ServiceState, Depends(get_state)],
) -> Response:
    body = await request.body()
    try:
        name, vocabulary = legacy_pack(state.packs)
        answer = await asyncio.to_thread(answer_save_params, body, query, vocabulary, name)
    except ApiError as error:
        return reply_response(Reply.from_error(error))
    return Response(answer, media_type="application/json")


@router.post(
    "/save/sheet",
    response_model=SaveSheetResponse,
    responses=ERROR_RESPONSES,
    openapi_extra=SAVE_BODY,
    summary="Draw a whole ClanGen save on one spritesheet",
    description="The cats `include` selects, in `order`, on one sheet: the answer of "
    "`POST /render/batch` (frames with `id` = the cat's ID and `label` = its name), plus "
    "the cats that could not be read. The batch limits apply: more cats than a sheet holds "
    "is a 413; page through them with `offset` and `limit`. A v0.13 save is drawn with the "
    "`clangen` pack (a 422 naming it when the service does not have it).",
)
async def save_sheet(
    request: Request,
    query: Annotated[SaveSheetQuery, Query()],
    state: Annotated[ServiceState, Depends(get_state)],
) -> Response:
    body = await request.body()
    try:
        batch, extra = await asyncio.to_thread(plan_save_sheet, body, query, state.packs)
    except ApiError as error:
        return reply_response(Reply.from_error(error))
    return reply_response(await state.service.render_batch(batch, extra))
