"""Documenting request bodies that routes read as raw bytes, and the service's error shape.

The render routes hand the body's bytes to a worker process, which parses and checks it, so
FastAPI does not see the body model. ``json_body`` puts the model's schema into the
operation, and ``install_schemas`` adds the models it refers to to the document. FastAPI's
own 422 for a bad query or path parameter is documented with the error shape the service
really answers it with.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from renderer_service.wire import ErrorResponse

REF_TEMPLATE = "#/components/schemas/{model}"


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route whose JSON body is ``model``."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    schema.pop("$defs", None)
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    }


def uniform_validation_errors(document: dict[str, Any]) -> None:
    """Document FastAPI's own 422s (bad query or path parameters) with the error shape the
    service really answers them with, instead of FastAPI's ``HTTPValidationError``."""
    default = REF_TEMPLATE.format(model="HTTPValidationError")
    ours = REF_TEMPLATE.format(model=ErrorResponse.__name__)
    replaced = False
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                for content in answer.get("content", {}).values():
                    if content.get("schema", {}).get("$ref") == default:
                        content["schema"] = {"$ref": ours}
                        replaced = True
    if replaced:
        schemas = document["components"]["schemas"]
        schema = ErrorResponse.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in {**schema.pop("$defs", {}), "ErrorResponse": schema}.items():
            schemas.setdefault(name, definition)
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)


def install_schemas(app: FastAPI, models: list[type[BaseModel]]) -> None:
    """Make ``app.openapi()`` include ``models`` and everything they refer to."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                schema = model.model_json_schema(ref_template=REF_TEMPLATE)
                schemas.update(schema.pop("$defs", {}))
                schemas.setdefault(model.__name__, schema)
            uniform_validation_errors(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
