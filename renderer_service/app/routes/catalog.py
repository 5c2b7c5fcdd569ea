"""GET /catalog: every value each render param accepts, from the loaded pack, and what the
save routes accept."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Query

from renderer_service.app.state import ServiceState, get_state
from renderer_service.renderer import ModernCatalog
from renderer_service.saves import RANKS, SPECIAL_SUFFIXES, age_ranges
from renderer_service.wire import (
    MAX_BATCH_FRAMES,
    SaveAge,
    SaveCatalog,
    SaveLifeStage,
    SaveSheetQuery,
    ServiceCatalog,
    ServiceModernCatalog,
)

router = APIRouter(tags=["catalog"])


def save_catalog(max_body_bytes: int) -> SaveCatalog:
    fields = SaveSheetQuery.model_fields
    return SaveCatalog(
        routes={
            "/save/params": "every cat of a save as V2 render params, with its name and age",
            "/save/sheet": "the cats of a save on one spritesheet, as /render/batch answers",
        },
        max_body_bytes=max_body_bytes,
        include=list(get_args(fields["include"].annotation)),
        order=list(get_args(fields["order"].annotation)),
        life_stages=list(get_args(SaveLifeStage)),
        ages=[SaveAge(age=age, moons=(first, last)) for age, first, last in age_ranges()],
        ranks=[sorted(statuses) for statuses in RANKS],
        special_suffixes=dict(SPECIAL_SUFFIXES),
        max_cats_per_sheet=MAX_BATCH_FRAMES,
    )


@router.get(
    "/catalog",
    response_model=ServiceCatalog | ServiceModernCatalog,
    summary="Every valid value of every render param",
    description="Read from the loaded sprite pack: the same names `/render` accepts and its "
    "422 answers suggest, with what each draws; and what the save routes accept. `pack` picks "
    "one of the service's packs (see `GET /health`); default: the first. `layout` says "
    "which shape the answer has: `legacy` (poses 0-20) or `modern` (ClanGen v0.13's named "
    "poses with their life stages, collar palette colours, white-patch categories).",
)
def catalog(
    state: Annotated[ServiceState, Depends(get_state)],
    pack: Annotated[
        str | None, Query(max_length=64, description="A pack's name; default: the first.")
    ] = None,
) -> ServiceCatalog | ServiceModernCatalog:
    chosen = state.packs.choose(pack, "pack")[1].catalog
    model = ServiceModernCatalog if isinstance(chosen, ModernCatalog) else ServiceCatalog
    return model.model_validate(
        {
            **{name: getattr(chosen, name) for name in type(chosen).model_fields},
            "saves": save_catalog(state.settings.save_max_body_bytes),
        }
    )
