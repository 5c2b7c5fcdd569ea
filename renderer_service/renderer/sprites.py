"""The sprite repository: the only part of the renderer that touches the file system.

A legacy ClanGen / Lifegen pack is a folder of PNG atlases plus JSON indexes:

- ``spritesIndex.json``: group name -> ``{spritesheet, xOffset, yOffset}``;
- ``spritesOffsetMap.json``: pose number -> ``{x, y}`` cell inside a group;
- ``peltInfo.json``: scar and accessory vocabularies;
- ``dicts/tint.json`` and ``dicts/white_patches_tint.json``: tint colours.

Several folders can be layered (a mod over the pack it changes), and a complete pack can
stand in as the ``layout`` for folders of atlases without an index: see ``SpritePack``.

Some packs ship atlases their index does not name: ``EXTRA_GROUPS`` lists them (the Unknown
Residence and April Fools linearts, laid out like ``lineart.png``), and a pack registers each
one whose file is there and whose group the index lacks.

Loading cuts every group's 21 pose cells out of the atlases once and keeps them in one
contiguous ``(n, 50, 50, 4)`` uint8 array, so a render addresses a sprite by an integer.
Fully transparent cells all share cell 0. Each cell also has the bounding box of its visible
pixels, so the compositing kernel only walks the pixels a sprite can change.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from renderer_service.renderer.errors import SpritePackError

CELL_SIZE = 50
"""Width and height of one sprite cell, in pixels."""

INDEX_FILE = "spritesIndex.json"
OFFSET_MAP_FILE = "spritesOffsetMap.json"
PELT_INFO_FILE = "peltInfo.json"
TINT_FILE = "dicts/tint.json"
WHITE_PATCHES_TINT_FILE = "dicts/white_patches_tint.json"
REQUIRED_FILES = (INDEX_FILE, OFFSET_MAP_FILE, PELT_INFO_FILE, TINT_FILE, WHITE_PATCHES_TINT_FILE)

EMPTY_CELL = 0
"""Cell id shared by every fully transparent sprite."""

EXTRA_GROUPS = (
    "lineartur",
    "aprilfoolslineart",
    "aprilfoolslineartdead",
    "aprilfoolslineartdf",
    "aprilfoolslineartur",
)
"""Groups a pack may hold without indexing them, each the whole atlas of the same name.

Each atlas is one group of 3 x 7 cells from its top-left corner, like ``lineart.png``.
"""


@dataclass(frozen=True, slots=True)
class GroupLocation:
    """Where a sprite group's top-left cell sits: atlas file stem and pixel offset."""

    sheet: str
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class PoseCell:
    """The column and row of a pose's cell inside a group."""

    column: int
    row: int


def read_json(root: Path, name: str) -> Any:
    """The JSON file ``name`` of the pack folder ``root`` (``SpritePackError`` if it is missing
    or unreadable)."""
    path = root / name
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise SpritePackError(str(root), f"missing {name}") from None
    except (OSError, ValueError) as exc:
        raise SpritePackError(str(root), f"cannot read {name}: {exc}") from None


def _parse_index(root: Path, raw: Any) -> dict[str, GroupLocation]:
    if not isinstance(raw, dict) or not raw:
        raise SpritePackError(str(root), f"{INDEX_FILE} must be a non-empty object of groups")
    groups: dict[str, GroupLocation] = {}
    for name, entry in raw.items():
        try:
            sheet = str(entry["spritesheet"])
            x, y = float(entry["xOffset"]), float(entry["yOffset"])
        except (KeyError, TypeError, ValueError):
            raise SpritePackError(
                str(root), f"{INDEX_FILE}: group {name!r} lacks spritesheet/xOffset/yOffset"
            ) from None
        if x < 0 or y < 0 or x != int(x) or y != int(y):
            raise SpritePackError(
                str(root), f"{INDEX_FILE}: group {name!r} has a bad offset ({x}, {y})"
            )
        groups[name] = GroupLocation(sheet, int(x), int(y))
    return groups


def _parse_offset_map(root: Path, raw: Any) -> tuple[PoseCell, ...]:
    try:
        poses = tuple(PoseCell(int(item["x"]), int(item["y"])) for item in raw)
    except (KeyError, TypeError, ValueError):
        raise SpritePackError(
            str(root), f"{OFFSET_MAP_FILE} must be a list of {{x, y}} cells"
        ) from None
    if not poses:
        raise SpritePackError(str(root), f"{OFFSET_MAP_FILE} lists no poses")
    return poses


