"""The load-test client (renderer_service.drills) and ``cg3 load``: loopback guard, bookkeeping,
HTTP behaviour.

The client talks to a tiny asyncio HTTP server in this file, on 127.0.0.1 and a free port, whose
paths each behave one way (keep-alive, error statuses, close, truncate, chunked, hang). No sprite
pack is needed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import re
import socket
import statistics
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

from renderer_service import drills
from renderer_service.cli.main import main as cg3
from renderer_service.drills import (
    HttpConnection,
    NotLoopbackError,
    Recorder,
    RequestBudget,
    RequestError,
    Target,
    health_line,
    loopback_address,
    parse_target,
    percentile,
    percentiles,
)
from renderer_service.harness import free_port

REPO = Path(__file__).resolve().parent.parent
T = TypeVar("T")

RENDER_BODY = b'{"image":"data:image/png;base64,iVBORw0KGgo=","meta":{},"layers":null}'


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_throughput", REPO / "bench/throughput.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# --- a stub HTTP server -------------------------------------------------------------------------


def answer(
    status: int, body: bytes = b"", headers: dict[str, str] | None = None, reason: str = "X"
) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class StubServer:
    """HTTP/1.1 on 127.0.0.1 in a thread of its own; the path picks the behaviour."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(5), "stub server did not start"

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        server.close()  # open handlers are cancelled as asyncio.run ends

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        await reader.readexactly(int(value))
                self.requests += 1
                if not await self._respond(path, writer):
                    return
        finally:
            writer.close()

    async def _respond(self, path: str, writer: asyncio.StreamWriter) -> bool:
        """Write the answer for ``path``; whether the connection stays open."""
        keep = True
        if path in ("/render", "/ok"):
            data = answer(200, RENDER_BODY, {"content-type": "application/json"})
        elif path == "/health":
            document = {"status": "ok", "metrics": {"queue_size": 2, "total_completed": 7}}
            data = answer(200, json.dumps(document).encode())
        elif path == "/missing":
            data = answer(404, b'{"error":"not_found"}')
        elif path == "/busy":
            body = b'{"error":"queue_full","detail":"the render queue is full"}'
            data = answer(503, body, {"retry-after": "1"})
        elif path == "/close":
            data, keep = answer(200, RENDER_BODY, {"connection": "close"}), False
        elif path == "/idle-close":  # keep-alive promised, then closed (an idle timeout)
            data, keep = answer(200, RENDER_BODY), False
        elif path == "/truncate":
            data, keep = answer(200, RENDER_BODY)[:-20], False
        elif path == "/silent-close":
            return False
        elif path == "/chunked":
            data = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        elif path == "/hang":
            await asyncio.sleep(3)
            return False
        else:
            data = answer(500, b"unknown stub path")
        writer.write(data)
        await writer.drain()
        return keep


@pytest.fixture(scope="module")
def server() -> Iterator[StubServer]:
    stub = StubServer()
    stub.start()
    yield stub
    stub.close()


def run_client(work: Callable[[], Awaitable[T]], limit: float = 3.0) -> T:
    """Run client code on a fresh loop; a hang fails the test rather than stalling it."""

    async def bounded() -> T:
        async with asyncio.timeout(limit):
            return await work()

    return asyncio.run(bounded())


def get(target: Target, path: str) -> bytes:
    return drills.build_request(target, "GET", path)


# --- the loopback guard -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "192.168.1.1",
        "example.com",
        "8.8.8.8",
        "0.0.0.0",
        "",
        "2001:db8::1",
        "::ffff:8.8.8.8",
        "localhost.example.com",
        "127.0.0.1.example.com",
    ],
)
def test_guard_refuses_other_hosts(host: str) -> None:
    with pytest.raises(NotLoopbackError, match="loopback only"):
        loopback_address(host)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.8.9.10", "127.8.9.10"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
    ],
)
def test_guard_accepts_loopback_literals(host: str, address: str) -> None:
    assert loopback_address(host) == address


@pytest.mark.parametrize("name", ["localhost", "LOCALHOST", "localhost."])
def test_guard_accepts_localhost_as_a_loopback_address(name: str) -> None:
    assert loopback_address(name) in ("127.0.0.1", "::1")


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1:8001",
        "http://192.168.1.1/",
        "http://example.com",
        "http://8.8.8.8:80",
        "http://127.0.0.1@example.com:8001",
    ],
)
def test_parse_target_refuses_other_hosts(url: str) -> None:
    with pytest.raises(NotLoopbackError):
        parse_target(url)


@pytest.mark.parametrize("url", ["https://127.0.0.1:8001", "127.0.0.1:8001", "http://127.0.0.1:x"])
def test_parse_target_wants_a_plain_http_url(url: str) -> None:
    with pytest.raises(ValueError, match=r"http://|port"):
        parse_target(url)


def test_parse_target_reads_host_port_and_prefix() -> None:
    target = parse_target("http://[::1]:8123/api/")
    assert (target.address, target.port, target.base_path) == ("::1", 8123, "/api")
    assert target.url("/render") == "http://[::1]:8123/api/render"
    assert parse_target("http://localhost").port == 80


