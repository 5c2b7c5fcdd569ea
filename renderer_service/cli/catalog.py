"""``cg3 catalog``: every value each render param accepts with a pack, as readable tables
(``--json`` for machines: the same catalog ``GET /catalog`` answers)."""

from __future__ import annotations

import argparse
import io
from typing import Any

from renderer_service.cli.common import (
    OK,
    UsageError,
    add_pack_argument,
    load_renderer,
    write_output,
)

EXAMPLES = """examples:
  cg3 catalog                       every section, as tables
  cg3 catalog --section poses       the 21 poses with their life stages
  cg3 catalog --section palettes    every palette colour, palette by palette
  cg3 catalog --json > catalog.json the whole catalog as GET /catalog answers it"""

WIDTH = 100
"""Columns the tables are laid out for when the output is not a terminal."""


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "catalog",
        help="list every value each render param accepts",
        description="List every value each render param accepts with the pack (the same "
        "catalog GET /catalog answers): pelts, colours, eyes, scars, accessories, poses...",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--json", action="store_true", help="print the catalog as JSON")
    parser.add_argument(
        "--section",
        metavar="NAME",
        help="only this part of the catalog (e.g. pelts, colours, poses, palettes)",
    )
    add_pack_argument(parser)
    parser.set_defaults(handler=run)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {_cell(item)}" for key, item in value.items())
    return str(value)


def _table(title: str | None, rows: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> Any:
    """Rows of objects as a table: a column per key that some row fills."""
    from rich import box
    from rich.table import Table

    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys and k not in skip]
    keys = [k for k in keys if any(row.get(k) not in (None, [], "") for row in rows)]
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for key in keys:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key in keys))
    return table


def _names(values: list[Any]) -> Any:
    from rich.columns import Columns

    return Columns([str(value) for value in values], padding=(0, 3), column_first=True)


def _palettes(palettes: list[dict[str, Any]], whole: bool) -> list[Any]:
    """The palettes: a summary row each, or (``whole``) each palette's colours."""
    if not whole:
        rows = [
            {
                "id": p["id"],
                "label": p["label"],
                "colours": len(p["colours"]),
                "flat": sum(c["kind"] == "flat" for c in p["colours"]),
                "pattern": sum(c["kind"] == "pattern" for c in p["colours"]),
            }
            for p in palettes
        ]
        return [_table(None, rows), "(cg3 catalog --section palettes lists every colour)"]
    parts = []
    for palette in palettes:
        rows = [
            {
                "name": c["name"],
                "kind": c["kind"],
                "multiply": c.get("multiply"),
                "screen": c.get("screen"),
                "pattern": (
                    f"{c['generator']}, {c['tileSize']} px tile" if c.get("generator") else None
                ),
            }
            for c in palette["colours"]
        ]
        title = f"{palette['label']} ({palette['id']}, {len(rows)} colours)"
        parts.append(_table(title, rows))
    return parts


def _section(name: str, value: Any, whole: bool) -> list[Any]:
    """What to print for one section of the catalog."""
    if name == "palettes":
        return _palettes(value, whole)
    if name == "poses":
        rows = [
            {"pose": p["number"], "life stage": p["lifeStage"], "description": p["description"]}
            for p in value
        ]
        return [_table(None, rows)]
    if name == "backgrounds" and isinstance(value, dict):
        about = {k: v for k, v in value.items() if k != "entries"}
        entries = [
            {"name": e["name"], "kind": e["kind"], "size": f"{e['width']} x {e['height']}"}
            for e in value.get("entries", [])
        ]
        return [_table(None, [about]), _table(None, entries)]
    if name == "accessories":
        return [_table(None, value, skip=("group", "atlas"))]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_table(None, value)]
    if isinstance(value, list):
        return [_names(value)]
    if isinstance(value, dict) and name == "lists":
        return [_table(None, [{"list": k, "names": v} for k, v in value.items()])]
    if isinstance(value, dict):
        stages = value.get("stages")
        flat = {k: v for k, v in value.items() if k != "stages"}
        parts = [_table(None, [flat])]
        if isinstance(stages, list):
            parts.append(_table(None, stages))
        return parts
    return [str(value)]


def _count(value: Any) -> str:
    if isinstance(value, list):
        return f" ({len(value)})"
    if isinstance(value, dict) and isinstance(value.get("entries"), list):
        return f" ({len(value['entries'])})"
    return ""


def summary(catalog: dict[str, Any], whole: bool = False) -> str:
    """The catalog for people: a heading and a table (or columns of names) per section."""
    from rich.console import Console

    out = io.StringIO()
    console = Console(file=out, width=WIDTH, highlight=False, emoji=False, markup=False)
    for name, value in catalog.items():
        if name == "pack" and isinstance(value, dict):
            console.print(f"pack: {_cell(value)}")
            console.print()
            continue
        if not isinstance(value, list | dict):
            console.print(f"{name}: {value}")
            console.print()
            continue
        console.print(f"{name}{_count(value)}")
        for part in _section(name, value, whole):
            console.print(part)
        console.print()
    return out.getvalue()


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
        write_output("-", summary(catalog, whole=bool(args.section)).encode())
    return OK
