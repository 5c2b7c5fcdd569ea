"""The package carries its data: a built wheel holds the bundled pack, its licences, the
palettes and the platforms, and finds the pack inside itself once unpacked."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO, without_settings

PACKS = REPO / "renderer_service" / "packs"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.fail("uv is needed to build the wheel (python3 -m pip install uv)")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO)],
        check=True,
        timeout=300,
    )
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_bundled_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(REPO).as_posix()
        for path in PACKS.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert expected, "no bundled data found in the checkout"
    assert expected <= names, sorted(expected - names)[:10]
    for name in (
        "renderer_service/packs/lifegen/spritesIndex.json",
        "renderer_service/packs/lifegen/spritesOffsetMap.json",
        "renderer_service/packs/lifegen/peltInfo.json",
        "renderer_service/packs/lifegen/dicts/tint.json",
        "renderer_service/packs/lifegen/lineart.png",
        "renderer_service/packs/LICENSE-CCBYNC.md",
        "renderer_service/packs/LICENSE-MPL.md",
        "renderer_service/packs/platforms/platforms.png",
    ):
        assert name in names, name
    palettes = [n for n in names if n.startswith("renderer_service/packs/palettes/")]
    assert len(palettes) == 70


def test_the_unpacked_wheel_finds_its_own_pack(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path)
    probe = (
        "from renderer_service.packs.bundled import find_sprite_root\n"
        "root = find_sprite_root(None)\n"
        "print(root)\n"
        "print((root / 'spritesIndex.json').is_file())\n"
    )
    env = without_settings()
    found = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    assert Path(found[0]).is_relative_to(tmp_path)
    assert found[1] == "True"


def test_the_wheel_names_its_licences(wheel: Path) -> None:
    """The code's licence is declared, and every licence file travels in the wheel's metadata."""
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    headers = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MPL-2.0" in headers
    prefix = "License-File: "
    files = {line.removeprefix(prefix) for line in headers if line.startswith(prefix)}
    for name in (
        "LICENSE",
        "renderer_service/packs/LICENSE-CCBYNC.md",
        "renderer_service/packs/LICENSE-MPL.md",
        "renderer_service/renderer/patterns/art/mdi/LICENSE",
    ):
        assert name in files, name
    licence = (REPO / "LICENSE").read_text()
    assert licence.startswith("Mozilla Public License Version 2.0")
    assert licence == (PACKS / "LICENSE-MPL.md").read_text()
