"""The game's behaviours that set the modern layout apart, each against a pygame-ce model of
ClanGen v0.13.2's ``generate_sprite`` (``scripts/cat/sprites/display_sprites.py``) and its
collar palettes (``Sprites.apply_palettes``), drawn from the bundled pack's own sheets:

- accessories drawn by category (collars, tail, then body and head), not in list order;
- collar colours replaced one after another on the same pixels (a replacement that equals a
  later base colour is replaced again);
- a dead StarClan / Dark Forest cat's accessories and missing-part masks with their opaque
  black in the afterlife's lineart colour;
- a dead Unknown Residence cat: a sprite's first draw keeps its black, later draws of it show
  ``line_ur_gradient`` (the game writes into the shared sprite); mist under, overlay over;
- shading on living cats only; fading of dead cats over their afterlife's fog.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pytest

from renderer_service.renderer.modern import (
    ModernCatParams,
    ModernRenderer,
    bundled_modern_pack_path,
)

from .imaging import atlas_cell, mismatches
from .reference import from_surface, pygame, to_surface

ROOT = bundled_modern_pack_path()
LINEARTS = {
    None: "lineart",
    "starclan": "lineart_sc",
    "darkForest": "lineart_df",
    "unknownResidence": "lineart_ur",
}
FOGS = {"starclan": "fadestarclan", "darkForest": "fadedf", "unknownResidence": "fadeur"}
LINEART_COLOURS = {"starclan": (47, 51, 64), "darkForest": (30, 8, 11)}
CATEGORIES = {
    "MAPLE LEAF": "head",
    "HERBS": "body",
    "PETALS": "body",
    "RED FEATHERS": "tail",
    "DAISY": "tail",
    "MOTH WINGS": "head",
    "ROAD RUNNER FEATHER": "body",
}
"""Plant and wild accessories of these tests and where the game's sprite data puts them."""
WILD = {"RED FEATHERS", "MOTH WINGS", "ROAD RUNNER FEATHER"}


@pytest.fixture(scope="module")
def modern() -> ModernRenderer:
    return ModernRenderer.from_folder(ROOT)


@cache
def _collar_order() -> dict[str, list[str]]:
    order: dict[str, list[str]] = json.loads((ROOT / "data/collar_palette_order.json").read_text())
    return order


@dataclass
class Game:
    """The game's sprite dictionary: surfaces shared by every draw, as ``sprites.sprites``."""

    sprites: dict[tuple[str, int], Any] = field(default_factory=dict)

    def sprite(self, group: str, pose: int) -> Any:
        key = (group, pose)
        if key not in self.sprites:
            self.sprites[key] = to_surface(atlas_cell(ROOT, group, pose))
        return self.sprites[key]

    def collar(self, name: str, pose: int) -> Any:
        key = (name, pose)
        if key not in self.sprites:
            kind, colour = next(
                (kind, name[len(kind) + 1 :])
                for kind in sorted(_collar_order(), key=len, reverse=True)
                if name.startswith(kind + "_") and name[len(kind) + 1 :] in _collar_order()[kind]
            )
            palette = pygame.image.load(str(ROOT / f"palettes/acc_collars{kind}_palette.png"))
            rows = pygame.PixelArray(palette)
            base = [palette.unmap_rgb(px) for px in rows[::, 0]]
            target = [
                palette.unmap_rgb(px) for px in rows[::, _collar_order()[kind].index(colour) + 1]
            ]
            rows.close()
            recolour = pygame.PixelArray(to_surface(atlas_cell(ROOT, f"acc_collars{kind}", pose)))
            for old, new in zip(base, target, strict=True):
                recolour.replace(old, new)
            self.sprites[key] = recolour.make_surface()
            recolour.close()
        return self.sprites[key]


def _blank() -> Any:
    """A transparent surface in the sprites' pixel format: the game's surfaces all share one
    format, and pygame-ce blends two surfaces of different formats by another route, which
    rounds some translucent pixels differently."""
    return to_surface(np.zeros((50, 50, 4), dtype=np.uint8))


