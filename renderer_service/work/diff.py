"""``POST /diff``: checking a diff request, and what a worker does with it.

The event loop checks the cat and the reference (bad input is a 422 before anything is
queued); a worker renders the cat with its layers, compares it with the reference
(``renderer.diff``) and writes the answer.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson

from renderer_service.packs import PackSet
from renderer_service.renderer import (
    CatParams,
    InvalidTraitsError,
    ReferenceError,
    decode_picture,
    diff_cat,
    display_scale_for,
    encode_png,
    heatmap,
    reference_scale,
    side_by_side,
    upscale,
)
from renderer_service.wire import (
    ApiError,
    DiffRequest,
    RenderRequest,
    encode_cat_code,
    error_item,
    normalise_params,
    traits_error,
)
from renderer_service.work.canonical import code_params
from renderer_service.work.reply import Reply, data_url
from renderer_service.work.request import asked_pose, choose_pose

DATA_URL_PREFIX = "data:image/png;base64,"


@dataclass(frozen=True, slots=True)
class DiffTask:
    """A checked diff request, as a worker receives it."""

    params: CatParams
    pose: int
    pack: str | None
    """The pack's name, ``None`` for the default."""
    reference: bytes
    """The reference's PNG bytes."""
    tolerance: int


def _reference_error(value: str, detail: str, expected: str) -> ApiError:
    shown = value if len(value) <= 48 else f"{value[:48]}... ({len(value)} characters)"
    return ApiError(
        422,
        "invalid_reference",
        f"reference: {detail}",
        [error_item("reference", shown, f"reference: {detail}", expected)],
    )


def reference_bytes(text: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,...`` URL; ``ApiError`` (422) if it is not one."""
    expected = "a data:image/png;base64,... URL of a PNG"
    if not text.startswith(DATA_URL_PREFIX):
        head = text.split(",", 1)[0] if "," in text else text[:32]
        detail = f"expected a URL starting {DATA_URL_PREFIX!r}, received {head[:40]!r}"
        raise _reference_error(text, detail, expected)
    try:
        return base64.b64decode(text[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise _reference_error(text, "the base64 text cannot be decoded", expected) from None


def check_diff_request(request: DiffRequest, packs: PackSet) -> DiffTask:
    """Check everything a worker would trip on; raises ``ApiError`` (422)."""
    name, renderer = packs.choose(request.options.pack)
    pose = choose_pose(
        renderer, name, asked_pose(RenderRequest(payload=request.payload, options=request.options))
    )
    try:
        params = normalise_params(
            request.payload.params, renderer.vocabulary, renderer.params_model, keep_pose=False
        )
        renderer.check_traits(params, pose)
    except InvalidTraitsError as error:
        raise traits_error(error) from None
    png = reference_bytes(request.reference)
    expected = "a PNG of the 50 x 50 cat, or of a whole-number enlargement of it up to 16x"
    try:
        picture = decode_picture(png)
        scale = reference_scale(picture)
    except ReferenceError as error:
        raise _reference_error(request.reference, str(error), expected) from None
    asked = request.options.scale
    if "scale" in request.options.model_fields_set and asked != scale:
        detail = (
            f"options.scale is {asked} but the reference is {picture.shape[1]} x "
            f"{picture.shape[0]} px, a {scale}x cat"
        )
        raise ApiError(
            422,
            "invalid_reference",
            detail,
            [error_item("options.scale", asked, detail, f"{scale}, or leave options.scale out")],
        )
    return DiffTask(params, pose, packs.normalised(name), png, request.tolerance)


def run_diff(packs: PackSet, task: DiffTask) -> Reply:
    """Render, compare and answer (the task was checked by ``check_diff_request``)."""
    renderer = packs.choose(task.pack)[1]
    reference = decode_picture(task.reference)
    found = diff_cat(renderer, task.params, reference, task.pose, task.tolerance)
    difference = found.difference
    shown = display_scale_for(difference)
    bbox = difference.bbox
    body = {
        "differing": difference.differing,
        "bbox": list(bbox) if bbox is not None else None,
        "maxChannelDelta": difference.max_channel_delta,
        "width": int(reference.shape[1]),
        "height": int(reference.shape[0]),
        "scale": difference.scale,
        "tolerance": task.tolerance,
        "image": data_url(encode_png(upscale(found.image, difference.scale))),
        "heatmap": data_url(encode_png(upscale(heatmap(difference), shown))),
        "sideBySide": data_url(encode_png(side_by_side(reference, found.image, difference, shown))),
        "layers": [{"id": item.id, "pixels": item.pixels} for item in found.layers],
        "code": encode_cat_code(code_params(task.params, task.pose, task.pack)),
        "pack": renderer.pack.content_hash,
    }
    return Reply(200, "application/json", orjson.dumps(body))
