"""The /render/batch request and response, and a batch's limits."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    Field,
)

from renderer_service.renderer import MAX_SCALE, ImageFormat
from renderer_service.wire.models.common import (
    BACKGROUND_DESCRIPTION,
    EXAMPLE_PAYLOAD,
    IGNORED,
    MAX_POSES,
    STRICT,
    Ignored,
    Name,
    strict_body,
)
from renderer_service.wire.models.render import RenderPayload

MAX_BATCH_FRAMES = 256
MAX_TILE_SIZE = 1024
PIXEL_BUDGET = 16_000_000
SLOW_ENCODING_PIXEL_BUDGET = 4_000_000
"""The budget of a batch encoded as WebP, GIF or an animation: those encoders cost several
times what the PNG encoder does for each pixel."""


class BatchVariant(BaseModel):
    """One frame: params merged over the base payload's, then ``overrides`` over those."""

    model_config = STRICT

    id: str = Field(min_length=1, max_length=64, description="Unique id of the frame.")
    pose_name: Ignored = Field(
        None, alias="poseName", description=IGNORED + " The pose is `spriteNumber`."
    )
    label: str | None = Field(None, max_length=128, description="Text for people.")
    group: str | None = Field(None, max_length=64, description="Group the frame belongs to.")
    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=MAX_POSES,
        description="Pose of this frame, by number in the pack's pose list.",
    )
    pose: Name | None = Field(
        None, description="Pose of this frame by name (`senior0`); wins over `spriteNumber`."
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

    model_config = STRICT

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
    model_config = STRICT

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
    model_config = strict_body(
        {
            "payload": EXAMPLE_PAYLOAD,
            "variants": [
                {"id": "blue", "params": {"eyeColour": "BLUE"}},
                {"id": "kit", "spriteNumber": 1, "overrides": {"eyeColour": "SAGE"}},
            ],
            "options": {"tileSize": 100, "columns": 2},
        }
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
