"""Error answers a newcomer can act on: every problem at once, in plain words, with the value
that was sent, a hint for traits at the wrong level, and where to find every valid name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient


def problems(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    return body


def by_field(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["field"]: item for item in body["errors"]}


def test_a_bad_pose_and_a_bad_colour_are_reported_together(client: TestClient) -> None:
    body = problems(
        client.post(
            "/render",
            json={"payload": {"spriteNumber": 25, "params": {"colour": "GINGR", "shading": 1}}},
        )
    )
    items = by_field(body)
    assert set(items) == {
        "payload.spriteNumber",
        "payload.params.colour",
        "payload.params.shading",
    }
    assert "GINGER" in items["payload.params.colour"]["suggestions"]
    assert "payload.params.colour" in body["detail"]


@pytest.mark.parametrize(
    ("payload", "field", "sent", "expected"),
    [
        ({"spriteNumber": 25}, "payload.spriteNumber", 25, "at most 20"),
        ({"spriteNumber": -1}, "payload.spriteNumber", -1, "at least 0"),
        ({"params": {"spriteNumber": 21}}, "payload.params.spriteNumber", 21, "at most 20"),
        ({"spriteNumber": 8.0}, "payload.spriteNumber", 8.0, "a whole number"),
        ({"spriteNumber": "8"}, "payload.spriteNumber", "8", "a whole number"),
        ({"params": {"shading": "yes"}}, "payload.params.shading", "yes", "true or false"),
        ({"params": {"colour": 3}}, "payload.params.colour", 3, "text in quotes"),
        ({"params": {"opacity": 101}}, "payload.params.opacity", 101, "at most 100"),
        ({"params": {"scars": ["ONE"] * 17}}, "payload.params.scars", ["ONE"] * 17, "at most 16"),
        ({"params": {"colour": "G" * 65}}, "payload.params.colour", "G" * 65, "at most 64"),
    ],
)
def test_problems_are_told_in_plain_words_with_the_value_sent(
    client: TestClient, payload: dict[str, Any], field: str, sent: object, expected: str
) -> None:
    body = problems(client.post("/render", json={"payload": payload}))
    item = by_field(body)[field]
    assert item["value"] == sent
    assert item["expected"].startswith(expected)
    for jargon in ("le 20", "ge 0", "lt 21", "Input should", "max_length"):
        assert jargon not in json.dumps(body)


def test_no_error_item_leaves_expected_empty(client: TestClient) -> None:
    bad = [
        {"payload": {"spriteNumber": 25, "params": {"colour": "QQQQ", "nope": 1}}},
        {"payload": {"params": {"tortie": [{"pattern": 1}]}}},
        {"options": {"scale": 99}},
        {"peltName": "Tabby"},
    ]
    for request in bad:
        for item in problems(client.post("/render", json=request))["errors"]:
            assert item["expected"], item


def test_an_unknown_field_echoes_the_value_sent_not_its_name(client: TestClient) -> None:
    body = problems(client.post("/render", json={"payload": {"params": {"colur": "GINGER"}}}))
    item = by_field(body)["payload.params.colur"]
    assert item["value"] == "GINGER"
    assert "colour" in item["suggestions"]


@pytest.mark.parametrize(
    ("request_body", "field", "suggestion"),
    [
        ({"peltName": "Tabby", "colour": "GINGER"}, "peltName", "payload.params.peltName"),
        ({"params": {"colour": "GINGER"}}, "params", "payload.params"),
        ({"payload": {"colour": "GINGER"}}, "payload.colour", "payload.params.colour"),
    ],
)
def test_traits_at_the_wrong_level_are_told_where_they_go(
    client: TestClient, request_body: dict[str, Any], field: str, suggestion: str
) -> None:
    body = problems(client.post("/render", json=request_body))
    item = by_field(body)[field]
    assert "traits go under payload.params" in item["detail"]
    assert item["suggestions"] == [suggestion]


def test_a_missing_payload_is_told_where_traits_go(client: TestClient) -> None:
    item = by_field(problems(client.post("/render", json={})))["payload"]
    assert "traits go under payload.params" in item["expected"]


def test_a_name_with_no_close_match_points_to_its_catalog_entry(client: TestClient) -> None:
    body = problems(
        client.post("/render", json={"payload": {"params": {"eyeColour": "XQZWV", "tint": "zz"}}})
    )
    items = by_field(body)
    eye = items["payload.params.eyeColour"]
    assert eye["suggestions"] == []
    assert "GET /catalog" in eye["detail"]
    assert "`eyeColours`" in eye["detail"]
    assert "`tints`" in items["payload.params.tint"]["detail"]
    catalog = client.get("/catalog").json()
    assert "eyeColours" in catalog
    assert "tints" in catalog


def test_a_name_with_a_close_match_gets_the_match_instead(client: TestClient) -> None:
    body = problems(client.post("/render", json={"payload": {"params": {"colour": "GINGR"}}}))
    item = by_field(body)["payload.params.colour"]
    assert "GINGER" in item["suggestions"]
    assert "GET /catalog" not in item["detail"]


def test_get_render_names_the_ways_to_get_a_cat(client: TestClient) -> None:
    response = client.get("/render")
    assert response.status_code == 405
    detail = response.json()["detail"]
    assert "POST /render" in detail
    assert "GET /render/{code}.png" in detail
    assert response.headers["allow"] == "POST"
