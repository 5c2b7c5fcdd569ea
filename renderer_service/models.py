"""Request and response contracts of the HTTP API (the "V2 render params" shapes).

These models are the API documentation: their descriptions and examples are what ``/docs``
and the OpenAPI document show.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .renderer import Catalog
from .renderer.formats import ImageFormat
from .renderer.param_docs import document_request_params, document_tortie_layer
from .renderer.params import DEFAULT_POSE, MAX_LIST_LENGTH, POSE_COUNT
from .renderer.png import MAX_SCALE

BACKGROUND_DESCRIPTION = (
    "What the cat is drawn on: `transparent` (default), a colour `#rrggbb` or `#rrggbbaa`, a "
    "ClanGen profile platform `platform:<biome>:<season>:<light|dark>` (biomes `forest`, "
    "`mountainous`, `plains`, `beach`, `nest`; seasons `greenleaf`, `leafbare`, `leaffall`, "
    "`newleaf`), `platform:starclan:<light|dark>`, `platform:darkforest:<light|dark>`, or "
    "`platform:auto:<biome>:<season>:<light|dark>`: the platform the game would choose (Dark "
    "Forest cats on the Dark Forest's, other dead cats on StarClan's, newborn and sick cats in "
    "the nest, the rest on the biome's). On a platform the picture is 80 x 70 (times the "
    "scale) with the 50 x 50 cat at (15, 0). `GET /catalog` lists every value."
)
FORMAT_DESCRIPTION = (
    "`png` (default), `webp` (lossless) or `gif`. Without it, an `Accept: image/...` header "
    "chooses. GIF has no translucency: the picture is drawn on its background first, then "
    "pixels with alpha below 128 become transparent and the rest opaque."
)

_STRICT = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

NAME_MAX_LENGTH = 64
"""The longest trait name a request may send (no pack's names come near it)."""
IGNORED_MAX_LENGTH = 256
"""The longest value of a field that is accepted and ignored."""

Name = Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH)]
Ignored = Annotated[str, StringConstraints(max_length=IGNORED_MAX_LENGTH)] | None
IGNORED = "Accepted and ignored (sent by CatGenerator clients; nothing is drawn from it)."


