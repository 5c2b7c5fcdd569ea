"""Error answers: one JSON shape for every 4xx and 5xx, built without any web framework.

``{"error": code, "detail": sentence, "field": first field at fault, "errors": [items]}``,
each item ``{"field", "value", "detail", "expected", "suggestions"}``. Worker processes and
the HTTP layer build their answers with the same functions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from .models import RenderRequest
from .renderer import InvalidTraitsError

PARAMS_PATH = "payload.params"

MAX_SHOWN_CHARS = 80
"""Longest text an error answer echoes back (a field name, a value); longer text is cut."""

MAX_SHOWN_BYTES = 512
"""Largest given value, as JSON, an error answer echoes back; a bigger one is summarised."""

MAX_ERROR_ITEMS = 20
"""Most problems one error answer lists; the rest are counted."""

MAX_READ_ERRORS = 200
"""Past this many problems a request is not examined item by item: it is refused whole.

A 256 KiB body of unknown fields holds tens of thousands of problems; reading each one
(with its suggestions) would cost the event loop seconds and answer megabytes."""


class ApiError(Exception):
    """An error answer: HTTP status, short code, a sentence and the items at fault."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        items: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.items = [dict(item) for item in items]
        self.headers = dict(headers or {})
        super().__init__(detail)

    def body(self) -> bytes:
        return error_body(self.error, self.detail, self.items)


def shorten(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text``, or its first ``limit`` characters and a note of its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def shown_value(value: object) -> object:
    """What an error answer may echo of a given value: short values as they are, long text
    cut, large lists and objects and numbers JSON cannot hold summarised."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, str):
        return shorten(value)
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else "(an integer too large to show)"
    if isinstance(value, list | dict):
        try:
            size = len(orjson.dumps(value))
        except TypeError:  # it holds something JSON cannot show, such as a huge integer
            size = MAX_SHOWN_BYTES + 1
        if size <= MAX_SHOWN_BYTES:
            return value
        if isinstance(value, dict):
            return f"(an object of {len(value)} fields)"
        return f"(a list of {len(value)} items)"
    return shorten(repr(value))


def error_item(
    field: str | None,
    value: object,
    detail: str,
    expected: str | None = None,
    suggestions: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "field": field,
        "value": shown_value(value),
        "detail": detail,
        "expected": expected,
        "suggestions": list(suggestions),
    }


def error_body(error: str, detail: str, items: Iterable[Mapping[str, Any]] = ()) -> bytes:
    listed = [dict(item) for item in items]
    body = {
        "error": error,
        "detail": detail,
        "field": next((item.get("field") for item in listed if item.get("field")), None),
        "errors": listed,
    }
    try:
        return orjson.dumps(body, default=repr)
    except TypeError:  # a value JSON cannot hold: the answer goes out without the values
        for item in listed:
            item["value"] = shown_value(item.get("value"))
        return orjson.dumps(body, default=repr)


def traits_error(error: InvalidTraitsError, prefix: str = PARAMS_PATH) -> ApiError:
    """The 422 for params that name things the pack cannot draw."""
    items = [
        error_item(f"{prefix}.{item.field}", item.value, str(item), item.expected, item.suggestions)
        for item in error.errors
    ]
    return ApiError(422, "invalid_params", str(error), items)


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model whose fields apply at ``loc`` below ``root`` (for unknown-field hints)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def field_path(loc: Sequence[str | int]) -> str | None:
    """``("payload", "params", "scars", 1)`` -> ``payload.params.scars[1]``; long names cut."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + shorten(str(part), 64)
    return path or None


def validation_error_from(
    error: ValidationError,
    root: type[BaseModel] = RenderRequest,
    prefix: Sequence[str | int] = (),
) -> ApiError:
    """The 422 for a pydantic ``ValidationError``: each problem, or one summary of very many."""
    count = error.error_count()
    if count > MAX_READ_ERRORS:
        detail = (
            f"the request has {count} problems (unknown fields, wrong types); "
            f"it does not look like a {root.__name__}"
        )
        return ApiError(422, "invalid_request", detail, [error_item(None, None, detail)])
    return validation_error(error.errors(include_url=False), root, prefix)


def validation_error(
    errors: Sequence[Mapping[str, Any]],
    root: type[BaseModel] = RenderRequest,
    prefix: Sequence[str | int] = (),
) -> ApiError:
    """The 422 for a body that does not fit the request model (types, ranges, fields).

    ``prefix`` is where ``root`` sits in the request, for models checked on their own.
    """
    items = []
    for err in errors[:MAX_ERROR_ITEMS]:
        loc = [part for part in err.get("loc", ()) if part != "body"]
        field = field_path([*prefix, *loc])
        message = str(err.get("msg", "invalid"))
        kind = err.get("type", "")
        value = err.get("input")
        expected = None
        suggestions: list[str] = []
        if kind == "extra_forbidden" and loc:
            parent = _model_at(root, loc[:-1])
            value = shorten(str(loc[-1]))
            message = "unknown field"
            if parent is not None:
                names = [info.alias or name for name, info in parent.model_fields.items()]
                expected = "one of the fields " + ", ".join(names)
                suggestions = difflib.get_close_matches(value, names, n=3, cutoff=0.5)
        elif kind == "json_invalid":
            value = None
            expected = "a JSON object"
        elif "ctx" in err:
            expected = ", ".join(f"{k} {v}" for k, v in err["ctx"].items() if k != "error")
        detail = f"{field}: {message}" if field else message
        items.append(error_item(field, value, detail, expected or None, suggestions))
    detail = "; ".join(item["detail"] for item in items) or "invalid request"
    if len(errors) > MAX_ERROR_ITEMS:
        detail += f"; and {len(errors) - MAX_ERROR_ITEMS} more problems"
    return ApiError(422, "invalid_request", detail, items)
