"""The handlers that turn every exception into the one error shape of ``..errors``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from renderer_service.renderer import InvalidTraitsError
from renderer_service.wire import (
    ApiError,
    ErrorResponse,
    error_body,
    traits_error,
    validation_error,
)

logger = logging.getLogger("renderer.errors")

HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}
"""The ``error`` code of answers the framework itself raises, by status."""


USES = {
    "/render": "POST /render (the cat as JSON) or GET /render/{code}.png (a cat by its code)",
    "/render/batch": "POST /render/batch (a spritesheet of many frames)",
}
"""What to send instead, for paths whose wrong method a newcomer is likely to try."""


def method_not_allowed(request: Request, allow: str) -> str:
    """The detail of a 405: the method and path, and what the path does take."""
    path = request.url.path
    methods = ", ".join(f"{method.strip()} {path}" for method in allow.split(",") if method.strip())
    use = USES.get(path) or methods or "another method"
    return f"{request.method} {path} is not served; use {use}"


def error_response(error: ApiError) -> Response:
    return Response(
        error.body(),
        status_code=error.status,
        media_type="application/json",
        headers=error.headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> Response:
        return error_response(exc)

    @app.exception_handler(InvalidTraitsError)
    async def _traits(_request: Request, exc: InvalidTraitsError) -> Response:
        return error_response(traits_error(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> Response:
        return error_response(validation_error(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_ERROR_CODES.get(exc.status_code, "http_error")
        detail = str(exc.detail)
        if exc.status_code == 405:
            detail = method_not_allowed(request, (exc.headers or {}).get("Allow", ""))
        return Response(
            error_body(code, detail),
            status_code=exc.status_code,
            media_type="application/json",
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error while answering a request")
        return error_response(ApiError(500, "internal_error", f"unexpected {type(exc).__name__}"))


def documented(errors: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with its description and the error shape."""
    return {
        status: {"model": ErrorResponse, "description": description}
        for status, description in errors.items()
    }


COMMON_ERROR_RESPONSES = documented(
    {
        405: "Method not allowed: this path does not take that method (see `Allow`)",
        413: "Request body over the size limit (`CG3_MAX_BODY_BYTES`, 256 KiB by default)",
        500: "Unexpected error",
    }
)
"""What any route may answer; every route documents these (see ``create_app``)."""

ERROR_RESPONSES = documented(
    {
        400: "Bad request",
        413: "Request too large",
        422: "Invalid params: the field, the value and what would be accepted",
        500: "Render failed",
        503: "Busy: the queue is full, the circuit is open or the service is stopping",
        504: "The render took longer than the per-render timeout",
    }
)
"""Documented error answers of the render routes."""