def game_picture(
    game: Game,
    pose: int,
    *,
    missing: Sequence[str] = (),
    accessories: Sequence[str] = (),
    dead: bool = False,
    afterlife: str | None = None,
    shading: bool = False,
    opacity: int = 100,
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """A plain GINGER cat with GREEN eyes and PINK skin, as ``generate_sprite`` draws it."""
    new = _blank()
    for group in ("colours_singleGINGER", "eyesGREEN"):
        new.blit(game.sprite(group, pose), (0, 0))
    if shading and not dead:
        new.blit(game.sprite("shader_mask", pose), (0, 0), special_flags=pygame.BLEND_RGB_MULT)
        new.blit(game.sprite("shader_lighting", pose), (0, 0))
    new.blit(game.sprite(LINEARTS[afterlife if dead else None], pose), (0, 0))
    new.blit(game.sprite("skinPINK", pose), (0, 0))
    colour = LINEART_COLOURS.get(afterlife or "") if dead else None
    gradient = game.sprite("line_ur_gradient", pose) if dead else None

    def recolour(sprite: Any) -> Any:
        if not dead:
            return sprite
        out = sprite.copy()
        if colour:
            pixels = pygame.PixelArray(out)
            pixels.replace((0, 0, 0), colour, distance=0)
            del pixels
            return out
        for x in range(50):
            for y in range(50):
                if sprite.get_at((x, y)) == pygame.Color(0, 0, 0):
                    sprite.set_at((x, y), gradient.get_at((x, y)))
        return out

    for scar in missing:
        sprite = recolour(game.sprite(f"scars_missing_part{scar}", pose))
        new.blit(sprite, (0, 0), special_flags=pygame.BLEND_RGBA_MIN)
    for category in ("collar", "tail", "body", "head"):
        for name in accessories:
            tag = CATEGORIES.get(name, "collar")
            # ``Pelt`` files head accessories under body_accessories: none are left for head
            if ("body" if tag == "head" else tag) != category:
                continue
            if name in CATEGORIES:
                prefix = "acc_wilds" if name in WILD else "acc_plants"
                sprite = game.sprite(f"{prefix}{name}", pose)
            else:
                sprite = game.collar(name, pose)
            new.blit(recolour(sprite), (0, 0))
    if dead and opacity <= 97:
        stage = "0" if opacity > 80 else "1" if opacity > 45 else "2"
        new.blit(
            game.sprite(f"fademask{stage}", pose), (0, 0), special_flags=pygame.BLEND_RGBA_MULT
        )
        temp = game.sprite(f"{FOGS[afterlife or 'darkForest']}{stage}", pose).copy()
        temp.blit(new, (0, 0))
        new = temp
    if dead:
        temp = _blank()
        if afterlife == "unknownResidence":
            temp.blit(game.sprite("line_ur_underlay", pose), (0, 0))
        temp.blit(new, (0, 0))
        overlay = {"starclan": "line_sc_overlay", "unknownResidence": "line_ur_overlay"}
        if afterlife in overlay:
            temp.blit(game.sprite(overlay[afterlife], pose), (0, 0))
        new = temp
    return from_surface(new)


def _render(
    modern: ModernRenderer, pose: int, **traits: Any
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    params = {"pose": pose, "colour": "GINGER", "eyeColour": "GREEN", "skinColour": "PINK"}
    return modern.render(ModernCatParams.model_validate({**params, **traits})).image


def _same(actual: np.ndarray[Any, Any], expected: np.ndarray[Any, Any]) -> bool:
    return not mismatches(actual, expected).any()


@pytest.mark.parametrize("pose", [12, 16, 3])
def test_accessories_are_drawn_collars_first_then_tail_then_body_and_head(
    modern: ModernRenderer, pose: int
) -> None:
    worn = ["MAPLE LEAF", "HERBS", "RED FEATHERS", "LEATHER_BELL_crimson"]
    for order in (worn, worn[::-1], [worn[1], worn[3], worn[0], worn[2]]):
        expected = game_picture(Game(), pose, accessories=order)
        assert _same(_render(modern, pose, accessories=order), expected), order


def test_the_category_order_is_not_the_list_order(modern: ModernRenderer) -> None:
    """Where accessories overlap, drawing them in list order (as pixel-cat-maker does) gives
    another picture: the collar, listed last, is drawn first."""
    worn = ["HERBS", "RED FEATHERS", "NYLON_crimson"]
    differs = []
    for pose in range(26):
        listed = to_surface(game_picture(Game(), pose))
        for name in worn:
            group = f"acc_plants{name}" if name == "HERBS" else f"acc_wilds{name}"
            sprite = Game().collar(name, pose) if name.startswith("NYLON") else None
            listed.blit(sprite or to_surface(atlas_cell(ROOT, group, pose)), (0, 0))
        drawn = _render(modern, pose, accessories=worn)
        assert _same(drawn, game_picture(Game(), pose, accessories=worn)), pose
        differs.append(not _same(drawn, from_surface(listed)))
    assert any(differs)


@pytest.mark.parametrize(
    "collar", ["NYLON_white", "NYLON_BELL_white", "BOW_FOIL_black_gold", "LEATHER_GRADIENT_rainbow"]
)
def test_collar_colours_are_replaced_one_after_another(modern: ModernRenderer, collar: str) -> None:
    for pose in (12, 3, 24):
        expected = game_picture(Game(), pose, accessories=[collar])
        assert _same(_render(modern, pose, accessories=[collar]), expected), (collar, pose)


def test_nylon_white_grey_turns_white_then_blue_grey(modern: ModernRenderer) -> None:
    raw = modern.pack.sprite("acc_collarsNYLON", 14)
    coloured = modern.pack.sprite("acc_collarsNYLON_white", 14)
    grey = (raw == (97, 97, 97, 255)).all(axis=2)
    assert grey.any()
    assert (coloured[grey] == (69, 69, 106, 255)).all()


@pytest.mark.parametrize("afterlife", ["starclan", "darkForest"])
def test_a_dead_cats_accessories_and_missing_parts_take_the_lineart_colour(
    modern: ModernRenderer, afterlife: str
) -> None:
    traits = {"accessories": ["MOTH WINGS", "LEATHER_black"], "scars": ["NOTAIL", "LEFTEAR"]}
    for pose in (12, 20, 25):
        expected = game_picture(
            Game(),
            pose,
            missing=["NOTAIL", "LEFTEAR"],
            accessories=["MOTH WINGS", "LEATHER_black"],
            dead=True,
            afterlife=afterlife,
        )
        drawn = _render(modern, pose, dead=True, afterlife=afterlife, **traits)
        assert _same(drawn, expected), pose
    layers = modern.render(
        ModernCatParams.model_validate(
            {"pose": 12, "dead": True, "afterlife": afterlife, "accessory": "MAPLE LEAF"}
        ),
        collect_layers=True,
        layer_images=True,
    ).layers
    assert layers is not None
    image = next(layer.image for layer in layers if layer.id == "accessories")
    assert image is not None
    opaque = image[image[:, :, 3] == 255][:, :3].tolist()
    assert [0, 0, 0] not in opaque
    assert list(LINEART_COLOURS[afterlife]) in opaque


def test_unknown_residence_keeps_black_on_a_first_draw_and_shows_the_gradient_after(
    modern: ModernRenderer,
) -> None:
    """One Game per picture: each picture is a first draw after the sheets are loaded, as the
    parity pictures are; within one cat a sprite drawn twice shows the gradient the second
    time."""
    for worn, missing in (
        (["LEATHER_black"], ["NOTAIL"]),
        (["LEATHER_black", "LEATHER_black"], ["NOTAIL", "NOTAIL"]),
        (["MAPLE LEAF", "LEATHER_BELL_SPIKE_black_gold", "MAPLE LEAF"], ["NOPAW", "NOPAW"]),
        (["DAISY", "PETALS", "DAISY"], []),
    ):
        for pose in (12, 4):
            expected = game_picture(
                Game(),
                pose,
                missing=missing,
                accessories=worn,
                dead=True,
                afterlife="unknownResidence",
            )
            drawn = _render(
                modern,
                pose,
                accessories=worn,
                scars=missing,
                dead=True,
                afterlife="unknownResidence",
            )
            assert _same(drawn, expected), (worn, missing, pose)
    once = _render(modern, 12, accessory="MAPLE LEAF", dead=True, afterlife="unknownResidence")
    twice = _render(
        modern,
        12,
        accessories=["MAPLE LEAF", "MAPLE LEAF"],
        dead=True,
        afterlife="unknownResidence",
    )
    assert not _same(once, twice)
    # the store keeps nothing between renders that changes the first draw
    again = _render(modern, 12, accessory="MAPLE LEAF", dead=True, afterlife="unknownResidence")
    assert _same(once, again)


@pytest.mark.parametrize("afterlife", ["starclan", "darkForest", "unknownResidence"])
@pytest.mark.parametrize("opacity", [97, 81, 80, 46, 45, 0])
def test_dead_cats_fade_over_their_afterlifes_fog(
    modern: ModernRenderer, afterlife: str, opacity: int
) -> None:
    expected = game_picture(Game(), 13, dead=True, afterlife=afterlife, opacity=opacity)
    drawn = _render(modern, 13, dead=True, afterlife=afterlife, opacity=opacity)
    assert _same(drawn, expected)


@pytest.mark.parametrize("afterlife", [None, "starclan", "darkForest", "unknownResidence"])
def test_only_living_cats_are_shaded(modern: ModernRenderer, afterlife: str | None) -> None:
    dead = afterlife is not None
    for pose in (0, 12, 22):
        expected = game_picture(Game(), pose, dead=dead, afterlife=afterlife, shading=True)
        drawn = _render(modern, pose, dead=dead, afterlife=afterlife, shading=True)
        assert _same(drawn, expected)
        plain = _render(modern, pose, dead=dead, afterlife=afterlife)
        assert _same(drawn, plain) is dead


def test_a_reversed_cat_is_the_mirror_image(modern: ModernRenderer) -> None:
    traits: dict[str, Any] = {"accessories": ["DAISY"], "dead": True, "afterlife": "starclan"}
    ahead = _render(modern, 7, **traits)
    mirrored = _render(modern, 7, reverse=True, **traits)
    assert _same(mirrored, np.ascontiguousarray(ahead[:, ::-1]))
