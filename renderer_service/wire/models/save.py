"""The save routes' queries and answers (/save/params, /save/sheet), and the catalog that
describes them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from renderer_service.renderer import Catalog, ModernCatalog
from renderer_service.wire.models.batch import MAX_BATCH_FRAMES, MAX_TILE_SIZE, BatchResponse

MAX_SAVE_CATS = 1_000_000
"""Bound of ``offset`` and ``limit`` (a save within the body limit holds far fewer cats)."""

SaveLifeStage = Literal["newborn", "kitten", "adolescent", "adult", "senior"]


class SaveParamsQuery(BaseModel):
    """Options of ``POST /save/params``, given in the query string."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    life_stage: SaveLifeStage | None = Field(
        None,
        alias="lifeStage",
        description="Draw every cat at this age, with its own sprite for it (paralysed cats "
        "keep the paralysed pose of that age). Default: each cat's age from its moons.",
    )
    offset: int = Field(0, ge=0, le=MAX_SAVE_CATS, description="Skip this many cats (paging).")
    limit: int | None = Field(
        None, ge=1, le=MAX_SAVE_CATS, description="At most this many cats (paging)."
    )


class SaveSheetQuery(SaveParamsQuery):
    """Options of ``POST /save/sheet``, given in the query string."""

    include: Literal["living", "dead", "all"] = Field(
        "living",
        description="`living`: alive and in the Clan (not outside, not exiled); `dead`; `all`.",
    )
    order: Literal["given", "rank", "name", "moons"] = Field(
        "given",
        description="`given`: as in the save; `rank`: leader, deputy, medicine cats, "
        "mediators, warriors, apprentices, kits, elders, then everyone else (outsiders, the "
        "dead); `name`: by name; `moons`: youngest first. Ties keep the save's order.",
    )
    tile_size: int = Field(
        50, alias="tileSize", ge=1, le=MAX_TILE_SIZE, description="Width and height of a tile."
    )
    columns: int | None = Field(
        None, ge=1, le=MAX_BATCH_FRAMES, description="Tiles per row; default about square."
    )
    include_sources: bool = Field(
        False, alias="includeSources", description="Also return each cat's own PNG."
    )


class SaveDocument(BaseModel):
    """A save: the content of ``clan_cats.json`` (a JSON list of cats) or this object."""

    model_config = ConfigDict(extra="forbid")

    cats: list[Any] = Field(
        description="The cats, as ClanGen or Lifegen writes them to `clan_cats.json`. An "
        "entry that is not a cat object is listed in the answer's `errors`."
    )
    sick: list[str | int] = Field(
        default_factory=list,
        description="IDs of cats to draw in the sick pose (a save keeps illnesses in other "
        "files). Without it every cat is drawn healthy.",
    )


class SaveCatEntry(BaseModel):
    index: int = Field(description="Position of the cat in the save.")
    ID: str
    name: str = Field(description="The name as the game shows it.")
    status: str | None
    age: str = Field(description="The age from `moons`: newborn, kitten, ... senior.")
    moons: int
    spriteNumber: int = Field(description="The pose's number in its pack's list.")
    pose: str | None = Field(
        None, description="The pose by name (v0.13 saves); null for a 2024 save's number."
    )
    pack: str = Field(description="The pack the cat is drawn with: a legacy one or `clangen`.")
    params: dict[str, Any] = Field(description="V2 render params that `POST /render` accepts.")
    request: dict[str, Any] = Field(
        description="A `POST /render` body that draws the cat as the game does, as it is: "
        "`payload.pose` or `payload.spriteNumber`, `payload.params` and `options.pack`."
    )
    warnings: list[str] = Field(description="What was repaired as the game repairs it.")


class SaveCatError(BaseModel):
    index: int = Field(description="Position of the cat in the save.")
    ID: str | None
    field: str | None = Field(
        description="The save's key at fault, e.g. `pelt_color` (null: the entry itself)."
    )
    value: Any = None
    detail: str
    expected: str | None = None


class SaveParamsResponse(BaseModel):
    save_format: Literal["legacy", "v0.13"] = Field(
        alias="saveFormat",
        description="The save's format: `legacy` (ClanGen 2024 and Lifegen) or `v0.13`.",
    )
    cats: list[SaveCatEntry]
    errors: list[SaveCatError] = Field(description="Cats that cannot be drawn, and why.")
    warnings: list[str] = Field(description="Notes on the whole save, e.g. unknown sick IDs.")
    total: int = Field(description="Cats in the save.")
    offset: int
    limit: int | None


class SaveSheetResponse(BatchResponse):
    errors: list[SaveCatError] = Field(description="Cats that cannot be drawn, and why.")
    warnings: list[str] = Field(description="Notes on the whole save and on single cats.")
    total: int = Field(description="Cats `include` selects, before paging.")
    offset: int
    limit: int | None


class SaveAge(BaseModel):
    age: str
    moons: tuple[int, int | None] = Field(description="First and last moon (null: no end).")


class SaveCatalog(BaseModel):
    """What the save routes accept and how they read a save."""

    routes: dict[str, str] = Field(description="The save routes and what each answers.")
    max_body_bytes: int = Field(
        alias="maxBodyBytes", description="Largest save body (`CG3_SAVE_MAX_BODY_BYTES`)."
    )
    include: list[str] = Field(description="`include` values of `/save/sheet`.")
    order: list[str] = Field(description="`order` values of `/save/sheet`.")
    life_stages: list[str] = Field(alias="lifeStages", description="`lifeStage` values.")
    ages: list[SaveAge] = Field(description="The age a cat's `moons` give it.")
    ranks: list[list[str]] = Field(description="The statuses of each rank in `order=rank`.")
    special_suffixes: dict[str, str] = Field(
        alias="specialSuffixes",
        description="Statuses whose name shows this suffix (unless `specsuffix_hidden`).",
    )
    max_cats_per_sheet: int = Field(alias="maxCatsPerSheet")

    model_config = ConfigDict(populate_by_name=True)


class ServiceCatalog(Catalog):
    """A legacy pack's catalog (``layout: legacy``), with the save routes."""

    saves: SaveCatalog = Field(description="The save routes (`/save/params`, `/save/sheet`).")


class ServiceModernCatalog(ModernCatalog):
    """A modern pack's catalog (``layout: modern``): poses by name and life stage, eye
    colours, skins, tints, collar palette colours, white-patch categories; with the save
    routes."""

    saves: SaveCatalog = Field(description="The save routes (`/save/params`, `/save/sheet`).")
