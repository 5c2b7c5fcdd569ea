"""Reading diff cases: ``[{"id", "params"}]`` (pose in the params, as the legacy parity sets
are), ``[{"id", "params", "lineart"}]`` (pixel-cat-maker's share-URL fields and its lineart
choice, as ``modern-public`` is: drawn on the ``clangen`` pack) or ``[{"id", "payload",
"options"}]`` (a ``/render`` body per cat)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from renderer_service.renderer import pcm_params

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
"""Ids name the reference file ``<id>.png``, so they may not hold path separators."""


class CasesError(ValueError):
    """A cases file that cannot be read, saying where and why."""


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    body: dict[str, Any]
    """The ``/render`` body that draws the cat."""
    source: str
    """The cases file's set name (its folder's name, or the file's stem)."""

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.body.get("payload", {}).get("params", {})
        return params


def _set_name(path: Path) -> str:
    return path.parent.name if path.name == "cases.json" and path.parent.name else path.stem


def load_cases(path: Path) -> list[Case]:
    """The cases of one file; ``CasesError`` naming the file and the entry at fault."""
    try:
        raw = orjson.loads(path.read_bytes())
    except OSError as error:
        raise CasesError(f"cannot read {path}: {error.strerror or error}") from None
    except orjson.JSONDecodeError as error:
        raise CasesError(f"{path} is not JSON: {error}") from None
    if isinstance(raw, dict) and isinstance(raw.get("cases"), list):
        raw = raw["cases"]
    if not isinstance(raw, list) or not raw:
        raise CasesError(f"{path} must hold a non-empty JSON list of cases")
    source = _set_name(path)
    cases: list[Case] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"{path}: case {index}"
        if not isinstance(entry, dict):
            raise CasesError(f"{where} is not an object")
        case_id = entry.get("id")
        if not isinstance(case_id, str) or not SAFE_ID.match(case_id):
            raise CasesError(
                f"{where}: id {case_id!r} must be 1-128 letters, digits, '.', '_' or '-'"
            )
        if case_id in seen:
            raise CasesError(f"{where}: id {case_id!r} appears twice")
        seen.add(case_id)
        if "payload" in entry:
            body = {key: value for key, value in entry.items() if key in ("payload", "options")}
        elif isinstance(entry.get("params"), dict) and isinstance(entry.get("lineart"), str):
            body = pcm_body(entry["params"], entry["lineart"])
        elif isinstance(entry.get("params"), dict):
            body = {"payload": {"params": entry["params"]}}
        else:
            raise CasesError(f"{where} ({case_id}): give params, or payload (and options)")
        cases.append(Case(case_id, body, source))
    return cases


MODERN_PACK = "clangen"
"""The pack pixel-cat-maker's cats are drawn on."""


def pcm_body(fields: dict[str, Any], lineart: str) -> dict[str, Any]:
    """The ``/render`` body of a pixel-cat-maker cat (its share-URL fields and lineart)."""
    params = pcm_params(fields, lineart)
    pose = params.pop("pose", None)
    payload: dict[str, Any] = {"params": params}
    if pose is not None:
        payload["spriteNumber" if isinstance(pose, int) else "pose"] = pose
    return {"payload": payload, "options": {"pack": MODERN_PACK}}


def traits(case: Case) -> list[tuple[str, str]]:
    """The case's traits as ``(param, value)`` pairs: one per list item, tortie layers by
    field, the pose included. What the report's "by trait" summary counts."""
    found: list[tuple[str, str]] = []
    payload = case.body.get("payload", {})
    params = dict(case.params)
    if "spriteNumber" in payload:
        params.setdefault("spriteNumber", payload["spriteNumber"])
    for name, value in sorted(params.items()):
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend((f"{name}.{key}", str(part)) for key, part in item.items())
                else:
                    found.append((name, str(item)))
        elif isinstance(value, dict):
            found.extend((f"{name}.{key}", str(part)) for key, part in value.items())
        elif value is not None:
            found.append(
                (name, orjson.dumps(value).decode() if isinstance(value, bool) else str(value))
            )
    return found
