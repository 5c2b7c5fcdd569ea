"""``cg3 serve``: start the render service."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="start the render service",
        description="Start the render service on the sprite pack that CG3_SPRITE_ROOT names "
        "(default: the bundled Lifegen pack). Every other CG3_* setting applies too.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run("renderer_service.app.main:app", host=args.host, port=args.port)
    return 0
