"""Close matches for a background name the service does not have (``forest``, ``black``).

The renderer's own suggestions compare the whole text with whole names such as
``platform:forest:greenleaf:light``, which a single word never comes close to; here a word is
matched against the parts of each name, and a colour word gets its hex spelling.
"""

from __future__ import annotations

import re
from functools import cache

from renderer_service.renderer import TraitError, closest, parse_background

BIOMES = ("forest", "plains", "beach", "mountainous", "nest")
SEASONS = ("greenleaf", "newleaf", "leaffall", "leafbare")
SHADES = ("light", "dark")
COLOUR_WORDS = {
    "white": "#ffffff",
    "black": "#000000",
    "grey": "#808080",
    "gray": "#808080",
    "red": "#ff0000",
    "green": "#00ff00",
    "blue": "#0000ff",
    "none": "transparent",
    "clear": "transparent",
}
"""Colour words people try, and the spelling the service reads."""


@cache
def background_names() -> tuple[str, ...]:
    """Every named background, as ``parse_background`` reads them (the ones it refuses are
    left out, so a pack without a platform never gets it suggested)."""
    names = ["transparent"]
    for kind in ("platform:", "platform:auto:"):
        names += [f"{kind}{b}:{s}:{shade}" for b in BIOMES for s in SEASONS for shade in SHADES]
    names += [
        f"platform:{place}:{shade}" for place in ("starclan", "darkforest") for shade in SHADES
    ]
    valid = []
    for name in names:
        try:
            parse_background(name)
        except TraitError:
            continue
        valid.append(name)
    return tuple(valid)


def background_suggestions(text: str, limit: int = 3) -> list[str]:
    """The backgrounds nearest to ``text``: those whose parts hold every word of it, else
    the closest names."""
    folded = text.strip().lower()
    if folded in COLOUR_WORDS:
        return [COLOUR_WORDS[folded]]
    words = [w for w in re.split(r"[:\s_,/-]+", folded) if w and w != "platform"]
    names = background_names()
    if words:
        fixed = [n for n in names if not n.startswith("platform:auto:")]
        for pool in (fixed, names):
            hits = [n for n in pool if all(w in n.split(":") for w in words)]
            if hits:
                return hits[:limit]
        near = [n for n in fixed if any(closest(w, n.split(":"), limit=1) for w in words)]
        if near:
            return near[:limit]
    return closest(text, names, limit=limit)
