"""``cg3 catalog``: every value each render param accepts with a pack."""

from __future__ import annotations

import argparse
from typing import Any

from renderer_service.cli.common import (
    OK,
    UsageError,
    add_pack_argument,
    load_renderer,
    write_output,
)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "catalog",
        help="list every value each render param accepts",
        description="List every value each render param accepts with the pack (the same "
        "catalog GET /catalog answers): pelts, colours, eyes, scars, accessories, poses...",
    )
    parser.add_argument("--json", action="store_true", help="print the whole catalog as JSON")
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="only this part of the catalog (e.g. pelts, colours, accessories)",
    )
    add_pack_argument(parser)
    parser.set_defaults(handler=run)


def _name(entry: Any) -> str:
    if isinstance(entry, dict):
        for key in ("name", "number", "lineart"):
            if key in entry:
                return str(entry[key])
    return str(entry)


def summary(catalog: dict[str, Any]) -> str:
    """The catalog for people: one paragraph per param, its values separated by commas."""
    lines = []
    pack = catalog.get("pack")
    if isinstance(pack, dict):
        lines.append(
            f"pack: {pack['path']} ({pack['groups']} groups, {pack['cells']} cells, "
            f"hash {pack['hash']})"
        )
    for section, value in catalog.items():
        if section == "pack":
            continue
        if isinstance(value, list):
            names = ", ".join(_name(entry) for entry in value)
            lines.append(f"{section} ({len(value)}): {names}")
        elif isinstance(value, dict) and section == "lists":
            for name, members in value.items():
                lines.append(f"lists.{name} ({len(members)}): {', '.join(members)}")
        else:
            lines.append(f"{section}: {value}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    import orjson

    catalog = load_renderer(args).catalog.model_dump(mode="json", by_alias=True)
    if args.section:
        if args.section not in catalog:
            raise UsageError(
                f"--section {args.section!r} is not a part of the catalog; the parts are "
                + ", ".join(catalog)
            )
        catalog = {args.section: catalog[args.section]}
    if args.json:
        write_output("-", orjson.dumps(catalog, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        write_output("-", summary(catalog).encode())
    return OK
