"""One JSON shape for every error answer, and the handlers that produce it."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..models import ErrorResponse, RenderRequest
from ..renderer import InvalidTraitsError

logger = logging.getLogger("renderer.errors")

PARAMS_PATH = "payload.params"


class ApiError(Exception):
    """An error answer raised from a route: status, code, sentence and its items."""

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
        self.items = list(items)
        self.headers = dict(headers or {})
        super().__init__(detail)


def error_response(
    status: int,
    error: str,
    detail: str,
    items: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    listed = [dict(item) for item in items]
    body = {
        "error": error,
        "detail": detail,
        "field": next((item.get("field") for item in listed if item.get("field")), None),
        "errors": listed,
    }
    return Response(
        orjson.dumps(body, default=repr),
        status_code=status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def traits_error_items(
    error: InvalidTraitsError, prefix: str = PARAMS_PATH
) -> list[dict[str, Any]]:
    return [
        {
            "field": f"{prefix}.{item.field}",
            "value": item.value,
            "detail": str(item),
            "expected": item.expected,
            "suggestions": item.suggestions,
        }
        for item in error.errors
    ]


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The request model whose field set applies at ``loc`` (for unknown-field hints)."""
    model: type[BaseModel] | None = RenderRequest
    for part in loc:
        if model is None or isinstance(part, int):
            return None if model is None else model
        info = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        if info is None:
            return model
        annotation = info.annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return model


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def validation_items(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for err in errors:
        loc = [part for part in err.get("loc", ()) if part != "body"]
        field = ".".join(str(part) for part in loc) or None
        item: dict[str, Any] = {
            "field": field,
            "value": err.get("input"),
            "detail": f"{field}: {err.get('msg')}" if field else str(err.get("msg")),
            "expected": None,
            "suggestions": [],
        }
        kind = err.get("type", "")
        if kind == "extra_forbidden" and loc:
            parent = _model_at([str(p) for p in loc[:-1]])
            if parent is not None:
                names = _field_names(parent)
                item["expected"] = "one of the fields " + ", ".join(names)
                item["suggestions"] = difflib.get_close_matches(
                    str(loc[-1]), names, n=3, cutoff=0.5
                )
            item["value"] = str(loc[-1])
            item["detail"] = f"{field}: unknown field"
        elif "ctx" in err:
            ctx = err["ctx"]
            item["expected"] = ", ".join(
                f"{key} {value}" for key, value in ctx.items() if key != "error"
            )
        items.append(item)
    return items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.error, exc.detail, exc.items, exc.headers)

    @app.exception_handler(InvalidTraitsError)
    async def _traits(_request: Request, exc: InvalidTraitsError) -> Response:
        return error_response(422, "invalid_params", str(exc), traits_error_items(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        items = validation_items(exc.errors())
        detail = "; ".join(item["detail"] for item in items) or "invalid request"
        return error_response(422, "invalid_request", detail, items)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error while answering a request")
        return error_response(500, "internal_error", f"the render failed: {type(exc).__name__}")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": description}
    for status, description in (
        (400, "Bad request"),
        (413, "Request too large"),
        (422, "Invalid params: the field, the value and what would be accepted"),
        (500, "Render failed"),
        (503, "Busy: queue full or circuit open"),
    )
}
"""Documented error answers, shared by every route."""
