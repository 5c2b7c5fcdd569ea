"""Checking a sprite pack against the game's: what it holds, what it lacks, what is broken.

The reference is a pack known to be complete (the bundled Lifegen pack, drawn by the game
itself). Every sprite group the reference has is looked for in the checked pack, pose by pose:

- **errors**, where a render would fail or draw wrong: a group the reference has and the pack
  lacks (a coat, an eye colour, a scar...), a cell the reference draws and the pack leaves
  empty, an atlas that cannot be read or is too small for the groups placed on it;
- **warnings**, for what the game lacks too (a cell empty in both, such as some accessories in
  the sick and newborn poses), names ``peltInfo.json`` lists with no sprite, atlases in the
  folders that no group uses, atlas sizes that are not whole cells.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from renderer_service.renderer import (
    ACCESSORY_LISTS,
    AFTERLIFE_LINEARTS,
    APRIL_FOOLS_LINEARTS,
    CELL_SIZE,
    EMPTY_CELL,
    LIVING_LINEART,
    SpritePack,
    Vocabulary,
)

SHOWN_NAMES = 12
"""Names listed per finding before the rest are counted."""


@dataclass
class PackReport:
    facts: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "facts": self.facts,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def group_kinds(vocabulary: Vocabulary) -> dict[str, tuple[str, str]]:
    """Sprite group -> its kind and what it draws (``("coat", "Tabby GINGER")``...)."""
    kinds: dict[str, tuple[str, str]] = {}
    for pelt, sprite in vocabulary.pelts.items():
        for colour in vocabulary.colours:
            kinds.setdefault(f"{sprite}{colour}", ("coat", f"{pelt} {colour}"))
    for prefix, kind, names in (
        ("tortiemask", "tortie mask", vocabulary.tortie_masks),
        ("white", "white patches", vocabulary.white_patches),
        ("eyes", "eye colour", vocabulary.eye_colours),
        ("eyes2", "second eye colour", vocabulary.eye_colours2),
        ("skin", "skin", vocabulary.skins),
    ):
        for name in names:
            kinds[f"{prefix}{name}"] = (kind, name)
    for name in vocabulary.all_scars:
        kinds[f"scars{name}"] = ("scar", name)
    for name, group in vocabulary.accessories.items():
        kinds.setdefault(group, ("accessory", name))
    for group in (LIVING_LINEART, *AFTERLIFE_LINEARTS.values(), *APRIL_FOOLS_LINEARTS.values()):
        kinds[group] = ("lineart", group)
    return kinds


def scan_atlases(folders: tuple[Path, ...]) -> tuple[list[str], dict[Path, tuple[int, int]]]:
    """Every PNG in the folders: those that cannot be read, and the size of the others."""
    unreadable, sizes = [], {}
    for folder in folders:
        for path in sorted(folder.glob("*.png")):
            try:
                with Image.open(path) as picture:
                    picture.load()
                    sizes[path] = (picture.width, picture.height)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                unreadable.append(f"{path}: {error}")
    return unreadable, sizes


def check_pack(pack: SpritePack, reference: SpritePack) -> PackReport:
    """Compare ``pack`` with ``reference`` sprite group by sprite group, pose by pose."""
    report = PackReport()
    vocabulary = Vocabulary.from_pack(pack)
    kinds = group_kinds(Vocabulary.from_pack(reference))
    own_index = len(pack.indexed_groups)
    report.facts = {
        "folders": [str(folder) for folder in pack.layers],
        "hash": pack.content_hash,
        "atlases": {name: str(path) for name, path in sorted(pack.sheets.items())},
        "groups": len(pack.groups),
        "groupsFromOwnIndex": own_index,
        "groupsFromLayout": len(pack.derived_groups),
        "unindexedLinearts": list(pack.extra_groups),
        "cells": len(pack.cells),
        "poses": pack.pose_count,
        "dataFiles": {name: str(path) for name, path in pack.data_files.items()},
        "vocabulary": {
            "pelts": len(vocabulary.pelts),
            "colours": len(vocabulary.colours),
            "tortieMasks": len(vocabulary.tortie_masks),
            "whitePatches": len(vocabulary.white_patches),
            "eyeColours": len(vocabulary.eye_colours),
            "skins": len(vocabulary.skins),
            "scars": len(vocabulary.all_scars),
            "accessories": len(vocabulary.accessories),
            "afterlives": sorted(vocabulary.afterlives),
        },
    }

    missing: dict[str, list[str]] = defaultdict(list)
    empty_cells: dict[str, list[str]] = defaultdict(list)
    game_gaps: dict[str, list[str]] = defaultdict(list)
    poses = range(min(pack.pose_count, reference.pose_count))
    for group in reference.groups:
        kind, label = kinds.get(group, ("other", group))
        if not pack.has_group(group):
            missing[kind].append(label)
            continue
        theirs = [pose for pose in poses if reference.cell_id(group, pose) == EMPTY_CELL]
        ours = [pose for pose in poses if pack.cell_id(group, pose) == EMPTY_CELL]
        lacking = [pose for pose in ours if pose not in theirs]
        if lacking:
            empty_cells[kind].append(f"{label} (poses {', '.join(map(str, lacking))})")
        shared = [pose for pose in ours if pose in theirs]
        if shared and len(shared) < len(poses):
            game_gaps[kind].append(f"{label} (poses {', '.join(map(str, shared))})")
    for kind, labels in sorted(missing.items()):
        report.errors.append(f"{len(labels)} {kind} sprite groups are missing: {listed(labels)}")
    for kind, labels in sorted(empty_cells.items()):
        report.errors.append(
            f"{len(labels)} {kind} groups have empty cells the game draws: {listed(labels)}"
        )
    if pack.pose_count < reference.pose_count:
        report.errors.append(
            f"spritesOffsetMap.json has {pack.pose_count} poses; the game has "
            f"{reference.pose_count}"
        )
    for kind, labels in sorted(game_gaps.items()):
        report.warnings.append(
            f"{len(labels)} {kind} groups have empty cells, as in the game: {listed(labels)}"
        )

    _check_atlases(pack, report)
    _check_pelt_info(pack, vocabulary, report)
    return report


def _check_atlases(pack: SpritePack, report: PackReport) -> None:
    unreadable, sizes = scan_atlases(pack.layers)
    used = set(pack.sheets.values())
    for line in unreadable:
        report.warnings.append(f"unreadable atlas no group uses: {line}")
    unused = sorted(
        path.name
        for path in sizes
        if path not in used and path.stem not in pack.sheets  # overridden by an earlier folder
    )
    if unused:
        report.warnings.append(f"{len(unused)} atlases no group uses: {listed(unused)}")
    columns = max(cell.column for cell in pack.poses) + 1
    rows = max(cell.row for cell in pack.poses) + 1
    short: dict[str, list[str]] = defaultdict(list)
    for name, location in pack.groups.items():
        width, height = pack.sheet_sizes[location.sheet]
        right, bottom = location.x + columns * CELL_SIZE, location.y + rows * CELL_SIZE
        if right > width or bottom > height:
            short[location.sheet].append(name)
    for sheet, groups in sorted(short.items()):
        width, height = pack.sheet_sizes[sheet]
        report.errors.append(
            f"atlas {pack.sheets[sheet]} is {width} x {height} px, too small for "
            f"{len(groups)} groups placed on it ({listed(groups)})"
        )
    for sheet, (width, height) in sorted(pack.sheet_sizes.items()):
        if width % CELL_SIZE or height % CELL_SIZE:
            report.warnings.append(
                f"atlas {pack.sheets[sheet]} is {width} x {height} px, not whole "
                f"{CELL_SIZE} px cells"
            )


def _check_pelt_info(pack: SpritePack, vocabulary: Vocabulary, report: PackReport) -> None:
    info = pack.pelt_info
    unknown = [
        str(name)
        for list_name in ACCESSORY_LISTS
        for name in info.get(list_name, [])
        if str(name) not in vocabulary.accessories
    ]
    if unknown:
        unique = list(dict.fromkeys(unknown))
        report.warnings.append(
            f"peltInfo.json names {len(unique)} accessories with no sprite group: {listed(unique)}"
        )
    scars = [
        str(name)
        for key in ("scars1", "scars2", "scars3")
        for name in info.get(key, [])
        if str(name) not in vocabulary.all_scars
    ]
    if scars:
        report.warnings.append(
            f"peltInfo.json names {len(scars)} scars with no sprite group: {listed(scars)}"
        )
