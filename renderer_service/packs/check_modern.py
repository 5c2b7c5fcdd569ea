"""``cg3 pack check`` for a pack of the modern layout (one with ``pose_sprite_data.json``).

The pack is compared with the bundled ``clangen`` pack: its poses by name, each sprite group
the game draws, and each cell the game's pack fills; then one cat is drawn in every pose, the
way the service would at start-up, so a pack that loads but cannot draw is caught here.
"""

from __future__ import annotations

from collections import defaultdict

from renderer_service.packs.check import PackReport, listed
from renderer_service.renderer import (
    EMPTY_CELL,
    ModernRenderer,
    ModernSpritePack,
    RendererError,
)


def _kind(group: str) -> str:
    """A group's kind, from its sheet prefix (``colours_single`` -> ``colours``)."""
    return group.split("_", 1)[0] if "_" in group else group.rstrip("0123456789")


def check_modern_pack(pack: ModernSpritePack, reference: ModernSpritePack) -> PackReport:
    """Compare the modern ``pack`` with ``reference`` group by group, pose by pose."""
    report = PackReport()
    report.facts = {
        "layout": "modern",
        "folder": str(pack.root),
        "hash": pack.content_hash,
        "groups": len(pack.groups),
        "poses": list(pack.poses),
    }
    missing_poses = [name for name in reference.poses if name not in pack.poses]
    if missing_poses:
        report.errors.append(
            f"{len(missing_poses)} poses of the game are missing from pose_sprite_data.json: "
            + listed(missing_poses)
        )
    missing: dict[str, list[str]] = defaultdict(list)
    empty: dict[str, list[str]] = defaultdict(list)
    shared_poses = [
        (pack.poses.index(name), reference.poses.index(name))
        for name in reference.poses
        if name in pack.poses
    ]
    for group in reference.groups:
        if not pack.has_group(group):
            missing[_kind(group)].append(group)
            continue
        lacking = [
            pack.poses[ours]
            for ours, theirs in shared_poses
            if pack.cell_id(group, ours) == EMPTY_CELL
            and reference.cell_id(group, theirs) != EMPTY_CELL
        ]
        if lacking:
            empty[_kind(group)].append(f"{group} ({', '.join(lacking)})")
    for kind, groups in sorted(missing.items()):
        report.errors.append(f"{len(groups)} {kind} sprite groups are missing: {listed(groups)}")
    for kind, groups in sorted(empty.items()):
        report.errors.append(
            f"{len(groups)} {kind} groups have empty cells the game draws: {listed(groups)}"
        )
    extra = [group for group in pack.groups if not reference.has_group(group)]
    if extra:
        report.warnings.append(f"{len(extra)} groups the game does not draw: {listed(extra)}")
    if not report.errors:
        try:
            renderer = ModernRenderer(pack)
            renderer.warm_up()
            for pose in range(len(pack.poses)):
                renderer.render(renderer.params_model(), pose)
        except (RendererError, KeyError, ValueError, IndexError) as error:
            report.errors.append(f"the pack loads but a cat cannot be drawn from it: {error}")
    return report
