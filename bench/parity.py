"""The parity check every benchmark runs before it times anything: the public cats must match
ClanGen's pictures pixel for pixel (equal, or both fully transparent), at scale 1 and enlarged."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
PUBLIC = REPO / "tests/data/legacy-public"


def public_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((PUBLIC / "cases.json").read_text())
    return cases


def decode(png: bytes) -> NDArray[np.uint8]:
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.uint8)


def expected(case_id: str, scale: int = 1) -> NDArray[np.uint8]:
    with Image.open(PUBLIC / "expected" / f"{case_id}.png") as image:
        picture = np.asarray(image.convert("RGBA"), dtype=np.uint8)
    return np.repeat(np.repeat(picture, scale, axis=0), scale, axis=1)


def same_picture(actual: NDArray[np.uint8], wanted: NDArray[np.uint8]) -> bool:
    if actual.shape != wanted.shape:
        return False
    transparent = (actual[:, :, 3] == 0) & (wanted[:, :, 3] == 0)
    return bool(((actual == wanted).all(axis=2) | transparent).all())


def check(png_of: Callable[[dict[str, Any], int], bytes], scales: tuple[int, ...] = (1,)) -> str:
    """Decode ``png_of(case, scale)`` for every public cat and scale; raise on any difference,
    else return the line to print."""
    cases = public_cases()
    for scale in scales:
        for case in cases:
            if not same_picture(decode(png_of(case, scale)), expected(case["id"], scale)):
                raise SystemExit(f"PARITY FAILED: {case['id']} at scale {scale}")
    shown = ", ".join(str(scale) for scale in scales)
    return f"parity          legacy-public: {len(cases)} cats pixel-exact at scale {shown}"
