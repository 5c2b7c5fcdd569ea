"""Several sprite packs served at once, each by name (``CG3_PACKS``), the first the default.

A request picks one with ``options.pack``; without it the default draws. Without
``CG3_PACKS`` or ``CG3_SPRITE_ROOT`` the service serves both bundled packs, ``lifegen`` (the
default) and ``clangen``; with ``CG3_SPRITE_ROOT`` alone there is one pack, ``default``. A
pack is drawn by a ``Renderer`` (legacy layout) or a ``ModernRenderer`` (modern layout).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from renderer_service.config import Settings, parse_packs_setting
from renderer_service.renderer import (
    AnyRenderer,
    DarkForestOverlay,
    ModernRenderer,
    ModernSpritePack,
    Renderer,
    SpritePack,
    closest,
)
from renderer_service.wire import ApiError, error_item

DEFAULT_PACK = "default"
"""The name of the only pack when ``CG3_SPRITE_ROOT`` names it; a request may also say
``default`` for whichever pack is the default."""


class PackSet:
    """Renderers by pack name, in the configured order; the first is the default."""

    def __init__(self, renderers: Mapping[str, AnyRenderer]) -> None:
        if not renderers:
            raise ValueError("a pack set needs at least one pack")
        self._renderers = dict(renderers)
        self.default_name = next(iter(self._renderers))

    @classmethod
    def single(cls, renderer: AnyRenderer, name: str = DEFAULT_PACK) -> PackSet:
        return cls({name: renderer})

    @property
    def default(self) -> AnyRenderer:
        return self._renderers[self.default_name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._renderers)

    def __iter__(self) -> Iterator[tuple[str, AnyRenderer]]:
        return iter(self._renderers.items())

    def __len__(self) -> int:
        return len(self._renderers)

    def name_of(self, asked: str | None) -> str:
        """The pack a request names (``None``, or ``default`` where no pack has that name:
        the default)."""
        if asked is None or (asked == DEFAULT_PACK and asked not in self._renderers):
            return self.default_name
        return asked

    def choose(self, asked: str | None, field: str = "options.pack") -> tuple[str, AnyRenderer]:
        """The name and renderer of the pack a request names; ``ApiError`` (422) naming the
        packs there are when it names none of them."""
        name = self.name_of(asked)
        renderer = self._renderers.get(name)
        if renderer is None:
            detail = f"{field}: no pack is named {name!r}; the packs are " + ", ".join(self.names)
            raise ApiError(
                422,
                "invalid_params",
                detail,
                [
                    error_item(
                        field,
                        name,
                        detail,
                        "one of " + ", ".join(self.names),
                        closest(name, self.names),
                    )
                ],
            )
        return name, renderer

    def normalised(self, asked: str | None) -> str:
        """What a canonical request and a cat's code say: the pack's own name, the default's
        included, so a code means the same cat whatever packs a server lists, in any order."""
        return self.name_of(asked)


def build_renderer(pack: SpritePack | ModernSpritePack, settings: Settings) -> AnyRenderer:
    """A renderer for ``pack``: a modern pack's as the game draws it; a legacy pack's with the
    bundled palettes and the configured Dark Forest overlay (``PaletteError`` when a palette
    colour clashes with one of the pack's colours)."""
    from renderer_service.packs.bundled import load_bundled_palettes

    if isinstance(pack, ModernSpritePack):
        return ModernRenderer(pack)
    return Renderer(
        pack,
        palettes=load_bundled_palettes(pack),
        dark_forest_overlay=DarkForestOverlay(
            settings.dark_forest_overlay_colour, settings.dark_forest_overlay_alpha
        ),
    )


def load_packs(
    settings: Settings,
    read: Callable[[str | None], SpritePack | ModernSpritePack] | None = None,
) -> PackSet:
    """Every pack the settings name, loaded with ``read`` (default ``load_sprite_pack``);
    folders shared by two names are loaded once."""
    from renderer_service.packs.bundled import default_packs_setting, load_sprite_pack

    reader = read or load_sprite_pack
    wanted: list[tuple[str, str | None]]
    if settings.packs:
        wanted = list(parse_packs_setting(settings.packs))
    elif settings.sprite_root is not None:
        wanted = [(DEFAULT_PACK, settings.sprite_root)]
    else:
        wanted = list(parse_packs_setting(default_packs_setting()))
    loaded: dict[str | None, AnyRenderer] = {}
    renderers = {}
    for name, folders in wanted:
        if folders not in loaded:
            loaded[folders] = build_renderer(reader(folders), settings)
        renderers[name] = loaded[folders]
    return PackSet(renderers)
