"""Request limits: oversized bodies get 413 before parsing, huge or deep JSON is refused
cheaply, and no error answer echoes a hostile request back at length."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.fastpath import Message, Scope
from renderer_service.app.limits import BodyLimit
from renderer_service.app.main import create_app
from renderer_service.config import Settings, SettingsError, load_settings
from renderer_service.renderer import Renderer
from renderer_service.wire.errors import MAX_ERROR_ITEMS

LIMIT = 262_144
CAT = {"payload": {"spriteNumber": 8, "params": {"peltName": "Tabby", "colour": "GINGER"}}}
ERROR_KEYS = {"error", "detail", "field", "errors"}


def uniform(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    return body


def padded(document: object, size: int) -> bytes:
    """``document`` as JSON padded with trailing spaces to exactly ``size`` bytes."""
    raw = json.dumps(document).encode()
    return raw + b" " * (size - len(raw))


@pytest.fixture(scope="module")
def framework_client(renderer: Renderer) -> Iterator[TestClient]:
    """The app without its fast path: POST /render through the FastAPI route."""
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1)
    with TestClient(create_app(settings, renderer, fast_path=False)) as client:
        yield client


# --- the size limit ---------------------------------------------------------------------


def test_the_default_limit_is_256_kib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CG3_MAX_BODY_BYTES", raising=False)
    assert Settings(_env_file=None).max_body_bytes == LIMIT  # type: ignore[call-arg]


def test_the_limit_is_set_by_cg3_max_body_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG3_MAX_BODY_BYTES", "4096")
    assert load_settings().max_body_bytes == 4096


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
def test_a_bad_limit_names_its_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CG3_MAX_BODY_BYTES", value)
    with pytest.raises(SettingsError, match="CG3_MAX_BODY_BYTES"):
        load_settings()


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/render"), ("GET", "/health"), ("POST", "/health"), ("PUT", "/nowhere")],
)
def test_a_body_over_the_limit_is_refused_with_413_on_every_route(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, content=padded(CAT, LIMIT + 1))
    body = uniform(response, 413)
    assert body["error"] == "body_too_large"
    assert str(LIMIT) in body["detail"]
    assert str(LIMIT + 1) in body["detail"]
    assert body["errors"][0]["value"] == LIMIT + 1


def test_the_framework_route_is_guarded_too(framework_client: TestClient) -> None:
    body = uniform(framework_client.post("/render", content=padded(CAT, LIMIT + 1)), 413)
    assert body["error"] == "body_too_large"


@pytest.mark.parametrize("app_client", ["client", "framework_client"])
def test_a_body_of_exactly_the_limit_is_accepted(
    request: pytest.FixtureRequest, app_client: str
) -> None:
    client: TestClient = request.getfixturevalue(app_client)
    response = client.post(
        "/render", content=padded(CAT, LIMIT), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text[:300]


def test_a_streamed_body_without_a_length_is_counted(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield padded(CAT, LIMIT + 10)

    response = client.post("/render", content=chunks())
    body = uniform(response, 413)
    assert body["error"] == "body_too_large"
    assert str(LIMIT) in body["detail"]


def test_a_streamed_body_within_the_limit_is_served(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield json.dumps(CAT).encode()

    assert client.post("/render", content=chunks()).status_code == 200


class Recorder:
    """A fake server side of one ASGI request: body chunks in, sent messages recorded."""

    def __init__(self, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> None:
        self.chunks = list(chunks)
        self.reads = 0
        self.sent: list[Message] = []
        self.scope: Scope = {"type": "http", "method": "POST", "path": "/x", "headers": headers}

    async def receive(self) -> Message:
        self.reads += 1
        chunk = self.chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(self.chunks)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        return int(self.sent[0]["status"])


async def reading_app(scope: Scope, receive: Any, send: Any) -> None:
    """An application that reads the whole body, then answers 200."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.mark.anyio
async def test_a_declared_oversized_body_is_answered_without_reading_it() -> None:
    called = False

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        nonlocal called
        called = True

    server = Recorder([b"x" * 100] * 50, [(b"content-length", b"5000")])
    await BodyLimit(app, max_bytes=1024)(server.scope, server.receive, server.send)
    assert server.status == 413
    assert not called
    assert server.reads == 0
    assert json.loads(server.sent[1]["body"])["error"] == "body_too_large"


@pytest.mark.anyio
async def test_a_chunked_body_stops_being_read_once_over_the_limit() -> None:
    server = Recorder([b"x" * 400] * 10, [(b"transfer-encoding", b"chunked")])
    await BodyLimit(reading_app, max_bytes=1000)(server.scope, server.receive, server.send)
    assert server.reads == 3  # 1200 bytes: past the limit, nothing more is read
    assert server.status == 413
    assert len(server.sent) == 2  # the 413 alone; the application's own answer is dropped


