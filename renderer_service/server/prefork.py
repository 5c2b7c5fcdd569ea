"""Several server processes on one port: ``cg3 serve`` with ``CG3_SERVER_PROCESSES`` above 1.

One event loop parses, checks and answers requests on one core at most. To use every core,
the parent process loads the sprite packs once, binds the port, then forks the server
processes: each runs its own event loop, render queue and workers on the inherited listening
socket, and the kernel hands each new connection to one of them. The packs are in memory once
(copy-on-write).

What they share, made before the fork:

- a cache level in shared memory (``runtime.shared_memory_cache``): a cat drawn by one
  process is a hit in the others; each process keeps its own small LRU in front of it;
- a board (``runtime.board``) where each process publishes its numbers a few times a second,
  so that ``/health`` and ``/metrics``, whichever process answers, speak for all of them.

The parent supervises: a server process that dies is replaced (after a pause that grows if
replacements keep dying young); SIGTERM or Ctrl-C stops them all, each within
``CG3_SHUTDOWN_GRACE_SECONDS`` as a lone server would, and a process still running after that
(and a few seconds more) is killed. A server process that loses its parent stops too.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.runtime import ProcessBoard, SharedMemoryCache, Siblings, freeze_long_lived
from renderer_service.server.run import SPARE_FILES, build_server, raise_file_limit

logger = logging.getLogger("renderer.server")

STARTUP_FAILED = 3
"""Exit code of a server process whose start-up failed (the reason is logged)."""

READY_TIMEOUT_SECONDS = 120.0
"""Longest the parent waits for every server process to be ready at start-up."""

YOUNG_SECONDS = 5.0
"""A server process that dies younger than this is replaced after a growing pause."""

MAX_PAUSE_SECONDS = 10.0
"""The longest pause before replacing a server process."""

KILL_AFTER_SECONDS = 5.0
"""How long past the grace period stopping waits before it kills a server process."""


@dataclass
class _Child:
    index: int
    pid: int
    started: float
    pause: float = 0.0
    """The pause before the next replacement, if this one dies young."""


@dataclass
class _Supervisor:
    settings: Settings
    packs: PackSet
    sock: socket.socket
    host: str
    port: int
    log_level: str
    board: ProcessBoard
    cache: SharedMemoryCache | None
    """The shared cache level, ``None`` with the cache off."""
    children: dict[int, _Child] = field(default_factory=dict)
    """Running server processes by pid."""
    stopping: bool = False

    @property
    def count(self) -> int:
        return self.settings.server_processes

    # --- the server processes ----------------------------------------------------------------

    def spawn(self, index: int, pause: float = 0.0) -> None:
        pid = os.fork()
        if pid == 0:  # the server process: it never returns from here
            code = STARTUP_FAILED
            try:
                code = self._child_main(index)
            except BaseException:  # told, then gone: the parent replaces it
                logger.exception("server process %d failed", index)
            finally:
                logging.shutdown()
                os._exit(code)
        self.children[pid] = _Child(index, pid, time.monotonic(), pause)

    def _child_main(self, index: int) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        _stop_with_parent()
        from renderer_service.app.main import create_app

        settings = child_settings(self.settings, index)
        siblings = Siblings(self.board, index, self.cache)
        app = create_app(settings, self.packs, siblings=siblings)
        server = build_server(app, settings, self.host, self.port, self.log_level)
        label_lines(index)  # after uvicorn set its logging up
        server.run(sockets=[self.sock])
        return 0 if server.started else STARTUP_FAILED

    # --- supervising ---------------------------------------------------------------------

    def wait_until_ready(self) -> bool:
        """Wait for every server process's first numbers on the board; False if one ended
        first (its start-up failed: the reason is logged) or they took too long."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline and not self.stopping:
            ended = self._reap()
            if ended:
                return False
            published = sum(self.board.read(index) is not None for index in range(self.count))
            if published == self.count:
                return True
            time.sleep(0.02)
        return False

    def watch(self) -> None:
        """Replace server processes that die, until asked to stop."""
        while not self.stopping:
            for child, cause in self._reap():
                self.board.clear(child.index)
                lived = time.monotonic() - child.started
                pause = 0.0
                if lived < YOUNG_SECONDS:
                    pause = min(MAX_PAUSE_SECONDS, max(0.5, child.pause * 2))
                logger.error(
                    "server process %d (pid %d) %s after %.1f s; starting another%s",
                    child.index,
                    child.pid,
                    cause,
                    lived,
                    f" in {pause:.1f} s" if pause else "",
                )
                self._sleep(pause)
                if self.stopping:
                    break
                self.spawn(child.index, pause)
            time.sleep(0.05)

    def _sleep(self, seconds: float) -> None:
        until = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < until:
            time.sleep(0.05)

    def _reap(self) -> list[tuple[_Child, str]]:
        """The server processes that have ended since the last look, and how."""
        ended = []
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            child = self.children.pop(pid, None)
            if child is not None:
                ended.append((child, _exit_cause(status)))
        return ended

    def stop(self) -> None:
        """Stop every server process: SIGTERM, then SIGKILL for any past the grace period."""
        self.stopping = True
        for pid in list(self.children):
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.settings.shutdown_grace_seconds + KILL_AFTER_SECONDS
        while self.children and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.02)
        for pid, child in list(self.children.items()):
            logger.error("server process %d (pid %d) did not stop; killing it", child.index, pid)
            _signal(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.children.clear()


class ProcessLabel(logging.Filter):
    """Begins each line a server process logs with which one it is (``server process 1:``),
    so that the lines every process logs (uvicorn's, its workers', its ready line) tell the
    processes apart instead of reading as the same line twice."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.prefix = f"server process {index}: "

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "cg3_process_labelled", False):  # once, whichever handler
            record.msg = f"{self.prefix}{record.msg}"
            coloured = getattr(record, "color_message", None)
            if isinstance(coloured, str):
                record.color_message = f"{self.prefix}{coloured}"
            record.cg3_process_labelled = True
        return True


LABELLED_LOGGERS = ("renderer", "uvicorn", "uvicorn.error")
"""The loggers whose handlers label a server process's lines (not ``uvicorn.access``: an
access line is one request's, and its format is for log readers)."""


def label_lines(index: int) -> None:
    """Label every line server process ``index`` logs from now on (see ``ProcessLabel``)."""
    label = ProcessLabel(index)
    for name in LABELLED_LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.addFilter(label)


def child_settings(settings: Settings, index: int) -> Settings:
    """One server process's settings: its share of the in-process caches' bytes (the shared
    cache level holds ``CG3_CACHE_MAX_BYTES`` for all of them).

    Each keeps all ``CG3_WORKER_COUNT`` workers: they draw only the heavy work (batches,
    layers, large scales), and a batch spreads over every worker of the process it reached,
    so with fewer each it could not use every core. An idle worker costs no CPU."""
    count = settings.server_processes
    return settings.model_copy(
        update={
            "cache_max_bytes": settings.cache_max_bytes // count,
            "frame_cache_max_bytes": settings.frame_cache_max_bytes // count,
        }
    )


def shared_memory_cache(settings: Settings) -> SharedMemoryCache | None:
    """The cache level every server process shares (``None`` when the cache is off)."""
    if settings.cache_size <= 0 or settings.cache_max_bytes <= 0:
        return None
    return SharedMemoryCache(
        settings.cache_max_bytes,
        settings.cache_size * settings.server_processes,
        settings.cache_max_entry_bytes,
    )


def bind(host: str, port: int, backlog: int) -> socket.socket:
    """The listening socket every server process accepts on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def serve_processes(settings: Settings, host: str, port: int, log_level: str = "info") -> bool:
    """Run ``settings.server_processes`` server processes on ``host:port`` until SIGTERM or
    Ctrl-C; False if the service never started (the reason has been logged)."""
    from renderer_service.app.main import configure_logging, ready_line
    from renderer_service.app.startup import StartupError, load_packs_and_compile

    began = time.perf_counter()
    configure_logging()
    raise_file_limit(settings.max_connections + SPARE_FILES)
    try:
        packs = load_packs_and_compile(settings)
        for _, renderer in packs:  # before forking, so every process starts warm
            renderer.warm_up()
    except StartupError as error:
        logger.error("%s", error)
        return False
    try:
        sock = bind(host, port, max(2048, settings.max_connections))
    except OSError as error:
        logger.error("cannot listen on %s:%d: %s", host, port, error)
        return False
    bound_port = sock.getsockname()[1]
    if settings.gc_freeze:
        freeze_long_lived()
    cache = shared_memory_cache(settings)
    board = ProcessBoard(settings.server_processes)
    supervisor = _Supervisor(settings, packs, sock, host, bound_port, log_level, board, cache)

    def on_signal(signum: int, frame: Any) -> None:
        supervisor.stopping = True

    previous = {
        signum: signal.signal(signum, on_signal) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        forking = time.perf_counter()
        for index in range(settings.server_processes):
            supervisor.spawn(index)
        if not supervisor.wait_until_ready():
            if not supervisor.stopping:
                logger.error("the service did not start: a server process failed to start")
                return False
            return True
        ready = time.perf_counter()
        logger.info(ready_line(ready - began, forking - began, ready - forking))
        scheme_host = f"[{host}]" if ":" in host else host
        logger.info(
            "running on http://%s:%d with %d server processes (Press CTRL+C to quit)",
            scheme_host,
            bound_port,
            settings.server_processes,
        )
        supervisor.watch()
        logger.info("stopping %d server processes", len(supervisor.children))
        return True
    finally:
        supervisor.stop()
        sock.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _exit_cause(status: int) -> str:
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = str(signum)
        return f"was killed by signal {signum} ({name})"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


def _stop_with_parent() -> None:
    """Ask the system to send this process SIGTERM when its parent dies (Linux), so that a
    killed parent does not leave server processes holding the port."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
