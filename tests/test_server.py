"""The HTTP server of ``cg3 serve``: header limit, read timeouts, connection cap, pipelining
order and a bounded shutdown, checked with raw sockets on loopback."""

from __future__ import annotations

import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
import pytest

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.harness import running_service
from renderer_service.renderer import Renderer
from renderer_service.runtime import Handler
from renderer_service.server import build_server
from renderer_service.work.dispatch import TaskHandler

from .conftest import REPO
from .slow_app import SlowHandler

HEALTH = b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
CAT = {"payload": {"spriteNumber": 8, "params": {"peltName": "SingleColour", "colour": "WHITE"}}}


class Running:
    """A ``cg3 serve`` server in a thread of this process, on a free loopback port."""

    def __init__(
        self,
        renderer: Renderer,
        settings: Settings,
        handler_factory: Callable[[Renderer], Handler] = TaskHandler,
    ) -> None:
        self.app = create_app(settings, renderer, handler_factory=handler_factory)
        self.server = build_server(self.app, settings, "127.0.0.1", 0, log_level="warning")
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]})
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive(), "the server stopped at start-up"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def stop(self) -> float:
        """Stop as SIGTERM would; return how long the server took to exit."""
        began = time.monotonic()
        self.server.should_exit = True
        self.thread.join(30)
        assert not self.thread.is_alive()
        return time.monotonic() - began


