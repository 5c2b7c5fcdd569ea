"""The /render request and response (the "V2 render params" shapes).

These models are the API documentation: their descriptions and examples are what ``/docs``
and the OpenAPI document show.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from renderer_service.renderer import (
    DEFAULT_POSE,
    MAX_LIST_LENGTH,
    MAX_SCALE,
    ImageFormat,
    document_request_params,
    document_tortie_layer,
)
from renderer_service.wire.models.common import (
    BACKGROUND_DESCRIPTION,
    EXAMPLE_PAYLOAD,
    FORMAT_DESCRIPTION,
    IGNORED,
    IGNORED_MAX_LENGTH,
    MAX_POSES,
    STRICT,
    Ignored,
    Name,
    strict_body,
)


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

    model_config = STRICT

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
        lt=MAX_POSES,
        description="Pose by number in the pack's pose list: 0-20 on `lifegen`, 0-25 on "
        f"`clangen` (may also be given beside `params`); default {DEFAULT_POSE} on `lifegen`, "
        "`adult_short2` on `clangen`, an adult pose. `payload.pose` wins over it.",
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

    model_config = STRICT

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=MAX_POSES,
        description="Pose by number in the pack's pose list (0-20 on `lifegen`, 0-25 on "
        "`clangen`). May be given here or as `params.spriteNumber`; with neither and no "
        f"`pose`, pose {DEFAULT_POSE} on `lifegen` and `adult_short2` on `clangen` (adult "
        "poses) is drawn.",
        examples=[DEFAULT_POSE],
    )
    pose: Name | None = Field(
        None,
        description="The pose by name, as ClanGen v0.13 names it (`adult_short2`, `newborn0`, "
        "`kitten1`, `para_adult_short0`, `sick_adult0`, ...; `GET /catalog?pack=NAME` lists "
        "them). On `lifegen` a name means the legacy pose the game's own numbering gives it "
        "(`newborn0`, `newborn1` and `adolescent_long0-2` have none). Wins over any "
        "`spriteNumber`.",
        examples=["adult_short2"],
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

    model_config = STRICT

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
    model_config = strict_body(
        {
            "payload": {
                "spriteNumber": 8,
                "params": {
                    **EXAMPLE_PAYLOAD["params"],
                    "eyeColour": "GREEN",
                    "skinColour": "PINK",
                    "whitePatches": "LITTLE",
                    "shading": True,
                },
            },
            "options": {"collectLayers": True},
        }
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
