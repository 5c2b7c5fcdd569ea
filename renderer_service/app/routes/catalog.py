"""GET /catalog: every value each render param accepts, from the loaded pack."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ...renderer import Catalog
from ..state import ServiceState, get_state

router = APIRouter(tags=["catalog"])


@router.get(
    "/catalog",
    response_model=Catalog,
    summary="Every valid value of every render param",
    description="Read from the loaded sprite pack: the same names `/render` accepts and its "
    "422 answers suggest, with what each draws.",
)
def catalog(state: Annotated[ServiceState, Depends(get_state)]) -> Catalog:
    return state.renderer.catalog
