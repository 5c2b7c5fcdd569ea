"""The catalog: every value each render param accepts, read from a loaded pack.

``build_catalog`` derives it from the same ``Vocabulary`` that checks params, so a picker built
from the catalog offers exactly the names a render accepts. The models are plain pydantic, so
the service can hand them out as they are (camelCase JSON, as the params are spelt).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from .palettes import PaletteColour
from .params import FADES_AT_OR_BELOW, FADING_STAGES, MAX_LIST_LENGTH
from .sprites import SpritePack
from .stages import DEFAULT_DARK_FOREST_OVERLAY, RGB, DarkForestOverlay
from .vocabulary import (
    ACCESSORY_GROUP_QUIRKS,
    ACCESSORY_LISTS,
    LIVING_LINEART,
    Vocabulary,
    accessory_prefix,
    fading_backdrop,
)

POSE_LIFE_STAGES: tuple[tuple[str, str], ...] = (
    *[("kitten", "kitten")] * 3,
    *[("adolescent", "adolescent")] * 3,
    *[("adult", "adult, short or medium fur")] * 3,
    *[("adultLongFur", "adult, long fur")] * 3,
    *[("senior", "senior")] * 3,
    *[("paralysedAdult", "paralysed adult")] * 2,
    ("paralysedYoung", "paralysed kitten or adolescent"),
    ("sickAdult", "sick adult"),
    ("sickYoung", "sick kitten or adolescent"),
    ("newborn", "newborn"),
)
"""``(life stage, description)`` of each pose number, as ClanGen assigns poses."""

ScarKind = Literal["scar", "special", "missingPart"]


class _Entry(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class PackIdentity(_Entry):
    name: str = Field(description="The pack's name (`lifegen` for the bundled pack).")
    groups: int = Field(description="Sprite groups: the index's, plus unindexed linearts found.")
    cells: int = Field(description="Distinct sprite cells loaded.")
    hash: str = Field(description="Content hash of the pack's JSON and atlases.")


class ColourEntry(_Entry):
    name: str
    colour_group: str | None = Field(
        description="ClanGen's colour group (`warm`, `cool`, ...), from `dicts/tint.json`."
    )


class TintEntry(_Entry):
    name: str
    rgb: RGB = Field(description="The colour it blends with.")


class PaletteColourEntry(_Entry):
    name: str
    kind: Literal["flat", "pattern"] = Field(
        description="`flat`: the WHITE coat recoloured by `multiply` / `screen`; `pattern`: "
        "a pattern colour, drawn as its flat part alone (the plain WHITE coat when it has "
        "none) until patterns are drawn."
    )
    multiply: RGB | None = Field(description="Multiplied over the WHITE coat.")
    screen: tuple[int, int, int, float] | None = Field(
        description="`[r, g, b, a]`: screened over the result at alpha `a`."
    )


class PaletteEntry(_Entry):
    id: str
    label: str
    description: str
    colours: list[PaletteColourEntry] = Field(
        description="Valid wherever a coat colour is: `colour`, `tortieColour`, "
        "`tortie[].colour`, `whitePatchesTint`."
    )


class DarkForestOverlayEntry(_Entry):
    colour: RGB = Field(description="The overlay's colour.")
    alpha: float = Field(description="The overlay's alpha.")


class ScarEntry(_Entry):
    name: str
    kind: ScarKind = Field(
        description="`scar` (`scars1`) and `special` (`scars3`) are drawn over the coat; "
        "`missingPart` (`scars2`) cuts the picture after the lineart."
    )
    group: str = Field(description="The sprite group it draws.")


class AccessoryEntry(_Entry):
    name: str
    group: str = Field(description="The sprite group it draws.")
    atlas: str = Field(description="The atlas (PNG file stem) the group is cut from.")
    category: str = Field(
        description="Kind of accessory, from the group's prefix: `herbs`, `wild`, `collars`, "
        "`flower`, `plant2`, `snake`, `smallAnimal`, `deadInsect`, `aliveInsect`, `fruit`, "
        "`crafted`, `tail2`."
    )
    lists: list[str] = Field(description="The `peltInfo.json` lists that name it.")
    note: str | None = Field(None, description="Anything surprising about how it is drawn.")


class PoseEntry(_Entry):
    number: int = Field(description="The `spriteNumber`.")
    life_stage: str = Field(
        description="`kitten`, `adolescent`, `adult`, `adultLongFur`, `senior`, "
        "`paralysedAdult`, `paralysedYoung`, `sickAdult`, `sickYoung` or `newborn`."
    )
    description: str


class LineartEntry(_Entry):
    lineart: str = Field(description="The lineart group drawn.")
    april_fools_lineart: str | None = Field(
        description="The group drawn instead with `aprilFools: true`; null if the pack lacks it."
    )


class AfterlifeEntry(LineartEntry):
    name: str = Field(description="The `afterlife` value.")
    fading_backdrop: str = Field(
        description="Prefix of the groups a fading cat is drawn over (`fadestarclan`, `fadedf`)."
    )


class FadingStage(_Entry):
    stage: int
    opacity_from: int = Field(description="Lowest opacity of the stage.")
    opacity_to: int = Field(description="Highest opacity of the stage.")
    mask: str = Field(description="The group the cat is multiplied by.")


class OpacityRange(_Entry):
    minimum: int = 0
    maximum: int = 100
    default: int = 100
    fades_at_or_below: int = Field(
        FADES_AT_OR_BELOW, description="Dead cats with this opacity or less fade."
    )
    stages: list[FadingStage] = Field(description="Fading stages the pack can draw.")


class Catalog(_Entry):
    """Every valid value of every render param, from the loaded pack."""

    pack: PackIdentity
    pelts: list[str] = Field(description="`peltName`, `tortiePattern`, `tortie[].pattern`.")
    colours: list[ColourEntry] = Field(
        description="The game's coat colours: `colour`, `tortieColour`, `tortie[].colour`, "
        "and `whitePatchesTint` (there: paint the white patches)."
    )
    palettes: list[PaletteEntry] = Field(
        description="The CatGenerator's palette colours, valid wherever a coat colour is."
    )
    tortie_masks: list[str] = Field(description="`tortieMask`, `tortie[].mask`.")
    tints: list[TintEntry] = Field(
        description="`tint` values multiplied over the coat (`none`: no tint)."
    )
    dilute_tints: list[TintEntry] = Field(
        description="`tint` values added to the coat (a name in both lists gets both)."
    )
    white_patches: list[str] = Field(description="`whitePatches` (`none`: no patches).")
    points: list[str] = Field(description="`points` (`none`: no points).")
    vitiligo: list[str] = Field(description="`vitiligo` (`none`: no vitiligo).")
    white_patches_tints: list[TintEntry] = Field(
        description="`whitePatchesTint` (lower case), multiplied over white patches and points "
        "(`none`). An upper-case coat or palette colour paints the white patches instead."
    )
    eye_colours: list[str] = Field(description="`eyeColour`.")
    eye_colours2: list[str] = Field(description="`eyeColour2` (`none`: one eye colour).")
    skins: list[str] = Field(description="`skinColour`.")
    scars: list[ScarEntry] = Field(description="`scars`, in peltInfo order by kind.")
    accessories: list[AccessoryEntry] = Field(description="`accessories` and `accessory`.")
    poses: list[PoseEntry] = Field(description="`spriteNumber`.")
    living_lineart: LineartEntry = Field(description="The lineart of living cats.")
    afterlives: list[AfterlifeEntry] = Field(
        description="`afterlife`: where a dead cat is, and what it is drawn with."
    )
    dark_forest_overlay: DarkForestOverlayEntry = Field(
        description="What a living `darkForest` cat is drawn with before its lineart: its "
        "shape in this colour at this alpha, multiplied."
    )
    opacity: OpacityRange = Field(description="`opacity` and the fading stages it selects.")
    max_list_length: int = Field(description="Most `scars`, `accessories` or `tortie` layers.")


def _accessory_lists(info: Mapping[str, Any]) -> dict[str, list[str]]:
    """Accessory name -> the ``peltInfo.json`` lists that name it."""
    lists: dict[str, list[str]] = {}
    for list_name in ACCESSORY_LISTS:
        for name in info.get(list_name, []):
            named = lists.setdefault(str(name), [])
            if list_name not in named:
                named.append(list_name)
    return lists


def _accessory(pack: SpritePack, name: str, group: str, lists: list[str]) -> AccessoryEntry:
    note = None
    if name in ACCESSORY_GROUP_QUIRKS:
        note = f"drawn with the {group} sprite, as ClanGen draws it"
    return AccessoryEntry(
        name=name,
        group=group,
        atlas=pack.groups[group].sheet,
        category=accessory_prefix(group).removeprefix("acc_"),
        lists=lists,
        note=note,
    )


def _palette_colour(colour: PaletteColour) -> PaletteColourEntry:
    return PaletteColourEntry(
        name=colour.name,
        kind="pattern" if colour.is_pattern else "flat",
        multiply=colour.multiply,
        screen=colour.screen,
    )


def build_catalog(
    pack: SpritePack,
    vocabulary: Vocabulary,
    dark_forest_overlay: DarkForestOverlay = DEFAULT_DARK_FOREST_OVERLAY,
) -> Catalog:
    """Every value each param accepts with this pack, and what it draws."""
    v = vocabulary
    april = v.april_fools_linearts
    lists = _accessory_lists(pack.pelt_info)
    scar_kinds: tuple[tuple[ScarKind, tuple[str, ...]], ...] = (
        ("scar", v.scars_primary),
        ("special", v.scars_special),
        ("missingPart", v.scars_missing),
    )
    return Catalog(
        pack=PackIdentity(
            name=pack.name,
            groups=len(pack.groups),
            cells=len(pack.cells),
            hash=pack.content_hash,
        ),
        pelts=list(v.pelts),
        colours=[ColourEntry(name=c, colour_group=v.colour_groups.get(c)) for c in v.colours],
        palettes=_palettes(v),
        tortie_masks=list(v.tortie_masks),
        tints=[TintEntry(name=name, rgb=rgb) for name, rgb in v.tints.items()],
        dilute_tints=[TintEntry(name=name, rgb=rgb) for name, rgb in v.dilute_tints.items()],
        white_patches=list(v.white_patches),
        points=list(v.points),
        vitiligo=list(v.vitiligo),
        white_patches_tints=[
            TintEntry(name=name, rgb=rgb)
            for name, rgb in v.white_patches_tints.items()
            if rgb is not None
        ],
        eye_colours=list(v.eye_colours),
        eye_colours2=list(v.eye_colours2),
        skins=list(v.skins),
        scars=[
            ScarEntry(name=name, kind=kind, group=f"scars{name}")
            for kind, names in scar_kinds
            for name in names
        ],
        accessories=[
            _accessory(pack, name, group, lists.get(name, []))
            for name, group in v.accessories.items()
        ],
        poses=[
            PoseEntry(number=number, life_stage=stage, description=description)
            for number, (stage, description) in enumerate(POSE_LIFE_STAGES)
        ],
        living_lineart=LineartEntry(
            lineart=LIVING_LINEART, april_fools_lineart=april.get(LIVING_LINEART)
        ),
        afterlives=[
            AfterlifeEntry(
                name=name,
                lineart=group,
                april_fools_lineart=april.get(group),
                fading_backdrop=fading_backdrop(name),
            )
            for name, group in v.afterlives.items()
        ],
        dark_forest_overlay=DarkForestOverlayEntry(
            colour=dark_forest_overlay.colour, alpha=dark_forest_overlay.alpha
        ),
        opacity=OpacityRange(
            stages=[
                FadingStage(stage=stage, opacity_from=low, opacity_to=high, mask=f"fademask{stage}")
                for stage, low, high in FADING_STAGES
                if stage in v.fading_stages
            ]
        ),
        max_list_length=MAX_LIST_LENGTH,
    )


def _palettes(vocabulary: Vocabulary) -> list[PaletteEntry]:
    """The palettes whose colours the vocabulary accepts, each with its colours in order."""
    by_palette: dict[str, list[PaletteColourEntry]] = {}
    for colour in vocabulary.palette_colours.values():
        by_palette.setdefault(colour.palette, []).append(_palette_colour(colour))
    return [
        PaletteEntry(
            id=palette.id,
            label=palette.label,
            description=palette.description,
            colours=by_palette[palette.id],
        )
        for palette in vocabulary.palettes
        if palette.id in by_palette
    ]
