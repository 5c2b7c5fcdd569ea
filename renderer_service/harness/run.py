"""Comparing every case with its reference, and summing the differences up."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from renderer_service.harness.cases import Case, traits
from renderer_service.harness.references import ReferenceSource, ReferenceUnavailableError
from renderer_service.packs import PackSet
from renderer_service.renderer import (
    Image,
    LayerBlame,
    ReferenceError,
    decode_picture,
    diff_cat,
    display_scale_for,
    side_by_side,
)
from renderer_service.wire import ApiError
from renderer_service.work import parse_render_request

Status = Literal["equal", "differing", "error"]


@dataclass(slots=True)
class CaseResult:
    case: Case
    status: Status
    differing: int = 0
    bbox: tuple[int, int, int, int] | None = None
    max_channel_delta: int = 0
    scale: int = 1
    layers: list[LayerBlame] = field(default_factory=list)
    error: str | None = None
    picture: Image | None = None
    """Reference | ours | heat map, enlarged, for cases that differ."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "set": self.case.source,
            "status": self.status,
            "differing": self.differing,
            "bbox": list(self.bbox) if self.bbox else None,
            "maxChannelDelta": self.max_channel_delta,
            "scale": self.scale,
            "layers": [{"id": item.id, "pixels": item.pixels} for item in self.layers],
            "error": self.error,
            "params": self.case.params,
        }


def compare_case(
    packs: PackSet,
    case: Case,
    source: ReferenceSource,
    tolerance: int = 0,
    pack: str | None = None,
) -> CaseResult:
    """One case: fetch the reference, render here (with ``pack`` where the case names none),
    compare. Problems become ``error``."""
    ours = case.body
    if pack is not None and not (ours.get("options") or {}).get("pack"):
        ours = {**ours, "options": {**(ours.get("options") or {}), "pack": pack}}
    try:
        job = parse_render_request(orjson.dumps(ours), packs, ("png",))
    except ApiError as error:
        return CaseResult(case, "error", error=f"this renderer refuses the case: {error.detail}")
    renderer = packs.choose(job.options.pack)[1]
    try:
        reference = decode_picture(source.picture(case))
        found = diff_cat(renderer, job.params, reference, job.pose, tolerance)
    except ReferenceUnavailableError as error:
        return CaseResult(case, "error", error=str(error))
    except ReferenceError as error:
        return CaseResult(case, "error", error=f"the reference: {error}")
    difference = found.difference
    if not difference.differing:
        return CaseResult(
            case, "equal", max_channel_delta=difference.max_channel_delta, scale=difference.scale
        )
    shown = display_scale_for(difference, target=150)
    return CaseResult(
        case,
        "differing",
        differing=difference.differing,
        bbox=difference.bbox,
        max_channel_delta=difference.max_channel_delta,
        scale=difference.scale,
        layers=found.layers,
        picture=side_by_side(reference, found.image, difference, shown),
    )


def compare_all(
    packs: PackSet,
    cases: Sequence[tuple[Case, ReferenceSource]],
    tolerance: int = 0,
    advance: Callable[[], None] = lambda: None,
    pack: str | None = None,
) -> list[CaseResult]:
    results = []
    for case, source in cases:
        results.append(compare_case(packs, case, source, tolerance, pack))
        advance()
    return results


def summarise(results: Sequence[CaseResult]) -> dict[str, Any]:
    """Counts, the differing cases by trait and by layer, and every case's result.

    ``byTrait``: for each trait value among the differing cases, how many cases have it and
    how many of those differ, the values most often differing first. ``byLayer``: each stage
    blamed, with the cases and differing pixels it covers.
    """
    statuses = Counter(result.status for result in results)
    having: Counter[tuple[str, str]] = Counter()
    differing: Counter[tuple[str, str]] = Counter()
    layer_cases: Counter[str] = Counter()
    layer_pixels: Counter[str] = Counter()
    sets: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        sets[result.case.source][result.status] += 1
        pairs = set(traits(result.case))
        having.update(pairs)
        if result.status == "differing":
            differing.update(pairs)
            for item in result.layers:
                layer_cases[item.id] += 1
                layer_pixels[item.id] += item.pixels
    trait_order = sorted(
        differing,
        key=lambda pair: (-differing[pair] / having[pair], -differing[pair], pair),
    )
    by_trait = [
        {
            "trait": name,
            "value": value,
            "cases": having[(name, value)],
            "differing": differing[(name, value)],
        }
        for name, value in trait_order
    ]
    layer_order = sorted(
        layer_cases, key=lambda name: (-layer_cases[name], -layer_pixels[name], name)
    )
    by_layer = [
        {"id": name, "cases": layer_cases[name], "pixels": layer_pixels[name]}
        for name in layer_order
    ]
    return {
        "cases": len(results),
        "equal": statuses["equal"],
        "differing": statuses["differing"],
        "errors": statuses["error"],
        "differingPixels": sum(result.differing for result in results),
        "sets": {name: dict(counts) for name, counts in sorted(sets.items())},
        "byTrait": by_trait,
        "byLayer": by_layer,
        "results": [result.as_json() for result in results],
    }