def test_connection_refuses_a_hand_built_remote_target() -> None:
    with pytest.raises(NotLoopbackError):
        HttpConnection(Target(host="10.0.0.1", address="10.0.0.1", port=80))


def test_load_and_bench_refuse_remote_urls_before_sending(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cg3(["load", "--url", "http://8.8.8.8:8001", "--hold", "1"]) == 2
    assert "loopback only" in capsys.readouterr().err
    bench = load_bench()
    assert bench.main(["--url", "http://example.com:8001", "--requests", "1"]) == 2
    assert "loopback only" in capsys.readouterr().err


# --- bookkeeping --------------------------------------------------------------------------------


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(value) for value in range(1, 101)]
    assert percentiles(reversed(values), [0, 50, 95, 99, 100]) == pytest.approx(
        [1.0, 50.5, 95.05, 99.01, 100.0]
    )
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, 95) == pytest.approx(cuts[94])
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([10.0, 20.0], 25) == pytest.approx(12.5)


def test_percentiles_of_nothing_and_out_of_range() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_request_budget_is_a_hard_cap() -> None:
    budget = RequestBudget(2)
    assert [budget.take() for _ in range(4)] == [True, True, False, False]
    assert budget.exhausted


def test_health_line_reads_top_level_nested_and_missing_fields() -> None:
    nested = {
        "status": "ok",
        "metrics": {
            "queue_size": 3,
            "max_queue": 64,
            "max_observed_queue": 12,
            "total_completed": 100,
            "total_failed": 1,
            "total_rejected": 5,
            "circuit_open": True,
            "circuit_reset_in": 4.5,
            "worker_count": 2,
            "latency_ms": {"p50": 3.0, "p99": 41.25},
        },
    }
    line = health_line(nested)
    for part in ("queue=3/64", "max_seen=12", "done=100", "failed=1", "rejected=5", "workers=2"):
        assert part in line
    assert "circuit=OPEN (reset in 4.5 s)" in line
    assert "latency_ms.p99=41.2" in line
    flat = health_line({"status": "ok", "queue_size": 0, "circuit_open": False, "p99_ms": 9})
    assert "queue=0 " in flat
    assert "circuit=closed" in flat
    assert "p99_ms=9" in flat
    bare = health_line({"status": "ok", "pack": {"groups": 3}})
    assert "queue=- " in bare
    assert "no queue or latency metrics" in bare
    assert "unexpected" in health_line(["not", "a", "dict"])


# --- the client against the stub server -------------------------------------------------------


def test_keep_alive_reuses_one_connection(server: StubServer) -> None:
    target = parse_target(server.url)
    before = server.connections

    async def work() -> list[int]:
        connection = HttpConnection(target, timeout=2)
        raw = drills.json_request(target, "/render", drills.SINGLE_COLOUR_WHITE)
        statuses = [(await connection.request(raw)).status for _ in range(20)]
        assert connection.opened == 1
        await connection.aclose()
        return statuses

    assert run_client(work) == [200] * 20
    assert server.connections - before == 1


def test_non_200_answers_are_counted_not_raised(server: StubServer) -> None:
    target = parse_target(server.url)
    recorder = Recorder()

    async def work() -> None:
        connection = HttpConnection(target, timeout=2)
        for path in ("/ok", "/missing", "/busy", "/busy", "/ok"):
            response = await connection.request(get(target, path))
            recorder.response(response, 0.001)
        assert connection.opened == 1
        await connection.aclose()

    run_client(work)
    assert dict(recorder.statuses) == {200: 2, 404: 1, 503: 2}
    assert dict(recorder.rejections) == {"queue_full": 2}
    assert recorder.unanswered == 0
    assert recorder.bad_bodies == 0


def test_connection_close_reconnects_without_error(server: StubServer) -> None:
    target = parse_target(server.url)

    async def work() -> int:
        connection = HttpConnection(target, timeout=2)
        first = await connection.request(get(target, "/close"))
        assert first.will_close
        assert not connection.is_open
        second = await connection.request(get(target, "/ok"))
        assert second.status == 200
        await asyncio.sleep(0)
        idle = await connection.request(get(target, "/idle-close"))  # server hangs up after
        assert idle.status == 200
        await asyncio.sleep(0.05)  # let the close arrive, as it would during think time
        third = await connection.request(get(target, "/ok"))
        assert third.status == 200
        await connection.aclose()
        return connection.opened

    assert run_client(work) == 3


@pytest.mark.parametrize(
    ("path", "kind", "detail"),
    [
        ("/truncate", "dropped", "closed mid-answer"),
        ("/silent-close", "dropped", "closed mid-answer"),
        ("/chunked", "protocol", "Transfer-Encoding: chunked"),
    ],
)
def test_broken_answers_are_errors_and_the_next_request_reconnects(
    server: StubServer, path: str, kind: str, detail: str
) -> None:
    target = parse_target(server.url)
    recorder = Recorder()

    async def work() -> None:
        connection = HttpConnection(target, timeout=2)
        with pytest.raises(RequestError) as raised:
            await connection.request(get(target, path))
        recorder.failure(raised.value)
        assert raised.value.kind == kind
        assert detail in raised.value.detail
        assert (await connection.request(get(target, "/ok"))).status == 200
        await connection.aclose()

    run_client(work)
    assert recorder.unanswered == 1
    assert "RESULT: FAIL - 1 of 1 requests got no answer" in drills.verdict_line(recorder)


