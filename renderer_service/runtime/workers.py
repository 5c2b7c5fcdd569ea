"""Worker processes that run tasks, one at a time each, for the event loop.

A worker is a forked child of the service: it shares the loaded sprite pack with its parent
(copy-on-write, so the atlases are in memory once) and talks to it over a socket pair.
Messages are length-prefixed pickles: ``(kind, payload)`` in, a ``Reply`` out. A worker that
dies or hangs is replaced by a fresh fork; the parent learns of a death at once, because the
child's end of the socket closes with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, cast

from renderer_service.wire import ApiError
from renderer_service.work import Reply

Handler = Callable[[str, Any], Any]
"""What a worker runs: ``handler(kind, payload)`` returns an answer with a ``status``."""

_HEADER = struct.Struct(">I")


class WorkerCrashedError(RuntimeError):
    """The worker process died (or closed its socket) before answering."""


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


logger = logging.getLogger("renderer.worker")


def failure_reply(exc: BaseException) -> Reply:
    """The answer for a task that raised: the details go to the log, not to the client
    (an exception's text can name files and internals)."""
    logger.error("render failed in pid %d", os.getpid(), exc_info=exc)
    return Reply.from_error(
        ApiError(500, "render_failed", f"the render failed ({type(exc).__name__})")
    )


def _worker_main(sock: socket.socket, handler: Handler) -> None:
    """The worker's loop: answer every task until the parent closes the socket."""
    # Only the socket and the standard streams are ours: the parent's listening socket and
    # client connections must not stay open in here, or closing them there would not close them.
    signal.set_wakeup_fd(-1)
    # Ctrl-C and SIGTERM (often sent to the whole process group or cgroup at once) stop the
    # parent, which stops us by closing our socket once the work it holds is done: a worker
    # that left on the signal itself would lose the task it holds or, idle, be mistaken for
    # a crash and replaced during the shutdown.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, os.sysconf("SC_OPEN_MAX"))
    while True:
        header = _recv_exact(sock, _HEADER.size)
        data = None if header is None else _recv_exact(sock, _HEADER.unpack(header)[0])
        if data is None:
            # The parent is gone or done with us. Leave at once: the forked copy of the
            # parent's exit handlers must not run here.
            os._exit(0)
        try:
            kind, payload = pickle.loads(data)
            reply = handler(kind, payload)
        except Exception as exc:  # an answer for every task, whatever went wrong
            reply = failure_reply(exc)
        out = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        sock.sendall(_HEADER.pack(len(out)) + out)


def _expire(answer: asyncio.Future[bytes]) -> None:
    if not answer.done():
        answer.set_exception(TimeoutError())


class _Connection(asyncio.Protocol):
    """The parent's end of a worker's socket: frames in, answers to waiting futures.

    A protocol rather than a stream reader: an answer resolves its future straight from
    ``data_received``, with no coroutine in between.
    """

    def __init__(self, name: str, on_lost: Callable[[], None] | None = None) -> None:
        self.name = name
        self._on_lost = on_lost
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiting: deque[asyncio.Future[bytes]] = deque()
        self.lost = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports have asyncio.Transport's methods but not its class.
        self.transport = cast(asyncio.Transport, transport)

    def send(self, data: bytes) -> asyncio.Future[bytes]:
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        if self.lost or self.transport is None:
            future.set_exception(WorkerCrashedError(f"{self.name} is gone"))
            return future
        self._waiting.append(future)
        self.transport.write(_HEADER.pack(len(data)) + data)
        return future

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= _HEADER.size:
            size = _HEADER.unpack_from(buffer)[0]
            end = _HEADER.size + size
            if len(buffer) < end:
                return
            body = bytes(buffer[_HEADER.size : end])
            del buffer[:end]
            if self._waiting:
                future = self._waiting.popleft()
                if not future.done():
                    future.set_result(body)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_exception(WorkerCrashedError(f"{self.name} died"))
        if self._on_lost is not None:
            self._on_lost()


def describe_exit(exitcode: int | None) -> str:
    """How a process ended, in words: ``exit code 3``, ``killed by signal 9 (SIGKILL)``."""
    if exitcode is None:
        return "still running"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"killed by signal {-exitcode}"
        return f"killed by signal {-exitcode} ({name})"
    return f"exit code {exitcode}"


class Worker:
    """One worker process and the parent's end of its socket.

    ``watch(on_lost)`` connects the parent's end to the event loop and calls ``on_lost`` as
    soon as the process dies (its end of the socket closes), whether or not it was working.
    """

    def __init__(self, index: int, handler: Handler) -> None:
        self.index = index
        parent_end, child_end = socket.socketpair()
        context = multiprocessing.get_context("fork")
        self.process: BaseProcess = context.Process(
            target=_worker_main,
            args=(child_end, handler),
            name=f"renderer-worker-{index}",
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self._socket = parent_end
        self._connection: _Connection | None = None
        self._connecting: asyncio.Task[None] | None = None
        self.busy_since: float | None = None
        """When the task it holds was sent (``None`` while idle)."""

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.is_alive()

    def is_stopped(self) -> bool:
        """Whether the system has the process stopped (SIGSTOP, a debugger): it cannot work."""
        try:
            descriptor = os.open(f"/proc/{self.pid}/stat", os.O_RDONLY)
        except OSError:
            return False
        try:
            stat = os.read(descriptor, 4096)
        except OSError:
            return False
        finally:
            os.close(descriptor)
        # The state follows the command name, which is in parentheses and may hold spaces.
        state = stat.rfind(b")") + 2
        return stat[state : state + 1] in (b"T", b"t")

    def exit_cause(self) -> str:
        """How the process ended (waits briefly for it to be reaped)."""
        self.process.join(0.1)
        return describe_exit(self.process.exitcode)

    def watch(self, on_lost: Callable[[], None]) -> None:
        """Connect to the event loop now; ``on_lost()`` runs when the process dies."""
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect(on_lost))

    async def _connect(self, on_lost: Callable[[], None] | None) -> None:
        name = f"worker {self.index} (pid {self.pid})"
        loop = asyncio.get_running_loop()
        _, self._connection = await loop.create_connection(
            lambda: _Connection(name, on_lost), sock=self._socket
        )

    async def call(self, kind: str, payload: Any, timeout: float | None = None) -> Any:
        """Send one task and wait for its answer; ``WorkerCrashedError`` if the worker dies,
        ``TimeoutError`` if no answer comes within ``timeout`` seconds (the caller decides
        what becomes of the worker)."""
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self._connect(None))
        if self._connection is None:
            try:
                await asyncio.shield(self._connecting)
            except OSError as exc:
                raise WorkerCrashedError(f"worker {self.index} cannot be reached: {exc}") from exc
        assert self._connection is not None
        data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
        answer = self._connection.send(data)
        if timeout is None:
            return pickle.loads(await answer)
        # A plain timer on the answer's future: cheaper than an ``asyncio.timeout`` scope,
        # which would be set up and torn down for every render.
        timer = asyncio.get_running_loop().call_later(timeout, _expire, answer)
        try:
            return pickle.loads(await answer)
        finally:
            timer.cancel()

    def kill(self) -> None:
        """Stop the process now (it may be stuck in a render)."""
        with contextlib.suppress(Exception):
            self.process.kill()
        self.close_socket()

    def close_socket(self) -> None:
        if self._connection is not None and self._connection.transport is not None:
            self._connection.transport.close()
        elif self._connecting is None or self._connecting.done():
            self._socket.close()
        else:  # still connecting: close once the transport exists
            self._connecting.add_done_callback(lambda _: self.close_socket())

    async def stop(self, timeout: float = 2.0) -> None:
        """Ask the process to finish (closing its socket ends its loop), then make sure."""
        self.close_socket()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.process.join, timeout)
        if self.process.is_alive():
            self.kill()
            await loop.run_in_executor(None, self.process.join, 1.0)
