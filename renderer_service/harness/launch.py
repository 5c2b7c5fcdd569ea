"""Start the service as a process of its own, on loopback, wait until it is ready, stop it.

    with running_service(env={"CG3_WORKER_COUNT": "1"}) as service:
        httpx.get(service.url + "/health")

``running_service`` starts ``cg3 serve`` (as ``python -m renderer_service.cli.main serve``), or
any other command that takes ``--host`` and ``--port`` (``uvicorn_command`` gives the one for
an app under plain uvicorn), on a free 127.0.0.1 port or a given one. It waits until
``GET /health/ready`` answers 200, within a bounded time; when the process exits first or the
time runs out it raises ``ServiceStartError`` with the process's last output. On leaving the
block (an exception included) it stops the process by its own PID: SIGTERM, then SIGKILL after
a grace period, and then SIGKILL to anything left in its process group (it starts one of its
own unless asked not to).

``ServiceProcess`` is the piece under it, for callers that start, kill and start one service
again (or another program, such as redis-server or nginx) under their own control.

``HEADLESS_CHROMIUM_ARGS`` are the flags the system Chromium is started with to look at a
running service's pages (the playground test and its screenshot).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

HOST = "127.0.0.1"
SERVE = (sys.executable, "-m", "renderer_service.cli.main", "serve")
"""``cg3 serve``, run by this interpreter."""
READY_PATH = "/health/ready"
READY_SECONDS = 120.0
"""How long start-up may take by default: a cold start compiles the kernels."""
STOP_SECONDS = 15.0
"""How long a process is given to stop after SIGTERM before it is killed."""
HEADLESS_CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Chromium without a display, a sandbox or any network traffic of its own."""
TAIL_LINES = 30


class ServiceStartError(RuntimeError):
    """The service exited while starting, or was not ready in time; the message ends with its
    last output."""


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def uvicorn_command(app: str, *, factory: bool = False) -> list[str]:
    """The command that serves ``app`` (``module:attribute``) under plain uvicorn."""
    return [sys.executable, "-m", "uvicorn", app, *(["--factory"] if factory else [])]


