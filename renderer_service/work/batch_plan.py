"""Planning a batch spritesheet before anything is queued: variants merged over the base
payload, expanded from the pack's vocabulary when asked, checked, and measured against
the limits (frames, tile size, pixel budget); then the sheet's layout.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from renderer_service.renderer import (
    ANIMATED_FORMATS,
    CELL_SIZE,
    LAYER_IDS,
    AnyRenderer,
    AnyVocabulary,
    Background,
    CatParams,
    ImageFormat,
    InvalidTraitsError,
    TraitError,
    check_params,
    params_model_for,
    parse_background,
)
from renderer_service.wire import (
    MAX_BATCH_FRAMES,
    MAX_TILE_SIZE,
    PIXEL_BUDGET,
    SLOW_ENCODING_PIXEL_BUDGET,
    ApiError,
    BatchRequest,
    BatchVariant,
    RequestParams,
    error_item,
    normalise_params,
    traits_error,
    validation_error_from,
)
from renderer_service.work.request import PoseAsked, background_error, choose_pose


@dataclass(frozen=True, slots=True)
class PlannedFrame:
    """A frame ready to draw: its ids, its pose, its checked params and its cat's key."""

    id: str
    label: str | None
    group: str | None
    pose: int
    cat: bytes
    """What makes two frames at one pose the same picture: the canonical params (defaults
    left out, keys sorted) and the pack; one object for every frame with those params."""
    params: CatParams


@dataclass(frozen=True, slots=True)
class TilePlan:
    """What every frame is drawn as: its background, its tile's size, the output format."""

    background: Background
    width: int
    height: int
    image_format: ImageFormat
    animated: bool


def _option_error(field: str, value: object, detail: str, expected: str) -> ApiError:
    return ApiError(
        422, "invalid_options", f"{field}: {detail}", [error_item(field, value, detail, expected)]
    )


def plan_tiles(request: BatchRequest) -> TilePlan:
    """The tiles of a batch from its options; ``ApiError`` (422) for options that clash."""
    options = request.options
    try:
        background = parse_background(options.background)
    except TraitError as error:
        raise background_error(error, "options.background") from None
    given_tile = "tile_size" in options.model_fields_set
    if background.is_platform:
        if given_tile:
            raise _option_error(
                "options.tileSize",
                options.tile_size,
                "tileSize does not apply on a platform background: a platform tile is "
                "80 x 70 times options.scale",
                "no tileSize; options.scale 1-16 to enlarge",
            )
        scale = options.scale or 1
        width, height = background.size[0] * scale, background.size[1] * scale
    else:
        size = options.tile_size
        if options.scale is not None:
            if given_tile and options.tile_size != CELL_SIZE * options.scale:
                raise _option_error(
                    "options.scale",
                    options.scale,
                    f"scale {options.scale} means {CELL_SIZE * options.scale} px tiles, but "
                    f"tileSize is {options.tile_size}",
                    "tileSize or scale, not both",
                )
            size = CELL_SIZE * options.scale
            if size > MAX_TILE_SIZE:  # pragma: no cover - MAX_SCALE keeps it below
                raise _option_error("options.scale", options.scale, "too large", "1-16")
        width = height = size
    animated = options.animate is not None
    image_format: ImageFormat = options.format or "png"
    if animated and image_format not in ANIMATED_FORMATS:
        raise _option_error(
            "options.format",
            image_format,
            f"{image_format} cannot be animated here",
            "png (APNG) or gif with options.animate",
        )
    return TilePlan(background, width, height, image_format, animated)


@dataclass(frozen=True, slots=True)
class SheetLayout:
    tile_width: int
    tile_height: int
    columns: int
    rows: int

    @property
    def width(self) -> int:
        return self.columns * self.tile_width

    @property
    def height(self) -> int:
        return self.rows * self.tile_height

    def position(self, index: int) -> tuple[int, int]:
        """Column and row of frame ``index``."""
        return index % self.columns, index // self.columns


Expansion = list[tuple[str, dict[str, Any]]]
"""Frames an expansion adds: ``(id, params merged over the base)``."""


def _each(param: str, values: Any) -> Expansion:
    return [(str(value), {param: value}) for value in values]


def _each_in_list(param: str, values: Any) -> Expansion:
    return [(str(value), {param: [value]}) for value in values]


