"""``cg3 render``: one cat to a PNG file, in-process, with the same pixels as ``POST /render``.

The request is built as a ``/render`` body (from ``--params`` and the trait flags) and answered
by the very function a render worker runs, so the command accepts and refuses exactly what the
service does.
"""

from __future__ import annotations

import argparse
import re
import sys
import typing
from typing import Any

import orjson

from renderer_service.cli.common import (
    OK,
    USAGE_ERROR,
    UsageError,
    add_pack_argument,
    error_message,
    load_packs,
    read_json,
    write_output,
)
from renderer_service.renderer import CatParams

SHORT_NAMES = {"peltName": ("--pelt",), "skinColour": ("--skin",), "eyeColour": ("--eyes",)}
"""Shorter flags for the traits typed most often, besides the full ``--pelt-name`` form."""

LIST_PARAMS = ("scars", "accessories")
SKIPPED_PARAMS = ("spriteNumber",)
"""Params with a flag of their own (``--pose``)."""


def _flag(alias: str) -> str:
    return "--" + re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", alias).lower()


def _trait_flags() -> list[tuple[str, str, Any]]:
    """``(param alias, flag, field info)`` for every trait of ``CatParams``."""
    flags = []
    for name, info in CatParams.model_fields.items():
        alias = info.alias or name
        if alias not in SKIPPED_PARAMS:
            flags.append((alias, _flag(alias), info))
    return flags


def _is_flag(annotation: Any) -> bool:
    """Whether a param is a yes/no one (``bool``, or ``bool | None`` like ``isTortie``)."""
    if annotation is bool:
        return True
    args = typing.get_args(annotation)
    return bool(args) and bool in args and all(a in (bool, type(None)) for a in args)


def _tortie_layer(text: str) -> dict[str, str]:
    parts = text.split(":")
    if len(parts) != 3 or not all(parts):
        raise argparse.ArgumentTypeError(f"expected PATTERN:COLOUR:MASK, got {text!r}")
    return {"pattern": parts[0], "colour": parts[1], "mask": parts[2]}


def _option_value(text: str) -> Any:
    """A JSON value where the text is one (``4``, ``true``, ``[1, 2]``), else the text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "render",
        help="render one cat to a PNG file, without a server",
        description="Render one cat in-process to a PNG, with the same pixels POST /render "
        "answers. The cat comes from --params (V2 params, or a whole /render body) and the "
        "trait flags, which win over it. Lists (--scars, --accessories) take commas or "
        "repeated flags; an empty value clears them.",
        epilog="example: cg3 render --pelt Tabby --colour GINGER --eyes GREEN --shading "
        "--scars ONE --pose 8 --scale 4 -o cat.png",
    )
    parser.add_argument(
        "--params",
        metavar="FILE",
        help="JSON file ('-' for standard input): the V2 params, or a /render body with "
        "payload and options",
    )
    parser.add_argument(
        "--pose",
        type=int,
        metavar="N",
        help="pose (spriteNumber) in the pack's own list: 0-20 on lifegen, 0-25 on clangen; "
        "default an adult pose (8 on lifegen), as the service draws it, unless --params gives "
        "one",
    )
    parser.add_argument(
        "--scale", type=int, metavar="N", help="enlargement 1-16; default 1, as the API"
    )
    parser.add_argument(
        "--background",
        metavar="VALUE",
        help="options.background: transparent, #rrggbb or a platform such as "
        "platform:forest:greenleaf:light (see `cg3 catalog --section backgrounds`); "
        "default transparent, as the API",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other /render option (VALUE read as JSON where it is JSON), repeatable",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="where to write ('-': stdout)"
    )
    add_pack_argument(parser)
    traits = parser.add_argument_group("traits (each a V2 param; see `cg3 catalog`)")
    for alias, flag, info in _trait_flags():
        names = (flag, *SHORT_NAMES.get(alias, ()))
        help_text = f"{alias}: {info.description or 'see the catalog'}"
        if info.default not in (None, False) and "default" not in help_text.lower():
            help_text += f" Default: {info.default}, as the API."
        dest = f"trait_{alias}"
        if alias == "tortie":
            traits.add_argument(
                *names,
                dest=dest,
                action="append",
                type=_tortie_layer,
                metavar="PATTERN:COLOUR:MASK",
                help="a tortie patch layer, repeatable (in drawing order)",
            )
        elif alias in LIST_PARAMS:
            traits.add_argument(
                *names, dest=dest, action="append", metavar="NAME[,NAME...]", help=help_text
            )
        elif _is_flag(info.annotation):
            traits.add_argument(
                *names, dest=dest, action=argparse.BooleanOptionalAction, help=help_text
            )
        elif info.annotation is int:
            traits.add_argument(*names, dest=dest, type=int, metavar="N", help=help_text)
        else:
            traits.add_argument(*names, dest=dest, metavar="NAME", help=help_text)
    parser.set_defaults(handler=run)


def request_body(args: argparse.Namespace) -> dict[str, Any]:
    """The /render body the arguments describe."""
    body: dict[str, Any] = {"payload": {"params": {}}, "options": {}}
    if args.params:
        given = read_json(args.params, "params")
        if not isinstance(given, dict):
            raise UsageError(f"--params must hold a JSON object, not {type(given).__name__}")
        if "payload" in given:
            body = {"options": {}, **given}
            if not isinstance(body["payload"], dict) or not isinstance(body["options"], dict):
                raise UsageError("--params: payload and options must be JSON objects")
            body["payload"] = {"params": {}, **body["payload"]}
        else:
            body["payload"]["params"] = given
    params: dict[str, Any] = body["payload"]["params"]
    if not isinstance(params, dict):
        raise UsageError("--params: payload.params must be a JSON object")
    for alias, _flag_name, _info in _trait_flags():
        value = getattr(args, f"trait_{alias}")
        if value is None:
            continue
        if alias in LIST_PARAMS:
            value = [name.strip() for item in value for name in item.split(",") if name.strip()]
        params[alias] = value
    if args.pose is not None:
        body["payload"].pop("spriteNumber", None)
        params["spriteNumber"] = args.pose
    options: dict[str, Any] = body["options"]
    if args.scale is not None:
        options["scale"] = args.scale
    if args.pack is not None:
        options["pack"] = args.pack
    if args.background is not None:
        options["background"] = _option_value(args.background)
    for item in args.option:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--option expects NAME=VALUE, got {item!r}")
        options[name] = _option_value(value)
    if not options:
        del body["options"]
    return body


def run(args: argparse.Namespace) -> int:
    from renderer_service.renderer import FORMATS
    from renderer_service.work import answer_render

    body = request_body(args)
    # The picture itself, not JSON: PNG unless the options name another format.
    reply = answer_render(load_packs(args), orjson.dumps(body), FORMATS)
    if reply.status != 200:
        print("cg3 render: " + error_message(reply.body), file=sys.stderr)
        return USAGE_ERROR
    write_output(args.output, reply.body)
    return OK
