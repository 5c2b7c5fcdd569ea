"""Request and response contracts of the HTTP API (the "V2 render params" shapes).

These models are the API documentation: their descriptions and examples are what ``/docs``
and the OpenAPI document show.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .renderer import CatParams
from .renderer.png import MAX_SCALE

_STRICT = ConfigDict(strict=True, extra="forbid", populate_by_name=True)


class RenderPayload(BaseModel):
    """The cat: its pose and its traits."""

    model_config = _STRICT

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        le=20,
        description="Pose 0-20. May be given here or as `params.spriteNumber`.",
    )
    params: CatParams = Field(default_factory=CatParams, description="The cat's traits.")


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
    blendMode: str = Field(description="normal, rgb_mult, rgb_add, rgba_min...")
    sprites: list[str] = Field(description="Sprite groups the stage drew, in order.")
    drawn: bool = Field(description="Whether the stage changed the picture at all.")
    duration_ms: float | None = Field(None, description="Time the stage took.")
    diagnostics: list[str] = Field(default_factory=list, description="Notes on the stage.")
    image: str | None = Field(None, description="The layer alone, as a PNG data URL.")


class RenderMeta(BaseModel):
    started_at: float = Field(description="Unix time the render started.")
    finished_at: float
    duration_ms: float = Field(description="Render and encoding, in milliseconds.")
    render_ms: float
    encode_ms: float
    spriteNumber: int
    width: int
    height: int
    scale: int
    pack: str = Field(description="Content hash of the sprite pack that drew it.")


class RenderResponse(BaseModel):
    image: str = Field(description="The picture as a `data:image/png;base64,...` URL.")
    meta: RenderMeta
    layers: list[LayerInfo] | None = None


class HealthResponse(BaseModel):
    status: str = Field(description="`ok`, or `degraded` when renders are being refused.")
    pack: dict[str, Any] = Field(description="Path, group count and hash of the sprite pack.")


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
