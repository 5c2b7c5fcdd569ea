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
from pydantic import BaseModel

from .models import RenderRequest
from .renderer import InvalidTraitsError

PARAMS_PATH = "payload.params"


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


def error_item(
    field: str | None,
    value: object,
    detail: str,
    expected: str | None = None,
    suggestions: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "field": field,
        "value": value,
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


def _path(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validation_error(
    errors: Sequence[Mapping[str, Any]],
    root: type[BaseModel] = RenderRequest,
    prefix: Sequence[str | int] = (),
) -> ApiError:
    """The 422 for a body that does not fit the request model (types, ranges, fields).

    ``prefix`` is where ``root`` sits in the request, for models checked on their own.
    """
    items = []
    for err in errors:
        loc = [part for part in err.get("loc", ()) if part != "body"]
        field = _path([*prefix, *loc]) or None
        message = str(err.get("msg", "invalid"))
        kind = err.get("type", "")
        value = err.get("input")
        expected = None
        suggestions: list[str] = []
        if kind == "extra_forbidden" and loc:
            parent = _model_at(root, loc[:-1])
            value = str(loc[-1])
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
    return ApiError(422, "invalid_request", detail, items)
