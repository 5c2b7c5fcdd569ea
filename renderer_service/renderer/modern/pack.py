"""Loading a modern sprite pack: the only module of ``modern`` that reads files.

A modern pack is a folder holding ``pose_sprite_data.json`` (that file is what makes it modern,
``is_modern_pack``) beside the game's sheets. It reads:

- ``pose_sprite_data.json``: ``poses`` (the pose names, in cell order), ``sheet_layout``
  (``[columns, rows]`` of cells per group, ``[3, 9]`` in ClanGen v0.13) and ``spritesheet``
  (sheets that are one group each, at their top-left corner);
- ``spritesIndex.json``: group name -> ``{spritesheet, xOffset, yOffset}``;
- ``peltInfo.json``: ``scars1``, ``scars3`` (scars drawn over the coat), ``scars2`` (missing
  parts), ``plant_accessories``, ``wild_accessories``, ``collars``;
- ``data/white_patches_<little|mid|high|mostly>_sprite_data.json``: each white-patch category's
  sheet and names; ``data/collar_palette_order.json``: collar type -> its colours, in palette
  row order; ``data/accessory_categories.json`` (optional): where each plant and wild
  accessory sits (``tail``, ``body``, ``head``), which sets the order the game draws them in;
- ``dicts/tint.json``, ``dicts/white_patches_tint.json``: tint colours;
- ``palettes/acc_collars<TYPE>_palette.png``: collar palettes.

Every group's cell of every pose is cut once into one contiguous ``(n, 50, 50, 4)`` array, as
``SpritePack`` does for the legacy layout (fully transparent cells share cell 0, each cell has
the box of its visible pixels). Collars are recoloured from their palettes while loading, one
group per collar name, ``acc_collars<TYPE>_<colour>``, as the game makes them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import SpritePackError
from ..sprites import CELL_SIZE, EMPTY_CELL, GroupLocation, PackCells, decode_sheet, read_json
from .recolour import palette_rows, replace_in_order

POSE_DATA_FILE = "pose_sprite_data.json"
INDEX_FILE = "spritesIndex.json"
PELT_INFO_FILE = "peltInfo.json"
TINT_FILE = "dicts/tint.json"
WHITE_PATCHES_TINT_FILE = "dicts/white_patches_tint.json"
COLLAR_ORDER_FILE = "data/collar_palette_order.json"
ACCESSORY_CATEGORIES_FILE = "data/accessory_categories.json"
WHITE_PATCH_CATEGORIES = ("little", "mid", "high", "mostly")
"""White-patch categories, each with ``data/white_patches_<category>_sprite_data.json``."""
COLLAR_SHEET = "acc_collars"
"""Prefix of the uncoloured collar groups (``acc_collarsLEATHER``...)."""

DEFAULT_SHEET_LAYOUT = (3, 9)

BUNDLED_MODERN_PACK_NAME = "clangen"
"""The folder of the modern pack that ships with the package, beside ``lifegen``."""


def bundled_modern_pack_path() -> Path:
    """ClanGen v0.13.2's sheets as they ship with the package."""
    return Path(str(resources.files("renderer_service") / "packs" / BUNDLED_MODERN_PACK_NAME))


def is_modern_pack(folder: Path) -> bool:
    """Whether ``folder`` holds a pack of the modern layout (it has ``pose_sprite_data.json``)."""
    return (Path(folder) / POSE_DATA_FILE).is_file()


def _read_json(root: Path, name: str, required: bool = True) -> Any:
    if not required and not (root / name).is_file():
        return None
    return read_json(root, name)


def _names(raw: Any) -> tuple[str, ...]:
    """Names of a ``sprite_list`` (rows of names, or rows of ``{name: tag}``) or a list."""
    names: list[str] = []
    for item in raw or ():
        if isinstance(item, list | dict):
            names.extend(str(name) for name in item)
        else:
            names.append(str(item))
    return tuple(names)


