"""Every render param is documented in the OpenAPI schema, and its example is a valid one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import CatParams
from renderer_service.wire import RequestParams

PARAM_MODELS = ["RequestParams", "RequestTortieLayer"]
"""The params as the API documents them (the wire form of ``CatParams``)."""


@pytest.fixture(scope="module")
def schemas(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    found: dict[str, Any] = document["components"]["schemas"]
    return found


@pytest.mark.parametrize("model", PARAM_MODELS)
def test_every_param_has_a_description_and_an_example(schemas: dict[str, Any], model: str) -> None:
    properties = schemas[model]["properties"]
    assert properties
    for name, field in properties.items():
        assert field.get("description"), f"{model}.{name} has no description"
        assert field.get("examples"), f"{model}.{name} has no example"


def test_every_param_of_the_model_is_in_the_schema(schemas: dict[str, Any]) -> None:
    aliases = {info.alias or name for name, info in RequestParams.model_fields.items()}
    assert set(schemas["RequestParams"]["properties"]) == aliases
    renderer_params = {info.alias or name for name, info in CatParams.model_fields.items()}
    assert renderer_params <= aliases


def test_each_example_draws(schemas: dict[str, Any], client: TestClient) -> None:
    for name, field in schemas["RequestParams"]["properties"].items():
        params = {name: field["examples"][0], **_needed_with(name)}
        response = client.post("/render", json={"payload": {"params": params}})
        assert response.status_code == 200, (name, response.text)


def _needed_with(name: str) -> dict[str, Any]:
    """What a param's example needs beside it to be a valid cat."""
    if name == "isTortie":
        return {"tortiePattern": "Tabby", "tortieColour": "BLACK", "tortieMask": "ONE"}
    if name in ("tortiePattern", "tortieColour", "tortieMask"):
        single = {k: v for k, v in _needed_with("isTortie").items() if k != name}
        return {"isTortie": True, **single}
    if name == "afterlife":
        return {"dead": True}
    return {}


def test_the_pose_default_is_documented(schemas: dict[str, Any]) -> None:
    assert "default 8" in schemas["RequestParams"]["properties"]["spriteNumber"]["description"]
    payload = schemas["RenderPayload"]["properties"]["spriteNumber"]["description"]
    assert "pose 8" in payload
