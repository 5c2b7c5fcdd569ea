"""Every 4xx and 5xx answer has one JSON shape, and the OpenAPI document says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.renderer import Renderer
from renderer_service.work.reply import Reply

from .slow_app import SlowHandler

CAT = {"payload": {"spriteNumber": 8, "params": {"colour": "GINGER"}}}
ERROR_REF = "#/components/schemas/ErrorResponse"


def uniform(response: Any, status: int, error: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"error", "detail", "field", "errors"}
    assert isinstance(body["error"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], list)
    for item in body["errors"]:
        assert set(item) == {"field", "value", "detail", "expected", "suggestions"}
    if error is not None:
        assert body["error"] == error
    return body


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


# --- the OpenAPI document ---------------------------------------------------------------


@pytest.fixture(scope="module")
def document(renderer: Renderer) -> dict[str, Any]:
    app = create_app(Settings(sprite_root=renderer.pack.root), renderer)
    return app.openapi()


def test_every_operation_documents_the_errors_any_request_may_get(
    document: dict[str, Any],
) -> None:
    listed = list(operations(document))
    assert len(listed) >= 3
    for label, operation in listed:
        assert {"405", "413", "500"} <= set(operation["responses"]), label


def test_every_documented_error_has_the_error_shape(document: dict[str, Any]) -> None:
    for label, operation in operations(document):
        for status, answer in operation["responses"].items():
            if int(status) < 400:
                continue
            assert answer["content"] == {"application/json": {"schema": {"$ref": ERROR_REF}}}, (
                label,
                status,
            )


def test_render_documents_its_own_errors(document: dict[str, Any]) -> None:
    responses = document["paths"]["/render"]["post"]["responses"]
    assert {"304", "413", "422", "500", "503", "504"} <= set(responses)


def test_the_error_shape_is_in_the_document(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    shape = schemas["ErrorResponse"]
    assert set(shape["properties"]) == {"error", "detail", "field", "errors"}
    assert set(shape["required"]) == {"error", "detail"}
    assert set(schemas["ErrorItem"]["properties"]) == {
        "field",
        "value",
        "detail",
        "expected",
        "suggestions",
    }
    assert "HTTPValidationError" not in schemas


def test_limits_are_in_the_request_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    params = schemas["RequestParams"]["properties"]

    def variants(schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The schema and everything nested in it (anyOf branches, list items, refs)."""
        if "$ref" in schema:
            schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
            return [schema, *[v for f in schema["properties"].values() for v in variants(f)]]
        found = [schema]
        for branch in schema.get("anyOf", []):
            found += variants(branch)
        if "items" in schema:
            found += variants(schema["items"])
        return found

    arrays = {
        name: next(v for v in variants(params[name]) if v.get("type") == "array")
        for name in ("scars", "accessories", "tortie")
    }
    assert all(array["maxItems"] == 16 for array in arrays.values())
    ignored = {"source", "basePalette", "tortiePalette", "experimentalColourMode", "label"}
    for name, field in params.items():
        for schema in variants(field):
            if schema.get("type") == "string":
                assert schema.get("maxLength") == (256 if name in ignored | {"poseName"} else 64)
    assert schemas["RenderOptions"]["properties"]["scale"]["maximum"] == 16


# --- the answers themselves ---------------------------------------------------------------


def test_404(client: TestClient) -> None:
    uniform(client.get("/no/such/page"), 404, "not_found")


@pytest.mark.parametrize(("method", "path"), [("GET", "/render"), ("DELETE", "/health")])
def test_405_names_the_allowed_methods(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    uniform(response, 405, "method_not_allowed")
    assert response.headers["allow"]


def test_413(client: TestClient) -> None:
    uniform(client.post("/render", content=b" " * 300_000), 413, "body_too_large")


def test_422(client: TestClient) -> None:
    body = uniform(client.post("/render", json={"payload": {"spriteNumber": 30}}), 422)
    assert body["field"] == "payload.spriteNumber"


class FailingHandler:
    """A renderer whose every render fails (the worker answers 500)."""

    def __init__(self, _renderer: Renderer) -> None:
        pass

    def __call__(self, kind: str, payload: Any) -> Reply:
        raise RuntimeError("the paint ran out")


def test_500_and_then_503_once_the_circuit_opens(renderer: Renderer) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, circuit_failure_threshold=1)
    app = create_app(settings, renderer, handler_factory=FailingHandler)
    with TestClient(app) as client:
        uniform(client.post("/render", json=CAT), 500, "render_failed")
        response = client.post("/render", json=CAT)
        uniform(response, 503, "circuit_open")
        assert int(response.headers["retry-after"]) >= 1


def test_504(renderer: Renderer) -> None:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, render_timeout_seconds=0.2)
    app = create_app(settings, renderer, handler_factory=lambda r: SlowHandler(r, 5.0))
    with TestClient(app) as client:
        uniform(client.post("/render", json=CAT), 504, "render_timeout")


def with_probe_route(app: FastAPI) -> FastAPI:
    """``app`` with two extra routes: one that takes a query parameter, one that fails."""

    @app.get("/probe")
    async def probe(count: int) -> dict[str, int]:
        return {"count": count}

    @app.get("/broken")
    async def broken() -> dict[str, int]:
        raise ZeroDivisionError

    return app


@pytest.fixture(scope="module")
def probe_app(renderer: Renderer) -> FastAPI:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    return with_probe_route(create_app(settings, renderer))


def test_an_unexpected_exception_is_a_uniform_500(probe_app: FastAPI) -> None:
    with TestClient(probe_app, raise_server_exceptions=False) as client:
        body = uniform(client.get("/broken"), 500, "internal_error")
        assert "ZeroDivisionError" in body["detail"]


def test_a_bad_query_parameter_is_a_uniform_422(probe_app: FastAPI) -> None:
    with TestClient(probe_app) as client:
        body = uniform(client.get("/probe", params={"count": "many"}), 422, "invalid_request")
        assert body["field"] == "query.count"
        assert client.get("/probe", params={"count": "3"}).json() == {"count": 3}


def test_a_bad_query_parameter_is_documented_with_the_error_shape(probe_app: FastAPI) -> None:
    probe_app.openapi_schema = None
    responses = probe_app.openapi()["paths"]["/probe"]["get"]["responses"]
    assert responses["422"]["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}
    assert "HTTPValidationError" not in probe_app.openapi()["components"]["schemas"]


def test_a_refused_cors_preflight_is_uniform(renderer: Renderer) -> None:
    settings = Settings(
        sprite_root=renderer.pack.root, worker_count=1, allowed_origins=["https://cats.example"]
    )
    with TestClient(create_app(settings, renderer)) as client:
        headers = {"Access-Control-Request-Method": "POST"}
        refused = client.options("/render", headers={**headers, "Origin": "https://evil.example"})
        body = uniform(refused, 400, "cors_refused")
        assert "origin" in body["detail"]
        allowed = client.options("/render", headers={**headers, "Origin": "https://cats.example"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://cats.example"
        oversized = client.post(
            "/render", content=b" " * 300_000, headers={"Origin": "https://cats.example"}
        )
        uniform(oversized, 413, "body_too_large")
        assert oversized.headers["access-control-allow-origin"] == "https://cats.example"