def _box(alpha: NDArray[np.uint8]) -> tuple[int, int, int, int]:
    rows = np.flatnonzero(alpha.any(axis=1))
    columns = np.flatnonzero(alpha.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


class ModernSpritePack(PackCells):
    """A loaded modern pack: its game data and every sprite cell as arrays.

    The interface of ``SpritePack`` where the two agree (``root``, ``name``, ``location``,
    ``groups``, ``cells``, ``bboxes``, ``content_hash``, ``pose_count``, ``has_group``,
    ``cell_id``, ``sprite``); poses also have names (``poses``, ``pose_number``).
    """

    def __init__(self, root: Path) -> None:
        root = Path(root)
        if not root.is_dir():
            raise SpritePackError(str(root), "no such directory")
        if not is_modern_pack(root):
            raise SpritePackError(str(root), f"missing {POSE_DATA_FILE}: not a modern pack")
        self.root = root
        self.location = str(root)
        where = self.location
        digest = hashlib.blake2b(digest_size=16)

        def data(name: str, required: bool = True) -> Any:
            raw = _read_json(root, name, required)
            digest.update(name.encode())
            digest.update(json.dumps(raw, sort_keys=True).encode())
            return raw

        pose_data = data(POSE_DATA_FILE)
        try:
            poses = tuple(str(name) for name in pose_data["poses"])
            columns, rows = (int(n) for n in pose_data.get("sheet_layout", DEFAULT_SHEET_LAYOUT))
            own_sheets = tuple(str(name) for name in pose_data.get("spritesheet", ()))
        except (KeyError, TypeError, ValueError):
            raise SpritePackError(
                where, f"{POSE_DATA_FILE} must hold `poses` and `sheet_layout: [columns, rows]`"
            ) from None
        if not poses or len(set(poses)) != len(poses) or len(poses) > columns * rows:
            raise SpritePackError(
                where, f"{POSE_DATA_FILE}: `poses` must be distinct names, one per cell at most"
            )
        self.poses: tuple[str, ...] = poses
        """Pose names, the pose number being the place in this tuple."""
        self.sheet_layout = (columns, rows)
        self._pose_numbers = {name: number for number, name in enumerate(poses)}

        groups: dict[str, GroupLocation] = {}
        for name, entry in (data(INDEX_FILE) or {}).items():
            try:
                x, y = float(entry["xOffset"]), float(entry["yOffset"])
                groups[str(name)] = GroupLocation(str(entry["spritesheet"]), int(x), int(y))
            except (KeyError, TypeError, ValueError):
                raise SpritePackError(
                    where, f"{INDEX_FILE}: group {name!r} lacks spritesheet/xOffset/yOffset"
                ) from None
        for sheet in own_sheets:
            groups.setdefault(sheet, GroupLocation(sheet, 0, 0))
        sheet_names = sorted({location.sheet for location in groups.values()})
        missing = [name for name in sheet_names if not (root / f"{name}.png").is_file()]
        if missing:
            raise SpritePackError(
                where, "atlases named but not there: " + ", ".join(f"{n}.png" for n in missing)
            )

        self.pelt_info: Mapping[str, Any] = data(PELT_INFO_FILE)
        self.tints: Mapping[str, Any] = data(TINT_FILE)
        self.white_patches_tints: Mapping[str, Any] = data(WHITE_PATCHES_TINT_FILE)
        white: dict[str, tuple[str, tuple[str, ...]]] = {}
        for category in WHITE_PATCH_CATEGORIES:
            raw = data(f"data/white_patches_{category}_sprite_data.json", required=False)
            if isinstance(raw, dict) and "spritesheet" in raw:
                white[category] = (str(raw["spritesheet"]), _names(raw.get("sprite_list")))
        self.white_patch_sheets: Mapping[str, tuple[str, tuple[str, ...]]] = white
        """White-patch category -> (its sheet, i.e. group prefix; its names)."""
        order = data(COLLAR_ORDER_FILE, required=False) or {}
        self.collar_colours: Mapping[str, tuple[str, ...]] = {
            str(kind): tuple(str(colour) for colour in colours) for kind, colours in order.items()
        }
        """Collar type -> its colours, in the order of its palette's rows."""
        categories = data(ACCESSORY_CATEGORIES_FILE, required=False) or {}
        self.accessory_categories: Mapping[str, tuple[str, ...]] = {
            str(kind): _names(names)
            for kind, names in categories.items()
            if isinstance(names, list)
        }
        """``tail`` / ``body`` / ``head`` -> the plant and wild accessories it holds."""

        with ThreadPoolExecutor(max_workers=4) as pool:
            decoded = dict(
                zip(
                    sheet_names,
                    pool.map(lambda n: decode_sheet(root / f"{n}.png"), sheet_names),
                    strict=True,
                )
            )
        for name in sheet_names:
            digest.update(name.encode())
            digest.update(decoded[name][1])

        palettes: dict[str, list[list[tuple[int, int, int, int]]]] = {}
        for kind in self.collar_colours:
            path = root / "palettes" / f"{COLLAR_SHEET}{kind}_palette.png"
            if f"{COLLAR_SHEET}{kind}" in groups and path.is_file():
                picture, raw_bytes = decode_sheet(path)
                digest.update(path.name.encode())
                digest.update(raw_bytes)
                palettes[kind] = palette_rows(picture)
        self.content_hash = digest.hexdigest()

        pose_count = len(poses)
        collar_groups = sum(
            min(len(self.collar_colours[kind]), len(rows_) - 1) for kind, rows_ in palettes.items()
        )
        capacity = 1 + (len(groups) + collar_groups) * pose_count
        cells = np.zeros((capacity, CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
        bboxes = np.zeros((capacity, 4), dtype=np.int32)
        cell_ids: dict[str, tuple[int, ...]] = {}
        used = 1

        def store(name: str, group_cells: NDArray[np.uint8]) -> None:
            nonlocal used
            ids = []
            for cell in group_cells:
                alpha = cell[:, :, 3]
                if not alpha.any():
                    ids.append(EMPTY_CELL)
                    continue
                cells[used] = cell
                bboxes[used] = _box(alpha)
                ids.append(used)
                used += 1
            cell_ids[name] = tuple(ids)

        for name, location in groups.items():
            atlas = decoded[location.sheet][0]
            group_cells = np.zeros((pose_count, CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
            for pose in range(pose_count):
                top = location.y + (pose // columns) * CELL_SIZE
                left = location.x + (pose % columns) * CELL_SIZE
                crop = atlas[top : top + CELL_SIZE, left : left + CELL_SIZE]
                group_cells[pose, : crop.shape[0], : crop.shape[1]] = crop
            store(name, group_cells)
            collar = name[len(COLLAR_SHEET) :] if name.startswith(COLLAR_SHEET) else None
            if collar is not None and collar in palettes:
                base, *targets = palettes[collar]
                for colour, target in zip(self.collar_colours[collar], targets, strict=False):
                    pairs = list(zip(base, target, strict=False))
                    store(f"{name}_{colour}", replace_in_order(group_cells, pairs))

        self.groups: Mapping[str, GroupLocation] = groups
        """The indexed groups and where they are (recoloured collars are not among them)."""
        self.cells: NDArray[np.uint8] = cells[:used]
        self.bboxes: NDArray[np.int32] = bboxes[:used]
        self._cell_ids = cell_ids

    @property
    def name(self) -> str:
        """The pack's name: its folder's (``clangen`` for the bundled modern pack)."""
        return self.root.name

    def pose_number(self, name: str) -> int | None:
        """The number of the pose ``name``, None if the pack has no such pose."""
        return self._pose_numbers.get(name)

    @property
    def group_names(self) -> tuple[str, ...]:
        """Every group a cell can be asked of, recoloured collars included."""
        return tuple(self._cell_ids)

    def __repr__(self) -> str:
        return (
            f"ModernSpritePack({self.location!r}, poses={len(self.poses)}, "
            f"groups={len(self._cell_ids)}, cells={len(self.cells)})"
        )