class RequestTortieLayer(BaseModel):
    """A tortie patch layer as clients send it."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        populate_by_name=True,
        json_schema_extra=document_tortie_layer,
    )

    pattern: Name = Field(description="Pelt name of the patches, e.g. `Tabby`.")
    colour: Name | None = Field(None, description="Colour of the patches; default `GINGER`.")
    mask: Name | None = Field(
        None, description="Tortie mask; left out or `none`: the patches cover the whole coat."
    )


class ScarRef(BaseModel):
    """A scar given as an object, as some CatGenerator tools send it."""

    model_config = _STRICT

    id: Name | None = Field(description="The scar's name; `null` is an empty slot, skipped.")


def _scar_name(value: Any) -> Any:
    """``{"id": NAME}`` is ``NAME``; anything else is checked as a name."""
    if isinstance(value, dict) and set(value) == {"id"}:
        return value["id"]
    return value


ScarEntry = Annotated[
    Name | None, BeforeValidator(_scar_name, json_schema_input_type=Name | ScarRef | None)
]
"""A ``scars`` entry: a name, ``{"id": NAME}`` or ``null``."""


class RequestParams(BaseModel):
    """The cat's traits as clients send them: the V2 render params with every convention the
    CatGenerator frontend uses (``normalise.normalise_params`` turns them into the renderer's
    ``CatParams``). Names are matched case-insensitively, except in ``whitePatchesTint``."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=document_request_params,
    )

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=POSE_COUNT,
        description=f"Pose 0-20 (may also be given beside `params`); default {DEFAULT_POSE}, "
        "an adult pose.",
    )
    pelt_name: Name | None = Field(None, alias="peltName", description="Coat pattern.")
    colour: Name | None = Field(None, description="Coat colour: a game or palette colour.")
    is_tortie: bool | None = Field(
        None,
        alias="isTortie",
        description="`false`: no tortie patches whatever the other tortie fields say; `true`: "
        "the `tortie` layers, else the single tortie fields, else none; left out: the "
        "`tortie` layers if any.",
    )
    tortie_pattern: Name | None = Field(None, alias="tortiePattern")
    tortie_colour: Name | None = Field(None, alias="tortieColour", description="Default GINGER.")
    tortie_mask: Name | None = Field(None, alias="tortieMask")
    tortie: list[RequestTortieLayer | None] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description="Tortie patch layers in drawing order; `null` entries are skipped. A "
        "non-empty list wins over the single tortie fields (a difference is noted in the "
        "diagnostics).",
    )
    tint: Name | None = Field(None, description="Coat tint, or `none`.")
    white_patches: Name | None = Field(None, alias="whitePatches")
    points: Name | None = None
    vitiligo: Name | None = None
    white_patches_tint: Name | None = Field(
        None,
        alias="whitePatchesTint",
        description="Lower case (`offwhite`, `cream`, `darkcream`, `gray`, `pink`): the "
        "game's tint of white patches and points. A coat or palette colour in upper case "
        "(`CREAM`, `HOTPINK`): the white patches painted in that colour. Case decides here.",
    )
    eye_colour: Name | None = Field(None, alias="eyeColour")
    eye_colour2: Name | None = Field(None, alias="eyeColour2")
    skin_colour: Name | None = Field(None, alias="skinColour")
    skin_color: Name | None = Field(
        None, alias="skinColor", description="Same as `skinColour` (give one, or both equal)."
    )
    scars: list[ScarEntry] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description='Scars in drawing order; `null`, `""` and `none` entries are skipped, '
        '`{"id": NAME}` is `NAME`. A list (even empty) wins over `scar`.',
    )
    scar: Name | None = Field(None, description="One scar, when `scars` is not a list.")
    accessories: list[Name | None] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description='Accessories in drawing order; `null`, `""` and `none` entries are '
        "skipped. A list (even empty) wins over `accessory`.",
    )
    accessory: Name | None = Field(
        None, description="One accessory, when `accessories` is not a list."
    )
    shading: bool | None = Field(None, description="Shading and lighting (living cats only).")
    dead: bool | None = Field(None, description="The afterlife lineart; dead cats may fade.")
    dark_forest: bool | None = Field(
        None,
        alias="darkForest",
        description="Dead: the Dark Forest lineart, as the game draws it. Living: the Dark "
        "Forest overlay and lineart, as the CatGenerator V2 generator draws them.",
    )
    dark_mode: bool | None = Field(
        None, alias="darkMode", description="Same as `darkForest`: either one true is enough."
    )
    afterlife: Name | None = Field(
        None,
        description="Where a dead cat is: `starclan`, `darkForest` or `unknownResidence`.",
    )
    april_fools: bool | None = Field(None, alias="aprilFools")
    opacity: int | None = Field(None, ge=0, le=100, description="How faded a dead cat is.")
    reverse: bool | None = Field(None, description="Mirror the picture left to right.")
    source: Ignored = Field(None, description=IGNORED)
    base_palette: Ignored = Field(None, alias="basePalette", description=IGNORED)
    tortie_palette: Ignored = Field(None, alias="tortiePalette", description=IGNORED)
    experimental_colour_mode: (
        Annotated[str, StringConstraints(max_length=IGNORED_MAX_LENGTH)]
        | Annotated[
            list[Annotated[str, StringConstraints(max_length=IGNORED_MAX_LENGTH)]],
            Field(max_length=64),
        ]
        | None
    ) = Field(
        None,
        alias="experimentalColourMode",
        description=IGNORED + " A palette mode, or a list of them, as the random generators "
        "set it.",
    )
    label: Ignored = Field(None, description=IGNORED)
    pose_name: Ignored = Field(
        None, alias="poseName", description=IGNORED + " The pose is `spriteNumber`."
    )


