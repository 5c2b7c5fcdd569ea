"""The launcher (``renderer_service.harness.running_service``): it starts the service on a
loopback port, waits until it is ready, raises with the last output when it cannot, and always
stops what it started."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from renderer_service.harness import (
    ServiceProcess,
    ServiceStartError,
    free_port,
    running_service,
    uvicorn_command,
)

from .conftest import REPO, sprite_root

HANG = [sys.executable, "-c", "import time; time.sleep(600)"]
"""A program that never listens: what a start-up that hangs looks like."""


def gone(pid: int) -> bool:
    """True when ``pid`` is no process any more (or one that has ended, not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def test_the_service_starts_answers_and_is_stopped_with_everything_it_started() -> None:
    env = {"CG3_WORKER_COUNT": "1", "CG3_SPRITE_ROOT": str(sprite_root())}
    with running_service(["--log-level", "warning"], env=env, cwd=REPO) as service:
        assert service.url == f"http://127.0.0.1:{service.port}"
        assert httpx.get(f"{service.url}/health/ready", timeout=10).status_code == 200
        answer = httpx.post(
            f"{service.url}/render", json={"payload": {"spriteNumber": 8}}, timeout=60
        )
        assert answer.status_code == 200
        pids = service.pids()
        assert pids[0] == service.pid == service.process.pid  # type: ignore[union-attr]
        assert len(pids) >= 2  # the service and its render worker
    assert service.process is not None
    assert service.process.returncode is not None
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in pids):
        assert time.monotonic() < deadline, [pid for pid in pids if not gone(pid)]
        time.sleep(0.05)


def test_a_service_that_exits_at_once_raises_with_its_last_output() -> None:
    began = time.monotonic()
    with (
        pytest.raises(ServiceStartError, match=r"exited \(code [1-9]\d*\) before ready") as caught,
        running_service(env={"CG3_WORKER_COUNT": "many"}, cwd=REPO),
    ):
        pytest.fail("the block must not run")
    assert "CG3_WORKER_COUNT='many'" in str(caught.value)
    assert time.monotonic() - began < 60


def test_the_wait_for_readiness_is_bounded_and_the_process_is_stopped() -> None:
    began = time.monotonic()
    with (
        pytest.raises(ServiceStartError, match=r"not ready within 1 s"),
        running_service(command=HANG, ready_seconds=1, stop_seconds=2),
    ):
        pytest.fail("the block must not run")
    assert time.monotonic() - began < 10


def test_the_process_is_stopped_when_the_block_raises() -> None:
    port = free_port()
    pids: list[int] = []

    def fail_inside() -> None:
        with running_service(
            ["--factory"],
            command=uvicorn_command("tests.slow_app:create"),
            env={"CG3_WORKER_COUNT": "1", "CG3_SPRITE_ROOT": str(sprite_root())},
            port=port,
            cwd=REPO,
        ) as service:
            assert service.port == port
            pids.append(service.pid)
            raise KeyError("boom")

    with pytest.raises(KeyError):
        fail_inside()
    assert len(pids) == 1
    assert gone(pids[0])


def test_a_process_deaf_to_sigterm_is_killed_after_the_grace() -> None:
    deaf = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('started', flush=True); time.sleep(600)",
    ]
    process = ServiceProcess(deaf, stop_seconds=0.5)
    process.start()
    try:
        process.wait_until("started", lambda: "started" in process.output(), 30)
        began = time.monotonic()
        assert process.stop() == -signal.SIGKILL
        assert time.monotonic() - began < 5
    finally:
        process.close()
    assert "started" in process.output()  # kept after its log file is removed
    assert not os.path.exists(process.log)
