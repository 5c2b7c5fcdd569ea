"""``cg3 pack check``: what a sprite pack holds, what it lacks, what is broken."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import orjson

from renderer_service.cli.common import FAILED, OK, UsageError, write_output


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pack",
        help="inspect sprite packs",
        description="Inspect sprite packs (folders of atlases in the legacy ClanGen layout).",
        epilog="example: cg3 pack check mymod:bundled",
    )
    actions = parser.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="check a pack against the game's",
        description="Load a pack as the service would (atlases without spritesIndex.json are "
        "placed by the bundled pack's index; FOLDERS may layer several, ':'-separated, with "
        "'bundled' naming the packaged pack) and compare it with the bundled Lifegen pack, "
        "pose by pose. Errors (a render would fail or draw wrong: missing coats, eyes, "
        "scars, accessories or linearts, empty cells the game draws, unreadable or too small "
        "atlases) exit 1; warnings (what the game lacks too, such as some accessories in "
        "poses 18-20) do not.",
        epilog="example: cg3 pack check mymod:bundled",
    )
    check.add_argument("folders", metavar="FOLDERS", help="the pack, e.g. mymod or mymod:bundled")
    check.add_argument("--json", metavar="FILE", help="also write the report as JSON ('-')")
    check.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only, not facts and warnings"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from renderer_service.packs import (
        BUNDLED,
        BUNDLED_MODERN_PACK_NAME,
        BUNDLED_PACK_NAMES,
        LAYER_SEPARATOR,
        PackReport,
        bundled_pack_root,
        check_modern_pack,
        check_pack,
        load_sprite_pack,
    )
    from renderer_service.renderer import ModernSpritePack, SpritePack, SpritePackError

    parts = [part.strip() for part in args.folders.split(LAYER_SEPARATOR)]
    for index, part in enumerate(parts):
        bundled_name = index > 0 and parts[index - 1] == BUNDLED and part in BUNDLED_PACK_NAMES
        if part != BUNDLED and not bundled_name and not Path(part).is_dir():
            raise UsageError(f"{part!r} is not a folder")
    try:
        pack = load_sprite_pack(args.folders)
    except SpritePackError as error:
        report = PackReport(facts={"folders": args.folders}, errors=[f"cannot load: {error}"])
    else:
        if isinstance(pack, ModernSpritePack):
            modern = bundled_pack_root(BUNDLED_MODERN_PACK_NAME)
            reference = pack if pack.root == modern else ModernSpritePack(modern)
            report = check_modern_pack(pack, reference)
        else:
            layers = (bundled_pack_root(),)
            legacy = pack if pack.layers == layers else SpritePack(layers[0])
            report = check_pack(pack, legacy)
    if args.json:
        write_output(args.json, orjson.dumps(report.as_json(), option=orjson.OPT_INDENT_2))
    if args.json != "-":
        print(render_text(report, quiet=args.quiet), end="")
    return OK if report.ok else FAILED


def render_text(report: Any, quiet: bool = False) -> str:
    lines = []
    facts = report.facts
    if not quiet and "groups" in facts:
        vocabulary = facts["vocabulary"]
        lines += [
            "pack: " + ":".join(facts["folders"]),
            f"  hash {facts['hash']}",
            f"  {len(facts['atlases'])} atlases, {facts['groups']} sprite groups "
            f"({facts['groupsFromOwnIndex']} from its own index, {facts['groupsFromLayout']} "
            f"placed by the bundled layout, {len(facts['unindexedLinearts'])} unindexed "
            f"linearts), {facts['cells']} cells, {facts['poses']} poses",
            "  draws "
            + ", ".join(
                f"{count} {name}" for name, count in vocabulary.items() if isinstance(count, int)
            )
            + ", afterlives "
            + (", ".join(vocabulary["afterlives"]) or "none"),
        ]
    lines += [f"error: {line}" for line in report.errors]
    if not quiet:
        lines += [f"warning: {line}" for line in report.warnings]
    verdict = "ok" if report.ok else f"{len(report.errors)} errors"
    lines.append(f"{verdict}, {len(report.warnings)} warnings")
    return "\n".join(lines) + "\n"
