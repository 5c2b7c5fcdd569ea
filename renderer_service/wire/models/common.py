"""What the request models share: strictness, name lengths, the ignored V2 labels and the
descriptions of backgrounds and formats.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, StringConstraints

BACKGROUND_DESCRIPTION = (
    "What the cat is drawn on: `transparent` (default), a colour `#rrggbb` or `#rrggbbaa`, a "
    "ClanGen profile platform `platform:<biome>:<season>:<light|dark>` (biomes `forest`, "
    "`mountainous`, `plains`, `beach`, `nest`; seasons `greenleaf`, `leafbare`, `leaffall`, "
    "`newleaf`), `platform:starclan:<light|dark>`, `platform:darkforest:<light|dark>`, or "
    "`platform:auto:<biome>:<season>:<light|dark>`: the platform the game would choose (Dark "
    "Forest cats on the Dark Forest's, other dead cats on StarClan's, newborn and sick cats in "
    "the nest, the rest on the biome's). On a platform the picture is 80 x 70 (times the "
    "scale) with the 50 x 50 cat at (15, 0). `GET /catalog` lists every value."
)
FORMAT_DESCRIPTION = (
    "`png` (default), `webp` (lossless) or `gif`. Without it, an `Accept: image/...` header "
    "chooses. GIF has no translucency: the picture is drawn on its background first, then "
    "pixels with alpha below 128 become transparent and the rest opaque."
)

STRICT = ConfigDict(strict=True, extra="forbid", populate_by_name=True)

NAME_MAX_LENGTH = 64
"""The longest trait name a request may send (no pack's names come near it)."""
IGNORED_MAX_LENGTH = 256
"""The longest value of a field that is accepted and ignored."""

Name = Annotated[str, StringConstraints(max_length=NAME_MAX_LENGTH)]
Ignored = Annotated[str, StringConstraints(max_length=IGNORED_MAX_LENGTH)] | None
IGNORED = "Accepted and ignored (sent by CatGenerator clients; nothing is drawn from it)."


EXAMPLE_PAYLOAD: dict[str, Any] = {
    "spriteNumber": 8,
    "params": {"peltName": "Tabby", "colour": "GINGER"},
}
"""The cat the request examples draw (a ginger tabby adult)."""


def strict_body(example: dict[str, Any]) -> ConfigDict:
    """A request body's model config: strict, no unknown fields, ``example`` in ``/docs``."""
    return ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [example]})


MAX_POSES = 64
"""Poses a request may number (``spriteNumber`` stays below): each pack checks its own range
(0-20 for a legacy pack, 0-25 for ClanGen v0.13's)."""