class RenderPayload(BaseModel):
    """The cat: its pose and its traits."""

    model_config = _STRICT

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        le=20,
        description="Pose 0-20. May be given here or as `params.spriteNumber`; with neither, "
        f"pose {DEFAULT_POSE} (an adult pose) is drawn.",
        examples=[DEFAULT_POSE],
    )
    params: RequestParams = Field(default_factory=RequestParams, description="The cat's traits.")
    pose_name: Ignored = Field(
        None, alias="poseName", description=IGNORED + " The pose is `spriteNumber`."
    )
    collect_layers: bool | None = Field(
        None, alias="collectLayers", description=IGNORED + " `options.collectLayers` decides."
    )
    include_layer_images: bool | None = Field(
        None,
        alias="includeLayerImages",
        description=IGNORED + " `options.includeLayerImages` decides.",
    )


class RenderOptions(BaseModel):
    """What to return besides the picture."""

    model_config = _STRICT

    collect_layers: bool = Field(
        False, alias="collectLayers", description="Describe every compositing stage."
    )
    include_layer_images: bool = Field(
        False,
        alias="includeLayerImages",
        description="With collectLayers: each layer's own picture as a PNG data URL.",
    )
    diagnostics: bool = Field(True, description="With collectLayers: per-layer notes and timings.")
    scale: int = Field(
        1, ge=1, le=MAX_SCALE, description="Nearest-neighbour enlargement of every picture."
    )
    pack: str | None = Field(
        None,
        max_length=64,
        description="The sprite pack to draw with, by name (see `GET /health`); default: the "
        "first pack.",
    )
    background: str = Field(
        "transparent", min_length=1, max_length=64, description=BACKGROUND_DESCRIPTION
    )
    format: ImageFormat | None = Field(None, description=FORMAT_DESCRIPTION)
    output_format: ImageFormat | None = Field(
        None,
        alias="outputFormat",
        description="Same as `format` (the older spelling); both given must be equal.",
    )

    @model_validator(mode="after")
    def _one_format(self) -> RenderOptions:
        """Fold the older ``outputFormat`` into ``format``: one field for the rest to read."""
        if self.output_format is None:
            return self
        if self.format is not None and self.format != self.output_format:
            raise ValueError(
                f"format ({self.format!r}) and outputFormat ({self.output_format!r}) "
                "differ: give one, or both equal"
            )
        self.format, self.output_format = self.output_format, None
        return self


class RenderRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payload": {
                        "spriteNumber": 8,
                        "params": {
                            "peltName": "Tabby",
                            "colour": "GINGER",
                            "eyeColour": "GREEN",
                            "skinColour": "PINK",
                            "whitePatches": "LITTLE",
                            "shading": True,
                        },
                    },
                    "options": {"collectLayers": True},
                }
            ]
        },
    )

    payload: RenderPayload
    options: RenderOptions = Field(default_factory=RenderOptions)


class LayerInfo(BaseModel):
    id: str = Field(description="Stage id: base, tint, whitePatches, ... accessories, fading.")
    label: str
    blend_mode: str = Field(
        description="How the layer image goes over the picture below it, as a canvas would "
        "draw it: `source-over`, `multiply`, `add` (the canvas' `lighter`), `screen` or "
        "`replace` (`copy`)."
    )
    blendMode: str = Field(
        description="The exact blend: normal, rgb_mult, rgb_add, rgba_min, multiply..."
    )
    sprites: list[str] = Field(description="Sprite groups the stage drew, in order.")
    drawn: bool = Field(description="Whether the stage changed the picture at all.")
    duration_ms: float | None = Field(None, description="Time the stage took.")
    diagnostics: list[str] = Field(default_factory=list, description="Notes on the stage.")
    image: str | None = Field(None, description="The layer alone, as a PNG data URL.")


