"""The playground's files as the service serves them: no browser needed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_root_serves_the_playground_page(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<script src="/playground/app.js"' in answer.text
    assert '<link rel="stylesheet" href="/playground/style.css"' in answer.text


def test_the_page_script_and_style_come_from_the_service_and_name_no_other_host(
    client: TestClient,
) -> None:
    for name, media in (("app.js", "text/javascript"), ("style.css", "text/css")):
        answer = client.get(f"/playground/{name}")
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith(media)
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", answer.text), name
    page = client.get("/").text
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)


def test_a_missing_playground_file_is_a_404_in_the_one_error_shape(client: TestClient) -> None:
    answer = client.get("/playground/nothing.js")
    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_the_page_is_not_part_of_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert {"/render/{code}.png", "/render/{code}.webp", "/render/{code}.gif"} <= set(paths)
