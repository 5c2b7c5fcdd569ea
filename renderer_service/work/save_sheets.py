"""What the service does with a save: open the body (``clan_cats.json`` or the Clan's folder
as a zip, whatever its content type), read the cats by their format (2024 or v0.13), page
them, and plan the whole-clan sheet as a batch on the pack that draws that format.

It knows no web framework: ``app/routes/save.py`` hands it the body's bytes and the query's
options and sends back what it answers. Reading a save costs CPU (about a millisecond per
twenty cats), so the routes run these functions in a thread, off the event loop.
"""

from __future__ import annotations

from typing import Any

import orjson

from renderer_service.packs import PackSet
from renderer_service.renderer import AnyVocabulary, Vocabulary
from renderer_service.saves import (
    LEGACY_PACK,
    MODERN_PACK,
    CatError,
    SaveArchiveError,
    SaveBodyError,
    SaveCat,
    SaveFolder,
    SaveFormatError,
    arrange,
    open_save,
    read_folder,
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

ARCHIVE_CODES = {413: "archive_too_large", 422: "invalid_archive"}


def parse_save(body: bytes) -> SaveFolder:
    """The save in a request body (JSON or a zip); ``ApiError`` (422, or 413 for a zip that
    unpacks too large) when it is not one."""
    try:
        return open_save(body)
    except SaveArchiveError as error:
        raise ApiError(
            error.status,
            ARCHIVE_CODES.get(error.status, "invalid_archive"),
            error.detail,
            [error_item(error.field, error.value, error.detail, error.expected)],
        ) from None
    except (SaveBodyError, SaveFormatError) as error:
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


def _save_warnings(folder: SaveFolder) -> list[str]:
    return folder.warnings + [
        f"sick: no cat has the ID {cat_id!r}" for cat_id in unknown_sick(folder.cats, folder.sick)
    ]


def answer_save_params(
    body: bytes, query: SaveParamsQuery, vocabulary: Vocabulary, legacy_name: str = LEGACY_PACK
) -> bytes:
    """The JSON answer of ``POST /save/params``: the page's cats as V2 render params, each with
    the ``request`` that draws it, and the save's format. ``vocabulary`` is the legacy pack's
    that 2024 cats are read with, ``legacy_name`` that pack's name in their requests."""
    folder = parse_save(body)
    page = _page(folder.cats, query.offset, query.limit)
    options = folder.options(query.life_stage)
    reading = read_folder(folder, vocabulary, options, page, first_index=query.offset)
    if folder.format != "v0.13":
        for cat in reading.cats:
            cat.pack = legacy_name
    warnings = _save_warnings(folder)
    return orjson.dumps(
        {
            "saveFormat": folder.format,
            "cats": [cat.as_dict() for cat in reading.cats],
            "errors": _listed(reading.errors, warnings),
            "warnings": warnings,
            "total": len(folder.cats),
            "offset": query.offset,
            "limit": query.limit,
        }
    )


def legacy_pack(packs: PackSet) -> tuple[str, Vocabulary]:
    """The pack 2024 saves are drawn with: the first of the legacy layout (the default pack
    unless the service lists a modern one first); ``ApiError`` (422) when there is none."""
    for name, renderer in packs:
        if isinstance(renderer.vocabulary, Vocabulary):
            return name, renderer.vocabulary
    detail = "2024 saves are drawn on a pack of the legacy layout, and this service has none"
    raise ApiError(
        422, "pack_unavailable", detail, [error_item("pack", None, detail, "a legacy pack")]
    )


def pack_for(folder: SaveFolder, packs: PackSet) -> tuple[str | None, AnyVocabulary]:
    """The pack a save's cats are drawn with and its vocabulary: the first legacy pack for a
    2024 save, ``clangen`` for a v0.13 one; ``ApiError`` (422) naming the pack when the
    service does not have it."""
    if folder.format != "v0.13":
        return legacy_pack(packs)
    try:
        name, renderer = packs.choose(MODERN_PACK)
    except ApiError:
        detail = (
            f"this save is in ClanGen v0.13's format, drawn with the `{MODERN_PACK}` pack, "
            f"which this service does not have (its packs: {', '.join(packs.names)}); "
            "POST /save/params still reads it"
        )
        raise ApiError(
            422,
            "pack_unavailable",
            detail,
            [error_item("pack", MODERN_PACK, detail, f"a service with the `{MODERN_PACK}` pack")],
        ) from None
    return name, renderer.vocabulary


def plan_save_sheet(
    body: bytes, query: SaveSheetQuery, packs: PackSet
) -> tuple[BatchRequest, dict[str, Any]]:
    """The batch that draws the sheet, and what the answer adds to the batch's own fields.
    A 2024 save is drawn on the default pack, a v0.13 one on ``clangen``.

    ``ApiError``: 422 when no cat is left to draw or the pack is missing, 413 when more are
    left than a sheet holds.
    """
    folder = parse_save(body)
    pack, vocabulary = pack_for(folder, packs)
    legacy = vocabulary if isinstance(vocabulary, Vocabulary) else None
    reading = read_folder(folder, legacy, folder.options(query.life_stage))
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
        variants=[_variant(cat) for cat in page],
        options=BatchOptions(
            tileSize=query.tile_size,
            columns=query.columns,
            includeSources=query.include_sources,
            pack=pack,
        ),
    )
    warnings = _save_warnings(folder) + [
        f"cat {cat.id}: {warning}" for cat in page for warning in cat.warnings
    ]
    extra = {
        "errors": _listed(reading.errors, warnings),
        "warnings": warnings,
        "saveFormat": folder.format,
        "total": len(chosen),
        "offset": query.offset,
        "limit": query.limit,
    }
    return request, extra


def _variant(cat: SaveCat) -> BatchVariant:
    """A cat's frame: a 2024 cat by its pose number; a v0.13 cat by its pose's name."""
    pose: dict[str, Any] = (
        {"spriteNumber": cat.sprite_number} if cat.pose is None else {"pose": cat.pose}
    )
    return BatchVariant(
        id=cat.id,
        label=cat.name[:128],
        group=(cat.status or "")[:64] or None,
        params=cat.params,
        **pose,
    )
