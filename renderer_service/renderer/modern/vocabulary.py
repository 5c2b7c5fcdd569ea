"""Every trait value a modern pack can draw, and the sprite group each one draws.

Derived from the loaded pack (a name is valid when the pack has its group), so checking params,
planning a render and the catalog all read the same tables. Names follow ClanGen v0.13.2's
``generate_sprite``:

- coats ``colours_<sheet><COLOUR>`` (the V2 pelt name's sheet, ``SingleColour`` and
  ``TwoColour`` both ``single``), tortie masks ``patches_tortie<MASK>``;
- white patches from the category that holds the name, tried mostly (with ``FULLWHITE``),
  high, mid, little; points ``patches_points<NAME>``, vitiligo ``patches_vitiligo<NAME>``;
- eyes ``eyes<COLOUR>`` (the second colour through ``heterochromiamask``), skin
  ``skin<COLOUR>``; scars ``scars<NAME>`` (``scars1``, ``scars3``) and missing parts
  ``scars_missing_part<NAME>`` (``scars2``);
- accessories: a plant ``acc_plants<NAME>``, else a wild one ``acc_wilds<NAME>``, else a collar
  ``acc_collars<TYPE>_<colour>`` (recoloured while loading);
- linearts ``lineart``, ``lineart_sc``, ``lineart_df``, ``lineart_ur``; their April Fools'
  versions are the groups on the sheet of the same name plus ``_aprilfools``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import ClassVar, Literal

from ..vocabulary import (
    PELT_SPRITE_NAMES,
    NameLookups,
    Names,
    colour_table,
    fold_names,
    name_kinds,
)
from .pack import COLLAR_SHEET, WHITE_PATCH_CATEGORIES, ModernSpritePack

RGB = tuple[int, int, int]

COAT_PREFIX = "colours_"
TORTIE_PREFIX = "patches_tortie"
POINTS_PREFIX = "patches_points"
VITILIGO_PREFIX = "patches_vitiligo"
EYES_PREFIX = "eyes"
HETEROCHROMIA_MASK = "heterochromiamask"
SKIN_PREFIX = "skin"
SCAR_PREFIX = "scars"
MISSING_PART_PREFIX = "scars_missing_part"
PLANT_PREFIX = "acc_plants"
WILD_PREFIX = "acc_wilds"
SHADER_MASK = "shader_mask"
SHADER_LIGHTING = "shader_lighting"
APRIL_FOOLS_SUFFIX = "_aprilfools"
"""The sheet that stands in for a lineart sheet on April Fools' Day: ``<sheet>_aprilfools``."""

WHITE_PATCH_PREFERENCE = ("mostly", "high", "mid", "little")
"""The order the game looks a white patch up in its categories (the first that holds it)."""

LIVING_LINEART = "lineart"
AFTERLIFE_LINEARTS: Mapping[str, str] = MappingProxyType(
    {"starclan": "lineart_sc", "darkForest": "lineart_df", "unknownResidence": "lineart_ur"}
)
"""``afterlife`` -> the lineart of a dead cat there."""

AFTERLIFE_LINEART_COLOURS: Mapping[str, RGB] = MappingProxyType(
    {"starclan": (47, 51, 64), "darkForest": (30, 8, 11)}
)
"""The colour opaque black pixels of a dead cat's accessories and missing-part masks take
(the game's ``lineart_color_sc`` / ``lineart_color_df``, ``resources/game_config.toml``)."""

UR_GRADIENT = "line_ur_gradient"
AFTERLIFE_UNDERLAYS: Mapping[str, str] = MappingProxyType({"unknownResidence": "line_ur_underlay"})
AFTERLIFE_OVERLAYS: Mapping[str, str] = MappingProxyType(
    {"starclan": "line_sc_overlay", "unknownResidence": "line_ur_overlay"}
)
FADING_BACKDROPS: Mapping[str, str] = MappingProxyType(
    {"starclan": "fadestarclan", "unknownResidence": "fadeur", "darkForest": "fadedf"}
)
"""``afterlife`` -> the fog a fading cat is drawn over (``fadedf`` for any other group)."""
FADE_MASK = "fademask"

ACCESSORY_ORDER = ("collar", "tail", "body")
"""The game draws collars first, then tail accessories, then body ones; its head accessories
are filed with the body ones (``Pelt`` puts ``head`` tags into ``body_accessories``)."""


