"""GET /palettes: the CatGenerator's palette colours, as the palette files give them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from renderer_service.app.state import ServiceState, get_state, legacy_renderer

router = APIRouter(tags=["catalog"])


@router.get(
    "/palettes",
    summary="The palette colours",
    description="A list of palettes, each `{id, label, description, colors}`, with `colors` "
    "mapping a colour name to its definition: `multiply` `[r, g, b]` and/or `screen` "
    "`[r, g, b, a]` (a flat colour), or `pattern` (a repeating pattern whose `type` names "
    "the generator that draws it; `GET /catalog` lists each with its generator). Every name "
    "is valid wherever a coat colour is.",
)
def palettes(state: Annotated[ServiceState, Depends(get_state)]) -> list[dict[str, Any]]:
    renderer = legacy_renderer(state)
    if renderer is None:
        return []  # palette colours are drawn on the legacy layout only
    return [dict(palette.raw) for palette in renderer.palettes.palettes]
