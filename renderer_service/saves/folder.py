"""A save as sent: ``clan_cats.json`` alone (JSON) or the Clan's folder (a zip), recognised,
then read by the reader of its format.

``open_save`` takes the body's bytes, whatever their content type: a zip by its first bytes,
else JSON. It answers a ``SaveFolder``: the cats, the format, the ``sick`` IDs, and what the
folder adds (each cat's conditions, the Clan file's groups). ``read_folder`` reads the cats
with the 2024 reader or the v0.13 one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import orjson

from renderer_service.renderer import Vocabulary
from renderer_service.saves.cats import DrawOptions, SaveFormat, SaveFormatError, SaveReading
from renderer_service.saves.formats import check_clan_file, check_not_another_file, save_format
from renderer_service.saves.game import LifeStage
from renderer_service.saves.modern import read_modern_save
from renderer_service.saves.read import read_save, save_cats
from renderer_service.saves.zipped import MAX_ENTRIES, MAX_UNPACKED_BYTES, is_zip, read_zip


@dataclass(slots=True)
class SaveFolder:
    """A save ready to read: its cats, their format and what the rest of the folder says."""

    cats: list[object]
    format: SaveFormat
    sick: list[str] = field(default_factory=list)
    conditions: dict[str, object] | None = None
    """Conditions by cat ID; None when only ``clan_cats.json`` came."""
    group_ids: dict[str, str] | None = None
    """The Clan file's ``used_group_IDs``; None without a Clan file."""
    zipped: bool = False
    warnings: list[str] = field(default_factory=list)

    def options(self, life_stage: LifeStage | None = None, sick: Sequence[str] = ()) -> DrawOptions:
        """How to draw the cats: the folder's conditions and groups, plus ``sick``."""
        return DrawOptions(
            sick=frozenset([*self.sick, *sick]),
            life_stage=life_stage,
            conditions=self.conditions,
            group_ids=self.group_ids,
        )


class SaveBodyError(SaveFormatError):
    """The body is not JSON (nor a zip)."""


def open_document(document: object) -> SaveFolder:
    """A save from the parsed content of ``clan_cats.json`` (or ``{"cats", "sick"}``)."""
    check_not_another_file(document)
    cats, sick = save_cats(document)
    return SaveFolder(cats=cats, format=save_format(cats), sick=sick)


def _group_ids(clan: Mapping[str, object], folder: SaveFolder) -> dict[str, str] | None:
    groups = clan.get("used_group_IDs")
    if groups is None:
        return None
    if not isinstance(groups, Mapping):
        folder.warnings.append("the Clan file's used_group_IDs is not an object: ignored")
        return None
    return {str(key): value for key, value in groups.items() if isinstance(value, str)}


def open_save(
    body: bytes, max_bytes: int = MAX_UNPACKED_BYTES, max_entries: int = MAX_ENTRIES
) -> SaveFolder:
    """The save in a request body or file: a zipped folder or JSON; ``SaveFormatError`` (its
    ``SaveArchiveError`` for a zip that cannot be read safely) when it is no save."""
    if is_zip(body):
        zipped = read_zip(body, max_bytes, max_entries)
        folder = open_document(zipped.cats)
        folder.zipped = True
        folder.conditions = zipped.conditions
        folder.warnings += zipped.warnings
        clan = check_clan_file(zipped.clan)
        if clan is not None:
            folder.group_ids = _group_ids(clan, folder)
        return folder
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SaveBodyError(
            None,
            None,
            f"the body is not valid JSON: {error}",
            "the content of clan_cats.json, or the save folder as a zip",
        ) from None
    return open_document(document)


def read_folder(
    folder: SaveFolder,
    vocabulary: Vocabulary | None,
    options: DrawOptions,
    cats: Sequence[object] | None = None,
    first_index: int = 0,
) -> SaveReading:
    """The cats (``cats``, a page of the folder's, or all of them) read by their format's
    reader; ``vocabulary`` checks the 2024 cats (v0.13 cats are checked against the game's
    own lists)."""
    chosen = folder.cats if cats is None else cats
    if folder.format == "v0.13":
        return read_modern_save(chosen, options, first_index)
    if vocabulary is None:
        raise ValueError("a 2024 save is read with a legacy pack's vocabulary")
    return read_save(chosen, vocabulary, options, first_index)
