"""Which save a document is, told from the document itself, before any cat is read.

- ``legacy``: ClanGen 2024 (0.7.x) and Lifegen: ``status`` a rank string, poses as numbers,
  ``dead`` / ``df`` booleans;
- ``v0.13``: ClanGen v0.13: ``status`` an object with ``group_history``, poses by name.

Anything else is a ``SaveFormatError`` saying in one sentence what the document is and what
to send instead: another file of the save folder (the Clan file ``<name>clan.json``, a
conditions or relationships file, a list of IDs), one cat instead of the list, a fork's
format this project does not read (appearance nested under ``pelt``), or a save from a
ClanGen newer than v0.13.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from renderer_service.saves.cats import SaveFormat, SaveFormatError
from renderer_service.saves.fields import shown

SEND = "send clan_cats.json from the Clan's save folder (saves/<Clan>/), or the folder as a zip"
"""What to send instead, said by every refusal."""

CONDITION_KEYS = frozenset({"illnesses", "injuries", "permanent conditions"})
RELATIONSHIP_KEYS = frozenset({"cat_from_id", "cat_to_id"})
CAT_KEYS = frozenset({"ID", "pelt_name", "moons", "status"})
NEWEST_CLAN_FILE_VERSION = 4
"""``version_name`` of the Clan file ClanGen v0.13 writes; a larger one is a newer game."""


def _cat_objects(cats: Sequence[object]) -> list[Mapping[str, Any]]:
    return [cat for cat in cats if isinstance(cat, Mapping)]


def check_not_another_file(document: object) -> None:
    """``SaveFormatError`` when the document is clearly not ``clan_cats.json``."""
    if isinstance(document, Mapping):
        keys = set(document)
        if "clanname" in keys:
            name = document.get("clanname")
            raise SaveFormatError(
                "clanname",
                shown(name),
                f"this is the Clan file ({name}clan.json), which holds no cats: {SEND}",
                "the content of clan_cats.json",
            )
        if keys and keys <= CONDITION_KEYS:
            raise SaveFormatError(
                sorted(keys)[0],
                None,
                f"this is one cat's conditions file (conditions/<ID>_conditions.json): {SEND}",
                "the content of clan_cats.json",
            )
        if "ID" in keys and ("pelt_name" in keys or "pelt" in keys):
            raise SaveFormatError(
                "ID",
                shown(document.get("ID")),
                "this is one cat, not a save: send the whole list of clan_cats.json (or a "
                "list holding this one cat)",
                "a JSON list of cats",
            )
        return
    if not isinstance(document, list) or not document:
        return
    objects = _cat_objects(document)
    if objects and all(set(item) >= RELATIONSHIP_KEYS for item in objects[:20]):
        raise SaveFormatError(
            None,
            "relationships",
            f"this is a relationships file (relationships/<ID>_relations.json): {SEND}",
            "the content of clan_cats.json",
        )
    if not any(CAT_KEYS & set(item) for item in objects):
        first = document[0]
        what = "cat IDs" if all(isinstance(item, str) for item in document) else "something else"
        raise SaveFormatError(
            None,
            shown(first),
            f"this is a list of {what} but no cats (no entry has an ID, a pelt_name or "
            f"moons): {SEND}",
            "the content of clan_cats.json",
        )


def save_format(cats: Sequence[object]) -> SaveFormat:
    """The format of a save's cats, from the first cat that tells; ``SaveFormatError`` for a
    fork's format or a newer ClanGen's."""
    for cat in _cat_objects(cats):
        if isinstance(cat.get("pelt"), Mapping):
            raise SaveFormatError(
                "pelt",
                "(an object)",
                "this save keeps each cat's appearance under `pelt`, as some ClanGen forks "
                "do; this project reads ClanGen's own saves (the 2024 format and v0.13): "
                "export the Clan from ClanGen itself",
                "pelt_name, pelt_color, ... at the top of each cat",
            )
        status = cat.get("status")
        if isinstance(status, str):
            return "legacy"
        if isinstance(status, Mapping):
            if isinstance(status.get("group_history"), list):
                return "v0.13"
            raise SaveFormatError(
                "status",
                shown(dict(status)),
                "this cat's status is an object without group_history: a save from a "
                "ClanGen newer than v0.13 (or changed by hand); this project reads the 2024 "
                "format and v0.13: load the Clan in ClanGen v0.13 and send that save",
                '{"group_history": [...], "standing_history": [...]}',
            )
        poses = [cat.get(key) for key in ("sprite_kitten", "sprite_adult", "sprite_newborn")]
        if any(isinstance(pose, str) for pose in poses):
            return "v0.13"
    return "legacy"


def check_clan_file(clan: object) -> Mapping[str, Any] | None:
    """The Clan file's content if it is one this project reads; ``SaveFormatError`` if it
    comes from a newer ClanGen."""
    if not isinstance(clan, Mapping):
        return None
    version = clan.get("version_name")
    if isinstance(version, int) and version > NEWEST_CLAN_FILE_VERSION:
        raise SaveFormatError(
            "version_name",
            version,
            f"the Clan file says save version {version}: a ClanGen newer than v0.13 (version "
            f"{NEWEST_CLAN_FILE_VERSION}); load the Clan in ClanGen v0.13 and send that save",
            f"version_name {NEWEST_CLAN_FILE_VERSION} or lower",
        )
    return clan
