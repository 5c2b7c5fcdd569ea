"""A job's canonical form: the shortest body that means the same cat, and what its code holds.

Equal cats have equal canonical bodies, which is what the caches key on.
"""

from __future__ import annotations

from typing import Any

import orjson

from renderer_service.renderer import (
    CatParams,
)
from renderer_service.wire import RenderOptions
from renderer_service.work.job import RenderJob

DEFAULT_OPTIONS_DUMPS: dict[int, tuple[RenderOptions, dict[str, Any]]] = {}
"""``_default_options`` (by identity; each is held here) -> its ``canonical_options``."""


CODE_PACK_KEY = "pack"
"""Where a code keeps the pack its cat is drawn with: always, by name, so a shared code means
the same cat whatever packs a server lists (codes made before it was kept decode on the
default pack)."""


def code_params(
    params: CatParams, pose: int, pack: str | None, canonical: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a cat's code holds: its canonical params (``canonical``, when already worked
    out), and its pack by name."""
    held = dict(canonical) if canonical is not None else canonical_params(params, pose)
    if pack is not None:
        held[CODE_PACK_KEY] = pack
    return held


def canonical_params(params: CatParams, pose: int) -> dict[str, Any]:
    """The params with defaults left out and the pose inside: equal cats, equal dicts."""
    canonical = params.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    # "no coat" and "no skin" as a client spells them: a null would read as left out, which
    # is the default coat and skin (a code must draw the same cat again)
    if params.pelt_name is None:
        canonical["peltName"] = ""
    if params.skin_colour is None:
        canonical["skinColour"] = "none"
    canonical["spriteNumber"] = pose
    return canonical


def canonical_body(job: RenderJob, params: dict[str, Any] | None = None) -> bytes:
    """The job as the shortest /render body that means the same: defaults left out, the pose
    inside the params, keys sorted. Equal jobs have equal canonical bodies.

    ``params`` is the job's ``canonical_params``, when the caller already has them."""
    if params is None:
        params = canonical_params(job.params, job.pose)
    body: dict[str, Any] = {"payload": {"params": params}}
    options = canonical_options(job.options)
    if options:
        body["options"] = options
    if job.notes and job.options.collect_layers:  # the same picture, other diagnostics
        body["notes"] = job.notes
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def canonical_options(options: RenderOptions) -> dict[str, Any]:
    """The options that are not the defaults, PNG counting as a default."""
    known = DEFAULT_OPTIONS_DUMPS.get(id(options))
    if known is not None and known[0] is options:
        return known[1]
    dump = options.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if dump.get("format") == "png":
        dump.pop("format")  # PNG is the default: spelt out or not, the same picture
    return dump
