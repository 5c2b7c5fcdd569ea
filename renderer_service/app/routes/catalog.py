"""GET /catalog: every value each render param accepts, from the loaded pack."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from ...renderer import Catalog
from ..state import ServiceState, get_state

router = APIRouter(tags=["catalog"])


@router.get(
    "/catalog",
    response_model=Catalog,
    summary="Every valid value of every render param",
    description="Read from the loaded sprite pack: the same names `/render` accepts and its "
    "422 answers suggest, with what each draws. `pack` picks one of the service's packs "
    "(see `GET /health`); default: the first.",
)
def catalog(
    state: Annotated[ServiceState, Depends(get_state)],
    pack: Annotated[
        str | None, Query(max_length=64, description="A pack's name; default: the first.")
    ] = None,
) -> Catalog:
    return state.packs.choose(pack, "pack")[1].catalog
