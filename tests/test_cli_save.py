"""``cg3 save``: a save file in, a folder of every cat's PNG plus a whole-clan sheet out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from renderer_service.cli.main import main

from .conftest import PARITY
from .imaging import load_rgba, mismatches
from .test_saves import saved_cat

SAVE = PARITY / "save-public"
PUBLIC_CATS: list[dict[str, Any]] = json.loads((SAVE / "clan_cats.json").read_text())


def write_save(folder: Path, cats: list[Any]) -> Path:
    path = folder / "clan_cats.json"
    path.write_text(json.dumps(cats))
    return path


def test_every_cat_is_written_as_clangen_draws_it_with_a_sheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cats = PUBLIC_CATS[:5]
    out = tmp_path / "out"
    code = main(["save", str(write_save(tmp_path, cats)), "-o", str(out), "--tile-size", "50"])
    assert code == 0
    for cat in cats:
        drawn = load_rgba(out / f"{cat['ID']}.png")
        assert not mismatches(drawn, load_rgba(SAVE / "expected" / f"{cat['ID']}.png")).any()
    sheet = load_rgba(out / "sheet.png")
    assert sheet.shape == (2 * 50, 3 * 50, 4)
    first = load_rgba(SAVE / "expected" / f"{cats[0]['ID']}.png")
    assert not mismatches(sheet[:50, :50], first).any()
    listing = json.loads((out / "cats.json").read_text())
    assert [cat["ID"] for cat in listing["cats"]] == [cat["ID"] for cat in cats]
    assert "5 cats written" in capsys.readouterr().out


def test_bad_cats_are_reported_and_skipped_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cats = [saved_cat(ID="a"), saved_cat(ID="b", skin="PLAID")]
    out = tmp_path / "out"
    assert main(["save", str(write_save(tmp_path, cats)), "-o", str(out)]) == 1
    assert (out / "a.png").is_file()
    assert not (out / "b.png").exists()
    assert "(ID b): skin" in capsys.readouterr().err


def test_options_select_order_and_sicken_cats(tmp_path: Path) -> None:
    cats = [saved_cat(ID="w"), saved_cat(ID="d", dead=True), saved_cat(ID="k", moons=3)]
    out = tmp_path / "out"
    args = ["save", str(write_save(tmp_path, cats)), "-o", str(out)]
    assert main([*args, "--include", "living", "--order", "moons", "--sick", "w"]) == 0
    listing = json.loads((out / "cats.json").read_text())["cats"]
    assert [(cat["ID"], cat["spriteNumber"]) for cat in listing] == [("k", 1), ("w", 18)]


def test_ids_never_become_paths(tmp_path: Path) -> None:
    cats = [saved_cat(ID="../../escape"), saved_cat(ID="......escape")]
    out = tmp_path / "out"
    assert main(["save", str(write_save(tmp_path, cats)), "-o", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "______escape-1.png",
        "______escape.png",
        "cats.json",
        "sheet.png",
    ]


@pytest.mark.parametrize("content", ["{not json", '"a string"'])
def test_a_file_that_is_not_a_save_is_a_usage_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "clan_cats.json"
    path.write_text(content)
    assert main(["save", str(path), "-o", str(tmp_path / "out")]) == 2