def test_a_server_that_never_answers_times_out(server: StubServer) -> None:
    target = parse_target(server.url)

    async def work() -> str:
        connection = HttpConnection(target, timeout=0.2)
        with pytest.raises(RequestError) as raised:
            await connection.request(get(target, "/hang"))
        await connection.aclose()
        return raised.value.kind

    assert run_client(work) == "timeout"


def test_nothing_listening_is_a_connect_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = parse_target(f"http://127.0.0.1:{port}")

    async def work() -> str:
        with pytest.raises(RequestError) as raised:
            await HttpConnection(target, timeout=1).request(get(target, "/ok"))
        return raised.value.kind

    assert run_client(work) == "connect"


# --- cg3 load and the bench end to end -----------------------------------------------------------


def test_profile_windows_ramp_up_and_down() -> None:
    profile = drills.Profile(users=4, ramp_up=4, hold=2, ramp_down=4, think=0.2)
    assert [profile.window(user) for user in range(4)] == [
        (0.0, 10.0),
        (1.0, 9.0),
        (2.0, 8.0),
        (3.0, 7.0),
    ]


def load(capsys: pytest.CaptureFixture[str], url: str, *options: str) -> tuple[int, str]:
    """``cg3 load`` against ``url``, with no ramps and no think time unless ``options`` set
    them; its exit code and what it printed."""
    quick = ["--ramp-up", "0", "--ramp-down", "0", "--think", "0"]
    code = cg3(["load", "--url", url, *quick, *options])
    return code, capsys.readouterr().out


def test_load_test_runs_a_short_profile(
    server: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = ["--users", "4", "--ramp-up", "0.2", "--hold", "0.3", "--ramp-down", "0.1"]
    code, out = load(capsys, server.url, *profile, "--think", "0.01", "--health-interval", "0.2")
    assert code == 0
    assert "health status=ok queue=2" in out
    assert "by status       200: " in out
    assert "loadgen CPU" in out
    assert "RESULT: OK" in out


def test_load_test_stops_at_the_request_cap(
    server: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = load(capsys, server.url, "--users", "3", "--hold", "2", "--max-requests", "25")
    assert code == 0
    assert "requests        25 sent, 25 answered" in out
    assert "request cap reached" in out


def test_load_test_fails_when_requests_get_no_answer(capsys: pytest.CaptureFixture[str]) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"  # a port nothing listens on
    code, out = load(capsys, nobody, "--users", "2", "--hold", "0.2")
    assert code == 1
    assert "RESULT: FAIL" in out


def test_load_starts_the_service_itself_and_stops_it(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--start", "--users", "2", "--ramp-up", "0", "--hold", "1", "--ramp-down", "0"]
    assert cg3(["load", *arguments, "--think", "0.05", "--max-requests", "40"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"service         cg3 serve on http://127\.0\.0\.1:\d+ \(pid \d+\)", out)
    assert "by status       200: " in out
    assert "RESULT: OK" in out


def test_throughput_drives_a_running_service(
    server: StubServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([{"id": "a", "params": {"spriteNumber": 1}}]))
    bench = load_bench()
    arguments = ["--url", server.url, "--requests", "60", "--warmup", "10", "--repeat", "2"]
    assert bench.main([*arguments, "--cases", str(cases)]) == 0
    out = capsys.readouterr().out
    assert "command         bench/throughput.py --url" in out
    assert out.count("requests        60 sent, 60 answered") == 2
    assert "median of 2 runs" in out


def test_json_requests_are_framed_by_length() -> None:
    target = parse_target("http://127.0.0.1:8001")
    raw = drills.json_request(target, "/render", drills.SINGLE_COLOUR_WHITE)
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /render HTTP/1.1\r\nHost: 127.0.0.1:8001\r\n")
    assert f"Content-Length: {len(body)}".encode() in head
    document: Any = json.loads(body)
    assert document["payload"]["params"]["colour"] == "WHITE"


def test_latencies_are_split_by_the_cache_level_that_answered() -> None:
    recorder = Recorder()
    for level, seconds in (("miss", 0.010), ("hit-redis", 0.002), ("hit-redis", 0.004)):
        answer = drills.Response(200, {"x-cache": level}, RENDER_BODY, False)
        recorder.response(answer, seconds)
    recorder.response(drills.Response(503, {}, b'{"error": "queue_full"}', False), 0.001)
    assert {level: len(values) for level, values in recorder.by_cache.items()} == {
        "miss": 1,
        "hit-redis": 2,
    }
    lines = drills.summary_lines(recorder, 1.0)
    assert any(line.startswith("X-Cache hit-redis   n=2  p50 3.0") for line in lines)
