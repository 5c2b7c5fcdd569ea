"""Running the service: uvicorn configured from the settings, with a bounded shutdown.

On SIGTERM (or Ctrl-C) the server stops accepting connections, lets open requests and queued
renders finish for up to ``CG3_SHUTDOWN_GRACE_SECONDS``, then closes the connections still
open (a client stalled mid-body cannot hold the process), stops the render workers and exits.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
import time

import uvicorn
from fastapi import FastAPI

from renderer_service.config import Settings
from renderer_service.server.direct import ServiceSource
from renderer_service.server.protocol import ServerLimits, protected_protocol

logger = logging.getLogger("renderer.server")

SPARE_FILES = 256
"""File descriptors kept beyond the connection cap: workers, the listening socket, logs."""


def server_limits(settings: Settings) -> ServerLimits:
    return ServerLimits(
        max_header_bytes=settings.max_header_bytes,
        header_timeout_seconds=settings.header_timeout_seconds,
        keep_alive_seconds=settings.keep_alive_seconds,
        max_connections=settings.max_connections,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_seconds=settings.body_timeout_seconds,
        cors=bool(settings.allowed_origins),
    )


class BoundedServer(uvicorn.Server):
    """A uvicorn server whose shutdown ends within the grace period, whatever clients do.

    It tells the app when the grace period ends (``app.state.shutdown_deadline``), so the
    app's own shutdown (draining the render queue) fits in what is left of it.
    """

    def __init__(self, config: uvicorn.Config, app: FastAPI, grace_seconds: float) -> None:
        super().__init__(config)
        self.app = app
        self.grace_seconds = grace_seconds

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        deadline = time.monotonic() + self.grace_seconds
        self.app.state.shutdown_deadline = deadline
        logger.info("stopping: open requests have %.1f s to finish", self.grace_seconds)
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        state = self.server_state
        for connection in list(state.connections):
            connection.shutdown()  # idle ones close now, busy ones after their answer
        while (state.connections or state.tasks) and not self.force_exit:
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.05)
        if state.connections:
            logger.warning(
                "closing %d connections still open after %.1f s",
                len(state.connections),
                self.grace_seconds,
            )
            for connection in list(state.connections):
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.abort()  # its request sees the client leave, and ends
        settle_by = time.monotonic() + 0.5
        while state.tasks and time.monotonic() < settle_by and not self.force_exit:
            await asyncio.sleep(0.01)
        for task in list(state.tasks):
            task.cancel()
        if not self.force_exit:
            await self.lifespan.shutdown()


def raise_file_limit(needed: int) -> None:
    """Lift this process's open-file limit to ``needed`` if the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < needed:
            logger.warning(
                "open-file limit is %d: fewer than the %d connections CG3_MAX_CONNECTIONS allows",
                target,
                needed - SPARE_FILES,
            )


def build_server(
    app: FastAPI, settings: Settings, host: str, port: int, log_level: str = "info"
) -> BoundedServer:
    limits = server_limits(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protected_protocol(limits, ServiceSource(app)),
        ws="none",
        lifespan="on",
        log_level=log_level,
        backlog=max(2048, settings.max_connections),
        timeout_keep_alive=max(1, round(settings.keep_alive_seconds)),
        # Which proxies' X-Forwarded-* headers to believe is CG3_TRUSTED_PROXIES' to say, in
        # one place (the share pages' links): uvicorn's own rewriting would trust 127.0.0.1
        # whatever it says, and hide the proxy's address that the setting is checked against.
        proxy_headers=False,
    )
    return BoundedServer(config, app, settings.shutdown_grace_seconds)


def serve(app: FastAPI, settings: Settings, host: str, port: int, log_level: str = "info") -> bool:
    """Run the service until SIGTERM or Ctrl-C; False if it never started (the reason, such
    as a broken pack, has been logged)."""
    raise_file_limit(settings.max_connections + SPARE_FILES)
    server = build_server(app, settings, host, port, log_level)
    server.run()
    return bool(server.started)
