"""``cg3 save``: a ClanGen save (2024 / Lifegen or v0.13; ``clan_cats.json``, the Clan's save
folder, or that folder zipped) turned into a folder of PNGs plus a whole-clan sheet.

Runs the renderer in-process (no service needed): every cat the options select is written
as ``<ID>.png``, the sheet as ``sheet.png``, and ``cats.json`` lists each cat's name, age,
pose, params and the request that draws it. A v0.13 save is drawn with the ``clangen`` pack.
Cats that cannot be read are reported and skipped; the exit code is 1 when there were any,
so scripts notice.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, get_args

import numpy as np

USAGE_ERROR = 2


def register(subparsers: Any) -> None:
    from renderer_service.saves import LIFE_STAGES, Include, Order

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "save",
        help="draw every cat of a ClanGen save into a folder, plus a sheet",
        description="Read a ClanGen (2024, Lifegen or v0.13) save and write <ID>.png for each "
        "cat, sheet.png with all of them, and cats.json (names, ages, params, requests). The "
        "save is a clan_cats.json, the Clan's save folder, or that folder as a zip; a cat is "
        "sick when --sick lists it or its conditions (in a folder or zip) say so.",
    )
    parser.add_argument(
        "save", type=Path, help="the save's clan_cats.json, its folder, or the folder zipped"
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder to write")
    parser.add_argument(
        "--include",
        choices=get_args(Include),
        default="living",
        help="which cats (default living, as POST /save/sheet draws)",
    )
    parser.add_argument(
        "--file-names",
        choices=("id", "name"),
        default="id",
        help="name each PNG by the cat's ID (<ID>.png, the default) or by its name as the game "
        "shows it (<Name>_<ID>.png)",
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
    from renderer_service.renderer import MAX_SCALE
    from renderer_service.saves import SaveFormatError, arrange, read_folder

    if not 1 <= args.scale <= MAX_SCALE or not 1 <= args.tile_size <= 1024:
        print(f"cg3 save: --scale must be 1-{MAX_SCALE}, --tile-size 1-1024", file=sys.stderr)
        return USAGE_ERROR
    if args.columns is not None and args.columns < 1:
        print("cg3 save: --columns must be at least 1", file=sys.stderr)
        return USAGE_ERROR
    try:
        folder = _open(args.save)
    except OSError as error:
        print(f"cg3 save: cannot read {args.save}: {error.strerror or error}", file=sys.stderr)
        return USAGE_ERROR
    except SaveFormatError as error:
        print(f"cg3 save: {args.save}: {error.detail}", file=sys.stderr)
        return USAGE_ERROR
    for warning in folder.warnings:
        print(f"cg3 save: {warning}", file=sys.stderr)

    renderer = _renderer(load_settings(), folder.format)
    if isinstance(renderer, str):
        print(f"cg3 save: {renderer}", file=sys.stderr)
        return USAGE_ERROR
    options = folder.options(args.life_stage, args.sick)
    reading = read_folder(folder, renderer.vocabulary, options)
    for problem in reading.errors:
        where = f"cat {problem.index}" + (f" (ID {problem.id})" if problem.id else "")
        print(f"{where}: {problem.detail}", file=sys.stderr)
    chosen = arrange(reading.cats, args.include, args.order)
    if not chosen:
        print(f"cg3 save: no cat to draw (include={args.include})", file=sys.stderr)
        return 1
    return _write(args, renderer, chosen, reading.errors)


def _open(path: Path) -> Any:
    """The save at ``path``: a folder is zipped in memory, so it is read as a zip would be."""
    from renderer_service.saves import open_save

    if path.is_dir():
        return open_save(_zip_folder(path))
    return open_save(path.read_bytes())


def _zip_folder(folder: Path) -> bytes:
    """The files of a save folder (and the Clan file beside it) as a zip, in memory."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        wanted = [folder / "clan_cats.json", *sorted(folder.glob("conditions/*.json"))]
        wanted += sorted(folder.glob("*clan.json"))
        for path in wanted:
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        beside = folder.parent / f"{folder.name}clan.json"
        if beside.is_file() and not (folder / beside.name).exists():
            archive.write(beside, beside.name)
    return buffer.getvalue()


def _renderer(settings: Any, save_format: str) -> Any:
    """The renderer for a save's format, or why there is none: the configured (or bundled)
    pack for a 2024 save, the ``clangen`` pack for a v0.13 one."""
    from renderer_service.packs import load_packs, load_sprite_pack
    from renderer_service.renderer import Renderer, SpritePack
    from renderer_service.saves import MODERN_PACK
    from renderer_service.wire import ApiError

    if save_format != "v0.13":
        pack = load_sprite_pack(settings.sprite_root)
        if not isinstance(pack, SpritePack):
            return "2024 saves draw on a legacy pack, and CG3_SPRITE_ROOT names a modern one"
        return Renderer(pack)
    try:
        return load_packs(settings).choose(MODERN_PACK)[1]
    except ApiError:
        return (
            f"this save is in ClanGen v0.13's format, drawn with the `{MODERN_PACK}` pack, "
            "which is not configured (CG3_PACKS)"
        )


def _write(args: argparse.Namespace, renderer: Any, chosen: list[Any], errors: list[Any]) -> int:
    from renderer_service.renderer import CatParams, encode_png, resize_nearest, upscale

    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    tile = args.tile_size
    columns = min(args.columns or math.ceil(math.sqrt(len(chosen))), len(chosen))
    rows = math.ceil(len(chosen) / columns)
    sheet = np.zeros((rows * tile, columns * tile, 4), dtype=np.uint8)
    listing: list[dict[str, Any]] = []
    used: set[str] = set()
    for position, cat in enumerate(chosen):
        params = CatParams.model_validate(cat.params)
        drawn = renderer.render(params, cat.pose) if cat.pose else renderer.render(params)
        image = drawn.image
        name = _file_name(cat.id if args.file_names == "id" else f"{cat.name}_{cat.id}")
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
            {"cats": listing, "errors": [problem.as_dict() for problem in errors]},
            indent=1,
        )
    )
    print(
        f"{len(chosen)} cats written to {out} (sheet.png: {columns} x {rows} tiles of {tile} px)"
        + (f"; {len(errors)} problems, see above" if errors else "")
    )
    return 1 if errors else 0


def _file_name(cat_id: str) -> str:
    """A file name for a cat ID: IDs are the game's numbers, but a hand-made save may hold
    anything, so nothing but letters, digits, ``-`` and ``_`` reaches the file system."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in cat_id)
    return safe or "_"
