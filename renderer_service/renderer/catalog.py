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

from renderer_service.renderer.backgrounds import (
    CAT_OFFSET,
    PLATFORM_HEIGHT,
    PLATFORM_WIDTH,
    TRANSPARENT,
    auto_platform_names,
    platform_cell,
    platform_names,
)
from renderer_service.renderer.palettes import PaletteColour
from renderer_service.renderer.params import FADES_AT_OR_BELOW, FADING_STAGES, MAX_LIST_LENGTH
from renderer_service.renderer.sprites import SpritePack
from renderer_service.renderer.stages import DEFAULT_DARK_FOREST_OVERLAY, RGB, DarkForestOverlay
from renderer_service.renderer.vocabulary import (
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
        "the WHITE coat multiplied by a repeating pattern (`generator`), which `colour`, "
        "`tortieColour` and `tortie[].colour` draw; as `whitePatchesTint` a pattern colour "
        "paints the patches with its flat part alone (plain WHITE when it has none)."
    )
    multiply: RGB | None = Field(description="Multiplied over the WHITE coat.")
    screen: tuple[int, int, int, float] | None = Field(
        description="`[r, g, b, a]`: screened over the result at alpha `a`."
    )
    generator: str | None = Field(
        None, description="For a pattern colour: the generator that draws it (`tartan`, ...)."
    )
    tile_size: int | None = Field(
        None, description="For a pattern colour: the edge of its repeating tile in pixels."
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


class BackgroundEntry(_Entry):
    name: str = Field(description="The `background` value.")
    kind: str = Field(
        description="`transparent`, `colour` (a preset; any `#rrggbb` or `#rrggbbaa` works), "
        "`platform` or `auto` (the platform the game would choose for the cat)."
    )
    label: str = Field(description="Text for people.")
    width: int = Field(description="Width of a picture on it, before scaling.")
    height: int = Field(description="Height of a picture on it, before scaling.")
    biome: str | None = Field(None, description="For platforms: `beach` ... `starclan`.")
    season: str | None = Field(None, description="For platforms of living biomes.")
    shade: str | None = Field(None, description="For platforms: `light` or `dark`.")
    x: int | None = Field(None, description="For platforms: left edge in `platforms.png`.")
    y: int | None = Field(None, description="For platforms: top edge in `platforms.png`.")


class BackgroundCatalog(_Entry):
    default: str = "transparent"
    colour_syntax: list[str] = Field(description="How a colour is written.")
    cat_offset: tuple[int, int] = Field(description="`(x, y)` of the cat on a platform.")
    entries: list[BackgroundEntry] = Field(
        description="Every platform and `platform:auto:...` value, and colour presets."
    )


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
    backgrounds: BackgroundCatalog = Field(description="`options.background` values.")


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
        generator=colour.generator,
        tile_size=colour.definition.tile_size if colour.definition is not None else None,
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
        backgrounds=background_catalog(),
    )


COLOUR_PRESETS: tuple[tuple[str, str], ...] = (("#ffffff", "white"), ("#000000", "black"))


def _platform_entry(name: str, kind: str) -> BackgroundEntry:
    cell = name.removeprefix("platform:").removeprefix("auto:")
    parts = cell.split(":")
    place, shade = parts[0], parts[-1]
    season = parts[1] if len(parts) == 3 else None
    x, y = platform_cell(cell) if kind == "platform" else (None, None)
    where = {"starclan": "StarClan", "darkforest": "Dark Forest"}.get(place, place)
    label = " ".join(part for part in (where, season, shade) if part)
    if kind == "auto":
        label = f"the cat's own platform ({label} for living cats)"
    return BackgroundEntry(
        name=name,
        kind=kind,
        label=label,
        width=PLATFORM_WIDTH,
        height=PLATFORM_HEIGHT,
        biome=place,
        season=season,
        shade=shade,
        x=x,
        y=y,
    )


def background_catalog() -> BackgroundCatalog:
    """Every background a render accepts (colours by syntax, with a few presets)."""
    entries = [
        BackgroundEntry(
            name=TRANSPARENT, kind="transparent", label="transparent", width=50, height=50
        ),
        *(
            BackgroundEntry(name=value, kind="colour", label=label, width=50, height=50)
            for value, label in COLOUR_PRESETS
        ),
        *(_platform_entry(name, "platform") for name in platform_names()),
        *(_platform_entry(name, "auto") for name in auto_platform_names()),
    ]
    return BackgroundCatalog(
        colour_syntax=["#rrggbb", "#rrggbbaa"], cat_offset=CAT_OFFSET, entries=entries
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