def decode_sheet(path: Path) -> tuple[NDArray[np.uint8], bytes]:
    """An atlas as RGBA pixels, and the file's bytes (``SpritePackError`` if unreadable)."""
    try:
        data = path.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise SpritePackError(str(path.parent), f"cannot read {path.name}: {error}") from None
    return rgba, data


def _first_with(name: str, folders: Sequence[Path]) -> Path | None:
    """The first folder holding the file ``name``."""
    return next((folder for folder in folders if (folder / name).is_file()), None)


class PackCells:
    """A pack's cells looked up by group and pose: what ``SpritePack`` and the modern pack
    share (each fills ``poses``, ``cells`` and ``_cell_ids`` as it loads)."""

    poses: Sequence[object]
    cells: NDArray[np.uint8]
    _cell_ids: dict[str, tuple[int, ...]]

    @property
    def pose_count(self) -> int:
        return len(self.poses)

    def has_group(self, name: str) -> bool:
        return name in self._cell_ids

    def cell_id(self, group: str, pose: int) -> int:
        """The id of ``group``'s cell for ``pose`` (``KeyError`` for an unknown group)."""
        return self._cell_ids[group][pose]

    def sprite(self, group: str, pose: int) -> NDArray[np.uint8]:
        """A read-only ``(50, 50, 4)`` view of ``group``'s cell for ``pose``."""
        view: NDArray[np.uint8] = self.cells[self.cell_id(group, pose)]
        view.flags.writeable = False
        return view


