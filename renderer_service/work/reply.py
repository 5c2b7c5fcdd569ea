"""A finished answer (``Reply``) and what goes into a rendered one: data URLs, enlarged PNGs
and each layer's JSON.
"""

from __future__ import annotations

import binascii
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from renderer_service.renderer import (
    Layer,
    encode_png_resized,
)
from renderer_service.wire import ApiError
from renderer_service.work.job import RenderJob


class Reply(NamedTuple):
    """A finished answer: status, media type, body and extra headers.

    A named tuple rather than a frozen dataclass: one is made for every answer, and a tuple
    is made in a fraction of the time (it also pickles compactly, as its fields)."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    @classmethod
    def from_error(cls, error: ApiError) -> Reply:
        return cls(error.status, "application/json", error.body(), tuple(error.headers.items()))


class RenderOutput(NamedTuple):
    body: bytes
    media_type: str


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + binascii.b2a_base64(data, newline=False).decode("ascii")


def enlarged_png(image: NDArray[np.uint8], scale: int) -> bytes:
    """The PNG of ``image`` enlarged ``scale`` times, written without building the enlargement."""
    height, width = image.shape[:2]
    return encode_png_resized(image, width * scale, height * scale)


CANVAS_BLEND_MODES = {
    "normal": "source-over",
    "rgb_mult": "multiply",
    "rgba_mult": "multiply",
    "multiply": "multiply",
    "rgb_add": "add",
    "rgb_mult+rgb_add": "multiply",
}
"""Each stage's exact blend -> the canvas blend a client should draw its layer image with
(the CatGenerator's layer debugger knows ``multiply``, ``screen``, ``add``, ``replace``;
anything else is drawn ``source-over``)."""

MEMORY_PRESSURE_FIELD = b'"memory_pressure":false'
"""How a rendered answer says it was not made under pressure; the service flips it to true
when it answers while shedding load (answers are cached, pressure is not)."""


def layer_json(layer: Layer, job: RenderJob, notes: list[str] | None = None) -> dict[str, object]:
    options = job.options
    image = None
    if options.include_layer_images and layer.image is not None:
        image = data_url(enlarged_png(layer.image, options.scale))
    return {
        "id": layer.id,
        "label": layer.label,
        "blend_mode": CANVAS_BLEND_MODES.get(layer.blend_mode, "source-over"),
        "blendMode": layer.blend_mode,
        "sprites": layer.sprites,
        "drawn": layer.drawn,
        "duration_ms": round(layer.duration_ms, 4) if options.diagnostics else None,
        "diagnostics": [*layer.notes, *(notes or ())] if options.diagnostics else [],
        "image": image,
    }
