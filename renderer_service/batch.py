"""Batch spritesheets: planning the frames of a batch and assembling the sheet.

Planning happens before anything is queued: variants are merged over the base payload,
expanded from the pack's vocabulary when asked, checked, and measured against the limits
(frames, tile size, pixel budget). Assembly puts the tiles the workers drew into one sheet.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from pydantic import ValidationError

from .errors import ApiError, error_item, traits_error, validation_error_from
from .jobs import canonical_params
from .models import MAX_BATCH_FRAMES, PIXEL_BUDGET, BatchRequest, BatchVariant, RequestParams
from .normalise import normalise_params
from .renderer import (
    CELL_SIZE,
    DEFAULT_POSE,
    LAYER_IDS,
    InvalidTraitsError,
    Vocabulary,
    check_traits,
    encode_png,
)


@dataclass(frozen=True, slots=True)
class PlannedFrame:
    """A frame ready to draw: its ids, its pose and its canonical /render body."""

    id: str
    label: str | None
    group: str | None
    pose: int
    body: bytes


@dataclass(frozen=True, slots=True)
class SheetLayout:
    tile_size: int
    columns: int
    rows: int

    @property
    def width(self) -> int:
        return self.columns * self.tile_size

    @property
    def height(self) -> int:
        return self.rows * self.tile_size

    def position(self, index: int) -> tuple[int, int]:
        """Column and row of frame ``index``."""
        return index % self.columns, index // self.columns


Expansion = list[tuple[str, dict[str, Any]]]
"""Frames an expansion adds: ``(id, params merged over the base)``."""


def _each(param: str, values: Any) -> Expansion:
    return [(str(value), {param: value}) for value in values]


def _each_in_list(param: str, values: Any) -> Expansion:
    return [(str(value), {param: [value]}) for value in values]


EXPANSIONS: dict[str, Callable[[Vocabulary, RequestParams], Expansion]] = {
    "base": lambda v, base: (
        _each("tortieMask", v.tortie_masks)
        if base.is_tortie or (base.is_tortie is None and base.tortie)
        else _each("peltName", v.pelts)
    ),
    "tint": lambda v, base: _each("tint", ["none", *v.all_tints]),
    "whitePatches": lambda v, base: _each("whitePatches", v.white_patches),
    "points": lambda v, base: _each("points", v.points),
    "vitiligo": lambda v, base: _each("vitiligo", v.vitiligo),
    "eyes": lambda v, base: _each("eyeColour", v.eye_colours),
    "scarsPrimary": lambda v, base: _each_in_list("scars", [*v.scars_primary, *v.scars_special]),
    "shading": lambda v, base: [("off", {"shading": False}), ("on", {"shading": True})],
    "lighting": lambda v, base: [("off", {"shading": False}), ("on", {"shading": True})],
    "darkForestTint": lambda v, base: [
        ("off", {"darkForest": False}),
        ("on", {"darkForest": True}),
    ],
    "lineart": lambda v, base: [
        ("living", {"dead": False, "darkForest": False}),
        *(
            (
                afterlife,
                {"dead": True, "darkForest": afterlife == "darkForest", "afterlife": afterlife},
            )
            for afterlife in v.afterlives
        ),
    ],
    "skin": lambda v, base: _each("skinColour", v.skins),
    "scarsSecondary": lambda v, base: _each_in_list("scars", v.scars_missing),
    "accessories": lambda v, base: _each_in_list("accessories", list(v.accessories)),
    "fading": lambda v, base: [
        (str(opacity), {"dead": True, "opacity": opacity}) for opacity in (100, 90, 60, 30)
    ],
}
"""For each layer, the values ``expandVariants`` walks through."""


def _unset_params(params: RequestParams) -> dict[str, Any]:
    return params.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _expanded_variants(request: BatchRequest, vocabulary: Vocabulary) -> list[BatchVariant]:
    layer_id = request.options.layer_id
    if layer_id is None or layer_id not in EXPANSIONS:
        raise ApiError(
            422,
            "invalid_options",
            f"options.layerId: expandVariants needs a layer to expand, not {layer_id!r}",
            [
                error_item(
                    "options.layerId",
                    layer_id,
                    "no trait to expand for this layer",
                    "one of " + ", ".join(EXPANSIONS),
                )
            ],
        )
    values = EXPANSIONS[layer_id](vocabulary, request.payload.params)
    return [
        BatchVariant(id=value, label=value, group=layer_id, params=params)
        for value, params in values
    ]


def plan_batch(request: BatchRequest, vocabulary: Vocabulary) -> list[PlannedFrame]:
    """Every frame of the batch, checked; ``ApiError`` for bad variants or too many frames."""
    options = request.options
    if options.frame_mode == "layer" and options.layer_id not in LAYER_IDS:
        raise ApiError(
            422,
            "invalid_options",
            f"options.layerId: frameMode=layer needs a layer id, not {options.layer_id!r}",
            [
                error_item(
                    "options.layerId",
                    options.layer_id,
                    "unknown layer",
                    "one of " + ", ".join(LAYER_IDS),
                )
            ],
        )
    variants = list(request.variants)
    if options.expand_variants and not variants:
        variants = _expanded_variants(request, vocabulary)
    if options.include_base:
        variants.insert(0, BatchVariant(id="base", label="base"))
    if not variants:
        raise ApiError(
            422,
            "invalid_request",
            "variants: a batch needs at least one frame",
            [
                error_item(
                    "variants",
                    [],
                    "no frames",
                    "variants, includeBase=true, or expandVariants=true with layerId",
                )
            ],
        )
    if len(variants) > MAX_BATCH_FRAMES:
        raise ApiError(
            413,
            "too_many_frames",
            f"the batch has {len(variants)} frames; at most {MAX_BATCH_FRAMES}",
            [
                error_item(
                    "variants", len(variants), "too many frames", f"at most {MAX_BATCH_FRAMES}"
                )
            ],
        )
    seen: set[str] = set()
    base = _unset_params(request.payload.params)
    frames = []
    for index, variant in enumerate(variants):
        where = "base" if variant.id == "base" and options.include_base and index == 0 else None
        path: list[str | int] = ["variants", index] if where is None else ["payload"]
        if variant.id in seen:
            raise ApiError(
                422,
                "invalid_request",
                f"variants[{index}].id: {variant.id!r} is used twice",
                [error_item(f"variants[{index}].id", variant.id, "duplicate id", "unique ids")],
            )
        seen.add(variant.id)
        merged = {**base, **(variant.params or {}), **(variant.overrides or {})}
        try:
            wire = RequestParams.model_validate(merged)
        except ValidationError as error:
            raise validation_error_from(error, RequestParams, [*path, "params"]) from None
        pose = next(
            (
                p
                for p in (
                    variant.sprite_number,
                    wire.sprite_number,
                    request.payload.sprite_number,
                )
                if p is not None
            ),
            DEFAULT_POSE,
        )
        try:
            params = normalise_params(wire, vocabulary)
            check_traits(params, vocabulary, pose)
        except InvalidTraitsError as error:
            prefix = ".".join(str(p) for p in path).replace(".", "[", 1)
            prefix = f"variants[{index}].params" if where is None else "payload.params"
            raise traits_error(error, prefix) from None
        body = orjson.dumps(
            {"payload": {"params": canonical_params(params, pose)}}, option=orjson.OPT_SORT_KEYS
        )
        frames.append(PlannedFrame(variant.id, variant.label, variant.group, pose, body))
    return frames


def layout_sheet(request: BatchRequest, frame_count: int) -> SheetLayout:
    """The sheet's grid; ``ApiError`` (413) when the pictures would pass the pixel budget."""
    options = request.options
    tile = options.tile_size
    columns = min(options.columns or math.ceil(math.sqrt(frame_count)), frame_count)
    layout = SheetLayout(tile, columns, math.ceil(frame_count / columns))
    sheet = layout.width * layout.height
    sources = frame_count * tile * tile if options.include_sources else 0
    layers = (
        frame_count * len(LAYER_IDS) * CELL_SIZE * CELL_SIZE if options.frame_mode == "layer" else 0
    )
    total = sheet + sources + layers
    if total > PIXEL_BUDGET:
        raise ApiError(
            413,
            "pixel_budget",
            f"the batch needs {total:,} pixels (sheet {sheet:,}, sources {sources:,}, layer "
            f"images {layers:,}); the budget is {PIXEL_BUDGET:,}",
            [
                error_item(
                    "options.tileSize",
                    tile,
                    f"{total} pixels requested",
                    f"at most {PIXEL_BUDGET} pixels in all: fewer frames or smaller tiles",
                )
            ],
        )
    return layout


def assemble_sheet(tiles: list[bytes], layout: SheetLayout) -> bytes:
    """The PNG of all tiles on one sheet, left to right, top to bottom."""
    size = layout.tile_size
    sheet = np.zeros((layout.height, layout.width, 4), dtype=np.uint8)
    for index, tile in enumerate(tiles):
        column, row = layout.position(index)
        sheet[row * size : (row + 1) * size, column * size : (column + 1) * size] = np.frombuffer(
            tile, dtype=np.uint8
        ).reshape(size, size, 4)
    return encode_png(sheet)