EXPANSIONS: dict[str, Callable[[AnyVocabulary, RequestParams], Expansion]] = {
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


def _expanded_variants(request: BatchRequest, vocabulary: AnyVocabulary) -> list[BatchVariant]:
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


def _variant_key(variant: BatchVariant) -> bytes | None:
    """What makes two variants' params the same over one base (``None`` for values JSON
    cannot hold)."""
    try:
        return orjson.dumps([variant.params, variant.overrides], option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None


@dataclass(frozen=True, slots=True)
class _ReadParams:
    """A variant's params read, normalised and checked, with its cat's key (see
    ``PlannedFrame.cat``)."""

    pose: int | None
    """The pose the params name, if any."""
    params: CatParams
    cat: bytes


def _read_params(
    merged: dict[str, Any], vocabulary: AnyVocabulary, pack: str | None, at: int | None
) -> _ReadParams:
    """``merged`` params of frame ``at`` (``None``: the base frame), checked; ``ApiError``
    (422) naming the frame when they are not valid."""
    path: list[str | int] = ["variants", at] if at is not None else ["payload"]
    try:
        wire = RequestParams.model_validate(merged)
    except ValidationError as error:
        raise validation_error_from(error, RequestParams, [*path, "params"]) from None
    try:
        params = normalise_params(wire, vocabulary, params_model_for(vocabulary), keep_pose=False)
        check_params(params, vocabulary)  # a frame's own pose is checked when it is drawn
    except InvalidTraitsError as error:
        prefix = f"variants[{at}].params" if at is not None else "payload.params"
        raise traits_error(error, prefix) from None
    canonical = params.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    cat: dict[str, Any] = {"params": canonical}
    if pack is not None:
        cat["pack"] = pack
    return _ReadParams(wire.sprite_number, params, orjson.dumps(cat, option=orjson.OPT_SORT_KEYS))


def plan_batch(
    request: BatchRequest, renderer: AnyRenderer, pack: str | None = None
) -> list[PlannedFrame]:
    """Every frame of the batch, checked; ``ApiError`` for bad variants, poses the pack does
    not have, or too many frames.

    ``renderer`` draws the chosen pack; ``pack`` is its name in the frames' keys."""
    vocabulary = renderer.vocabulary
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
    base_pose = PoseAsked(request.payload.pose, request.payload.sprite_number)
    # Frames often repeat params at other poses (a cat in every pose, each eye colour in
    # several poses): each distinct set is read, normalised and checked once.
    read: dict[bytes, _ReadParams] = {}
    frames = []
    for index, variant in enumerate(variants):
        if variant.id in seen:
            raise ApiError(
                422,
                "invalid_request",
                f"variants[{index}].id: {variant.id!r} is used twice",
                [error_item(f"variants[{index}].id", variant.id, "duplicate id", "unique ids")],
            )
        seen.add(variant.id)
        key = _variant_key(variant)
        known = read.get(key) if key is not None else None
        if known is None:
            merged = {**base, **(variant.params or {}), **(variant.overrides or {})}
            is_base = index == 0 and options.include_base and variant.id == "base"
            known = _read_params(merged, vocabulary, pack, None if is_base else index)
            if key is not None:
                read[key] = known
        # The variant's pose (by name, then number), else its params', else the base's.
        if variant.pose is not None or variant.sprite_number is not None:
            where = f"variants[{index}]"
            asked = PoseAsked(
                variant.pose, variant.sprite_number, f"{where}.spriteNumber", f"{where}.pose"
            )
        elif known.pose is not None:
            asked = PoseAsked(None, known.pose, f"variants[{index}].params.spriteNumber")
        else:
            asked = base_pose
        pose = choose_pose(renderer, pack or "default", asked)
        frames.append(
            PlannedFrame(variant.id, variant.label, variant.group, pose, known.cat, known.params)
        )
    return frames


def frame_keys(frames: list[PlannedFrame], *parts: bytes) -> list[str]:
    """Each frame's key in the frame cache: its cat and pose, and ``parts``, what else makes
    its picture (the same for every frame of a batch: background, pack...)."""
    common = hashlib.blake2b(digest_size=12)
    for part in parts:
        common.update(len(part).to_bytes(4, "big"))
        common.update(part)
    keys = []
    for frame in frames:
        digest = common.copy()
        digest.update(frame.cat)
        digest.update(frame.pose.to_bytes(2, "big"))
        keys.append(digest.hexdigest())
    return keys


def layout_sheet(
    request: BatchRequest, frame_count: int, tiles: TilePlan | None = None
) -> SheetLayout:
    """The sheet's grid (one cell for an animation, whose frames all play in it); ``ApiError``
    (413) when the pictures would pass the pixel budget."""
    options = request.options
    tiles = tiles or plan_tiles(request)
    tile = tiles.width * tiles.height
    if tiles.animated:
        layout = SheetLayout(tiles.width, tiles.height, 1, 1)
        sheet = frame_count * tile
    else:
        columns = min(options.columns or math.ceil(math.sqrt(frame_count)), frame_count)
        layout = SheetLayout(tiles.width, tiles.height, columns, math.ceil(frame_count / columns))
        sheet = layout.width * layout.height
    sources = frame_count * tile if options.include_sources else 0
    layers = (
        frame_count * len(LAYER_IDS) * CELL_SIZE * CELL_SIZE if options.frame_mode == "layer" else 0
    )
    total = sheet + sources + layers
    slow = tiles.animated or tiles.image_format != "png"
    budget = SLOW_ENCODING_PIXEL_BUDGET if slow else PIXEL_BUDGET
    if total > budget:
        kind = "an animation, WebP or GIF" if slow else "a batch"
        raise ApiError(
            413,
            "pixel_budget",
            f"the batch needs {total:,} pixels (sheet {sheet:,}, sources {sources:,}, layer "
            f"images {layers:,}); the budget for {kind} is {budget:,}",
            [
                error_item(
                    "options.scale" if tiles.background.is_platform else "options.tileSize",
                    options.scale if tiles.background.is_platform else options.tile_size,
                    f"{total} pixels requested",
                    f"at most {budget} pixels in all: fewer frames or smaller tiles",
                )
            ],
        )
    return layout
