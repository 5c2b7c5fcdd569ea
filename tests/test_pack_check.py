"""``cg3 pack check``: the bundled pack passes; a damaged copy of it is reported, exit 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from renderer_service.cli.main import main
from renderer_service.packs.bundled import bundled_pack_root


def test_the_bundled_pack_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.json"
    assert main(["pack", "check", "bundled", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["ok"]
    assert report["errors"] == []
    assert report["facts"]["groups"] > 900
    assert report["facts"]["vocabulary"]["accessories"] == 350
    # what the game lacks too is a warning: accessories have no newborn (pose 20) sprites
    assert any("accessory" in line and "as in the game" in line for line in report["warnings"])
    assert capsys.readouterr().out.splitlines()[-1].startswith("ok,")


def _damaged_copy(target: Path) -> Path:
    """The bundled atlases, with no index, minus eyes.png, with the living lineart's pose 0
    cell erased, scars.png cut short, and a file that is not a PNG."""
    target.mkdir()
    for sheet in bundled_pack_root().glob("*.png"):
        if sheet.name != "eyes.png":
            shutil.copy(sheet, target / sheet.name)
    with Image.open(target / "lineart.png") as picture:
        pixels = np.asarray(picture.convert("RGBA")).copy()
    pixels[0:50, 0:50] = 0
    Image.fromarray(pixels, "RGBA").save(target / "lineart.png")
    with Image.open(target / "scars.png") as picture:
        picture.crop((0, 0, picture.width, 200)).save(target / "scars.png")
    (target / "notes.png").write_bytes(b"not a picture")
    return target


def test_a_damaged_pack_is_reported_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _damaged_copy(tmp_path / "damaged")
    out = tmp_path / "report.json"
    assert main(["pack", "check", str(folder), "--json", str(out)]) == 1
    report = json.loads(out.read_text())
    errors = "\n".join(report["errors"])
    assert "eye colour sprite groups are missing" in errors
    assert "YELLOW" in errors
    assert "lineart groups have empty cells the game draws: lines (poses 0)" in errors
    assert "scars.png is" in errors
    assert "too small" in errors
    assert any("notes.png" in line for line in report["warnings"])
    assert report["facts"]["groupsFromOwnIndex"] == 0  # placed by the bundled layout
    printed = capsys.readouterr().out
    assert "error: " in printed


def test_a_folder_that_is_not_there_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["pack", "check", str(tmp_path / "absent")]) == 2
