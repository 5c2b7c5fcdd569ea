"""Reading a ClanGen save: the cats of ``clan_cats.json`` (alone, or the Clan's folder as a
zip) as render params, the way the game reads them, for the 2024 / Lifegen format and for
ClanGen v0.13. A library: it knows nothing of HTTP.
"""

from renderer_service.saves.arrange import age_ranges, arrange
from renderer_service.saves.cats import (
    CatError,
    DrawOptions,
    SaveCat,
    SaveFormat,
    SaveFormatError,
    SaveReading,
)
from renderer_service.saves.folder import (
    SaveBodyError,
    SaveFolder,
    open_document,
    open_save,
    read_folder,
)
from renderer_service.saves.formats import save_format
from renderer_service.saves.game import LIFE_STAGES, RANKS, SPECIAL_SUFFIXES, Include, Order
from renderer_service.saves.modern import PACK as MODERN_PACK
from renderer_service.saves.modern import read_modern_save
from renderer_service.saves.read import read_save, save_cats, unknown_sick
from renderer_service.saves.zipped import (
    MAX_ENTRIES,
    MAX_UNPACKED_BYTES,
    SaveArchiveError,
    is_zip,
    read_zip,
)

LEGACY_PACK = "lifegen"
"""The pack that draws 2024 / Lifegen cats."""

__all__ = [
    "LEGACY_PACK",
    "LIFE_STAGES",
    "MAX_ENTRIES",
    "MAX_UNPACKED_BYTES",
    "MODERN_PACK",
    "RANKS",
    "SPECIAL_SUFFIXES",
    "CatError",
    "DrawOptions",
    "Include",
    "Order",
    "SaveArchiveError",
    "SaveBodyError",
    "SaveCat",
    "SaveFolder",
    "SaveFormat",
    "SaveFormatError",
    "SaveReading",
    "age_ranges",
    "arrange",
    "is_zip",
    "open_document",
    "open_save",
    "read_folder",
    "read_modern_save",
    "read_save",
    "read_zip",
    "save_cats",
    "save_format",
    "unknown_sick",
]
