"""A Clan's save folder sent as a zip: ``clan_cats.json``, its ``conditions/`` and the Clan
file, read in memory (``zipfile`` over the bytes; nothing is written anywhere).

The folder may sit at the zip's root or under one top folder (``Thunder/clan_cats.json``);
the Clan file (``<name>clan.json``) may be beside ``clan_cats.json`` or one level up, as the
game keeps it, and may be absent. Only the entries read are decompressed, within bounds
checked twice: the sizes the archive declares, then the bytes actually read. An archive with
an entry that climbs out of its folder (``..``), an absolute path, or an archive inside it is
refused whole, naming the entry.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

import orjson

from renderer_service.saves.cats import SaveFormatError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
MAX_UNPACKED_BYTES = 16 * 1024 * 1024
"""Most bytes decompressed from one archive, all entries read together."""
MAX_ENTRIES = 10_000
"""Most entries an archive may list."""
ARCHIVE_SUFFIXES = (".zip", ".jar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".7z", ".rar")
CATS_FILE = "clan_cats.json"
CLAN_FILE = re.compile(r"^(?P<name>.+)clan\.json$")
CONDITIONS_FILE = re.compile(r"^conditions/(?P<id>[^/]+)_conditions\.json$")
IGNORED_TOP = ("__MACOSX/",)
READING = "a zip of the Clan's save folder (clan_cats.json, conditions/, <name>clan.json)"


class SaveArchiveError(SaveFormatError):
    """The zip cannot be read safely, or holds no save; ``status`` is the HTTP status."""

    def __init__(self, status: int, field: str | None, value: Any, detail: str, expected: str):
        super().__init__(field, value, detail, expected)
        self.status = status


def is_zip(body: bytes) -> bool:
    """Whether a body is a zip archive, by its first bytes (whatever its content type)."""
    return body.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC))


@dataclass(slots=True)
class ZippedSave:
    """The parsed files of a zipped save folder."""

    cats: object
    conditions: dict[str, object] = field(default_factory=dict)
    clan: object | None = None
    clan_name: str | None = None
    warnings: list[str] = field(default_factory=list)


def _refuse(status: int, entry: str | None, detail: str, expected: str = READING) -> None:
    raise SaveArchiveError(status, "archive", entry, detail, expected)


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            _refuse(422, name, f"the zip holds an entry with an absolute path: {name!r}")
        if ".." in parts:
            _refuse(422, name, f"the zip holds an entry that climbs out of it (..): {name!r}")
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            _refuse(422, name, f"the zip holds another archive ({name!r}); send the folder itself")
        if info.flag_bits & 0x1:
            _refuse(422, name, f"the zip's entry {name!r} is encrypted")


class _Budget:
    """Bytes left to decompress, counted as they are read."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit

    def too_much(self, name: str, size: int, declared: bool) -> None:
        said = "declares" if declared else "holds at least"
        _refuse(
            413,
            name,
            f"the zip's {name!r} {said} {size} bytes once unpacked; at most {self.limit} "
            "bytes are unpacked from a save",
            f"a save folder of at most {self.limit} bytes unpacked",
        )

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        if info.file_size > self.left:
            self.too_much(info.filename, info.file_size, declared=True)
        chunks: list[bytes] = []
        count = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(65536):
                    count += len(chunk)
                    if count > self.left:
                        self.too_much(info.filename, count, declared=False)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
            _refuse(422, info.filename, f"the zip's {info.filename!r} cannot be read: {error}")
        except EOFError:
            _refuse(422, info.filename, f"the zip's {info.filename!r} is cut short")
        self.left -= count
        data = b"".join(chunks)
        if is_zip(data):
            _refuse(422, info.filename, f"the zip's {info.filename!r} is itself an archive")
        return data


def _json(data: bytes) -> object:
    return orjson.loads(data)


def _folder(files: dict[str, zipfile.ZipInfo]) -> str:
    """The folder ``clan_cats.json`` is in: ``""`` (the root) or ``"<top>/"``."""
    found = sorted(
        name[: -len(CATS_FILE)]
        for name in files
        if posixpath.basename(name) == CATS_FILE and name.count("/") <= 1
    )
    if not found:
        deeper = [name for name in files if posixpath.basename(name) == CATS_FILE]
        where = f" (found only deeper: {deeper[0]!r})" if deeper else ""
        _refuse(
            422,
            None,
            f"the zip holds no clan_cats.json at its root or under one top folder{where}",
        )
    if len(found) > 1:
        _refuse(
            422,
            ", ".join(f"{folder}{CATS_FILE}" for folder in found),
            "the zip holds more than one save; send one Clan's folder",
        )
    return found[0]


def _clan_file(files: dict[str, zipfile.ZipInfo], folder: str) -> str | None:
    """The Clan file beside ``clan_cats.json`` or one level up; the one named after the folder
    when there are several."""
    places = {folder, ""} if folder else {""}
    candidates = sorted(
        name
        for name in files
        if posixpath.dirname(name) + ("/" if "/" in name else "") in places
        and CLAN_FILE.match(posixpath.basename(name))
    )
    named = [name for name in candidates if posixpath.basename(name) == f"{folder[:-1]}clan.json"]
    chosen = named or candidates
    return chosen[0] if chosen else None


def read_zip(
    body: bytes, max_bytes: int = MAX_UNPACKED_BYTES, max_entries: int = MAX_ENTRIES
) -> ZippedSave:
    """The save in a zipped folder; ``SaveArchiveError`` naming what is wrong with it."""
    try:
        archive = zipfile.ZipFile(BytesIO(body))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        raise SaveArchiveError(
            422, "archive", None, f"the body starts like a zip but is not one: {error}", READING
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            _refuse(
                413,
                None,
                f"the zip lists {len(infos)} entries; a save folder may hold at most {max_entries}",
                f"a zip of at most {max_entries} entries",
            )
        _check_names(infos)
        files = {
            info.filename.replace("\\", "/"): info
            for info in infos
            if not info.is_dir() and not info.filename.startswith(IGNORED_TOP)
        }
        folder = _folder(files)
        budget = _Budget(max_bytes)
        wanted = [folder + CATS_FILE]
        conditions: dict[str, str] = {}
        for name in files:
            if name.startswith(folder):
                match = CONDITIONS_FILE.match(name[len(folder) :])
                if match:
                    conditions[match["id"]] = name
        clan_file = _clan_file(files, folder)
        wanted += list(conditions.values()) + ([clan_file] if clan_file else [])
        declared = sum(files[name].file_size for name in wanted)
        if declared > max_bytes:
            budget.too_much("save folder", declared, declared=True)
        save = ZippedSave(cats=None)
        try:
            save.cats = _json(budget.read(archive, files[folder + CATS_FILE]))
        except orjson.JSONDecodeError as error:
            _refuse(422, folder + CATS_FILE, f"the zip's {folder}{CATS_FILE} is not JSON: {error}")
        for cat_id, name in conditions.items():
            try:
                save.conditions[cat_id] = _json(budget.read(archive, files[name]))
            except orjson.JSONDecodeError:
                save.warnings.append(f"{name} is not JSON: ignored, as the game ignores it")
        if clan_file:
            try:
                save.clan = _json(budget.read(archive, files[clan_file]))
                save.clan_name = posixpath.basename(clan_file)
            except orjson.JSONDecodeError:
                save.warnings.append(
                    f"{clan_file} is not JSON: ignored; the groups 1-4 apply (the Clan, "
                    "StarClan, the Unknown Residence, the Dark Forest)"
                )
    return save
