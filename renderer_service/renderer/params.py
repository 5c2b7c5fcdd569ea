"""A cat's traits: the V2 render params, typed, and their check against a sprite pack.

``CatParams`` checks shapes and types (a pydantic model, so it is also the documented request
contract); ``check_traits`` checks every name against the pack's ``Vocabulary`` and reports
all that are wrong at once.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from renderer_service.renderer.errors import RendererError, TraitError
from renderer_service.renderer.param_docs import document_params, document_tortie_layer
from renderer_service.renderer.vocabulary import NONE_NAMES, NamesVocabulary, Vocabulary, closest

POSE_COUNT = 21
"""Poses of the legacy layout: 0-2 kitten ... 20 newborn."""

DEFAULT_POSE = 8
"""The pose drawn when none is given: an adult pose, as unset traits default to a plain cat."""

MAX_LIST_LENGTH = 16
"""Most scars, accessories or tortie layers one cat may have."""

FADES_AT_OR_BELOW = 97
"""A dead cat whose opacity is at most this fades (ClanGen's fading fog)."""

FADING_STAGES: tuple[tuple[int, int, int], ...] = (
    (0, 81, FADES_AT_OR_BELOW),
    (1, 46, 80),
    (2, 0, 45),
)
"""``(stage, lowest opacity, highest opacity)`` of each fading stage, as ClanGen picks them."""

MAX_SUGGESTED = 5
"""Wrong names per request that get suggestions (each costs a fuzzy search of a name list)."""

TraitName = Annotated[str, StringConstraints(max_length=64)]


NO_COAT_NOTE = "peltName is empty: no base coat, as the V2 generator draws it"
"""The base layer's note on a cat drawn without its base coat."""
NO_SKIN_NOTE = "skinColour is none: no skin, as the V2 generator draws it"
"""The skin layer's note on a cat drawn without skin."""

DEFAULT_TORTIE_COLOUR = "GINGER"
"""The colour of tortie patches whose colour is not given."""


class TortieLayer(BaseModel):
    """One patch layer of a tortie: a pelt pattern in a colour, cut by a mask."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=document_tortie_layer,
    )

    pattern: TraitName = Field(description="Pelt name of the patches, e.g. `Tabby`.")
    colour: TraitName = Field(
        DEFAULT_TORTIE_COLOUR,
        description="Colour of the patches (a coat or palette colour); default `GINGER`.",
    )
    mask: TraitName | None = Field(
        None,
        description="Tortie mask that cuts the patches, e.g. `ONE`; none (or `none`): the "
        "patches cover the whole coat.",
    )

    @field_validator("mask", mode="after")
    @classmethod
    def _no_mask(cls, value: str | None) -> str | None:
        return None if value is None or value in NONE_NAMES else value


class CatParams(BaseModel):
    """The V2 render params: every trait of a cat that changes its picture."""

    model_config = ConfigDict(
        strict=True,
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra=document_params,  # every field's description and example
    )

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=POSE_COUNT,
        description=f"Pose 0-20 (may also be given beside `params`); default {DEFAULT_POSE}, an "
        "adult pose.",
    )
    pelt_name: TraitName | None = Field(
        "SingleColour",
        alias="peltName",
        description='Coat pattern. Empty (`""`): no base coat, as the CatGenerator V2 '
        "generator draws it (tortie patches are still drawn); left out: `SingleColour`.",
    )
    colour: TraitName = Field("WHITE", description="Coat colour: a game or palette colour.")
    is_tortie: bool | None = Field(
        None,
        alias="isTortie",
        description="`false`: no tortie patches, whatever the other tortie fields say. "
        "`true`: the `tortie` layers, else the single tortie fields, else none. Left out: "
        "the `tortie` layers if there are any.",
    )
    tortie_pattern: TraitName | None = Field(
        None, alias="tortiePattern", description="With `isTortie` and no `tortie` layers."
    )
    tortie_colour: TraitName | None = Field(
        None, alias="tortieColour", description="Default `GINGER`."
    )
    tortie_mask: TraitName | None = Field(
        None, alias="tortieMask", description="Left out: the patches cover the whole coat."
    )
    tortie: list[TortieLayer] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description="Tortie patch layers, drawn in order over the base coat. Given (and not "
        "empty), these are the patches and the single tortie fields are not read (where they "
        "differ from the first layer, the base layer's diagnostics say so). One layer draws "
        "exactly what the single tortie fields draw.",
    )
    tint: TraitName = Field("none", description="Coat tint, or `none`.")
    white_patches: TraitName | None = Field(None, alias="whitePatches")
    points: TraitName | None = None
    vitiligo: TraitName | None = None
    white_patches_tint: TraitName = Field("none", alias="whitePatchesTint")
    eye_colour: TraitName = Field("YELLOW", alias="eyeColour")
    eye_colour2: TraitName | None = Field(None, alias="eyeColour2")
    skin_colour: TraitName | None = Field(
        "PINK",
        alias="skinColour",
        description="Skin colour; `none` (or empty): no skin, as the CatGenerator V2 generator "
        "draws it.",
    )
    scars: list[TraitName] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description="Scars in drawing order. A list (even empty) wins over `scar`.",
    )
    scar: TraitName | None = Field(None, description="A single scar, when `scars` is not given.")
    accessories: list[TraitName] | None = Field(
        None,
        max_length=MAX_LIST_LENGTH,
        description="Accessories in drawing order. A list (even empty) wins over `accessory`.",
    )
    accessory: TraitName | None = Field(
        None, description="A single accessory, when `accessories` is not given."
    )
    shading: bool = Field(False, description="Shading and lighting (living cats only).")
    dead: bool = Field(
        False, description="Draw the afterlife lineart, without shading; dead cats may fade."
    )
    dark_forest: bool = Field(
        False,
        alias="darkForest",
        description="Dead: the Dark Forest lineart (same as `afterlife: darkForest`), as the "
        "game draws it. Living: the Dark Forest lineart and, before it, the Dark Forest "
        "overlay, as the CatGenerator V2 generator draws them.",
    )
    afterlife: TraitName | None = Field(
        None,
        description="Where a dead cat is: `starclan` (`lineartdead`), `darkForest` "
        "(`lineartdf`) or `unknownResidence` (`lineartur`). Only with `dead: true`; "
        "null means `darkForest` when `darkForest` is true, else `starclan`.",
    )
    april_fools: bool = Field(
        False, alias="aprilFools", description="Draw the April Fools version of the lineart."
    )
    opacity: int = Field(
        100,
        ge=0,
        le=100,
        description="How faded a dead cat is, as ClanGen fades them: above 97 not at all, "
        "81-97 fading stage 0, 46-80 stage 1, 0-45 stage 2. Living cats never fade.",
    )
    reverse: bool = Field(False, description="Mirror the picture left to right.")

    @field_validator(
        "tortie_pattern",
        "tortie_colour",
        "tortie_mask",
        "white_patches",
        "points",
        "vitiligo",
        "eye_colour2",
        "scar",
        "accessory",
        "afterlife",
        mode="after",
    )
    @classmethod
    def _none_spellings(cls, value: str | None) -> str | None:
        return None if value is None or value in NONE_NAMES else value

    @field_validator("pelt_name", mode="after")
    @classmethod
    def _no_coat(cls, value: str | None) -> str | None:
        return None if value == "" else value  # V2: an empty peltName draws no coat

    @field_validator("skin_colour", mode="after")
    @classmethod
    def _no_skin(cls, value: str | None) -> str | None:
        return None if value is None or value in NONE_NAMES else value

    @field_validator("tint", "white_patches_tint", mode="after")
    @classmethod
    def _tint_none(cls, value: str) -> str:
        return "none" if value in NONE_NAMES else value

    @property
    def accessory_list(self) -> list[str]:
        """Every accessory to draw, in order: ``accessories`` if given, else ``accessory``."""
        if self.accessories is not None:
            return list(self.accessories)
        return [self.accessory] if self.accessory is not None else []

    @property
    def scar_list(self) -> list[str]:
        """Every scar to draw, in order: ``scars`` if given, else ``scar``."""
        if self.scars is not None:
            return list(self.scars)
        return [self.scar] if self.scar is not None else []

    @property
    def single_tortie_layer(self) -> TortieLayer | None:
        """The layer the single tortie fields describe, if ``tortiePattern`` is given."""
        if self.tortie_pattern is None:
            return None
        return TortieLayer(
            pattern=self.tortie_pattern,
            colour=self.tortie_colour or DEFAULT_TORTIE_COLOUR,
            mask=self.tortie_mask,
        )

    @property
    def tortie_layers(self) -> list[TortieLayer]:
        """The patch layers to draw over the base coat.

        ``isTortie: false`` draws none; otherwise a non-empty ``tortie`` list is drawn, else
        (with ``isTortie: true``) the single tortie fields, if ``tortiePattern`` is given.
        """
        if self.is_tortie is False:
            return []
        if self.tortie:
            return list(self.tortie)
        if not self.is_tortie:
            return []
        single = self.single_tortie_layer
        return [single] if single is not None else []

    @property
    def tortie_notes(self) -> list[str]:
        """Tortie fields that were given but are not drawn, and why."""
        given = [
            name
            for name, value in (
                ("tortiePattern", self.tortie_pattern),
                ("tortieColour", self.tortie_colour),
                ("tortieMask", self.tortie_mask),
            )
            if value is not None
        ]
        if self.is_tortie is False:
            if self.tortie or given:
                return ["no tortie patches: isTortie is false"]
            return []
        if self.tortie:
            first = self.tortie[0]
            differ = [
                f"{name} {value!r}"
                for name, value, drawn in (
                    ("tortiePattern", self.tortie_pattern, first.pattern),
                    ("tortieColour", self.tortie_colour, first.colour),
                    ("tortieMask", self.tortie_mask, first.mask),
                )
                if value is not None and value != drawn
            ]
            if differ:
                return [f"the tortie layers are drawn; not {', '.join(differ)}"]
            return []
        if given and not self.is_tortie:
            return [f"{', '.join(given)} not drawn: isTortie is not true"]
        if self.is_tortie and self.tortie_pattern is None:
            return ["isTortie is true but no tortie pattern is given: the base coat alone"]
        return []

    @property
    def lineart_afterlife(self) -> str | None:
        """The afterlife whose lineart the cat is drawn with: a dead cat's, or the Dark Forest
        for a living Dark Forest cat (as the V2 generator draws it); None: the living one."""
        if not self.dead and self.dark_forest:
            return "darkForest"
        return self.resolved_afterlife

    @property
    def resolved_afterlife(self) -> str | None:
        """The afterlife a dead cat is drawn in; None for a living cat."""
        if not self.dead:
            return None
        if self.afterlife is not None:
            return self.afterlife
        return "darkForest" if self.dark_forest else "starclan"

    @property
    def fading_stage(self) -> int | None:
        """The fading stage to draw, or None when the cat does not fade."""
        if not self.dead or self.opacity > FADES_AT_OR_BELOW:
            return None
        return next(stage for stage, low, high in FADING_STAGES if low <= self.opacity <= high)


class InvalidTraitsError(RendererError, ValueError):
    """One or more params name things the sprite pack cannot draw."""

    def __init__(self, errors: list[TraitError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def check_traits(params: CatParams, vocabulary: Vocabulary, pose: int | None = None) -> None:
    """Raise ``InvalidTraitsError`` listing every param the pack cannot draw."""
    if _all_drawable(params, vocabulary):
        return
    errors = trait_errors(params, vocabulary)
    if errors:
        raise InvalidTraitsError(errors)


def trait_errors(params: CatParams, vocabulary: Vocabulary) -> list[TraitError]:
    """Every param the pack cannot draw, with what it would accept (and the closest names
    for the first few)."""
    v = vocabulary
    white_patches_tint = (
        "a white patches tint (lower case: "
        + ", ".join(v.white_patches_tints)
        + "), an upper-case coat or palette colour, or `none`"
    )
    errors = name_errors(
        params,
        v,
        [],
        coat="a coat or palette colour",
        eye_colours2=v.eye_colours2,
        white_patches_tints=(v.white_patches_paints, white_patches_tint),
    )
    if params.dead or params.april_fools or params.afterlife is not None:
        errors += afterlife_errors(params, v, living_dark_forest=True)
    elif params.dark_forest and v.lineart_group("darkForest") is None:
        errors.append(TraitError("darkForest", True, "false: this pack has no Dark Forest lineart"))
    return errors


def _all_drawable(p: CatParams, v: Vocabulary) -> bool:
    """Whether ``trait_errors`` finds nothing wrong, found without building its messages:
    the same checks, each a set look-up."""
    if not names_known(
        p, v, eye_colours2=v.eye_colours2, white_patches_tints=v.white_patches_paints
    ):
        return False
    if p.tortie and not all(
        layer.pattern in v.pelts
        and layer.colour in v.coat_colours
        and (layer.mask is None or layer.mask in v.tortie_masks)
        for layer in p.tortie
    ):
        return False
    if p.dead or p.april_fools or p.afterlife is not None:
        return not afterlife_errors(p, v, living_dark_forest=True)
    return not p.dark_forest or v.lineart_group("darkForest") is not None


def name_errors(
    params: CatParams,
    v: NamesVocabulary,
    errors: list[TraitError],
    *,
    coat: str,
    eye_colours2: Collection[str],
    white_patches_tints: tuple[Collection[str], str],
) -> list[TraitError]:
    """``errors`` followed by every named param the pack does not know, with what it would
    accept (and the closest names while there are fewer than ``MAX_SUGGESTED`` errors).

    What differs between the layouts is given: ``coat`` (what a coat colour may be),
    ``eye_colours2`` and ``white_patches_tints`` (the names, and what they may be).
    """
    checks: list[tuple[str, str | None, Collection[str], str]] = [
        ("peltName", params.pelt_name, v.pelts, "a pelt name"),
        ("colour", params.colour, v.coat_colours, coat),
        ("tortiePattern", params.tortie_pattern, v.pelts, "a pelt name"),
        ("tortieColour", params.tortie_colour, v.coat_colours, coat),
        ("tortieMask", params.tortie_mask, v.tortie_masks, "a tortie mask"),
        ("whitePatches", params.white_patches, v.white_patches, "a white patch or `none`"),
        ("points", params.points, v.points, "a point marking or `none`"),
        ("vitiligo", params.vitiligo, v.vitiligo, "a vitiligo marking or `none`"),
        ("eyeColour", params.eye_colour, v.eye_colours, "an eye colour"),
        ("eyeColour2", params.eye_colour2, eye_colours2, "an eye colour or `none`"),
        ("skinColour", params.skin_colour, v.skins, "a skin colour"),
        ("scar", params.scar, v.all_scars, "a scar"),
        ("accessory", params.accessory, v.accessories, "an accessory"),
    ]
    if params.tint not in NONE_NAMES:
        checks.append(("tint", params.tint, v.all_tints, "a tint or `none`"))
    if params.white_patches_tint not in NONE_NAMES:
        tints, what = white_patches_tints
        checks.append(("whitePatchesTint", params.white_patches_tint, tints, what))
    checks += [
        (f"scars[{i}]", name, v.all_scars, "a scar") for i, name in enumerate(params.scars or ())
    ]
    checks += [
        (f"accessories[{i}]", name, v.accessories, "an accessory")
        for i, name in enumerate(params.accessories or ())
    ]
    for i, layer in enumerate(params.tortie or ()):
        checks += [
            (f"tortie[{i}].pattern", layer.pattern, v.pelts, "a pelt name"),
            (f"tortie[{i}].colour", layer.colour, v.coat_colours, coat),
            (f"tortie[{i}].mask", layer.mask, v.tortie_masks, "a tortie mask or `none`"),
        ]
    for field, value, choices, what in checks:
        if value is not None and value not in choices:
            hints = closest(value, choices) if len(errors) < MAX_SUGGESTED else []
            errors.append(TraitError(field, value, what, hints))
    return errors


def names_known(
    p: CatParams,
    v: NamesVocabulary,
    *,
    eye_colours2: Collection[str],
    white_patches_tints: Collection[str],
) -> bool:
    """Whether every named param outside the tortie layers is one the pack knows (what
    ``name_errors`` checks, each a set look-up, without building messages)."""
    if not (
        (p.pelt_name is None or p.pelt_name in v.pelts)
        and p.colour in v.coat_colours
        and p.eye_colour in v.eye_colours
        and (p.skin_colour is None or p.skin_colour in v.skins)
        and (p.tortie_pattern is None or p.tortie_pattern in v.pelts)
        and (p.tortie_colour is None or p.tortie_colour in v.coat_colours)
        and (p.tortie_mask is None or p.tortie_mask in v.tortie_masks)
        and (p.white_patches is None or p.white_patches in v.white_patches)
        and (p.points is None or p.points in v.points)
        and (p.vitiligo is None or p.vitiligo in v.vitiligo)
        and (p.eye_colour2 is None or p.eye_colour2 in eye_colours2)
        and (p.scar is None or p.scar in v.all_scars)
        and (p.accessory is None or p.accessory in v.accessories)
        and (p.tint in NONE_NAMES or p.tint in v.all_tints)
        and (p.white_patches_tint in NONE_NAMES or p.white_patches_tint in white_patches_tints)
    ):
        return False
    if p.scars and not all(name in v.all_scars for name in p.scars):
        return False
    return not p.accessories or all(name in v.accessories for name in p.accessories)


class AfterlifeVocabulary(Protocol):
    """What ``afterlife_errors`` asks of a pack's vocabulary (legacy or modern)."""

    @property
    def afterlives(self) -> Mapping[str, str]: ...

    @property
    def fading_stages(self) -> tuple[int, ...]: ...

    def lineart_group(self, afterlife: str | None, april_fools: bool = False) -> str | None: ...


def afterlife_errors(
    params: CatParams, vocabulary: AfterlifeVocabulary, *, living_dark_forest: bool
) -> list[TraitError]:
    """Afterlife, April Fools and fading params that contradict each other or the pack.

    ``living_dark_forest``: whether a living cat may have ``darkForest`` (the V2 generator
    draws it with the Dark Forest lineart; the modern game has no living Dark Forest cats).
    """
    named, afterlives = params.afterlife, vocabulary.afterlives
    if named is not None and named not in afterlives:
        accepted = ", ".join(f"`{name}`" for name in afterlives)
        return [TraitError("afterlife", named, f"{accepted} or null", closest(named, afterlives))]
    errors = []
    if not params.dead:
        if named is not None:
            errors.append(TraitError("afterlife", named, "null unless dead is true"))
        if params.dark_forest and not living_dark_forest:
            errors.append(
                TraitError(
                    "darkForest",
                    True,
                    "false unless dead is true: the game draws no living Dark Forest cat",
                )
            )
    elif named is not None and params.dark_forest and named != "darkForest":
        errors.append(
            TraitError(
                "afterlife", named, "`darkForest` or null, since darkForest is true", ["darkForest"]
            )
        )
    afterlife = params.lineart_afterlife if living_dark_forest else params.resolved_afterlife
    lineart = vocabulary.lineart_group(afterlife)
    if lineart is None:
        errors.append(TraitError("dead", True, f"false: this pack has no {afterlife} lineart"))
    elif params.april_fools and vocabulary.lineart_group(afterlife, True) is None:
        errors.append(
            TraitError("aprilFools", True, f"false: this pack has no April Fools {lineart}")
        )
    stage = params.fading_stage
    if stage is not None and stage not in vocabulary.fading_stages:
        errors.append(
            TraitError(
                "opacity",
                params.opacity,
                f"above {FADES_AT_OR_BELOW}: this pack has no fading stage {stage}",
            )
        )
    return errors