class SpritePack(PackCells):
    """A loaded sprite pack: its indexes, game data and every sprite cell as arrays.

    ``root`` is a folder, or several folders layered over each other: every file (each
    atlas, each JSON file) is looked up in order, the first folder holding it wins. So a mod
    that only redraws some atlases is its own folder, listed before the pack it changes.

    ``layout`` is a complete pack whose files stand in for those the layers lack: its
    ``spritesIndex.json`` places the groups no layer's own index names (the legacy layout is
    the same in every pack, so atlases alone are enough), and its game data (pose cells,
    ``peltInfo.json``, tints) is used where no layer has its own. Without ``layout`` every
    file must be in a layer. A group the layout places on an atlas no layer holds is left
    out; an atlas a layer's own index names must be there.
    """

    def __init__(self, root: Path | Sequence[Path], *, layout: Path | None = None) -> None:
        layers = (Path(root),) if isinstance(root, str | Path) else tuple(Path(r) for r in root)
        if not layers:
            raise SpritePackError("", "no folder given")
        for folder in layers:
            if not folder.is_dir():
                raise SpritePackError(str(folder), "no such directory")
        self.layers: tuple[Path, ...] = layers
        """The folders, first looked up first."""
        self.root = layers[0]
        self.location = ":".join(str(folder) for folder in layers)
        """The folders as one text, ``:``-separated."""
        where = self.location
        fallbacks = layers if layout is None or layout in layers else (*layers, layout)

        raw_files: dict[str, Any] = {}
        self.data_files: dict[str, Path] = {}
        """Where each JSON file was read from."""
        for name in REQUIRED_FILES:
            if name == INDEX_FILE:
                continue
            found = _first_with(name, fallbacks)
            if found is None:
                raise SpritePackError(where, f"missing {name}")
            raw_files[name] = read_json(found, name)
            self.data_files[name] = found / name

        own = [
            (folder, read_json(folder, INDEX_FILE))
            for folder in layers
            if (folder / INDEX_FILE).is_file()
        ]
        groups: dict[str, GroupLocation] = {}
        for folder, raw in own:
            for name, location in _parse_index(folder, raw).items():
                groups.setdefault(name, location)
        indexed = set(groups)
        layout_index: dict[str, GroupLocation] = {}
        if layout is not None and layout not in layers:
            layout_index = _parse_index(layout, read_json(layout, INDEX_FILE))
        elif not own:
            raise SpritePackError(where, f"missing {INDEX_FILE}")

        def sheet_folder(sheet: str) -> Path | None:
            return _first_with(f"{sheet}.png", layers)

        missing = sorted(
            {location.sheet for location in groups.values() if sheet_folder(location.sheet) is None}
        )
        if missing:
            raise SpritePackError(
                where,
                f"{INDEX_FILE} names atlases that are not there: "
                + ", ".join(f"{name}.png" for name in missing),
            )
        derived = []
        for name, location in layout_index.items():
            if name not in groups and sheet_folder(location.sheet) is not None:
                groups[name] = location
                derived.append(name)
        self.derived_groups: tuple[str, ...] = tuple(derived)
        """Groups placed by ``layout``'s index because no layer's own index names them."""
        self.extra_groups: tuple[str, ...] = tuple(
            name for name in EXTRA_GROUPS if name not in groups and sheet_folder(name) is not None
        )
        """Groups registered from ``EXTRA_GROUPS`` because no index names them."""
        for name in self.extra_groups:
            groups[name] = GroupLocation(name, 0, 0)
        if not groups:
            raise SpritePackError(where, "holds no atlas of the legacy layout")
        self.indexed_groups: frozenset[str] = frozenset(indexed)
        self.groups: Mapping[str, GroupLocation] = groups
        self.poses: tuple[PoseCell, ...] = _parse_offset_map(
            self.data_files[OFFSET_MAP_FILE].parent, raw_files[OFFSET_MAP_FILE]
        )
        self.pelt_info: Mapping[str, Any] = raw_files[PELT_INFO_FILE]
        self.tints: Mapping[str, Any] = raw_files[TINT_FILE]
        self.white_patches_tints: Mapping[str, Any] = raw_files[WHITE_PATCHES_TINT_FILE]

        digest = hashlib.blake2b(digest_size=16)
        for name in REQUIRED_FILES:
            digest.update(name.encode())
            if name == INDEX_FILE:
                placed = {group: list(location) for group, location in sorted(self._placed(groups))}
                digest.update(json.dumps(placed, sort_keys=True).encode())
            else:
                digest.update(json.dumps(raw_files[name], sort_keys=True).encode())

        sheet_names = sorted({location.sheet for location in self.groups.values()})
        self.sheets: dict[str, Path] = {}
        """Each atlas the groups are cut from, and the file it was read from."""
        for name in sheet_names:
            provider = sheet_folder(name)
            assert provider is not None  # every group's atlas was found above
            self.sheets[name] = provider / f"{name}.png"
        with ThreadPoolExecutor(max_workers=4) as pool:
            decoded = dict(
                zip(
                    sheet_names,
                    pool.map(lambda n: decode_sheet(self.sheets[n]), sheet_names),
                    strict=True,
                )
            )
        for name in sheet_names:
            digest.update(name.encode())
            digest.update(decoded[name][1])
        self.content_hash = digest.hexdigest()
        self.sheet_sizes: dict[str, tuple[int, int]] = {
            name: (int(picture.shape[1]), int(picture.shape[0]))
            for name, (picture, _data) in decoded.items()
        }
        """Width and height of each atlas."""

        pose_count = len(self.poses)
        capacity = 1 + len(self.groups) * pose_count
        cells = np.zeros((capacity, CELL_SIZE, CELL_SIZE, 4), dtype=np.uint8)
        bboxes = np.zeros((capacity, 4), dtype=np.int32)
        cell_ids = np.zeros((len(self.groups), pose_count), dtype=np.int32)
        group_ids: dict[str, int] = {}
        used = 1
        for group_id, (name, location) in enumerate(self.groups.items()):
            group_ids[name] = group_id
            sheet = decoded[location.sheet][0]
            for pose, cell in enumerate(self.poses):
                top = location.y + cell.row * CELL_SIZE
                left = location.x + cell.column * CELL_SIZE
                crop = sheet[top : top + CELL_SIZE, left : left + CELL_SIZE]
                alpha = crop[:, :, 3]
                if crop.size == 0 or not alpha.any():
                    continue  # stays EMPTY_CELL
                cells[used, : crop.shape[0], : crop.shape[1]] = crop
                rows = np.flatnonzero(alpha.any(axis=1))
                columns = np.flatnonzero(alpha.any(axis=0))
                bboxes[used] = (rows[0], rows[-1] + 1, columns[0], columns[-1] + 1)
                cell_ids[group_id, pose] = used
                used += 1
        self.cells: NDArray[np.uint8] = cells[:used]
        self.bboxes: NDArray[np.int32] = bboxes[:used]
        self._cell_ids: dict[str, tuple[int, ...]] = {
            name: tuple(int(cell) for cell in cell_ids[group_id])
            for name, group_id in group_ids.items()
        }

    @property
    def name(self) -> str:
        """The pack's name: its folder's (``lifegen`` for the bundled pack)."""
        return self.root.name

    @staticmethod
    def _placed(groups: Mapping[str, GroupLocation]) -> list[tuple[str, tuple[str, int, int]]]:
        return [(name, (loc.sheet, loc.x, loc.y)) for name, loc in groups.items()]

    def __repr__(self) -> str:
        return f"SpritePack({self.location!r}, groups={len(self.groups)}, cells={len(self.cells)})"
