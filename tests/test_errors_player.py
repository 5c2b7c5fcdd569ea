"""Issue 25 (player-grade), the service's side: answers that say what to do instead of staying
silent or bare, and share links that unfurl into the cat."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.routes.share import describe

from .test_errors_uniform import uniform

CAT = {"payload": {"params": {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN"}}}


@pytest.fixture(scope="module")
def code(client: TestClient) -> str:
    answer = client.post("/render", json=CAT)
    assert answer.status_code == 200
    value: str = answer.json()["code"]
    return value


# --- GET /render/{code}.<ext>: query, extension, Accept -------------------------------------


def test_an_unknown_query_parameter_on_a_code_url_is_a_400_listing_the_accepted_ones(
    client: TestClient, code: str
) -> None:
    body = uniform(client.get(f"/render/{code}.png?bg=black"), 400, "unknown_query_parameter")
    assert body["field"] == "bg"
    assert "scale" in body["detail"]
    assert "background" in body["detail"]
    assert "background" in body["errors"][0]["suggestions"]


def test_tracking_parameters_on_a_code_url_are_ignored(client: TestClient, code: str) -> None:
    answer = client.get(f"/render/{code}.png?scale=2&utm_source=discord&utm_medium=chat")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/png"


def test_an_unknown_extension_is_a_404_that_lists_the_formats(
    client: TestClient, code: str
) -> None:
    body = uniform(client.get(f"/render/{code}.jpg"), 404, "unknown_format")
    assert body["detail"] != "Not Found"
    for extension in ("png", "webp", "gif"):
        assert extension in body["errors"][0]["expected"]
    assert f"/render/{code}.png" in body["detail"]


def test_an_accept_header_naming_no_served_type_is_a_406(client: TestClient, code: str) -> None:
    answer = client.post("/render", json=CAT, headers={"Accept": "image/jpeg"})
    body = uniform(answer, 406, "not_acceptable")
    assert "image/png" in body["detail"]
    assert "application/json" in body["detail"]
    coded = client.get(f"/render/{code}.png", headers={"Accept": "image/jpeg"})
    assert coded.status_code == 406
    assert "image/png" in coded.json()["detail"]


@pytest.mark.parametrize(
    "accept",
    ["*/*", "image/*", "image/webp,*/*;q=0.8", "text/html, */*;q=0.1", "application/json"],
)
def test_accept_headers_with_a_served_type_or_a_wildcard_are_answered(
    client: TestClient, accept: str
) -> None:
    answer = client.post("/render", json=CAT, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text


# --- the request body ---------------------------------------------------------------------


def test_an_unknown_background_gets_close_suggestions(client: TestClient) -> None:
    body = {**CAT, "options": {"background": "forest"}}
    answer = client.post("/render", json=body)
    assert answer.status_code == 422
    item = answer.json()["errors"][0]
    assert item["suggestions"]
    assert all("forest" in name for name in item["suggestions"])
    assert "did you mean" in answer.json()["detail"]
    black = client.post("/render", json={**CAT, "options": {"background": "black"}})
    assert black.json()["errors"][0]["suggestions"] == ["#000000"]


def test_an_unknown_field_error_lists_the_accepted_fields_once(client: TestClient) -> None:
    params = {"peltName": "Tabby", "colur": "BLACK", "bogus": 1}
    answer = client.post("/render", json={"payload": {"params": params}})
    assert answer.status_code == 422
    text = answer.text
    assert text.count("skinColour, skinColor") == 1
    assert len(text) < 1500
    items = {item["field"]: item for item in answer.json()["errors"]}
    assert "colour" in items["payload.params.colur"]["suggestions"]
    assert "did you mean colour" in items["payload.params.colur"]["detail"]


# --- GET /c/{code} ---------------------------------------------------------------------------


def meta(page: str) -> dict[str, str]:
    tags = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page)
    return dict(tags)


def test_a_share_page_carries_opengraph_and_twitter_tags(client: TestClient, code: str) -> None:
    answer = client.get(f"/c/{code}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    tags = meta(answer.text)
    assert tags["og:title"] == "Ginger tabby, green eyes"
    assert tags["og:url"] == f"http://testserver/c/{code}"
    assert tags["og:image"] == f"http://testserver/render/{code}.png?scale=8"
    assert tags["og:image:width"] == tags["og:image:height"] == "400"
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:image"] == tags["og:image"]
    assert f'href="http://testserver/?cat={code}' in answer.text  # into the playground
    picture = client.get(tags["og:image"].removeprefix("http://testserver"))
    assert picture.status_code == 200
    assert picture.content[16:24] == (400).to_bytes(4, "big") * 2  # the PNG is 400 x 400


def test_a_share_page_ignores_tracking_and_unknown_query_parameters(
    client: TestClient, code: str
) -> None:
    answer = client.get(f"/c/{code}?utm_source=discord&ref=x")
    assert answer.status_code == 200
    assert meta(answer.text)["og:url"] == f"http://testserver/c/{code}"


def test_a_share_page_believes_forwarded_headers_only_from_trusted_proxies(
    client: TestClient, code: str
) -> None:
    state = client.app.state.service  # type: ignore[attr-defined]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cats.example"}
    untrusted = meta(client.get(f"/c/{code}", headers=forwarded).text)
    assert untrusted["og:url"].startswith("http://testserver/")
    saved = state.settings
    try:
        state.settings = saved.model_copy(update={"trusted_proxies": ["0.0.0.0/0", "::/0"]})
        # TestClient's peer is "testclient", not an address: trust needs a real one
        assert meta(client.get(f"/c/{code}", headers=forwarded).text)["og:url"].startswith(
            "http://testserver/"
        )
        state.settings = saved.model_copy(update={"public_url": "https://cg3.example"})
        tags = meta(client.get(f"/c/{code}").text)
        assert tags["og:image"] == f"https://cg3.example/render/{code}.png?scale=8"
    finally:
        state.settings = saved


def test_forwarded_headers_from_a_trusted_proxy_set_the_links() -> None:
    from starlette.requests import Request

    from renderer_service.app.routes.share import public_base

    scope: dict[str, Any] = {
        "type": "http",
        "scheme": "http",
        "server": ("10.0.0.2", 8000),
        "client": ("10.0.0.9", 5555),
        "path": "/c/x",
        "headers": [
            (b"host", b"10.0.0.2:8000"),
            (b"x-forwarded-proto", b"https"),
            (b"x-forwarded-host", b"cats.example"),
        ],
    }
    request = Request(scope)
    assert public_base(request, None, ["10.0.0.0/8"]) == "https://cats.example"
    assert public_base(request, None, ["192.168.0.0/16"]) == "http://10.0.0.2:8000"
    hostile = Request({**scope, "headers": [(b"host", b'"><script>')]})
    assert public_base(hostile, None, []) == "http://localhost"


def test_a_share_page_for_a_broken_code_is_a_400(client: TestClient) -> None:
    answer = client.get("/c/9nope")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_code"


@pytest.mark.parametrize(
    ("params", "text"),
    [
        (
            {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN"},
            "Ginger tabby, green eyes",
        ),
        ({}, "White cat, yellow eyes"),
        (
            {
                "colour": "BLACK",
                "whitePatches": "TUXEDO",
                "eyeColour": "BLUE",
                "eyeColour2": "AMBER",
            },
            "Black cat with white, blue and amber eyes",
        ),
        (
            {"peltName": "Tabby", "colour": "GINGER", "tortie": [{"pattern": "Tabby"}]},
            "Ginger tabby tortie, yellow eyes",
        ),
    ],
)
def test_a_cat_is_described_in_a_few_words(params: dict[str, Any], text: str) -> None:
    assert describe(params) == text