def settings_for(renderer: Renderer, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "sprite_root": renderer.pack.root,
        "worker_count": 1,
        "header_timeout_seconds": 1.0,
        "keep_alive_seconds": 1.0,
        "max_connections": 8,
        "shutdown_grace_seconds": 1.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def server(renderer: Renderer) -> Iterator[Running]:
    running = Running(renderer, settings_for(renderer))
    yield running
    running.stop()


def read_all(sock: socket.socket, timeout: float = 5.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes; and when it closed (seconds from now)."""
    began = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        data += chunk
    return data, time.monotonic() - began


def statuses(data: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", data)]


def error_of(data: bytes) -> dict[str, object]:
    document: dict[str, object] = orjson.loads(data[data.rindex(b"\r\n\r\n") + 4 :])
    return document


def test_headers_over_16_kib_get_431_in_the_error_shape(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n")
        data, _ = read_all(sock)
    assert statuses(data) == [431]
    assert b"content-type: application/json" in data
    problem = error_of(data)
    assert problem["error"] == "headers_too_large"
    assert "16384" in str(problem["detail"])


def test_headers_under_the_limit_are_served(server: Running) -> None:
    with server.connect() as sock:
        sock.sendall(
            b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Big: "
            + b"a" * 12000
            + b"\r\n\r\n"
        )
        data, _ = read_all(sock)
    assert statuses(data) == [200]


def test_an_oversized_pipelined_request_is_refused_after_the_earlier_answers(
    server: Running,
) -> None:
    big = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    with server.connect() as sock:
        sock.sendall(HEALTH + HEALTH + big)  # one write: the requests arrive together
        data, _ = read_all(sock)
    assert statuses(data) == [200, 200, 431]


def test_pipelined_answers_come_in_order_before_a_malformed_request_s_400(
    server: Running,
) -> None:
    with server.connect() as sock:
        sock.sendall(HEALTH + b"GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n" + b"GARBAGE\x01\r\n\r\n")
        data, _ = read_all(sock)
    assert statuses(data) == [200, 404, 400]
    assert error_of(data)["error"] == "invalid_http"


def test_an_idle_connection_is_closed_after_the_header_timeout(server: Running) -> None:
    with server.connect() as sock:
        data, closed_after = read_all(sock)
    assert data == b""
    assert 0.9 <= closed_after < 2.5


def _send_slowly(sock: socket.socket) -> None:
    """A request's headers one byte every 100 ms, never their end, until the server closes."""
    try:
        for byte in HEALTH[:-2]:
            sock.sendall(bytes([byte]))
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        pass


def test_a_slowloris_client_gets_408_after_the_header_timeout(server: Running) -> None:
    began = time.monotonic()
    with server.connect() as sock:
        _send_slowly(sock)
        data, _ = read_all(sock)
    assert statuses(data) == [408]
    assert error_of(data)["error"] == "request_timeout"
    assert time.monotonic() - began < 2.5


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_time(
    server: Running,
) -> None:
    with server.connect() as sock:
        sock.sendall(HEALTH)
        data, closed_after = read_all(sock)
    assert statuses(data) == [200]
    assert closed_after < 2.5


def read_answer(sock: socket.socket, timeout: float = 5) -> tuple[bytes, bytes]:
    """One whole answer on a kept-alive connection: its head and the body its length names."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"content-length: (\d+)", head.lower()).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        body += chunk
    return head, body


def _read_answer(sock: socket.socket) -> bytes:
    """The head of one answer to ``HEALTH``."""
    return read_answer(sock)[0]


def test_a_busy_keep_alive_connection_outlives_both_timeouts_then_closes_when_idle(
    server: Running,
) -> None:
    # Requests 0.4 s apart for 2.4 s: each timeout (1 s) is reset by each request, though
    # its timer was set by an earlier one.
    with server.connect() as sock:
        for _ in range(7):
            sock.sendall(HEALTH)
            assert _read_answer(sock).startswith(b"HTTP/1.1 200")
            time.sleep(0.4)
        sock.sendall(HEALTH)
        _read_answer(sock)
        data, closed_after = read_all(sock)
    assert data == b""
    assert 0.8 <= closed_after < 1.8  # the keep-alive time from the last answer


def test_the_header_timeout_of_a_later_request_counts_from_its_first_byte(
    server: Running,
) -> None:
    with server.connect() as sock:
        sock.sendall(HEALTH)
        _read_answer(sock)
        time.sleep(0.6)
        began = time.monotonic()
        _send_slowly(sock)
        data, _ = read_all(sock)
        ended = time.monotonic() - began
    assert statuses(data) == [408]
    assert 0.9 <= ended < 2.0  # not 0.4 s in, when the connection's first deadline was


def test_a_connection_over_the_cap_closes_the_oldest_one_doing_nothing(server: Running) -> None:
    time.sleep(0.2)  # connections of earlier tests are gone
    held = [server.connect() for _ in range(8)]  # the cap, none of them sending anything
    try:
        for sock in held:  # every one is open (the server answers what it is sent)
            sock.sendall(HEALTH)
            _read_answer(sock)
        held[0].sendall(HEALTH)  # the first is the one that had a complete request last
        _read_answer(held[0])
        with server.connect() as extra:
            extra.sendall(HEALTH)
            extra.settimeout(5)
            assert statuses(extra.recv(65536)) == [200]
        assert read_all(held[1])[0] == b""  # idle longest: closed to make room, silently
        held[0].sendall(HEALTH)
        assert statuses(_read_answer(held[0])) == [200]
    finally:
        for sock in held:
            sock.close()


def test_shutdown_answers_renders_then_closes_a_stalled_upload_within_the_grace(
    renderer: Renderer,
) -> None:
    running = Running(
        renderer,
        settings_for(renderer, shutdown_grace_seconds=3.0),
        handler_factory=lambda r: SlowHandler(r, 0.4),
    )
    base = f"http://127.0.0.1:{running.port}"
    with ThreadPoolExecutor(2) as pool, running.connect() as stalled:
        stalled.sendall(
            b"POST /render HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"payload":'  # 11 of 1,000 bytes
        )
        render = pool.submit(httpx.post, f"{base}/render", json=CAT, timeout=30)
        while running.app.state.service.queue.snapshot()["total_enqueued"] < 1:
            time.sleep(0.01)
        took = running.stop()
        assert render.result().status_code == 200  # queued work is finished
        assert read_all(stalled)[0] == b""  # the stalled upload is closed
    assert took < 3.0 + 3.0  # the grace period, then at most the workers' stop


def test_cg3_serve_starts_the_protected_server_and_stops_within_the_grace() -> None:
    env = {
        "CG3_WORKER_COUNT": "1",
        "CG3_SHUTDOWN_GRACE_SECONDS": "1",
        "CG3_MAX_HEADER_BYTES": "4096",
    }
    with running_service(["--log-level", "warning"], env=env, cwd=REPO) as service:
        big = httpx.get(f"{service.url}/health", headers={"X-Big": "a" * 5000})
        assert big.status_code == 431  # CG3_MAX_HEADER_BYTES applies
        with socket.create_connection(("127.0.0.1", service.port)) as stalled:
            stalled.sendall(b"POST /render HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n{")
            time.sleep(0.2)
            began = time.monotonic()
            service.send_signal(signal.SIGTERM)
            code = service.wait(timeout=30)
            took = time.monotonic() - began
        assert code in (0, -signal.SIGTERM)
        assert took < 1.0 + 3.0
        log = service.output()
        assert "closing 1 connections still open" in log
        assert "Traceback" not in log


def test_forwarded_headers_from_loopback_are_not_believed_unless_it_is_a_trusted_proxy(
    server: Running, renderer: Renderer
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cats.example"}
    base = f"http://127.0.0.1:{server.port}"
    code = httpx.post(f"{base}/render", json=CAT, timeout=30).json()["code"]
    page = httpx.get(f"{base}/c/{code}", headers=forwarded, timeout=30).text
    assert f'content="http://127.0.0.1:{server.port}/c/{code}"' in page
    assert "cats.example" not in page
    assert "https://" not in page.split("<body")[0]
    trusting = Running(renderer, settings_for(renderer, trusted_proxies=["127.0.0.1"]))
    try:
        url = f"http://127.0.0.1:{trusting.port}/c/{code}"
        page = httpx.get(url, headers=forwarded, timeout=30).text
        assert f'content="https://cats.example/c/{code}"' in page
    finally:
        trusting.stop()
