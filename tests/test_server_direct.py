"""The direct path of ``cg3 serve`` for ``POST /render``: the same answers as the application
gives, in order with other requests, and every case it does not take goes the ASGI way.

A query string sends a ``POST /render`` through the ASGI application (the direct path takes
``/render`` alone), which is how these tests get the framework's answer to compare with.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from renderer_service.renderer import Renderer
from renderer_service.server.protocol import ProtectedHttpProtocol

from .test_server import Running, error_of, read_all, settings_for, statuses

CAT = {"payload": {"spriteNumber": 3, "params": {"peltName": "Tabby", "colour": "GINGER"}}}
VARIABLE = {b"date", b"etag", b"x-cache"}


@pytest.fixture(scope="module")
def server(renderer: Renderer) -> Iterator[Running]:
    running = Running(
        renderer,
        settings_for(renderer, max_body_bytes=4096, allowed_origins=["https://cats.example"]),
    )
    yield running
    running.stop()


def post(path: str, body: bytes, *headers: str, close: bool = True) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: t", f"Content-Length: {len(body)}", *headers]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def exchange(server: Running, data: bytes) -> bytes:
    with server.connect() as sock:
        sock.sendall(data)
        answer, _ = read_all(sock)
    return answer


def split(answer: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.lower().split(b": ", 1) for line in lines[1:])
    return status, headers, body


def meta_free(body: bytes) -> dict[str, object]:
    document: dict[str, object] = orjson.loads(body)
    meta = document.get("meta")
    if isinstance(meta, dict):
        for name in ("started_at", "finished_at", "duration_ms", "render_ms", "encode_ms"):
            meta.pop(name, None)
    return document


@pytest.mark.parametrize(
    "body",
    [
        orjson.dumps(CAT),
        orjson.dumps({"payload": {"params": {"colour": "GINGR", "eyeColour": "PURPLE"}}}),
        b"{not json",
        orjson.dumps({"payload": {"params": {"colour": "WHITE"}}, "options": {"scale": 99}}),
    ],
    ids=["cat", "bad-traits", "not-json", "bad-option"],
)
def test_the_direct_answer_is_the_applications_answer(server: Running, body: bytes) -> None:
    direct = split(exchange(server, post("/render", body)))
    framework = split(exchange(server, post("/render?via=asgi", body)))
    assert direct[0] == framework[0]
    assert {k: v for k, v in direct[1].items() if k not in VARIABLE} == {
        k: v for k, v in framework[1].items() if k not in VARIABLE
    }
    assert meta_free(direct[2]) == meta_free(framework[2])
    if direct[0] == 200:
        assert direct[1][b"etag"] == framework[1][b"etag"]


def test_a_repeat_on_the_direct_path_is_a_cache_hit_with_the_same_etag(
    server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[bytes] = []
    answer_direct = ProtectedHttpProtocol._answer_direct

    def counted(protocol: ProtectedHttpProtocol, direct: Any, *args: Any) -> None:
        looked_up.append(bytes(direct.body))
        answer_direct(protocol, direct, *args)

    monkeypatch.setattr(ProtectedHttpProtocol, "_answer_direct", counted)
    body = orjson.dumps({"payload": {"spriteNumber": 5, "params": {"colour": "BLACK"}}})
    first = split(exchange(server, post("/render", body)))
    second = split(exchange(server, post("/render", body)))
    assert looked_up == [body, body]  # both took the direct path
    exchange(server, post("/render?via=asgi", body))
    assert len(looked_up) == 2  # the application's route renders by itself
    assert first[1][b"x-cache"] == b"miss"
    assert second[1][b"x-cache"] == b"hit-memory"
    assert second[1][b"etag"] == first[1][b"etag"]
    assert second[2] == first[2]
    again = split(
        exchange(server, post("/render", body, f"If-None-Match: {first[1][b'etag'].decode()}"))
    )
    assert again[0] == 304
    assert again[2] == b""


def test_keep_alive_and_pipelined_requests_are_answered_in_order(server: Running) -> None:
    cat = orjson.dumps(CAT)
    other = orjson.dumps({"payload": {"spriteNumber": 12, "params": {"colour": "GREY"}}})
    stream = (
        post("/render", cat, close=False)
        + b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
        + post("/render", other, close=False)
        + post("/render", b'{"payload": {"params": {}}}', "Accept: image/png")
    )
    answer = exchange(server, stream)
    assert statuses(answer) == [200, 200, 200, 200]
    parts = [m.start() for m in re.finditer(rb"HTTP/1\.1 \d{3} ", answer)]
    kinds = [
        split(answer[start:end])[1][b"content-type"]
        for start, end in zip(parts, [*parts[1:], len(answer)], strict=True)
    ]
    assert kinds == [b"application/json"] * 3 + [b"image/png"]
    assert answer.count(b'"status":"') == 1  # the health answer, second


def test_an_image_is_sent_for_an_accept_header(server: Running) -> None:
    status, headers, body = split(
        exchange(server, post("/render", orjson.dumps(CAT), "Accept: image/png"))
    )
    assert status == 200
    assert headers[b"content-type"] == b"image/png"
    assert body.startswith(b"\x89PNG")


def test_a_body_over_the_limit_gets_the_applications_413(server: Running) -> None:
    answer = exchange(server, post("/render", b"{" + b" " * 5000 + b"}"))
    assert statuses(answer) == [413]
    assert error_of(answer)["error"] == "body_too_large"


def test_a_chunked_body_takes_the_application_and_is_rendered(server: Running) -> None:
    body = orjson.dumps(CAT)
    chunked = (
        b"POST /render HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    )
    assert statuses(exchange(server, chunked)) == [200]


def test_a_browser_request_gets_its_cors_headers(server: Running) -> None:
    answer = exchange(server, post("/render", orjson.dumps(CAT), "Origin: https://cats.example"))
    status, headers, _ = split(answer)
    assert status == 200
    assert headers[b"access-control-allow-origin"] == b"https://cats.example"


def test_a_client_that_leaves_mid_render_does_not_disturb_the_next(server: Running) -> None:
    body = orjson.dumps({"payload": {"spriteNumber": 17, "params": {"colour": "CREAM"}}})
    sock = server.connect()
    sock.sendall(post("/render", body))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()  # a reset, before the answer
    assert statuses(exchange(server, post("/render", body))) == [200]


def test_only_a_render_that_must_wait_gets_a_task(
    server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A light render (PNG, scale <= 4, no layers) is drawn in this process from the line of
    # light renders, and a bad body is refused in the parser's callback; a heavier one waits
    # for a worker, in a task.
    waited: list[bytes] = []
    finish_direct = ProtectedHttpProtocol._finish_direct

    async def counted(protocol: ProtectedHttpProtocol, direct: Any, *args: Any) -> None:
        waited.append(bytes(direct.body))
        await finish_direct(protocol, direct, *args)

    monkeypatch.setattr(ProtectedHttpProtocol, "_finish_direct", counted)
    params = {"spriteNumber": 6, "params": {"peltName": "Agouti", "colour": "BLACK"}}
    light = orjson.dumps({"payload": params, "options": {"scale": 4}})
    heavy = orjson.dumps({"payload": params, "options": {"scale": 8}})
    bad = orjson.dumps({"payload": {"params": {"colour": "GINGR"}}})
    assert split(exchange(server, post("/render", light)))[0] == 200
    assert split(exchange(server, post("/render", bad)))[0] == 422
    assert waited == []
    assert split(exchange(server, post("/render", heavy)))[0] == 200
    assert waited == [heavy]
