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

from .renderer.params import DEFAULT_POSE, MAX_LIST_LENGTH, POSE_COUNT, CatParams
from .renderer.png import MAX_SCALE

_STRICT = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

Name = Annotated[str, StringConstraints(max_length=64)]
Ignored = Annotated[str, StringConstraints(max_length=256)] | None
IGNORED = "Accepted and ignored (sent by CatGenerator clients; nothing is drawn from it)."


class RequestTortieLayer(BaseModel):
    """A tortie patch layer as clients send it."""

    model_config = _STRICT

    pattern: Name = Field(description="Pelt name of the patches, e.g. `Tabby`.")
    colour: Name | None = Field(None, description="Colour of the patches; default `GINGER`.")
    mask: Name | None = Field(
        None, description="Tortie mask; left out or `none`: the patches cover the whole coat."
    )


class ScarRef(BaseModel):
    """A scar given as an object, as some CatGenerator tools send it."""

    model_config = _STRICT

    id: Name = Field(description="The scar's name.")


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
        json_schema_extra=CatParams.model_config.get("json_schema_extra"),
    )

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=POSE_COUNT,
        description="Pose 0-20 (may also be given beside `params`).",
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
        Annotated[str, StringConstraints(max_length=256)]
        | Annotated[list[Annotated[str, StringConstraints(max_length=256)]], Field(max_length=64)]
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


ImageFormat = Literal["png"]
"""Picture formats a render can be encoded in."""


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
    format: ImageFormat | None = Field(None, description="Picture format: `png`.")
    output_format: ImageFormat | None = Field(
        None,
        alias="outputFormat",
        description="Same as `format` (the older spelling); both given must be equal.",
    )

    @model_validator(mode="after")
    def _one_format(self) -> RenderOptions:
        if (
            self.format is not None
            and self.output_format is not None
            and self.format != self.output_format
        ):
            raise ValueError(
                f"format ({self.format!r}) and outputFormat ({self.output_format!r}) "
                "differ: give one, or both equal"
            )
        return self

    @property
    def image_format(self) -> ImageFormat:
        return self.format or self.output_format or "png"


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
    pack: str = Field(description="Content hash of the sprite pack that drew it.")


class RenderResponse(BaseModel):
    image: str = Field(description="The picture as a `data:image/png;base64,...` URL.")
    code: str = Field(description="The cat as a URL-safe code, for `GET /render/{code}.png`.")
    meta: RenderMeta
    layers: list[LayerInfo] | None = None


class HealthResponse(BaseModel):
    status: str = Field(
        description="`ok`, or `degraded` while the circuit is open, the queue is full or a "
        "worker is missing or stuck."
    )
    pack: dict[str, Any] = Field(
        description="The sprite pack: `name`, `groups`, `cells` and content `hash`."
    )
    metrics: dict[str, Any] = Field(
        description="Queue and worker metrics: queue_size, max_queue, max_observed_queue, "
        "total_enqueued, total_completed, total_failed, total_rejected, circuit_open, "
        "circuit_reset_in, worker_count, workers_alive, workers_stuck, timeouts, "
        "worker_restarts, latency_ms {p50, p95, p99}, cache and frame_cache {hits, misses, "
        "entries, bytes, evictions}, gc {collections, longest_pause_ms by generation, "
        "total_pause_ms, frozen_objects} of the service process, and more."
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


class BatchOptions(BaseModel):
    model_config = _STRICT

    tile_size: int = Field(
        50,
        alias="tileSize",
        ge=1,
        le=MAX_TILE_SIZE,
        description="Width and height of each tile (the 50 px cat scaled, nearest neighbour).",
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
    image: str = Field(description="The frame alone as a PNG data URL.")


class BatchResponse(BaseModel):
    sheet: str = Field(description="The spritesheet as a PNG data URL.")
    width: int
    height: int
    tileSize: int
    columns: int
    rows: int
    frames: list[BatchFrame]
    sources: list[BatchSource] | None = None
    meta: dict[str, Any] = Field(description="Timings, frame count, cache hits, pack hash.")
