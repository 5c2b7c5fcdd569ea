"""``cg3 serve`` with several server processes (``CG3_SERVER_PROCESSES``) on one port.

They are forked from one parent that loaded the pack; each has its own event loop, queue and
workers. Whichever answers, /health speaks for all of them, a cat drawn by one is a cache hit
in the others, a process that dies is replaced, and SIGTERM stops them all.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from renderer_service.harness import ServiceProcess, running_service
from renderer_service.runtime.board import PUBLISH_SECONDS

from .conftest import without_settings
from .test_startup import broken_pack, start

REPO = Path(__file__).resolve().parents[1]
SERVE = [sys.executable, "-m", "renderer_service.cli.main", "serve", "--port", "0"]
CAT = {"payload": {"params": {"peltName": "Tabby", "colour": "GINGER", "eyeColour": "GREEN"}}}


@dataclass
class Service:
    launched: ServiceProcess

    @property
    def url(self) -> str:
        return self.launched.url

    def read_log(self) -> str:
        return self.launched.output()

    def health(self) -> dict[str, Any]:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            metrics: dict[str, Any] = client.get("/health").json()["metrics"]
            return metrics


def _stop(service: Service) -> int:
    """SIGTERM to the parent, as a supervisor stops it; its exit code."""
    service.launched.send_signal(signal.SIGTERM)
    return service.launched.wait(timeout=30)


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    clean = without_settings()
    env = {
        "CG3_SERVER_PROCESSES": "2",
        "CG3_WORKER_COUNT": "2",
        "CG3_SHUTDOWN_GRACE_SECONDS": "2",
    }
    # The log holds uvicorn's access lines (on standard output) too.
    with running_service(base_env=clean, env=env, cwd=REPO) as launched:
        # One process answering /health/ready is not all of them: the parent says when both are.
        launched.wait_until(
            "running with both", lambda: "with 2 server processes" in launched.output(), 120
        )
        yield Service(launched)


def _until(check: Any, seconds: float = 10.0) -> Any:
    """Poll ``check()`` until it returns something true (the board is published a few
    times a second), or fail."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"not reached in {seconds} s: last {value!r}"
        time.sleep(0.05)


def _on_each_process(service: Service, attempts: int = 300) -> dict[int, httpx.Client]:
    """One open connection to each server process (the kernel hands each new connection to
    one of them; /health on it says which)."""
    clients: dict[int, httpx.Client] = {}
    for _ in range(attempts):
        client = httpx.Client(base_url=service.url, timeout=10)
        this = client.get("/health").json()["metrics"]["server_processes"]["this"]
        if this in clients:
            client.close()
        else:
            clients[this] = client
        if len(clients) == 2:
            return clients
    for client in clients.values():
        client.close()
    raise AssertionError(f"{attempts} connections all went to process {list(clients)}")


def test_two_server_processes_answer_on_one_port_and_report_as_one(service: Service) -> None:
    metrics = service.health()
    processes = metrics["server_processes"]
    assert processes["count"] == 2
    assert processes["reporting"] == 2
    assert len(set(processes["pids"])) == 2
    assert service.launched.pid not in processes["pids"]
    assert metrics["worker_count"] == 2 * 2  # CG3_WORKER_COUNT in each server process
    assert metrics["workers_alive"] == 2 * 2
    assert metrics["max_queue"] == 2 * 120


def _message(line: str) -> str:
    """A log line without its time stamp and level."""
    line = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \w+ ", "", line)
    return re.sub(r"^\w+:\s+", "", line)  # uvicorn's "INFO:     "


def test_a_two_process_start_logs_each_line_once(service: Service) -> None:
    """The parent loads the packs and compiles once; each server process's own lines say
    which process; the parent's ready line gives the whole start-up, packs included."""
    log = service.read_log()
    start = log[: log.index("with 2 server processes")].splitlines()
    messages = [_message(line) for line in start if "HTTP/1" not in line]  # not access lines
    repeated = {message for message in messages if messages.count(message) > 1}
    assert not repeated, "\n".join(start)
    assert sum("kernels compiled" in message for message in messages) == 1
    for index in (0, 1):
        own = [m for m in messages if m.startswith(f"renderer.startup: server process {index}: ")]
        assert any(re.search(r"2 render workers ready in \d+ ms", m) for m in own), start
        assert any(
            m.startswith(f"renderer.app: server process {index}: started in") for m in messages
        )
    ready = [m for m in messages if re.fullmatch(r"renderer.server: ready in .*", m)]
    assert len(ready) == 1, start
    times = re.fullmatch(
        r"renderer.server: ready in (\d+\.\d) s \(packs (\d+\.\d) s, workers (\d+\.\d) s\)",
        ready[0],
    )
    assert times is not None, ready
    total, packs, workers = (float(value) for value in times.groups())
    assert packs > 0
    assert abs(total - packs - workers) <= 0.15  # each rounded to 0.1 s