def http_status(port: int, path: str, host: str = HOST, timeout: float = 2.0) -> int | None:
    """The status ``GET path`` answers with on ``host:port``; ``None`` when nothing answers."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def children(pid: int) -> list[int]:
    """The direct children of process ``pid`` (Linux /proc; empty elsewhere or when gone)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found += [int(child) for child in (task / "children").read_text().split()]
    return found


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``, parents before their children."""
    found: list[int] = []
    waiting = children(pid)
    while waiting:
        child = waiting.pop(0)
        found.append(child)
        waiting += children(child)
    return found


class ServiceProcess:
    """One program started on loopback with its output going to a file; ``stop`` always ends it.

    ``command`` is run as given: for the service, ``launch_command`` adds ``--host`` and
    ``--port``. ``env`` is laid over ``base_env`` (this process's environment by default).
    Its standard output and error go to ``log`` (a temporary file when ``None``, removed by
    ``close``); ``output`` reads them back.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        port: int = 0,
        env: Mapping[str, str] | None = None,
        base_env: Mapping[str, str] | None = None,
        cwd: Path | str | None = None,
        log: Path | None = None,
        name: str = "the service",
        new_group: bool = True,
        stop_seconds: float = STOP_SECONDS,
    ) -> None:
        self.command = list(command)
        self.port = port
        self.env = {**(os.environ if base_env is None else base_env), **(env or {})}
        self.cwd = cwd
        self.name = name
        self.new_group = new_group
        self.stop_seconds = stop_seconds
        self._own_log = log is None
        if log is None:
            handle, path = tempfile.mkstemp(prefix="cg3-launch-", suffix=".log")
            os.close(handle)
            log = Path(path)
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self._kept = ""

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self.process.pid

    def pids(self) -> list[int]:
        """The process's PID, then those of every process it started that is still there."""
        return [self.pid, *descendants(self.pid)]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the command (again, after a stop or a kill); its output is added to the log."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=self.new_group,  # a stop reaches whatever it started
            )

    def output(self, lines: int | None = None) -> str:
        """What the process wrote so far (its last ``lines`` lines when given)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            text = self._kept
        if lines is None:
            return text
        return "\n".join(text.splitlines()[-lines:])

    def wait_until(self, what: str, ready: Callable[[], bool], seconds: float) -> float:
        """Poll ``ready()`` until it is true; the seconds it took. Raises ``ServiceStartError``
        when the process exits first or ``seconds`` pass."""
        began = time.monotonic()
        while True:
            with contextlib.suppress(OSError):
                if ready():
                    return time.monotonic() - began
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise ServiceStartError(
                    f"{self.name} exited (code {code}) before {what}:\n{self.output(TAIL_LINES)}"
                )
            if time.monotonic() - began > seconds:
                raise ServiceStartError(
                    f"{self.name}: not {what} within {seconds:g} s:\n{self.output(TAIL_LINES)}"
                )
            time.sleep(0.1)

    def wait_ready(self, seconds: float = READY_SECONDS, path: str = READY_PATH) -> float:
        """Wait until ``GET path`` answers 200 (see ``wait_until``)."""
        return self.wait_until("ready", lambda: http_status(self.port, path) == 200, seconds)

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the process itself (not its group), as a supervisor would."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was not started")
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """Wait at most ``timeout`` s for the process to exit; its exit code."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was not started")
        return self.process.wait(timeout)

    def signal_group(self, signum: int) -> None:
        """Send ``signum`` to the process's group (to the process alone when it has none)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if self.new_group:
                os.killpg(self.process.pid, signum)
            elif self.process.poll() is None:
                self.process.send_signal(signum)

    def kill(self) -> None:
        """Lose the process at once, as a machine would: SIGKILL to it and its group."""
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(self.stop_seconds)

    def stop(self) -> int | None:
        """SIGTERM to the process, SIGKILL after the grace period; then SIGKILL to anything
        left in its group. Its exit code (``None`` when it was never started)."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(self.stop_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(self.stop_seconds)
        self.signal_group(signal.SIGKILL)  # a worker or server process it left behind
        return self.process.returncode

    def close(self) -> None:
        """Stop the process and remove the log this object made (its text is kept)."""
        try:
            self.stop()
        finally:
            if self._own_log:
                self._kept = self.output()
                self.log.unlink(missing_ok=True)


def launch_command(
    command: Sequence[str] | None, args: Sequence[str], host: str, port: int
) -> list[str]:
    """``command`` (``cg3 serve`` by default) listening on ``host:port``, then ``args``."""
    return [*(command or SERVE), "--host", host, "--port", str(port), *args]


@contextlib.contextmanager
def running_service(
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    base_env: Mapping[str, str] | None = None,
    command: Sequence[str] | None = None,
    port: int | None = None,
    cwd: Path | str | None = None,
    log: Path | None = None,
    ready_seconds: float = READY_SECONDS,
    ready_path: str = READY_PATH,
    stop_seconds: float = STOP_SECONDS,
    new_group: bool = True,
) -> Iterator[ServiceProcess]:
    """The service started on ``127.0.0.1:port`` (a free port when ``None``) and ready.

    ``args`` follow ``--host`` and ``--port`` on the command line (``--log-level warning``, for
    one); ``command`` replaces ``cg3 serve`` (see ``uvicorn_command``); ``env`` is laid over
    ``base_env`` (default: this process's environment), so ``CG3_*`` settings apply. Waits at
    most ``ready_seconds`` for ``GET ready_path`` to answer 200, else raises
    ``ServiceStartError`` with the last output. The process is stopped when the block ends,
    whatever ends it.
    """
    chosen = free_port() if port is None else port
    service = ServiceProcess(
        launch_command(command, args, HOST, chosen),
        port=chosen,
        env=env,
        base_env=base_env,
        cwd=cwd,
        log=log,
        new_group=new_group,
        stop_seconds=stop_seconds,
    )
    try:
        service.start()
        service.wait_ready(ready_seconds, ready_path)
        yield service
    finally:
        service.close()
