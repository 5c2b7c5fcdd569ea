"""Every trait value a sprite pack can draw, derived from the pack itself.

This is the single source of truth for validation: a name is valid when the pack has the
group it maps to. The catalog and the error messages both read from here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

from renderer_service.renderer.palettes import BASE_COLOUR, Palette, PaletteColour, Palettes
from renderer_service.renderer.sprites import SpritePack
from renderer_service.renderer.suggest import (
    closest as closest,  # the name checks import it from here
)

PELT_SPRITE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "SingleColour": "single",
        "TwoColour": "single",
        "Tabby": "tabby",
        "Marbled": "marbled",
        "Rosette": "rosette",
        "Smoke": "smoke",
        "Ticked": "ticked",
        "Speckled": "speckled",
        "Bengal": "bengal",
        "Mackerel": "mackerel",
        "Classic": "classic",
        "Sokoke": "sokoke",
        "Agouti": "agouti",
        "Singlestripe": "singlestripe",
        "Masked": "masked",
    }
)
"""V2 pelt names -> the sprite name part of their coat groups (ClanGen's ``sprites_names``)."""

POINT_MARKINGS = ("COLOURPOINT", "RAGDOLL", "SEPIAPOINT", "MINKPOINT", "SEALPOINT")
"""White groups ClanGen uses as colour points."""

VITILIGO_MARKINGS = (
    "VITILIGO",
    "VITILIGOTWO",
    "MOON",
    "PHANTOM",
    "KARPATI",
    "POWDER",
    "BLEACHED",
    "SMOKEY",
)
"""White groups ClanGen uses as vitiligo."""

ACCESSORY_PREFIXES = (
    "acc_herbs",
    "acc_wild",
    "collars",
    "acc_flower",
    "acc_plant2",
    "acc_snake",
    "acc_smallAnimal",
    "acc_deadInsect",
    "acc_aliveInsect",
    "acc_fruit",
    "acc_crafted",
    "acc_tail2",
)
"""Group prefixes of accessories, in the order they are tried."""

ACCESSORY_LISTS = (
    "plant_accessories",
    "wild_accessories",
    "tail_accessories",
    "collars",
    "extra_accessories",
)
"""``peltInfo.json`` lists that name accessories."""

ACCESSORY_GROUP_QUIRKS: Mapping[str, str] = MappingProxyType({"LAVENDER": "acc_herbsRASPBERRY"})
"""Accessories that ClanGen's own code draws from another group than the index names.

ClanGen draws the raspberry sprite for ``LAVENDER`` (its parity pictures show it); the
pack's ``acc_herbsLAVENDER`` cells are never used by the game, so neither are they here.
"""

LIVING_LINEART = "lines"
"""The lineart group of a living cat."""

AFTERLIFE_LINEARTS: Mapping[str, str] = MappingProxyType(
    {"starclan": "lineartdead", "darkForest": "lineartdf", "unknownResidence": "lineartur"}
)
"""Values of the ``afterlife`` param -> the lineart group a dead cat there is drawn with."""

APRIL_FOOLS_LINEARTS: Mapping[str, str] = MappingProxyType(
    {
        LIVING_LINEART: "aprilfoolslineart",
        "lineartdead": "aprilfoolslineartdead",
        "lineartdf": "aprilfoolslineartdf",
        "lineartur": "aprilfoolslineartur",
    }
)
"""Lineart groups -> their April Fools version (ClanGen swaps every lineart sheet)."""


def fading_backdrop(afterlife: str | None) -> str:
    """Prefix of the fog groups a fading cat is drawn over: ``fadedf`` in the Dark Forest,
    ``fadestarclan`` anywhere else (ClanGen's choice; the pack has no Unknown Residence fog)."""
    return "fadedf" if afterlife == "darkForest" else "fadestarclan"


NONE_NAMES = frozenset({"none", "None", "NONE", ""})
"""Spellings of "no value" accepted for optional traits."""


class Names(tuple[str, ...]):
    """Names in a fixed order (the order suggestions prefer among equals), with a set's
    membership test."""

    _members: frozenset[str]

    def __new__(cls, names: Iterable[str]) -> Names:
        self = super().__new__(cls, names)
        self._members = frozenset(self)
        return self

    def __contains__(self, name: object) -> bool:
        return name in self._members


def _suffixes(pack: SpritePack, prefix: str) -> tuple[str, ...]:
    """Trait names of the groups ``<prefix><NAME>``.

    Trait names are capitals, so ``singlestripeWHITE`` is not a ``single`` colour and
    ``eyes2BLUE`` is not an ``eyes`` colour.
    """
    names = (name[len(prefix) :] for name in pack.groups if name.startswith(prefix))
    return tuple(n for n in names if n and n == n.upper() and not n[0].isdigit())


def accessory_prefix(group: str) -> str:
    """The ``ACCESSORY_PREFIXES`` entry an accessory group starts with (its kind of atlas)."""
    return max((p for p in ACCESSORY_PREFIXES if group.startswith(p)), key=len)


def _rgb(value: object) -> tuple[int, int, int] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise ValueError(f"a tint colour must be [r, g, b], not {value!r}")
    r, g, b = (int(channel) for channel in value)
    return (r, g, b)


def colour_table(
    data: Mapping[str, Any],
    key: str,
    rgb: Callable[[object], tuple[int, int, int] | None] = _rgb,
) -> dict[str, tuple[int, int, int]]:
    """Name -> colour of each entry of the table ``data[key]`` that has a colour (``rgb``
    reads an entry: None for none)."""
    return {
        name: colour
        for name, value in data.get(key, {}).items()
        if (colour := rgb(value)) is not None
    }


class NamesVocabulary(Protocol):
    """The name lists of a vocabulary, legacy or modern: what ``name_kinds`` folds and
    the trait check (``params.name_errors``) checks params against."""

    @property
    def pelts(self) -> Collection[str]: ...

    @property
    def coat_colours(self) -> Collection[str]: ...

    @property
    def tortie_masks(self) -> Collection[str]: ...

    @property
    def white_patches(self) -> Collection[str]: ...

    @property
    def points(self) -> Collection[str]: ...

    @property
    def vitiligo(self) -> Collection[str]: ...

    @property
    def eye_colours(self) -> Collection[str]: ...

    @property
    def skins(self) -> Collection[str]: ...

    @property
    def all_scars(self) -> Collection[str]: ...

    @property
    def accessories(self) -> Collection[str]: ...

    @property
    def all_tints(self) -> Collection[str]: ...

    @property
    def eye_colours2(self) -> Collection[str]: ...

    @property
    def afterlives(self) -> Collection[str]: ...


def name_kinds(v: NamesVocabulary) -> dict[str, Sequence[str]]:
    """Each kind of name a param may be spelt in any case, with the pack's names of it."""
    return {
        "pelts": tuple(v.pelts),
        "colours": tuple(v.coat_colours),
        "tortieMasks": tuple(v.tortie_masks),
        "tints": tuple(v.all_tints),
        "whitePatches": tuple(v.white_patches),
        "points": tuple(v.points),
        "vitiligo": tuple(v.vitiligo),
        "eyeColours": tuple(v.eye_colours),
        "eyeColours2": tuple(v.eye_colours2),
        "skins": tuple(v.skins),
        "scars": tuple(v.all_scars),
        "accessories": tuple(v.accessories),
        "afterlives": tuple(v.afterlives),
    }


class NameLookups:
    """What the legacy and modern vocabularies answer alike: a name as the pack spells it,
    and the lineart group of a living or dead cat (``living_lineart`` for the living)."""

    living_lineart: ClassVar[str]
    afterlives: Mapping[str, str]
    april_fools_linearts: Mapping[str, str]

    @property
    def folded(self) -> Mapping[str, Mapping[str, str]]:
        raise NotImplementedError

    def canonical(self, kind: str, name: str) -> str:
        """``name`` spelt as the pack spells it, matched case-insensitively among the names
        of ``kind`` (a key of ``folded``); unchanged when nothing matches."""
        return self.folded[kind].get(name.casefold(), name)

    def lineart_group(self, afterlife: str | None, april_fools: bool = False) -> str | None:
        """The lineart of a living cat (``afterlife`` None) or of a dead one; None if absent."""
        group = self.living_lineart if afterlife is None else self.afterlives.get(afterlife)
        if april_fools and group is not None:
            return self.april_fools_linearts.get(group)
        return group


@dataclass(frozen=True)
class Vocabulary(NameLookups):
    """The names a pack accepts for each trait, and the sprite groups they map to.

    ``from_pack`` makes every list of names a ``Names``: checking a cat's traits is then a
    set look-up per trait, not a scan of a list.
    """

    living_lineart: ClassVar[str] = LIVING_LINEART

    pelts: Mapping[str, str]
    colours: tuple[str, ...]
    colour_groups: Mapping[str, str]
    tortie_masks: tuple[str, ...]
    tints: Mapping[str, tuple[int, int, int]]
    dilute_tints: Mapping[str, tuple[int, int, int]]
    white_patches: tuple[str, ...]
    points: tuple[str, ...]
    vitiligo: tuple[str, ...]
    white_patches_tints: Mapping[str, tuple[int, int, int] | None]
    eye_colours: tuple[str, ...]
    eye_colours2: tuple[str, ...]
    skins: tuple[str, ...]
    scars_primary: tuple[str, ...]
    scars_special: tuple[str, ...]
    scars_missing: tuple[str, ...]
    accessories: Mapping[str, str] = field(default_factory=dict)
    """Accessory name -> the group that draws it."""

    all_tints: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    """Coat tints of either kind (a name in both lists is applied both ways)."""
    all_scars: frozenset[str] = frozenset()
    """Every scar name, of any kind."""
    afterlives: Mapping[str, str] = field(default_factory=dict)
    """Afterlife name -> lineart group, for each afterlife whose lineart the pack has."""
    april_fools_linearts: Mapping[str, str] = field(default_factory=dict)
    """Lineart group -> its April Fools version, where the pack has both."""
    fading_stages: tuple[int, ...] = ()
    """Fading stages ``n`` whose ``fademask<n>``, ``fadestarclan<n>`` and ``fadedf<n>`` the
    pack has."""
    palette_colours: Mapping[str, PaletteColour] = field(default_factory=dict)
    """Palette colour name -> its definition (drawn by recolouring the pack's WHITE coats)."""
    palettes: tuple[Palette, ...] = ()
    """The palettes ``palette_colours`` come from."""
    coat_colours: Names = field(default_factory=lambda: Names(()))
    """Every coat colour: the pack's and the palettes'."""
    white_patches_paints: Names = field(default_factory=lambda: Names(()))
    """Every ``whitePatchesTint``: the game's tints (lower case) and every coat colour."""

    @cached_property
    def folded(self) -> Mapping[str, Mapping[str, str]]:
        """For each kind of name, its names by their case-folded spelling (names that fold
        to the same spelling are left out: case decides between them)."""
        return fold_names(name_kinds(self))

    @classmethod
    def from_pack(cls, pack: SpritePack, palettes: Palettes | None = None) -> Vocabulary:
        """What ``pack`` can draw; with ``palettes``, their colours too (as recoloured WHITE
        coats, so only when the pack has ``single`` WHITE sprites)."""
        info = pack.pelt_info
        colours = _suffixes(pack, "single")
        pelts = {
            name: sprite
            for name, sprite in PELT_SPRITE_NAMES.items()
            if any(pack.has_group(f"{sprite}{colour}") for colour in colours)
        }
        whites = _suffixes(pack, "white")
        tint_data, white_tint_data = pack.tints, pack.white_patches_tints
        tints = colour_table(tint_data, "tint_colours")
        dilute = colour_table(tint_data, "dilute_tint_colours")
        white_tints = {
            name: _rgb(value) for name, value in white_tint_data.get("tint_colours", {}).items()
        }

        def scars(key: str) -> tuple[str, ...]:
            return tuple(str(name) for name in info.get(key, []) if pack.has_group(f"scars{name}"))

        accessories: dict[str, str] = {}
        for list_name in ACCESSORY_LISTS:
            for name in info.get(list_name, []):
                name = str(name)
                if name in accessories:
                    continue
                group = next(
                    (p + name for p in ACCESSORY_PREFIXES if pack.has_group(p + name)), None
                )
                if group is not None:
                    quirk = ACCESSORY_GROUP_QUIRKS.get(name)
                    accessories[name] = quirk if quirk and pack.has_group(quirk) else group

        palette_colours: dict[str, PaletteColour] = {}
        if palettes is not None and BASE_COLOUR in colours:
            palette_colours = {
                name: colour for name, colour in palettes.colours.items() if name not in colours
            }

        masks = (name[len("fademask") :] for name in pack.groups if name.startswith("fademask"))
        fading_stages = sorted(
            int(stage)
            for stage in masks
            if stage.isdigit()
            and pack.has_group(f"fadestarclan{stage}")
            and pack.has_group(f"fadedf{stage}")
        )
        return cls(
            pelts=MappingProxyType(pelts),
            colours=Names(colours),
            colour_groups=MappingProxyType(dict(tint_data.get("colour_groups", {}))),
            tortie_masks=Names(_suffixes(pack, "tortiemask")),
            tints=MappingProxyType(tints),
            dilute_tints=MappingProxyType(dilute),
            white_patches=Names(whites),
            points=Names(name for name in POINT_MARKINGS if name in whites),
            vitiligo=Names(name for name in VITILIGO_MARKINGS if name in whites),
            white_patches_tints=MappingProxyType(white_tints),
            eye_colours=Names(_suffixes(pack, "eyes")),
            eye_colours2=Names(_suffixes(pack, "eyes2")),
            skins=Names(_suffixes(pack, "skin")),
            scars_primary=Names(scars("scars1")),
            scars_special=Names(scars("scars3")),
            scars_missing=Names(scars("scars2")),
            accessories=MappingProxyType(accessories),
            all_tints=MappingProxyType({**tints, **dilute}),
            all_scars=frozenset((*scars("scars1"), *scars("scars3"), *scars("scars2"))),
            afterlives=MappingProxyType(
                {name: group for name, group in AFTERLIFE_LINEARTS.items() if pack.has_group(group)}
            ),
            april_fools_linearts=MappingProxyType(
                {
                    group: april
                    for group, april in APRIL_FOOLS_LINEARTS.items()
                    if pack.has_group(group) and pack.has_group(april)
                }
            ),
            fading_stages=tuple(fading_stages),
            palette_colours=MappingProxyType(palette_colours),
            palettes=palettes.palettes if palette_colours and palettes is not None else (),
            coat_colours=Names((*colours, *palette_colours)),
            white_patches_paints=Names((*white_tints, *colours, *palette_colours)),
        )


def fold_names(kinds: Mapping[str, Sequence[str]]) -> Mapping[str, Mapping[str, str]]:
    """For each kind of name, its names by their case-folded spelling; names that fold to the
    same spelling are left out (case decides between them)."""
    folded: dict[str, Mapping[str, str]] = {}
    for kind, names in kinds.items():
        table: dict[str, str] = {}
        clashes: set[str] = set()
        for name in names:
            key = name.casefold()
            if key in table and table[key] != name:
                clashes.add(key)
            table[key] = name
        folded[kind] = MappingProxyType(
            {key: name for key, name in table.items() if key not in clashes}
        )
    return MappingProxyType(folded)
