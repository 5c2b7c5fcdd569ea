"""Slow and idle connections cannot starve the rest (issue 26, item 2): the body deadline, and
making room at the connection cap by closing the connection doing least, checked with raw
sockets on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import orjson
import pytest

from renderer_service.renderer import Renderer

from .slow_app import SlowHandler
from .test_server import (
    CAT,
    HEALTH,
    Running,
    error_of,
    read_all,
    read_answer,
    settings_for,
    statuses,
)

STALLED_HEAD = (
    b"POST /render HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    b"Content-Length: 1000\r\n\r\n"
)
"""A request head whose body never comes: 10 bytes of it follow, of the 1,000 announced."""


def answer(sock: socket.socket) -> tuple[int, bytes]:
    """One whole answer on a kept-alive connection: its status and body."""
    head, body = read_answer(sock, 10)
    return statuses(head)[0], body


def health_metrics(sock: socket.socket) -> dict[str, object]:
    sock.sendall(HEALTH)
    status, body = answer(sock)
    assert status == 200
    metrics: dict[str, object] = orjson.loads(body)["metrics"]
    return metrics


@pytest.fixture
def roomy(renderer: Renderer) -> Iterator[Running]:
    """Four connections at most, and timeouts far longer than the test."""
    running = Running(
        renderer,
        settings_for(
            renderer,
            max_connections=4,
            header_timeout_seconds=60.0,
            keep_alive_seconds=60.0,
            body_timeout_seconds=60.0,
        ),
    )
    yield running
    running.stop()


def test_at_the_cap_idle_keep_alives_go_first_then_the_oldest_incomplete_request(
    roomy: Running,
) -> None:
    idle = roomy.connect()
    idle.sendall(HEALTH)
    assert answer(idle)[0] == 200  # answered: now an idle keep-alive
    headers_only = roomy.connect()
    headers_only.sendall(b"GET /health HTTP/1.1\r\nHost")  # headers not complete
    half_body = roomy.connect()
    half_body.sendall(STALLED_HEAD + b'{"payload"')  # body not complete
    silent = roomy.connect()  # nothing sent yet
    newcomers = []
    try:
        newcomers.append(roomy.connect())
        assert read_all(idle)[0] == b""  # the idle keep-alive, closed without a word
        newcomers.append(roomy.connect())
        closed, _ = read_all(headers_only)  # then the oldest incomplete request
        assert statuses(closed) in ([], [503])
        newcomers.append(roomy.connect())
        closed, _ = read_all(half_body)
        assert statuses(closed) in ([], [503])
        if closed:
            assert error_of(closed)["error"] == "too_many_connections"
        newcomers.append(roomy.connect())
        assert read_all(silent)[0] == b""
        metrics = health_metrics(newcomers[0])  # the newcomers are served
        assert metrics["connections_evicted"] == 4
        assert metrics["shed"] == {"wait": 0, "queue_full": 0, "circuit_open": 0, "connections": 0}
    finally:
        for sock in [idle, headers_only, half_body, silent, *newcomers]:
            sock.close()


def test_a_new_connection_is_refused_only_when_every_open_one_has_a_request_answered(
    renderer: Renderer,
) -> None:
    running = Running(
        renderer,
        settings_for(renderer, max_connections=2, max_wait_ms=60_000),
        handler_factory=lambda r: SlowHandler(r, 3.0),
    )
    busy = [running.connect(), running.connect()]
    try:
        for number, sock in enumerate(busy):
            body = orjson.dumps({**CAT, "options": {"scale": 2 + number}})
            sock.sendall(
                b"POST /render HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
        queue = running.app.state.service.queue
        while queue.snapshot()["total_enqueued"] < 2:  # both requests are being answered
            time.sleep(0.01)
        with running.connect() as extra:
            refused, _ = read_all(extra)
        assert statuses(refused) == [503]
        assert error_of(refused)["error"] == "too_many_connections"
        assert b"retry-after: 1" in refused.lower()
        assert queue.sheds.totals["connections"] == 1
        assert queue.sheds.evicted == 0
        for sock in busy:  # the requests in progress were not disturbed
            assert answer(sock)[0] == 200
    finally:
        for sock in busy:
            sock.close()
        running.stop()


@pytest.fixture(scope="module")
def hasty(renderer: Renderer) -> Iterator[Running]:
    """Bodies must come within half a second of their headers (plus 1 s per 64 KiB)."""
    running = Running(
        renderer,
        settings_for(renderer, header_timeout_seconds=60.0, body_timeout_seconds=0.5),
    )
    yield running
    running.stop()


@pytest.mark.parametrize(
    "request_head",
    [
        STALLED_HEAD,  # the direct path of POST /render
        STALLED_HEAD.replace(b"/render", b"/render/batch"),  # the application's path
        b"POST /render HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n",
    ],
    ids=["render", "batch", "chunked"],
)
def test_a_body_not_complete_in_time_gets_408_and_the_connection_closes(
    hasty: Running, request_head: bytes
) -> None:
    with hasty.connect() as sock:
        sock.sendall(request_head + b'{"payload"')
        data, _ = read_all(sock, timeout=30)
    assert statuses(data) == [408]
    assert error_of(data)["error"] == "request_timeout"


def test_a_body_that_comes_in_time_is_answered(hasty: Running) -> None:
    body = orjson.dumps(CAT)
    with hasty.connect() as sock:
        sock.sendall(STALLED_HEAD.replace(b"1000", str(len(body)).encode()) + body[:10])
        sock.sendall(body[10:])
        assert answer(sock)[0] == 200


@pytest.mark.bounded
def test_stalled_bodies_on_every_connection_leave_room_for_others_and_are_closed(
    renderer: Renderer,
) -> None:
    """200 connections that each send a head and 10 bytes of a 1,000-byte body, against a
    cap of 64: a normal request made meanwhile is answered, and every stalled connection is
    closed by the body deadline (or to make room). Bounded: each wait below has its own
    timeout, adding up to well under a minute."""
    running = Running(
        renderer,
        settings_for(
            renderer, max_connections=64, header_timeout_seconds=2.0, body_timeout_seconds=2.0
        ),
    )
    url = f"http://127.0.0.1:{running.port}"
    stalled: list[socket.socket] = []
    try:
        for _ in range(200):
            sock = running.connect()
            sock.sendall(STALLED_HEAD + b'{"payload"')
            stalled.append(sock)
        assert httpx.post(f"{url}/render", json=CAT, timeout=10).status_code == 200
        still_open = []
        give_up = time.monotonic() + 20  # ten times the deadline: the whole loop's bound
        for sock in stalled:  # each is closed: at the deadline, or earlier to make room
            sock.settimeout(max(0.1, give_up - time.monotonic()))
            try:
                while sock.recv(65536):
                    pass
            except ConnectionResetError:
                pass
            except TimeoutError:
                still_open.append(sock)
        assert still_open == []
        assert httpx.post(f"{url}/render", json=CAT, timeout=10).status_code == 200
        metrics = httpx.get(f"{url}/health", timeout=10).json()["metrics"]
        assert metrics["connections_evicted"] >= 200 - 64
        assert metrics["shed"]["connections"] == 0  # no one refused
    finally:
        for sock in stalled:
            sock.close()
        running.stop()
