"""The Accept and query rules of issue 25 hold on ``cg3 serve``'s direct path for
``POST /render`` as on the application's route (the direct path hands a refused Accept to the
application, which answers the 406)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest

from renderer_service.renderer import Renderer

from .test_server import Running, read_all, settings_for

CAT = orjson.dumps({"payload": {"params": {"peltName": "Tabby", "colour": "GINGER"}}})


@pytest.fixture(scope="module")
def server(renderer: Renderer) -> Iterator[Running]:
    running = Running(renderer, settings_for(renderer))
    yield running
    running.stop()


def ask(server: Running, request: str, body: bytes = b"") -> tuple[int, dict[str, object]]:
    with server.connect() as sock:
        sock.sendall(request.encode() + body)
        answer, _ = read_all(sock)
    head, _, content = answer.partition(b"\r\n\r\n")
    status = int(head.split(b"\r\n")[0].split()[1])
    document = orjson.loads(content) if content.startswith(b"{") else {}
    return status, document


def post(path: str, accept: str) -> str:
    return (
        f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {len(CAT)}\r\n"
        f"Accept: {accept}\r\nConnection: close\r\n\r\n"
    )


@pytest.mark.parametrize("path", ["/render", "/render?via=asgi"], ids=["direct", "application"])
def test_an_accept_naming_no_served_type_is_a_406_on_both_paths(server: Running, path: str) -> None:
    status, body = ask(server, post(path, "image/jpeg"), CAT)
    assert status == 406
    assert body["error"] == "not_acceptable"
    status, _ = ask(server, post(path, "image/*"), CAT)
    assert status == 200


def test_code_urls_refuse_unknown_query_parameters_and_extensions(server: Running) -> None:
    status, body = ask(server, post("/render", "application/json"), CAT)
    code = body["code"]
    get = "GET {} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    assert ask(server, get.format(f"/render/{code}.png?bg=black"))[0] == 400
    assert ask(server, get.format(f"/render/{code}.png?utm_source=x"))[0] == 200
    status, body = ask(server, get.format(f"/render/{code}.jpg"))
    assert status == 404
    assert body["error"] == "unknown_format"
