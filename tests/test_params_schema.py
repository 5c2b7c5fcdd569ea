"""Every render param is documented in the OpenAPI schema, and its example is a valid one."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import CatParams, Renderer

PARAM_MODELS = ["CatParams", "TortieLayer"]


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
    aliases = {info.alias or name for name, info in CatParams.model_fields.items()}
    assert set(schemas["CatParams"]["properties"]) == aliases


def test_each_example_draws(schemas: dict[str, Any], renderer: Renderer) -> None:
    for name, field in schemas["CatParams"]["properties"].items():
        example = field["examples"][0]
        params = CatParams.model_validate({name: example, **_needed_with(name)})
        renderer.render(params)  # raises for a name the pack does not have


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
    assert "default 8" in schemas["CatParams"]["properties"]["spriteNumber"]["description"]
    payload = schemas["RenderPayload"]["properties"]["spriteNumber"]["description"]
    assert "pose 8" in payload
