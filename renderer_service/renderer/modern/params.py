"""A modern cat's params, and their check against a modern pack.

``ModernCatParams`` is ``CatParams`` (the V2 render params, every field spelt and meaning the
same) with what the legacy model cannot say: ``spriteNumber`` runs over the pack's pose list
(0-25 in ClanGen v0.13), and ``pose`` names a pose (``adult_short2``, ``newborn0``,
``para_adult_short0``, ``sick_adult0`` ...) or gives its number. Being a ``CatParams``, it
goes wherever one does; the modern renderer also draws a plain ``CatParams`` (its
``spriteNumber`` then counts in the modern pose list too).

What the fields mean here, as the game draws them:

- ``dead`` with ``afterlife`` ``starclan`` (the default), ``darkForest`` or
  ``unknownResidence``; ``darkForest: true`` is the same as ``afterlife: darkForest`` and needs
  ``dead`` (the game has no living Dark Forest cats). ``opacity`` fades a dead cat.
- ``shading`` shades living cats only; ``aprilFools`` swaps every lineart for its April
  Fools' version.
- Tints and white-patch tints are the pack's tables only (no palette colours), ``none`` for
  none. Coat colours are the game's (palette colours are not drawn on this layout).
- Tortie patches: the single tortie fields or ``tortie`` layers, each drawn as the game draws
  its one layer; a layer without a mask covers the whole coat.

``check_modern_traits`` reports every field the pack cannot draw at once, each as a
``TraitError`` naming the field, the value, what is accepted and the closest valid names, in
the same ``InvalidTraitsError`` the legacy check raises.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, field_validator

from ..errors import TraitError
from ..params import (
    CatParams,
    InvalidTraitsError,
    afterlife_errors,
    name_errors,
    names_known,
)
from ..vocabulary import NONE_NAMES, closest
from .poses import DEFAULT_MODERN_POSE
from .vocabulary import ModernVocabulary

MAX_POSES = 64
"""Most poses a modern pack may list (the game's has 26); ``spriteNumber`` stays below."""

MODERN_EXAMPLE: dict[str, Any] = {
    "pose": "adult_long1",
    "peltName": "Tabby",
    "colour": "GINGER",
    "eyeColour": "GREEN",
    "skinColour": "PINK",
    "whitePatches": "LITTLE",
    "accessories": ["LEATHER_BELL_crimson", "MAPLE LEAF"],
    "shading": True,
}


def _document(schema: dict[str, Any]) -> None:
    schema["examples"] = [MODERN_EXAMPLE]


class ModernCatParams(CatParams):
    """The V2 render params for the modern layout: ``CatParams`` plus a pose by name."""

    model_config = ConfigDict(json_schema_extra=_document)  # the rest as CatParams's

    sprite_number: int | None = Field(
        None,
        alias="spriteNumber",
        ge=0,
        lt=MAX_POSES,
        description="Pose by number in the pack's pose list (0-25 for ClanGen v0.13).",
    )
    pose: str | int | None = Field(
        None,
        description="Pose by name (`adult_short2`, `newborn0`, `para_adult_short0`, "
        "`sick_adult0`, ...) or by number in the pack's pose list. Given with `spriteNumber`, "
        f"both must name the same pose. Neither: `{DEFAULT_MODERN_POSE}`.",
    )

    @field_validator("pose", mode="after")
    @classmethod
    def _no_pose(cls, value: str | int | None) -> str | int | None:
        return None if isinstance(value, str) and value in NONE_NAMES else value


PoseArg = int | str | None


def resolve_pose(params: CatParams, vocabulary: ModernVocabulary, pose: PoseArg = None) -> int:
    """The pose number to draw: ``pose`` if given, else the params' ``pose``, else their
    ``spriteNumber``, else ``DEFAULT_MODERN_POSE``. ``InvalidTraitsError`` if it names none."""
    errors = pose_errors(params, vocabulary, pose)
    if errors:
        raise InvalidTraitsError(errors)
    return chosen_pose(params, vocabulary, pose)


def chosen_pose(params: CatParams, vocabulary: ModernVocabulary, pose: PoseArg) -> int:
    """The pose number ``pose`` or the params ask for, unchecked (``resolve_pose`` checks)."""
    chosen = pose if pose is not None else getattr(params, "pose", None)
    if chosen is None:
        chosen = params.sprite_number
    if chosen is None:
        chosen = DEFAULT_MODERN_POSE
    if isinstance(chosen, str):
        return vocabulary.poses.index(chosen)
    return chosen


def pose_errors(params: CatParams, vocabulary: ModernVocabulary, pose: PoseArg) -> list[TraitError]:
    """What is wrong with the pose the params and ``pose`` ask for."""
    poses = vocabulary.poses
    expected = f"a pose name ({poses[0]} ... {poses[-1]}) or number 0-{len(poses) - 1}"
    errors: list[TraitError] = []
    own = getattr(params, "pose", None)
    asked = pose if pose is not None else own
    if isinstance(asked, str) and asked not in poses:
        errors.append(TraitError("pose", asked, expected, closest(asked, poses)))
    elif isinstance(asked, int) and not 0 <= asked < len(poses):
        errors.append(TraitError("pose", asked, expected))
    number = params.sprite_number
    if number is not None and not 0 <= number < len(poses):
        errors.append(TraitError("spriteNumber", number, f"a pose number 0-{len(poses) - 1}"))
    if not errors and pose is None and own is not None and number is not None:
        named = own if isinstance(own, int) else poses.index(own)
        if named != number:
            errors.append(
                TraitError(
                    "pose",
                    own,
                    f"the pose spriteNumber {number} names ({poses[number]}), or no spriteNumber",
                    [poses[number]],
                )
            )
    return errors


def modern_trait_errors(
    params: CatParams, vocabulary: ModernVocabulary, pose: PoseArg = None
) -> list[TraitError]:
    """Every param the pack cannot draw, with what it would accept (and the closest names for
    the first few)."""
    v = vocabulary
    errors = name_errors(
        params,
        v,
        pose_errors(params, vocabulary, pose),
        coat="a coat colour",
        eye_colours2=v.eye_colours,
        white_patches_tints=(v.white_patches_tints, "a white patches tint or `none`"),
    )
    return errors + afterlife_errors(params, v, living_dark_forest=False)


def check_modern_traits(
    params: CatParams, vocabulary: ModernVocabulary, pose: PoseArg = None
) -> None:
    """Raise ``InvalidTraitsError`` listing every param the pack cannot draw."""
    if _all_drawable(params, vocabulary, pose):
        return
    errors = modern_trait_errors(params, vocabulary, pose)
    if errors:
        raise InvalidTraitsError(errors)


def _all_drawable(p: CatParams, v: ModernVocabulary, pose: PoseArg) -> bool:
    """Whether ``modern_trait_errors`` finds nothing wrong, found without building its
    messages: the common case, each check a set look-up (anything unusual says no, and the
    full check decides)."""
    own = getattr(p, "pose", None)
    numbered = isinstance(pose, int) and 0 <= pose < len(v.poses)
    if (pose is not None and not numbered) or own is not None or p.fading_stage is not None:
        return False
    if p.sprite_number is not None and p.sprite_number >= len(v.poses):
        return False
    if p.tortie or not names_known(
        p, v, eye_colours2=v.eye_colours, white_patches_tints=v.white_patches_tints
    ):
        return False
    if p.dead:
        named = p.afterlife
        if named is not None and (
            named not in v.afterlives or (p.dark_forest and named != "darkForest")
        ):
            return False
        return not p.april_fools or v.lineart_group(p.resolved_afterlife, True) is not None
    return (
        p.afterlife is None
        and not p.dark_forest
        and (not p.april_fools or v.lineart_group(None, True) is not None)
    )