class RenderMeta(BaseModel):
    started_at: float = Field(description="Unix time the render started.")
    finished_at: float
    duration_ms: float = Field(description="Render and encoding, in milliseconds.")
    memory_pressure: bool = Field(
        description="True while the service sheds load or is close to it: its queue is more "
        "than 80% full or its circuit is open."
    )
    render_ms: float
    encode_ms: float
    spriteNumber: int
    width: int
    height: int
    scale: int
    format: str = Field(description="`png`, `webp` or `gif`: the type of `image`.")
    background: str = Field(
        description="The background drawn: for `platform:auto:...`, the platform chosen."
    )
    pack: str = Field(description="Content hash of the sprite pack that drew it.")


class RenderResponse(BaseModel):
    image: str = Field(
        description="The picture as a data URL (`data:image/png;base64,...`, or WebP or GIF "
        "with `options.format`)."
    )
    code: str = Field(description="The cat as a URL-safe code, for `GET /render/{code}.png`.")
    meta: RenderMeta
    layers: list[LayerInfo] | None = None


class HealthResponse(BaseModel):
    status: str = Field(
        description="`ok`, or `degraded` while the circuit is open, the queue is full, a "
        "worker is missing or stuck, or the shared cache (Redis) is unreachable."
    )
    reasons: list[str] = Field(
        default_factory=list, description="Why the status is `degraded` (empty when `ok`)."
    )
    pack: dict[str, Any] = Field(
        description="The default sprite pack: `name`, `groups`, `cells` and content `hash`."
    )
    packs: list[dict[str, Any]] = Field(
        description="Every pack the service draws with (`options.pack` names one), the "
        "default first: name, group and cell counts, content hash."
    )
    metrics: dict[str, Any] = Field(
        description="Queue and worker metrics: queue_size, max_queue, max_observed_queue, "
        "total_enqueued, total_completed, total_failed, total_rejected, circuit_open, "
        "circuit_reset_in, worker_count, workers_alive, workers_stuck, timeouts, "
        "worker_restarts, latency_ms {p50, p95, p99}, cache and frame_cache {hits, misses, "
        "entries, bytes, evictions}, gc {collections, longest_pause_ms by generation, "
        "total_pause_ms, frozen_objects} of the service process, and more. With several "
        "server processes (`cg3 serve`, `CG3_SERVER_PROCESSES`), the numbers of all of them "
        "merged, `server_processes` {count, reporting, this, pids} and "
        "`cache.shared_memory` (the cache level they share)."
    )


class ReadyResponse(BaseModel):
    status: str = Field(description="`ready`: this replica can render.")
    degraded: list[str] = Field(
        default_factory=list,
        description="What is degraded but does not stop rendering (e.g. Redis unreachable).",
    )


class ErrorItem(BaseModel):
    field: str | None = Field(
        None, description="Where the problem is, e.g. `payload.params.colour`."
    )
    value: Any = Field(None, description="The value that was given.")
    detail: str = Field(description="What is wrong.")
    expected: str | None = Field(None, description="What would be accepted.")
    suggestions: list[str] = Field(default_factory=list, description="Closest valid names.")


class ErrorResponse(BaseModel):
    """The body of every 4xx and 5xx answer."""

    error: str = Field(description="A short machine-readable code, e.g. `invalid_params`.")
    detail: str = Field(description="A sentence for people.")
    field: str | None = Field(None, description="The first field at fault, where one applies.")
    errors: list[ErrorItem] = Field(default_factory=list, description="Every problem found.")


# --- batches ------------------------------------------------------------------------------

MAX_BATCH_FRAMES = 256
MAX_TILE_SIZE = 1024
PIXEL_BUDGET = 16_000_000
SLOW_ENCODING_PIXEL_BUDGET = 4_000_000
"""The budget of a batch encoded as WebP, GIF or an animation: those encoders cost several
times what the PNG encoder does for each pixel."""


