"""The modern ClanGen layout (v0.13: 3 x 9 cells per group, 26 named poses), drawn as the game
draws it: ``generate_sprite`` of ClanGen v0.13.2, pixel for pixel. No HTTP here.

Typical use::

    renderer = ModernRenderer.from_folder(bundled_modern_pack_path())
    params = ModernCatParams.model_validate({"pose": "adult_long1", "colour": "GINGER"})
    result = renderer.render(params)          # result.image, 50 x 50 RGBA
    png = encode_png(result.image)

Modules, one concern each:

- ``pack``: loading a modern pack folder (``ModernSpritePack``, ``is_modern_pack``);
- ``recolour``: exact colour replacement (collar palettes, a dead cat's lineart colour);
- ``vocabulary``: the names each trait accepts and the groups they draw (``ModernVocabulary``);
- ``poses``: pose names, life stages and the legacy numbering (``legacy_pose_number``);
- ``params``: ``ModernCatParams`` (``CatParams`` plus ``pose`` by name and ``spriteNumber``
  over the pack's pose list) and the trait check;
- ``tables``: per-pose tables of ready op rows, for the plain render;
- ``derived``: recoloured cells of dead cats, made on first use and kept;
- ``planner``: a cat as the kernel's op rows, in the game's stage order;
- ``renderer``: ``ModernRenderer``, the legacy ``Renderer``'s interface over the above;
- ``catalog``: the catalog of the modern vocabulary;
- ``pcm``: pixel-cat-maker's share-URL fields -> params.

Params: every ``CatParams`` field means what it means for the legacy renderer, as the game
draws it on this layout (see ``params``). A plain ``CatParams`` is drawn too; use
``ModernCatParams`` to name poses or reach poses 21-25. ``spriteNumber`` always counts in the
modern pose list (``legacy_pose_number`` and ``LEGACY_POSE_NAMES`` translate legacy numbers).

Layers (``render(..., collect_layers=True)``) are named by ``MODERN_LAYER_IDS``: the legacy
names where the stage is the same (``base``, ``tint``, ``whitePatches``, ``points``,
``vitiligo``, ``eyes``, ``scarsPrimary``, ``shading``, ``lighting``, ``lineart``, ``skin``,
``scarsSecondary``, ``accessories``, ``fading``) and ``afterlife`` for the StarClan and
Unknown Residence underlay and overlay.
"""

from .catalog import ModernCatalog, build_modern_catalog
from .pack import (
    BUNDLED_MODERN_PACK_NAME,
    ModernSpritePack,
    bundled_modern_pack_path,
    is_modern_pack,
)
from .params import (
    ModernCatParams,
    check_modern_traits,
    modern_trait_errors,
    resolve_pose,
)
from .pcm import fields_from_query, pcm_params, read_pcm
from .planner import MODERN_LAYER_IDS, ModernPlanner
from .poses import DEFAULT_MODERN_POSE, LEGACY_POSE_NAMES, legacy_pose_number, life_stage
from .renderer import ModernRenderer
from .vocabulary import ModernVocabulary

__all__ = [
    "BUNDLED_MODERN_PACK_NAME",
    "DEFAULT_MODERN_POSE",
    "LEGACY_POSE_NAMES",
    "MODERN_LAYER_IDS",
    "ModernCatParams",
    "ModernCatalog",
    "ModernPlanner",
    "ModernRenderer",
    "ModernSpritePack",
    "ModernVocabulary",
    "build_modern_catalog",
    "bundled_modern_pack_path",
    "check_modern_traits",
    "fields_from_query",
    "is_modern_pack",
    "legacy_pose_number",
    "life_stage",
    "modern_trait_errors",
    "pcm_params",
    "read_pcm",
    "resolve_pose",
]
