"""The catalog of a modern pack: every value each param accepts, read from its vocabulary.

Plain pydantic models (camelCase JSON, as the params are spelt), so the service can hand it
out as it is. Poses come by name with their number, life stage and legacy pose number;
white patches by category; collars by type with their palette colours.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ..catalog import ColourEntry, PackIdentity, TintEntry
from ..params import FADES_AT_OR_BELOW, FADING_STAGES, MAX_LIST_LENGTH
from .pack import ModernSpritePack
from .planner import MODERN_LAYER_IDS
from .poses import DEFAULT_MODERN_POSE, legacy_pose_number, life_stage
from .vocabulary import AFTERLIFE_LINEART_COLOURS, FADING_BACKDROPS, ModernVocabulary


class _Entry(BaseModel):
    """camelCase in JSON, as the legacy catalog's entries."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class ModernPoseEntry(_Entry):
    number: int = Field(description="Its number in the pack's pose list (`spriteNumber`).")
    name: str = Field(description="Its name (`pose`).")
    life_stage: str = Field(
        description="`newborn`, `kitten`, `adolescent`, `adolescentLongFur`, `adult`, "
        "`adultLongFur`, `senior`, `paralysedAdult`, `paralysedAdultLongFur`, "
        "`paralysedYoung`, `sickAdult` or `sickYoung`."
    )
    description: str
    legacy_number: int | None = Field(
        description="The legacy pose (0-20) of the same cell; null if it has none."
    )


class ModernTintEntry(TintEntry):
    blend: Literal["multiply", "add"] = Field(description="How it is applied to the coat.")


class WhitePatchCategory(_Entry):
    name: str = Field(description="`little`, `mid`, `high` or `mostly`.")
    sheet: str = Field(description="The sheet (group prefix) its patches are cut from.")
    names: list[str]


class ModernScarEntry(_Entry):
    name: str
    kind: Literal["scar", "missingPart"] = Field(
        description="`scar` is drawn over the coat; `missingPart` cuts the cat after its skin."
    )
    group: str


class ModernAccessoryEntry(_Entry):
    name: str
    group: str
    kind: Literal["plant", "wild", "collar"] = Field(description="The sheet it is drawn from.")
    category: str = Field(
        description="Where it sits: `collar`, `tail`, `body` or `head`. Collars are drawn "
        "first, then tail accessories, then body and head ones, each in the cat's order."
    )


class CollarType(_Entry):
    type: str = Field(description="The collar style, e.g. `LEATHER_BELL`.")
    colours: list[str] = Field(
        description="Its palette colours; the accessory is `<type>_<colour>`."
    )


class ModernAfterlife(_Entry):
    name: str = Field(description="The `afterlife` value.")
    lineart: str
    april_fools_lineart: str | None
    fading_backdrop: str
    lineart_colour: tuple[int, int, int] | None = Field(
        description="The colour black pixels of accessories and missing parts take; null for "
        "the Unknown Residence (see the renderer's notes)."
    )


class ModernCatalog(_Entry):
    layout: Literal["modern"] = "modern"
    pack: PackIdentity
    default_pose: str = DEFAULT_MODERN_POSE
    poses: list[ModernPoseEntry]
    pelts: list[str]
    colours: list[ColourEntry]
    tortie_masks: list[str]
    tints: list[ModernTintEntry]
    white_patch_categories: list[WhitePatchCategory]
    white_patches: list[str] = Field(description="Every white patch, any category.")
    points: list[str]
    vitiligo: list[str]
    white_patches_tints: list[TintEntry]
    eye_colours: list[str]
    skins: list[str]
    scars: list[ModernScarEntry]
    accessories: list[ModernAccessoryEntry]
    collar_types: list[CollarType]
    afterlives: list[ModernAfterlife]
    fades_at_or_below: int = FADES_AT_OR_BELOW
    fading_stages: list[int]
    max_list_length: int = MAX_LIST_LENGTH
    layers: list[str] = Field(description="Layer ids of a render's diagnostics, in order.")


def build_modern_catalog(pack: ModernSpritePack, v: ModernVocabulary) -> ModernCatalog:
    """The catalog of ``pack`` as ``v`` reads it."""
    poses = []
    for number, name in enumerate(v.poses):
        stage, description = life_stage(name)
        poses.append(
            ModernPoseEntry(
                number=number,
                name=name,
                life_stage=stage,
                description=description,
                legacy_number=legacy_pose_number(name),
            )
        )
    tints = [ModernTintEntry(name=n, rgb=rgb, blend="multiply") for n, rgb in v.tints.items()]
    tints += [ModernTintEntry(name=n, rgb=rgb, blend="add") for n, rgb in v.dilute_tints.items()]
    scars = [
        ModernScarEntry(name=name, kind="scar", group=f"scars{name}") for name in v.scars_primary
    ] + [
        ModernScarEntry(name=name, kind="missingPart", group=f"scars_missing_part{name}")
        for name in v.scars_missing
    ]
    lineart = v.lineart_group(None)
    assert lineart is not None
    return ModernCatalog(
        pack=PackIdentity(
            name=pack.name,
            groups=len(pack.group_names),
            cells=len(pack.cells),
            hash=pack.content_hash,
        ),
        poses=poses,
        pelts=list(v.pelts),
        colours=[ColourEntry(name=c, colour_group=v.colour_groups.get(c)) for c in v.colours],
        tortie_masks=list(v.tortie_masks),
        tints=tints,
        white_patch_categories=[
            WhitePatchCategory(name=name, sheet=pack.white_patch_sheets[name][0], names=list(names))
            for name, names in v.white_patch_categories.items()
        ],
        white_patches=list(v.white_patches),
        points=list(v.points),
        vitiligo=list(v.vitiligo),
        white_patches_tints=[
            TintEntry(name=n, rgb=rgb) for n, rgb in v.white_patches_tints.items()
        ],
        eye_colours=list(v.eye_colours),
        skins=list(v.skins),
        scars=scars,
        accessories=[
            ModernAccessoryEntry(name=a.name, group=a.group, kind=a.kind, category=a.category)
            for a in v.accessories.values()
        ],
        collar_types=[CollarType(type=t, colours=list(c)) for t, c in v.collar_types.items()],
        afterlives=[
            ModernAfterlife(
                name=name,
                lineart=group,
                april_fools_lineart=v.april_fools_linearts.get(group),
                fading_backdrop=FADING_BACKDROPS[name],
                lineart_colour=AFTERLIFE_LINEART_COLOURS.get(name),
            )
            for name, group in v.afterlives.items()
        ],
        fading_stages=[stage for stage, _low, _high in FADING_STAGES if stage in v.fading_stages],
        layers=list(MODERN_LAYER_IDS),
    )