@pytest.mark.anyio
async def test_a_chunked_body_within_the_limit_reaches_the_application() -> None:
    server = Recorder([b"x" * 400] * 2, [(b"transfer-encoding", b"chunked")])
    await BodyLimit(reading_app, max_bytes=1000)(server.scope, server.receive, server.send)
    assert server.status == 200
    assert server.reads == 2


# --- huge and deep JSON within the limit --------------------------------------------------


def render_raw(client: TestClient, body: bytes) -> Any:
    return client.post("/render", content=body, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_deeply_nested_json_is_refused_by_the_parser(client: TestClient, opening: bytes) -> None:
    closing = b"]" if opening == b"[" else b"}"
    nested = opening * 10_000 + (b"1" if opening != b"[" else b"") + closing * 10_000
    body = b'{"payload": {"spriteNumber": 1, "params": {"scars": ' + nested + b"}}}"
    answer = uniform(render_raw(client, body), 422)
    assert answer["error"] == "invalid_request"
    assert "recursion limit" in answer["detail"]
    assert len(render_raw(client, body).content) < 1024
    assert client.post("/render", json=CAT).status_code == 200  # nothing was harmed


def test_a_huge_list_is_refused_without_echoing_it(client: TestClient) -> None:
    names = ["ONE"] * 37_000
    body = json.dumps({"payload": {"spriteNumber": 1, "params": {"scars": names}}}).encode()
    assert LIMIT - 20_000 < len(body) <= LIMIT
    response = render_raw(client, body)
    answer = uniform(response, 422)
    assert answer["field"] == "payload.params.scars"
    assert "16" in answer["detail"]
    assert answer["errors"][0]["value"] == "(a list of 37000 items)"
    assert len(response.content) < 1024


def test_a_huge_string_is_refused_without_echoing_it(client: TestClient) -> None:
    body = json.dumps({"payload": {"spriteNumber": 1, "params": {"colour": "W" * 200_000}}})
    response = render_raw(client, body.encode())
    answer = uniform(response, 422)
    assert answer["field"] == "payload.params.colour"
    assert answer["errors"][0]["value"].endswith("(200000 characters)")
    assert len(response.content) < 1024


def test_a_flood_of_unknown_fields_is_refused_whole(client: TestClient) -> None:
    fields = {f"f{i}": 0 for i in range(20_000)}
    body = json.dumps({"payload": {"spriteNumber": 1, "params": fields}}).encode()
    assert len(body) <= LIMIT
    response = render_raw(client, body)
    answer = uniform(response, 422)
    assert "20000 problems" in answer["detail"]
    assert len(answer["errors"]) == 1
    assert len(response.content) < 1024


def test_an_unknown_field_with_a_huge_name_is_named_in_short(client: TestClient) -> None:
    body = json.dumps({"payload": {"spriteNumber": 1, "params": {"x" * 100_000: 1}}})
    response = render_raw(client, body.encode())
    answer = uniform(response, 422)
    assert answer["field"].startswith("payload.params.xxx")
    assert len(response.content) < 2048


def test_many_problems_are_listed_up_to_a_limit(client: TestClient) -> None:
    fields = {f"unknown{i}": 0 for i in range(MAX_ERROR_ITEMS + 10)}
    answer = uniform(
        client.post("/render", json={"payload": {"spriteNumber": 1, "params": fields}}), 422
    )
    assert len(answer["errors"]) == MAX_ERROR_ITEMS
    assert answer["detail"].endswith("and 10 more problems")


@pytest.mark.parametrize(
    "number", [b"1" + b"0" * 30, b"-9223372036854775809", b"18446744073709551616", b"9" * 4000]
)
def test_an_integer_too_large_for_json_is_a_422_not_a_crash(
    client: TestClient, number: bytes
) -> None:
    for body in [
        b'{"payload": {"spriteNumber": ' + number + b"}}",
        b'{"payload": {"spriteNumber": 1, "params": {"colour": ' + number + b"}}}",
        b'{"payload": {"spriteNumber": 1}, "extra": [' + number + b"]}",
        b'{"": ' + number + b"}",
    ]:
        answer = uniform(render_raw(client, body), 422)
        assert answer["error"] == "invalid_request"


def test_list_items_are_named_by_position_in_type_errors(client: TestClient) -> None:
    response = client.post(
        "/render", json={"payload": {"spriteNumber": 1, "params": {"scars": ["ONE", 7]}}}
    )
    assert uniform(response, 422)["field"] == "payload.params.scars[1]"


def test_wrong_names_get_suggestions_up_to_a_limit(client: TestClient) -> None:
    scars = ["ONEE", "TWOO", "THREEE", "NOTAL", "SNAKEE", "LEFTEARR", "RIGHTEARR", "FOURR"]
    response = client.post(
        "/render", json={"payload": {"spriteNumber": 1, "params": {"scars": scars}}}
    )
    items = uniform(response, 422)["errors"]
    assert [item["field"] for item in items] == [f"payload.params.scars[{i}]" for i in range(8)]
    assert all(item["suggestions"] for item in items[:5])
    assert all(item["suggestions"] == [] for item in items[5:])
    assert all(item["expected"] == "a scar" for item in items)
