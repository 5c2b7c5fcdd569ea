"""Several sprite packs served at once, each by name (``CG3_PACKS``), the first the default.

A request picks one with ``options.pack``; without it the default draws. Without
``CG3_PACKS`` there is one pack, ``default``, from ``CG3_SPRITE_ROOT`` or the bundled one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from renderer_service.config import Settings, parse_packs_setting
from renderer_service.renderer import DarkForestOverlay, Renderer, SpritePack, closest
from renderer_service.wire import ApiError, error_item

DEFAULT_PACK = "default"
"""The name of the only pack when ``CG3_PACKS`` is not set."""


class PackSet:
    """Renderers by pack name, in the configured order; the first is the default."""

    def __init__(self, renderers: Mapping[str, Renderer]) -> None:
        if not renderers:
            raise ValueError("a pack set needs at least one pack")
        self._renderers = dict(renderers)
        self.default_name = next(iter(self._renderers))

    @classmethod
    def single(cls, renderer: Renderer, name: str = DEFAULT_PACK) -> PackSet:
        return cls({name: renderer})

    @property
    def default(self) -> Renderer:
        return self._renderers[self.default_name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._renderers)

    def __iter__(self) -> Iterator[tuple[str, Renderer]]:
        return iter(self._renderers.items())

    def __len__(self) -> int:
        return len(self._renderers)

    def name_of(self, asked: str | None) -> str:
        """The pack a request names (``None``: the default)."""
        return self.default_name if asked is None else asked

    def choose(self, asked: str | None, field: str = "options.pack") -> tuple[str, Renderer]:
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

    def normalised(self, asked: str | None) -> str | None:
        """What a canonical request says: ``None`` for the default pack, else its name."""
        name = self.name_of(asked)
        return None if name == self.default_name else name


def build_renderer(pack: SpritePack, settings: Settings) -> Renderer:
    """A renderer for ``pack`` with the bundled palettes and the configured Dark Forest
    overlay; ``PaletteError`` when a palette colour clashes with one of the pack's colours."""
    from renderer_service.packs.bundled import load_bundled_palettes

    return Renderer(
        pack,
        palettes=load_bundled_palettes(pack),
        dark_forest_overlay=DarkForestOverlay(
            settings.dark_forest_overlay_colour, settings.dark_forest_overlay_alpha
        ),
    )


def load_packs(
    settings: Settings, read: Callable[[str | None], SpritePack] | None = None
) -> PackSet:
    """Every pack the settings name, loaded with ``read`` (default ``load_sprite_pack``);
    folders shared by two names are loaded once."""
    from renderer_service.packs.bundled import load_sprite_pack

    reader = read or load_sprite_pack
    wanted = (
        parse_packs_setting(settings.packs)
        if settings.packs
        else [(DEFAULT_PACK, settings.sprite_root)]
    )
    loaded: dict[str | None, Renderer] = {}
    renderers = {}
    for name, folders in wanted:
        if folders not in loaded:
            loaded[folders] = build_renderer(reader(folders), settings)
        renderers[name] = loaded[folders]
    return PackSet(renderers)
