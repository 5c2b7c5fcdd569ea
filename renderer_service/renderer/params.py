"""A cat's traits: the V2 render params, typed, and their check against a sprite pack.

``CatParams`` checks shapes and types (a pydantic model, so it is also the documented request
contract); ``check_traits`` checks every name against the pack's ``Vocabulary`` and reports
all that are wrong at once.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .errors import RendererError, TraitError
from .vocabulary import NONE_NAMES, Vocabulary, closest

POSE_COUNT = 21
"""Poses of the legacy layout: 0-2 kitten ... 20 newborn."""

MAX_LIST_LENGTH = 16
"""Most scars, accessories or tortie layers one cat may have."""

MAX_SUGGESTED = 5
"""Wrong names per request that get suggestions (each costs a fuzzy search of a name list)."""

TraitName = Annotated[str, StringConstraints(max_length=64)]


class TortieLayer(BaseModel):
    """One patch layer of a tortie: a pelt pattern in a colour, cut by a mask."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, populate_by_name=True)

    pattern: TraitName = Field(description="Pelt name of the patches, e.g. `Tabby`.")
    colour: TraitName = Field(description="Colour of the patches, e.g. `GINGER`.")
    mask: TraitName = Field(description="Tortie mask that cuts the patches, e.g. `ONE`.")


class CatParams(BaseModel):
    """The V2 render params: every trait of a cat that changes its picture."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "spriteNumber": 8,
                    "peltName": "Tabby",
                    "colour": "GINGER",
                    "eyeColour": "GREEN",
                    "skinColour": "PINK",
                    "whitePatches": "LITTLE",
                    "shading": True,
                }
            ]
        },
    )

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=POSE_COUNT,
        description="Pose 0-20 (may also be given beside `params`).",
    )
    pelt_name: TraitName = Field("SingleColour", alias="peltName", description="Coat pattern.")
    colour: TraitName = Field("WHITE", description="Coat colour.")
    is_tortie: bool = Field(False, alias="isTortie", description="Draw tortie patches.")
    tortie_pattern: TraitName | None = Field(None, alias="tortiePattern")
    tortie_colour: TraitName | None = Field(None, alias="tortieColour")
    tortie_mask: TraitName | None = Field(None, alias="tortieMask")
    tint: TraitName = Field("none", description="Coat tint, or `none`.")
    white_patches: TraitName | None = Field(None, alias="whitePatches")
    points: TraitName | None = None
    vitiligo: TraitName | None = None
    white_patches_tint: TraitName = Field("none", alias="whitePatchesTint")
    eye_colour: TraitName = Field("YELLOW", alias="eyeColour")
    eye_colour2: TraitName | None = Field(None, alias="eyeColour2")
    skin_colour: TraitName = Field("PINK", alias="skinColour")
    scars: list[TraitName] = Field(
        default_factory=list, max_length=MAX_LIST_LENGTH, description="Scars in drawing order."
    )
    accessories: list[TraitName] = Field(
        default_factory=list,
        max_length=MAX_LIST_LENGTH,
        description="Accessories in drawing order.",
    )
    accessory: TraitName | None = Field(
        None, description="A single accessory, drawn after `accessories`."
    )
    shading: bool = Field(False, description="Shading and lighting (living cats only).")
    dead: bool = Field(False, description="Draw the afterlife lineart.")
    dark_forest: bool = Field(False, alias="darkForest", description="Dark Forest, when dead.")
    reverse: bool = Field(False, description="Mirror the picture left to right.")

    @field_validator(
        "tortie_pattern",
        "tortie_colour",
        "tortie_mask",
        "white_patches",
        "points",
        "vitiligo",
        "eye_colour2",
        "accessory",
        mode="after",
    )
    @classmethod
    def _none_spellings(cls, value: str | None) -> str | None:
        return None if value is None or value in NONE_NAMES else value

    @field_validator("tint", "white_patches_tint", mode="after")
    @classmethod
    def _tint_none(cls, value: str) -> str:
        return "none" if value in NONE_NAMES else value

    @property
    def accessory_list(self) -> list[str]:
        """Every accessory to draw, in order."""
        names = list(self.accessories)
        if self.accessory is not None and self.accessory not in names:
            names.append(self.accessory)
        return names

    @property
    def tortie_layers(self) -> list[TortieLayer]:
        """The patch layers to draw over the base coat (none unless ``isTortie``)."""
        if not self.is_tortie:
            return []
        return [
            TortieLayer(
                pattern=self.tortie_pattern or "",
                colour=self.tortie_colour or "",
                mask=self.tortie_mask or "",
            )
        ]


class InvalidTraitsError(RendererError, ValueError):
    """One or more params name things the sprite pack cannot draw."""

    def __init__(self, errors: list[TraitError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def check_traits(params: CatParams, vocabulary: Vocabulary, pose: int | None = None) -> None:
    """Raise ``InvalidTraitsError`` listing every param the pack cannot draw."""
    v = vocabulary
    checks: list[tuple[str, str | None, Collection[str], str]] = [
        ("peltName", params.pelt_name, v.pelts, "a pelt name"),
        ("colour", params.colour, v.colours, "a coat colour"),
        ("tortiePattern", params.tortie_pattern, v.pelts, "a pelt name"),
        ("tortieColour", params.tortie_colour, v.colours, "a coat colour"),
        ("tortieMask", params.tortie_mask, v.tortie_masks, "a tortie mask"),
        ("whitePatches", params.white_patches, v.white_patches, "a white patch or `none`"),
        ("points", params.points, v.points, "a point marking or `none`"),
        ("vitiligo", params.vitiligo, v.vitiligo, "a vitiligo marking or `none`"),
        ("eyeColour", params.eye_colour, v.eye_colours, "an eye colour"),
        ("eyeColour2", params.eye_colour2, v.eye_colours2, "an eye colour or `none`"),
        ("skinColour", params.skin_colour, v.skins, "a skin colour"),
        ("accessory", params.accessory, v.accessories, "an accessory"),
    ]
    if params.tint not in NONE_NAMES:
        checks.append(("tint", params.tint, v.all_tints, "a tint or `none`"))
    if params.white_patches_tint not in NONE_NAMES:
        checks.append(
            (
                "whitePatchesTint",
                params.white_patches_tint,
                v.white_patches_tints,
                "a white patches tint or `none`",
            )
        )
    checks += [(f"scars[{i}]", name, v.all_scars, "a scar") for i, name in enumerate(params.scars)]
    checks += [
        (f"accessories[{i}]", name, v.accessories, "an accessory")
        for i, name in enumerate(params.accessories)
    ]
    errors: list[TraitError] = []
    for field, value, choices, what in checks:
        if value is not None and value not in choices:
            hints = closest(value, choices) if len(errors) < MAX_SUGGESTED else []
            errors.append(TraitError(field, value, what, hints))
    if pose is None and params.sprite_number is None:
        errors.insert(0, TraitError("spriteNumber", None, "a pose number 0-20"))
    if params.is_tortie:
        for field, value, what in (
            ("tortiePattern", params.tortie_pattern, "a pelt name"),
            ("tortieColour", params.tortie_colour, "a coat colour"),
            ("tortieMask", params.tortie_mask, "a tortie mask"),
        ):
            if value is None:
                errors.append(TraitError(field, None, f"{what} (required when isTortie is true)"))
    if errors:
        raise InvalidTraitsError(errors)