class BatchVariant(BaseModel):
    """One frame: params merged over the base payload's, then ``overrides`` over those."""

    model_config = _STRICT

    id: str = Field(min_length=1, max_length=64, description="Unique id of the frame.")
    pose_name: Ignored = Field(
        None, alias="poseName", description=IGNORED + " The pose is `spriteNumber`."
    )
    label: str | None = Field(None, max_length=128, description="Text for people.")
    group: str | None = Field(None, max_length=64, description="Group the frame belongs to.")
    sprite_number: int | None = Field(
        None, alias="spriteNumber", ge=0, le=20, description="Pose of this frame."
    )
    params: dict[str, Any] | None = Field(
        None,
        max_length=32,
        description="V2 params merged over the base params: an omitted param keeps the base "
        "value; an empty list or `false` clears the trait.",
    )
    overrides: dict[str, Any] | None = Field(
        None, max_length=32, description="Params applied last, over `params`."
    )


class AnimateOptions(BaseModel):
    """Play the frames one after the other instead of laying them out on a sheet."""

    model_config = _STRICT

    frame_ms: int = Field(
        200, alias="frameMs", ge=20, le=60_000, description="How long each frame shows."
    )
    loop: int = Field(
        0,
        ge=0,
        le=65_535,
        description="0: repeat for ever; otherwise the loop count written into the file.",
    )


class BatchOptions(BaseModel):
    model_config = _STRICT

    tile_size: int = Field(
        50,
        alias="tileSize",
        ge=1,
        le=MAX_TILE_SIZE,
        description="Width and height of each tile (the 50 px cat scaled, nearest neighbour). "
        "Does not apply on a platform background: a platform tile is 80 x 70 times `scale`.",
    )
    scale: int | None = Field(
        None,
        ge=1,
        le=MAX_SCALE,
        description="Enlargement: tiles of 50 x `scale` px (the same as `tileSize`), or "
        "80 x 70 times `scale` on a platform background.",
    )
    background: str = Field(
        "transparent", min_length=1, max_length=64, description=BACKGROUND_DESCRIPTION
    )
    format: ImageFormat | None = Field(
        None,
        description="`png` (default), `webp` (lossless) or `gif` for the sheet and the "
        "sources; `png` (APNG) or `gif` with `animate`.",
    )
    animate: AnimateOptions | None = Field(
        None,
        description="Turn the frames into one animation (APNG or GIF) instead of a sheet: "
        "every frame in turn, e.g. a cat through its life stages. Answered like a sheet: "
        "`sheet` holds the animation, `width` and `height` are one frame's.",
    )
    columns: int | None = Field(
        None, ge=1, le=MAX_BATCH_FRAMES, description="Tiles per row; default about square."
    )
    include_sources: bool = Field(
        False, alias="includeSources", description="Also return each frame's own PNG."
    )
    include_base: bool = Field(
        False, alias="includeBase", description="Render the base payload as the first frame."
    )
    frame_mode: Literal["composed", "layer"] = Field(
        "composed",
        alias="frameMode",
        description="`composed`: whole cats; `layer`: only the layer `layerId` of each.",
    )
    layer_id: str | None = Field(
        None,
        alias="layerId",
        max_length=32,
        description="The layer for `frameMode=layer`, and the trait `expandVariants` walks.",
    )
    expand_variants: bool = Field(
        False,
        alias="expandVariants",
        description="With `layerId` and no variants: one frame per valid value of that "
        "layer's trait (every eye colour, every accessory...).",
    )
    pack: str | None = Field(
        None,
        max_length=64,
        description="The sprite pack every frame is drawn with, by name; default: the first.",
    )


class BatchRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payload": {
                        "spriteNumber": 8,
                        "params": {"peltName": "Tabby", "colour": "GINGER"},
                    },
                    "variants": [
                        {"id": "blue", "params": {"eyeColour": "BLUE"}},
                        {"id": "kit", "spriteNumber": 1, "overrides": {"eyeColour": "SAGE"}},
                    ],
                    "options": {"tileSize": 100, "columns": 2},
                }
            ]
        },
    )

    payload: RenderPayload
    variants: list[BatchVariant] = Field(
        default_factory=list,
        max_length=MAX_BATCH_FRAMES,
        description=f"At most {MAX_BATCH_FRAMES} frames.",
    )
    options: BatchOptions = Field(default_factory=BatchOptions)


