"""The /diff request and response."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    Field,
)

from renderer_service.wire.models.common import EXAMPLE_PAYLOAD, strict_body
from renderer_service.wire.models.render import RenderOptions, RenderPayload

MAX_DIFF_TOLERANCE = 255
MAX_REFERENCE_CHARS = 200_000
"""Longest reference data URL: within the default body limit, and far more than a cat needs
(a 16x enlargement of a 50 x 50 cat compresses to a few tens of kilobytes)."""


class DiffRequest(BaseModel):
    """A ``/render`` body plus the picture to compare the render with."""

    model_config = strict_body(
        {
            "payload": EXAMPLE_PAYLOAD,
            "options": {},
            "reference": "data:image/png;base64,iVBORw0KGgo...",
        }
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
