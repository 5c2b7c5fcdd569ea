"""``cg3 serve``: start the render service, with every protection of the HTTP server on."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="start the render service",
        description="Start the render service on the sprite pack that CG3_SPRITE_ROOT names "
        "(default: the bundled Lifegen pack). Every other CG3_* setting applies too, the "
        "server's limits included: CG3_MAX_HEADER_BYTES, CG3_HEADER_TIMEOUT_SECONDS, "
        "CG3_KEEP_ALIVE_SECONDS, CG3_MAX_CONNECTIONS and CG3_SHUTDOWN_GRACE_SECONDS. "
        "CG3_SERVER_PROCESSES (default: one per core) sets how many server processes share "
        "the port.",
        epilog="example: CG3_WORKER_COUNT=2 cg3 serve --host 0.0.0.0 --port 8001, then open "
        "http://localhost:8001/ for the playground",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (default: 8001)")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="the server's log level (default: info)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from renderer_service.app.main import create_app
    from renderer_service.config import SettingsError, load_settings
    from renderer_service.server import serve

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"cg3 serve: {error}", file=sys.stderr)
        return 2
    if settings.server_processes > 1:
        from renderer_service.server.prefork import serve_processes

        started = serve_processes(settings, args.host, args.port, args.log_level)
    else:
        started = serve(create_app(settings), settings, args.host, args.port, args.log_level)
    return 0 if started else 1
