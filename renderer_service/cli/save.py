"""``cg3 save``: a ClanGen / Lifegen save turned into a folder of PNGs plus a whole-clan sheet.

Runs the renderer in-process (no service needed): every cat the options select is written
as ``<ID>.png``, the sheet as ``sheet.png``, and ``cats.json`` lists each cat's name, age,
pose and params. Cats that cannot be read are reported and skipped; the exit code is 1 when
there were any, so scripts notice.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, get_args

import numpy as np
import orjson

USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    from renderer_service.saves import LIFE_STAGES, Include, Order

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "save",
        help="draw every cat of a ClanGen save into a folder, plus a sheet",
        description="Read a ClanGen or Lifegen clan_cats.json and write <ID>.png for each "
        "cat, sheet.png with all of them, and cats.json (names, ages, params). Every cat is "
        "drawn healthy unless --sick lists it.",
    )
    parser.add_argument("save", type=Path, help="the save's clan_cats.json")
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    parser.add_argument(
        "--include", choices=get_args(Include), default="all", help="which cats (default all)"
    )
    parser.add_argument(
        "--order", choices=get_args(Order), default="given", help="sheet order (default given)"
    )
    parser.add_argument(
        "--life-stage", choices=LIFE_STAGES, default=None, help="draw every cat at this age"
    )
    parser.add_argument(
        "--sick", action="append", default=[], metavar="ID", help="draw this cat sick"
    )
    parser.add_argument("--scale", type=int, default=1, help="enlarge each PNG (1-16)")
    parser.add_argument("--tile-size", type=int, default=100, help="sheet tile size (px)")
    parser.add_argument("--columns", type=int, default=None, help="sheet columns")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from renderer_service.config import load_settings
    from renderer_service.packs import load_sprite_pack
    from renderer_service.renderer import (
        MAX_SCALE,
        CatParams,
        Renderer,
        SpritePack,
        encode_png,
        resize_nearest,
        upscale,
    )
    from renderer_service.saves import DrawOptions, SaveFormatError, arrange, read_save, save_cats

    if not 1 <= args.scale <= MAX_SCALE or not 1 <= args.tile_size <= 1024:
        print(f"cg3 save: --scale must be 1-{MAX_SCALE}, --tile-size 1-1024", file=sys.stderr)
        return USAGE_ERROR
    if args.columns is not None and args.columns < 1:
        print("cg3 save: --columns must be at least 1", file=sys.stderr)
        return USAGE_ERROR
    try:
        document = orjson.loads(args.save.read_bytes())
        cats, sick = save_cats(document)
    except OSError as error:
        print(f"cg3 save: cannot read {args.save}: {error.strerror}", file=sys.stderr)
        return USAGE_ERROR
    except orjson.JSONDecodeError as error:
        print(f"cg3 save: {args.save} is not JSON: {error}", file=sys.stderr)
        return USAGE_ERROR
    except SaveFormatError as error:
        print(f"cg3 save: {args.save}: {error.detail}", file=sys.stderr)
        return USAGE_ERROR

    settings = load_settings()
    pack = load_sprite_pack(settings.sprite_root)
    if not isinstance(pack, SpritePack):
        print(
            "cg3 save: 2024 saves draw on a legacy pack; CG3_SPRITE_ROOT names a modern one",
            file=sys.stderr,
        )
        return USAGE_ERROR
    renderer = Renderer(pack)
    options = DrawOptions(sick=frozenset([*sick, *args.sick]), life_stage=args.life_stage)
    reading = read_save(cats, renderer.vocabulary, options)
    for problem in reading.errors:
        where = f"cat {problem.index}" + (f" (ID {problem.id})" if problem.id else "")
        print(f"{where}: {problem.detail}", file=sys.stderr)
    chosen = arrange(reading.cats, args.include, args.order)
    if not chosen:
        print(f"cg3 save: no cat to draw (include={args.include})", file=sys.stderr)
        return 1

    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    tile = args.tile_size
    columns = min(args.columns or math.ceil(math.sqrt(len(chosen))), len(chosen))
    rows = math.ceil(len(chosen) / columns)
    sheet = np.zeros((rows * tile, columns * tile, 4), dtype=np.uint8)
    listing: list[dict[str, Any]] = []
    used: set[str] = set()
    for position, cat in enumerate(chosen):
        image = renderer.render(CatParams.model_validate(cat.params)).image
        name = _file_name(cat.id)
        if name in used:
            name = f"{name}-{cat.index}"
        used.add(name)
        (out / f"{name}.png").write_bytes(encode_png(upscale(image, args.scale)))
        row, column = divmod(position, columns)
        sheet[row * tile : (row + 1) * tile, column * tile : (column + 1) * tile] = resize_nearest(
            image, tile
        )
        listing.append({**cat.as_dict(), "file": f"{name}.png"})
    (out / "sheet.png").write_bytes(encode_png(sheet))
    (out / "cats.json").write_text(
        json.dumps(
            {"cats": listing, "errors": [problem.as_dict() for problem in reading.errors]},
            indent=1,
        )
    )
    print(
        f"{len(chosen)} cats written to {out} (sheet.png: {columns} x {rows} tiles of {tile} px)"
        + (f"; {len(reading.errors)} problems, see above" if reading.errors else "")
    )
    return 1 if reading.errors else 0


def _file_name(cat_id: str) -> str:
    """A file name for a cat ID: IDs are the game's numbers, but a hand-made save may hold
    anything, so nothing but letters, digits, ``-`` and ``_`` reaches the file system."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in cat_id)
    return safe or "_"
