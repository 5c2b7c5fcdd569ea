"""What a request may ask for besides its body: the ``Accept`` header, the query parameters of
``GET /render/{code}.<ext>`` and the extension itself. Each refusal lists what is accepted, so
a client that guessed wrong learns the right spelling from the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from renderer_service.renderer import MEDIA_TYPES, closest
from renderer_service.wire import ApiError, error_item

JSON = "application/json"
RENDER_TYPES: tuple[str, ...] = (JSON, *MEDIA_TYPES.values())
"""What ``POST /render`` answers in: JSON, or the picture itself."""

CODE_QUERY = ("scale", "background")
"""The query parameters of ``GET /render/{code}.<ext>``."""

IGNORED_QUERY_PREFIX = "utm_"
"""Tracking parameters links pick up when shared: accepted and ignored."""


def _media_ranges(accept: str) -> list[str]:
    """The media ranges an ``Accept`` header names, without those it refuses (``q=0``)."""
    ranges = []
    for part in accept.split(","):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        if not media:
            continue
        refused = any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params)
        if not refused:
            ranges.append(media)
    return ranges


def accept_error(accept: str | None, served: Sequence[str] = RENDER_TYPES) -> ApiError | None:
    """The 406 for an ``Accept`` header that names none of the ``served`` types, nor
    ``*/*`` nor a wildcard of their kind (``image/*``); ``None`` when the answer may be sent."""
    if accept is None or not accept.strip():
        return None
    kinds = {media.split("/", 1)[0] + "/*" for media in served}
    for media in _media_ranges(accept):
        if media == "*/*" or media in served or media in kinds:
            return None
    listed = ", ".join(served)
    detail = (
        f"the Accept header ({accept[:80]}) names no type this path answers in; "
        f"send Accept: {served[0]} (or {listed}, image/* or */*), or leave the header out"
    )
    return ApiError(
        406,
        "not_acceptable",
        detail,
        [error_item("Accept", accept, detail, listed + ", image/* or */*", list(served))],
    )


def query_error(names: Iterable[str], accepted: Sequence[str] = CODE_QUERY) -> ApiError | None:
    """The 400 for query parameters a route does not read (``utm_*`` tracking ones are
    ignored); ``None`` when every one is known."""
    unknown = [
        name
        for name in names
        if name not in accepted and not name.lower().startswith(IGNORED_QUERY_PREFIX)
    ]
    if not unknown:
        return None
    listed = ", ".join(accepted)
    items = [
        error_item(
            name,
            None,
            f"{name}: not a query parameter of this path",
            listed,
            _near(name, accepted),
        )
        for name in unknown[:10]
    ]
    hint = "".join(
        f" (did you mean {item['suggestions'][0]}?)" if item["suggestions"] else ""
        for item in items[:1]
    )
    detail = (
        f"unknown query parameter{'s' if len(unknown) > 1 else ''} "
        f"{', '.join(unknown[:10])}{hint}; this path reads {listed}"
    )
    return ApiError(400, "unknown_query_parameter", detail, items)


def _abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` is ``name`` with letters left out (``bg`` for ``background``)."""
    letters = iter(name)
    return bool(short) and short[0] == name[0] and all(ch in letters for ch in short)


def _near(name: str, accepted: Sequence[str]) -> list[str]:
    folded = name.lower()
    return closest(name, accepted, limit=2) or [a for a in accepted if _abbreviates(folded, a)]


def extension_error(name: str) -> ApiError:
    """The 404 for ``GET /render/{name}`` where ``name`` does not end in a served format."""
    code, dot, extension = name.rpartition(".")
    formats = list(MEDIA_TYPES)
    paths = ", ".join(f"/render/{{code}}.{f}" for f in formats)
    if not dot or not code:
        detail = f"/render/{name} is not served; a cat's picture is at {paths}"
        return ApiError(404, "not_found", detail, [error_item("path", name, detail, paths)])
    detail = (
        f".{extension} is not a format the service draws; use .{', .'.join(formats)} "
        f"(for example /render/{code[:256]}.png)"
    )
    return ApiError(
        404,
        "unknown_format",
        detail,
        [
            error_item(
                "extension", extension, detail, ", ".join(formats), closest(extension, formats)
            )
        ],
    )