class BatchFrame(BaseModel):
    id: str
    label: str | None = None
    group: str | None = None
    index: int
    column: int
    row: int
    x: int
    y: int
    width: int
    height: int
    spriteNumber: int
    drawn: bool = Field(description="False when the frame's layer draws nothing.")


class BatchSource(BaseModel):
    id: str
    image: str = Field(description="The frame alone as a data URL of the batch's format.")


class BatchResponse(BaseModel):
    sheet: str = Field(
        description="The spritesheet (or the animation) as a data URL of its format."
    )
    width: int
    height: int
    tileSize: int | None = Field(description="The square tile's size; null on a platform.")
    tileWidth: int
    tileHeight: int
    format: str = Field(description="`png`, `webp` or `gif`.")
    background: str = Field(description="`options.background`, as spelt canonically.")
    animation: AnimateOptions | None = Field(
        None, description="With `options.animate`: how the frames play."
    )
    columns: int
    rows: int
    frames: list[BatchFrame]
    sources: list[BatchSource] | None = None
    meta: dict[str, Any] = Field(description="Timings, frame count, cache hits, pack hash.")


# --- saves --------------------------------------------------------------------------------

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
    spriteNumber: int
    params: dict[str, Any] = Field(description="V2 render params that `POST /render` accepts.")
    warnings: list[str]


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
    saves: SaveCatalog = Field(description="The save routes (`/save/params`, `/save/sheet`).")


# --- diffs --------------------------------------------------------------------------------

MAX_DIFF_TOLERANCE = 255
MAX_REFERENCE_CHARS = 200_000
"""Longest reference data URL: within the default body limit, and far more than a cat needs
(a 16x enlargement of a 50 x 50 cat compresses to a few tens of kilobytes)."""


class DiffRequest(BaseModel):
    """A ``/render`` body plus the picture to compare the render with."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payload": {
                        "spriteNumber": 8,
                        "params": {"peltName": "Tabby", "colour": "GINGER"},
                    },
                    "options": {},
                    "reference": "data:image/png;base64,iVBORw0KGgo...",
                }
            ]
        },
    )

    payload: RenderPayload
    options: RenderOptions = Field(default_factory=RenderOptions)
    reference: str = Field(
        max_length=MAX_REFERENCE_CHARS,
        description="The picture to compare with, as a `data:image/png;base64,...` URL: the "
        "50 x 50 cat or a whole-number enlargement of it (up to 16x). The render is enlarged "
        "to the reference's size; `options.scale`, if given, must match it.",
    )
    tolerance: int = Field(
        0,
        ge=0,
        le=MAX_DIFF_TOLERANCE,
        description="Largest channel difference still counted as equal (0: exact).",
    )


class DiffLayer(BaseModel):
    id: str = Field(description="Stage id, as in `/render`'s layers.")
    pixels: int = Field(description="Differing pixels this stage's own pixels cover.")


class DiffResponse(BaseModel):
    differing: int = Field(
        description="Pixels that differ: not both transparent and some channel differs by more "
        "than the tolerance."
    )
    bbox: list[int] | None = Field(
        description="`[x0, y0, x1, y1]` of the differing pixels, ends exclusive; null if none."
    )
    maxChannelDelta: int = Field(description="Largest channel difference of any pixel.")
    width: int = Field(description="Width the pictures were compared at (the reference's).")
    height: int
    scale: int = Field(description="The reference's enlargement of the 50 x 50 cat.")
    tolerance: int
    image: str = Field(description="Our render at the reference's size, as a PNG data URL.")
    heatmap: str = Field(description="Differing pixels, yellow (a little) to red (a lot).")
    sideBySide: str = Field(description="Reference | ours | heat map, enlarged, as a PNG.")
    layers: list[DiffLayer] = Field(
        description="The stages whose own pixels cover differing pixels, most first."
    )
    code: str = Field(description="The cat's code, as `/render` gives it.")
    pack: str = Field(description="Content hash of the sprite pack that drew our render.")
