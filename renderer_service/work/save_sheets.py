"""What the service does with a save: parse the body, read the cats, page them, and plan the
whole-clan sheet as a batch.

It knows no web framework: ``app/routes/save.py`` hands it the body's bytes and the query's
options and sends back what it answers. Reading a save costs CPU (about a millisecond per
twenty cats), so the routes run these functions in a thread, off the event loop.
"""

from __future__ import annotations

from typing import Any

import orjson

from renderer_service.renderer import Vocabulary
from renderer_service.saves import (
    CatError,
    DrawOptions,
    SaveCat,
    SaveFormatError,
    arrange,
    read_save,
    save_cats,
    unknown_sick,
)
from renderer_service.wire import (
    MAX_BATCH_FRAMES,
    ApiError,
    BatchOptions,
    BatchRequest,
    BatchVariant,
    RenderPayload,
    SaveParamsQuery,
    SaveSheetQuery,
    error_item,
)


def parse_save(body: bytes) -> tuple[list[object], list[str]]:
    """The cats and sick IDs of a request body; ``ApiError`` (422) when it is not a save."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        detail = f"the body is not valid JSON: {error}"
        raise ApiError(
            422,
            "invalid_request",
            detail,
            [error_item(None, None, detail, "the content of clan_cats.json")],
        ) from None
    try:
        return save_cats(document)
    except SaveFormatError as error:
        raise ApiError(
            422,
            "invalid_request",
            error.detail,
            [error_item(error.field, error.value, error.detail, error.expected)],
        ) from None


MAX_LISTED_ERRORS = 1000
"""Most per-cat problems an answer lists; the rest are counted in ``warnings``. A 16 MiB
save of broken cats holds hundreds of thousands of them."""


def _listed(errors: list[CatError], warnings: list[str]) -> list[dict[str, Any]]:
    """The problems an answer lists, and a warning counting any left out."""
    if len(errors) > MAX_LISTED_ERRORS:
        warnings.append(f"{len(errors) - MAX_LISTED_ERRORS} more problems are not listed")
    return [error.as_dict() for error in errors[:MAX_LISTED_ERRORS]]


def _page(items: list[Any], offset: int, limit: int | None) -> list[Any]:
    return items[offset : None if limit is None else offset + limit]


def _sick_warnings(cats: list[object], sick: list[str]) -> list[str]:
    return [f"sick: no cat has the ID {cat_id!r}" for cat_id in unknown_sick(cats, sick)]


def _draw_options(sick: list[str], query: SaveParamsQuery) -> DrawOptions:
    return DrawOptions(sick=frozenset(sick), life_stage=query.life_stage)


def answer_save_params(body: bytes, query: SaveParamsQuery, vocabulary: Vocabulary) -> bytes:
    """The JSON answer of ``POST /save/params``: the page's cats as V2 render params."""
    cats, sick = parse_save(body)
    page = _page(cats, query.offset, query.limit)
    reading = read_save(page, vocabulary, _draw_options(sick, query), first_index=query.offset)
    warnings = _sick_warnings(cats, sick)
    return orjson.dumps(
        {
            "cats": [cat.as_dict() for cat in reading.cats],
            "errors": _listed(reading.errors, warnings),
            "warnings": warnings,
            "total": len(cats),
            "offset": query.offset,
            "limit": query.limit,
        }
    )


def plan_save_sheet(
    body: bytes, query: SaveSheetQuery, vocabulary: Vocabulary
) -> tuple[BatchRequest, dict[str, Any]]:
    """The batch that draws the sheet, and what the answer adds to the batch's own fields.

    ``ApiError``: 422 when no cat is left to draw, 413 when more are left than a sheet holds.
    """
    cats, sick = parse_save(body)
    reading = read_save(cats, vocabulary, _draw_options(sick, query))
    chosen = arrange(reading.cats, query.include, query.order)
    page: list[SaveCat] = _page(chosen, query.offset, query.limit)
    if len(page) > MAX_BATCH_FRAMES:
        detail = (
            f"{len(page)} cats to draw (include={query.include}); a sheet holds at most "
            f"{MAX_BATCH_FRAMES}: draw fewer with `include`, or page through them with "
            f"`offset` and `limit` (offset=0&limit={MAX_BATCH_FRAMES}, "
            f"offset={MAX_BATCH_FRAMES}&limit={MAX_BATCH_FRAMES}, ...)"
        )
        raise ApiError(
            413,
            "too_many_frames",
            detail,
            [
                error_item(
                    "limit",
                    query.limit,
                    detail,
                    f"at most {MAX_BATCH_FRAMES} cats per sheet: include=living|dead|all, "
                    "offset and limit",
                )
            ],
        )
    if not page:
        detail = (
            f"no cat to draw: the save has {len(reading.cats)} drawable cats, "
            f"{len(chosen)} of them with include={query.include}, none from offset "
            f"{query.offset}"
        )
        raise ApiError(
            422,
            "no_cats",
            detail,
            [
                error_item(
                    "include",
                    query.include,
                    detail,
                    "include=all, a smaller offset, or a save with drawable cats",
                )
            ],
        )
    request = BatchRequest(
        payload=RenderPayload(),
        variants=[
            BatchVariant(
                id=cat.id,
                label=cat.name[:128],
                group=(cat.status or "")[:64] or None,
                spriteNumber=cat.sprite_number,
                params=cat.params,
            )
            for cat in page
        ],
        options=BatchOptions(
            tileSize=query.tile_size,
            columns=query.columns,
            includeSources=query.include_sources,
        ),
    )
    warnings = _sick_warnings(cats, sick) + [
        f"cat {cat.id}: {warning}" for cat in page for warning in cat.warnings
    ]
    extra = {
        "errors": _listed(reading.errors, warnings),
        "warnings": warnings,
        "total": len(chosen),
        "offset": query.offset,
        "limit": query.limit,
    }
    return request, extra
