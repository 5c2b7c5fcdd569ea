"""What the ``cg3`` subcommands share: loading a pack, reading JSON input, reporting errors."""

from __future__ import annotations

import argparse
import sys
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from renderer_service.packs import PackSet
from renderer_service.renderer import AnyRenderer
from renderer_service.wire import ApiError

OK = 0
FAILED = 1
"""Exit code when the command ran but found problems (a diff differs, a pack has errors)."""
USAGE_ERROR = 2
"""Exit code for a usage or input error (argparse uses it too)."""


class UsageError(Exception):
    """Bad arguments or input: printed, and the command exits with ``USAGE_ERROR``."""


def add_pack_argument(parser: argparse.ArgumentParser, choose: bool = True) -> None:
    parser.add_argument(
        "--sprite-root",
        metavar="FOLDERS",
        help="the sprite pack to draw with: a folder, or folders separated by ':' looked up "
        "in order sheet by sheet ('bundled:lifegen' and 'bundled:clangen' name the packaged "
        "packs, 'bundled' alone the Lifegen one); default: CG3_PACKS or CG3_SPRITE_ROOT, "
        "else both bundled packs",
    )
    if choose:
        parser.add_argument(
            "--pack",
            metavar="NAME",
            help="the named pack to draw with: lifegen (the default) or clangen, or a name "
            "CG3_PACKS gives",
        )


def load_packs(args: argparse.Namespace) -> PackSet:
    """The packs the settings (``CG3_*``) and ``--sprite-root`` ask for (loaded once per
    process for each choice: a pack takes seconds to load)."""
    return _pack_set(getattr(args, "sprite_root", None) or None)


def load_renderer(args: argparse.Namespace) -> AnyRenderer:
    """The renderer of the pack ``--pack`` names (default: the first)."""
    packs = load_packs(args)
    try:
        return packs.choose(getattr(args, "pack", None), "--pack")[1]
    except ApiError as error:
        raise UsageError(error.detail) from None


@cache
def _pack_set(sprite_root: str | None) -> PackSet:
    from renderer_service.config import SettingsError, load_settings
    from renderer_service.packs import load_packs as load_named_packs
    from renderer_service.renderer import SpritePackError

    overrides: dict[str, Any] = {}
    if sprite_root:
        overrides["sprite_root"] = sprite_root
        overrides["packs"] = None  # the folders given win over CG3_PACKS
    try:
        settings = load_settings(**overrides)
        return load_named_packs(settings)
    except (SettingsError, SpritePackError) as error:
        raise UsageError(str(error)) from None


def read_json(source: str, what: str) -> Any:
    """JSON from a file, or from standard input for ``-``."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {what} {source}: {error.strerror or error}") from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        name = "standard input" if source == "-" else source
        raise UsageError(f"{what} {name} is not JSON: {error}") from None


def write_output(target: str, data: bytes) -> None:
    """Bytes to a file, or to standard output for ``-``."""
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    try:
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None


def error_message(body: bytes) -> str:
    """An error answer (the service's one error shape) as lines for a terminal."""
    try:
        problem = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.decode("utf-8", "replace")
    items = [item for item in problem.get("errors", []) if item.get("detail")]
    if not items:
        return str(problem.get("detail", "invalid input"))
    lines = []
    for item in items:
        line = str(item["detail"])
        if item.get("field") and str(item["field"]).split(".")[-1] not in line:
            line = f"{item['field']}: {line}"
        lines.append(line)
    return "\n".join(lines)


def add_drill(subparsers: Any, name: str, summary: str, description: str, example: str) -> None:
    """Add the drill ``name`` (``renderer_service.drills``) as a subcommand of that name: its
    arguments, an example under ``--help``, and a handler that checks the arguments, then
    runs it."""
    from renderer_service.drills import DRILLS

    drill = DRILLS[name]
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name,
        help=summary,
        description=description,
        epilog=example,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    drill.add_arguments(parser)

    def handler(args: argparse.Namespace) -> int:
        drill.check(parser, args)
        return drill.run(args)

    parser.set_defaults(handler=handler)