def test_renders_counted_in_either_process_add_up_in_health(service: Service) -> None:
    clients = _on_each_process(service)
    try:
        before = service.health()["total_completed"]
        colours = iter(("BLACK", "WHITE", "CREAM", "GHOST", "SIENNA", "LIGHTBROWN"))
        for client in clients.values():
            for colour in (next(colours), next(colours), next(colours)):
                body = {"payload": {"params": {**CAT["payload"]["params"], "colour": colour}}}
                answer = client.post("/render", json=body)
                assert answer.status_code == 200
                assert answer.headers["x-cache"] == "miss"
    finally:
        for client in clients.values():
            client.close()
    # Whichever process answers /health counts the other's renders too, once published (a
    # few times a second): after that, every answer says 6 more, never fewer.
    _until(lambda: service.health()["total_completed"] >= before + 6)
    time.sleep(3 * PUBLISH_SECONDS)
    reads = []
    for _ in range(8):
        metrics = service.health()
        reads.append((metrics["server_processes"]["this"], metrics["total_completed"] - before))
    assert all(total == 6 for _, total in reads), reads


def test_a_cat_drawn_by_one_process_is_a_cache_hit_in_the_other(service: Service) -> None:
    clients = _on_each_process(service)
    body = {"payload": {"params": {**CAT["payload"]["params"], "colour": "LILAC"}}}
    try:
        first = clients[0].post("/render", json=body)
        other = clients[1].post("/render", json=body)
    finally:
        for client in clients.values():
            client.close()
    assert first.headers["x-cache"] == "miss"
    assert other.headers["x-cache"] == "hit-memory"
    assert other.headers["etag"] == first.headers["etag"]
    assert other.json()["image"] == first.json()["image"]
    shared = service.health()["cache"]["shared_memory"]
    assert shared["hits"] >= 1
    assert shared["writes"] >= 1
    with httpx.Client(base_url=service.url, timeout=10) as client:
        exposition = client.get("/metrics").text
    assert re.search(
        r'cg3_cache_hits_total\{cache="render",level="shared_memory"\} [1-9]', exposition
    )


def test_the_direct_path_writes_its_access_lines(service: Service) -> None:
    with httpx.Client(base_url=service.url, timeout=10) as client:
        assert client.post("/render", json=CAT).status_code == 200
    log = _until(lambda: "POST /render HTTP/1.1" in service.read_log() and service.read_log())
    assert "Logging error" not in log


def test_a_killed_server_process_is_replaced_while_the_other_answers(service: Service) -> None:
    old = service.health()["server_processes"]["pids"]
    os.kill(old[1], signal.SIGKILL)
    for colour in ("GREY", "SILVER", "PALEGREY", "DARKGREY", "GOLDEN"):
        body = {"payload": {"params": {**CAT["payload"]["params"], "colour": colour}}}
        with httpx.Client(base_url=service.url, timeout=10) as client:
            assert client.post("/render", json=body).status_code == 200
    processes = _until(
        lambda: (
            (found := service.health()["server_processes"])["reporting"] == 2
            and old[1] not in found["pids"]
            and found
        ),
        seconds=30,
    )
    assert processes["pids"][0] == old[0]
    log = service.read_log()
    assert re.search(rf"server process 1 \(pid {old[1]}\) was killed by signal 9", log), log


def test_sigterm_stops_every_server_process(service: Service) -> None:
    pids = service.health()["server_processes"]["pids"]
    began = time.monotonic()
    assert _stop(service) == 0
    assert time.monotonic() - began < 2 + 5
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert "Traceback" not in service.read_log()


def test_a_broken_pack_ends_start_up_with_one_line_before_any_process_forks(
    tmp_path: Path,
) -> None:
    result = start(
        SERVE, tmp_path, CG3_SPRITE_ROOT=str(broken_pack(tmp_path)), CG3_SERVER_PROCESSES="2"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    named = [line for line in result.stderr.splitlines() if "peltInfo.json" in line]
    assert len(named) == 1, result.stderr
    assert "Started server process" not in result.stderr


def test_a_port_in_use_ends_start_up_saying_so(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [*SERVE[:-1], str(port)]
        result = start(command, tmp_path, CG3_SERVER_PROCESSES="2", CG3_WORKER_COUNT="1")
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
