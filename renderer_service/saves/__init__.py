"""Reading a ClanGen save: the cats of ``clan_cats.json`` as render params, the way the game
reads them. A library: it knows nothing of HTTP.
"""

from renderer_service.saves.arrange import age_ranges, arrange
from renderer_service.saves.cats import CatError, DrawOptions, SaveCat, SaveFormatError
from renderer_service.saves.game import LIFE_STAGES, RANKS, SPECIAL_SUFFIXES, Include, Order
from renderer_service.saves.read import read_save, save_cats, unknown_sick

__all__ = [
    "LIFE_STAGES",
    "RANKS",
    "SPECIAL_SUFFIXES",
    "CatError",
    "DrawOptions",
    "Include",
    "Order",
    "SaveCat",
    "SaveFormatError",
    "age_ranges",
    "arrange",
    "read_save",
    "save_cats",
    "unknown_sick",
]