@dataclass(frozen=True, slots=True)
class Accessory:
    """An accessory the pack can draw."""

    name: str
    group: str
    kind: Literal["plant", "wild", "collar"]
    """``plant``, ``wild`` or ``collar``: the sheet it comes from."""
    category: str
    """``collar``, ``tail``, ``body`` or ``head``: where it sits, which orders the drawing."""

    @property
    def rank(self) -> int:
        """Its place in ``ACCESSORY_ORDER`` (head counts as body)."""
        return ACCESSORY_ORDER.index("body" if self.category == "head" else self.category)


def _suffixes(pack: ModernSpritePack, prefix: str) -> tuple[str, ...]:
    """Trait names of the groups ``<prefix><NAME>`` (names are capitals, so ``eyes`` does not
    take ``eyesfoo`` and ``colours_single`` not ``colours_singlestripeWHITE``)."""
    names = (name[len(prefix) :] for name in pack.group_names if name.startswith(prefix))
    return tuple(n for n in names if n and n == n.upper() and not n[0].isdigit())


def _rgb(value: object) -> RGB | None:
    if not isinstance(value, list | tuple) or len(value) != 3:
        return None
    r, g, b = (int(channel) for channel in value)
    return (r, g, b)


@dataclass(frozen=True)
class ModernVocabulary(NameLookups):
    """The names a modern pack accepts for each trait, and the groups they draw."""

    living_lineart: ClassVar[str] = LIVING_LINEART

    poses: Names
    pelts: Mapping[str, str]
    """V2 pelt name -> the prefix of its coat groups (``colours_tabby``)."""
    colours: Names
    colour_groups: Mapping[str, str]
    tortie_masks: Names
    tints: Mapping[str, RGB]
    dilute_tints: Mapping[str, RGB]
    all_tints: Mapping[str, RGB]
    white_patches: Mapping[str, str]
    """White patch -> its group, from the first category of ``WHITE_PATCH_PREFERENCE``."""
    white_patch_categories: Mapping[str, Names]
    points: Names
    vitiligo: Names
    white_patches_tints: Mapping[str, RGB]
    eye_colours: Names
    skins: Names
    scars_primary: Names
    """Scars drawn over the coat (``scars1`` and ``scars3``)."""
    scars_missing: Names
    """Missing parts (``scars2``), cut out of the cat after its skin."""
    accessories: Mapping[str, Accessory]
    collar_types: Mapping[str, tuple[str, ...]]
    """Collar type -> its colours, for those the pack can recolour."""
    afterlives: Mapping[str, str]
    """Afterlife -> lineart group, for each afterlife whose lineart the pack has."""
    april_fools_linearts: Mapping[str, str]
    """Lineart group -> its April Fools' version, where the pack has it."""
    fading_stages: tuple[int, ...]
    """Stages ``n`` with ``fademask<n>`` and every afterlife's fog ``n``."""

    @cached_property
    def all_scars(self) -> frozenset[str]:
        return frozenset((*self.scars_primary, *self.scars_missing))

    @property
    def eye_colours2(self) -> Names:
        """Colours of the second eye: any eye colour (drawn through the heterochromia mask)."""
        return self.eye_colours

    @property
    def coat_colours(self) -> Names:
        """Every coat colour (the game's; palette colours are not drawn on this layout)."""
        return self.colours

    @property
    def scars_special(self) -> Names:
        """None here: every scar is a primary scar or a missing part."""
        return Names(())

    @cached_property
    def folded(self) -> Mapping[str, Mapping[str, str]]:
        """For each kind of name (as the legacy ``Vocabulary.folded`` has them), its names by
        their case-folded spelling."""
        return fold_names(name_kinds(self))

    @classmethod
    def from_pack(cls, pack: ModernSpritePack) -> ModernVocabulary:
        info = pack.pelt_info
        colours = _suffixes(pack, f"{COAT_PREFIX}single")
        pelts = {
            name: f"{COAT_PREFIX}{sheet}"
            for name, sheet in PELT_SPRITE_NAMES.items()
            if any(pack.has_group(f"{COAT_PREFIX}{sheet}{colour}") for colour in colours)
        }
        categories = {
            category: Names(name for name in names if pack.has_group(f"{sheet}{name}"))
            for category, (sheet, names) in pack.white_patch_sheets.items()
        }
        white_patches: dict[str, str] = {}
        for category in WHITE_PATCH_PREFERENCE:
            if category in categories:
                sheet = pack.white_patch_sheets[category][0]
                for name in categories[category]:
                    white_patches.setdefault(name, f"{sheet}{name}")
        white_patches = {name: white_patches[name] for name in sorted(white_patches)}

        def scars(key: str, prefix: str) -> Names:
            names = (str(name) for name in info.get(key, ()))
            return Names(dict.fromkeys(n for n in names if pack.has_group(f"{prefix}{n}")))

        tail = set(pack.accessory_categories.get("tail", info.get("tail_accessories", ())))
        head = set(pack.accessory_categories.get("head", ()))
        accessories: dict[str, Accessory] = {}
        kinds: tuple[tuple[Literal["plant", "wild", "collar"], str, str], ...] = (
            ("plant", "plant_accessories", PLANT_PREFIX),
            ("wild", "wild_accessories", WILD_PREFIX),
            ("collar", "collars", COLLAR_SHEET),
        )
        for kind, key, prefix in kinds:
            for name in (str(n) for n in info.get(key, ())):
                group = f"{prefix}{name}"
                if name in accessories or not pack.has_group(group):
                    continue
                category = (
                    "collar"
                    if kind == "collar"
                    else "tail"
                    if name in tail
                    else "head"
                    if name in head
                    else "body"
                )
                accessories[name] = Accessory(name, group, kind, category)

        tint_data, white_data = pack.tints, pack.white_patches_tints
        tints = colour_table(tint_data, "tint_colours", _rgb)
        dilute = colour_table(tint_data, "dilute_tint_colours", _rgb)
        white_tints = colour_table(white_data, "tint_colours", _rgb)
        afterlives = {
            name: group for name, group in AFTERLIFE_LINEARTS.items() if pack.has_group(group)
        }
        april: dict[str, str] = {}
        for group in (LIVING_LINEART, *afterlives.values()):
            location = pack.groups.get(group)
            if location is None:
                continue
            sheet = location.sheet + APRIL_FOOLS_SUFFIX
            found = next(
                (
                    name
                    for name, other in pack.groups.items()
                    if other.sheet == sheet and (other.x, other.y) == (location.x, location.y)
                ),
                None,
            )
            if found is not None:
                april[group] = found
        stages = sorted(
            int(name[len(FADE_MASK) :])
            for name in pack.group_names
            if name.startswith(FADE_MASK)
            and name[len(FADE_MASK) :].isdigit()
            and all(
                pack.has_group(f"{fog}{name[len(FADE_MASK) :]}")
                for fog in FADING_BACKDROPS.values()
            )
        )
        return cls(
            poses=Names(pack.poses),
            pelts=MappingProxyType(pelts),
            colours=Names(colours),
            colour_groups=MappingProxyType(dict(tint_data.get("colour_groups", {}))),
            tortie_masks=Names(_suffixes(pack, TORTIE_PREFIX)),
            tints=MappingProxyType(tints),
            dilute_tints=MappingProxyType(dilute),
            all_tints=MappingProxyType({**tints, **dilute}),
            white_patches=MappingProxyType(white_patches),
            white_patch_categories=MappingProxyType(
                {c: categories[c] for c in WHITE_PATCH_CATEGORIES if c in categories}
            ),
            points=Names(_suffixes(pack, POINTS_PREFIX)),
            vitiligo=Names(_suffixes(pack, VITILIGO_PREFIX)),
            white_patches_tints=MappingProxyType(white_tints),
            eye_colours=Names(_suffixes(pack, EYES_PREFIX)),
            skins=Names(_suffixes(pack, SKIN_PREFIX)),
            scars_primary=Names((*scars("scars1", SCAR_PREFIX), *scars("scars3", SCAR_PREFIX))),
            scars_missing=scars("scars2", MISSING_PART_PREFIX),
            accessories=MappingProxyType(accessories),
            collar_types=MappingProxyType(
                {
                    kind: tuple(c for c in colours_ if pack.has_group(f"{COLLAR_SHEET}{kind}_{c}"))
                    for kind, colours_ in pack.collar_colours.items()
                    if pack.has_group(f"{COLLAR_SHEET}{kind}")
                }
            ),
            afterlives=MappingProxyType(afterlives),
            april_fools_linearts=MappingProxyType(april),
            fading_stages=tuple(stages),
        )
