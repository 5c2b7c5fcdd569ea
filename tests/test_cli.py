"""The ``cg3`` command: render, batch and catalog draw and list what the service does."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from renderer_service.cli import common
from renderer_service.cli.main import _subcommand_modules, build_parser, main
from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer

from .imaging import load_rgba


@pytest.fixture(autouse=True)
def _shared_pack(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands draw with the pack the test suite loaded once instead of loading it again."""
    loaded = common._pack_set
    shared = PackSet.single(renderer)

    def reuse(sprite_root: str | None) -> PackSet:
        return shared if sprite_root is None else loaded(sprite_root)

    monkeypatch.setattr(common, "_pack_set", reuse)


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices or {})  # type: ignore[arg-type]


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    names = _subcommands()
    assert {"render", "batch", "catalog"} <= set(names)
    assert len(names) == len(_subcommand_modules())
    for name in names:
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0
        assert f"usage: cg3 {name}" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["load", "soak", "faults", "scale-out"])
def test_each_drill_shows_an_example(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    shown = capsys.readouterr().out
    assert re.search(rf"example:\n  cg3 {name}\b", shown), shown


def test_the_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "renderer_service.cli.main", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "render" in done.stdout


def test_render_writes_the_pixels_render_answers(client: TestClient, tmp_path: Path) -> None:
    out = tmp_path / "cat.png"
    code = main(
        [
            "render",
            "--pelt",
            "Tabby",
            "--colour",
            "GINGER",
            "--eyes",
            "GREEN",
            "--shading",
            "--scars",
            "ONE,TWO",
            "--accessories",
            "MAPLE LEAF",
            "--pose",
            "8",
            "--scale",
            "3",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    served = client.post(
        "/render",
        headers={"Accept": "image/png"},
        json={
            "payload": {
                "spriteNumber": 8,
                "params": {
                    "peltName": "Tabby",
                    "colour": "GINGER",
                    "eyeColour": "GREEN",
                    "shading": True,
                    "scars": ["ONE", "TWO"],
                    "accessories": ["MAPLE LEAF"],
                },
            },
            "options": {"scale": 3},
        },
    )
    assert served.status_code == 200
    assert (load_rgba(out.read_bytes()) == load_rgba(served.content)).all()


def test_render_reads_a_render_body_and_flags_win(client: TestClient, tmp_path: Path) -> None:
    body = {
        "payload": {"spriteNumber": 3, "params": {"peltName": "Tabby", "colour": "BLACK"}},
        "options": {"scale": 2},
    }
    source = tmp_path / "body.json"
    source.write_text(json.dumps(body))
    out = tmp_path / "cat.png"
    assert main(["render", "--params", str(source), "--colour", "WHITE", "-o", str(out)]) == 0
    body["payload"]["params"]["colour"] = "WHITE"  # type: ignore[index]
    served = client.post("/render", headers={"Accept": "image/png"}, json=body)
    assert (load_rgba(out.read_bytes()) == load_rgba(served.content)).all()


def test_optional_true_or_false_traits_are_switches(
    client: TestClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``isTortie`` may be left out, yet its flag is a switch like ``--shading``, not a name."""
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    usage = capsys.readouterr().out
    assert "[--is-tortie | --no-is-tortie]" in usage
    assert "--is-tortie NAME" not in usage
    out = tmp_path / "cat.png"
    flags = ["--colour", "BLACK", "--tortie-pattern", "Tabby", "--tortie-colour", "GINGER"]
    assert main(["render", *flags, "--is-tortie", "-o", str(out)]) == 0
    params = {
        "colour": "BLACK",
        "isTortie": True,
        "tortiePattern": "Tabby",
        "tortieColour": "GINGER",
    }
    served = client.post(
        "/render", headers={"Accept": "image/png"}, json={"payload": {"params": params}}
    )
    assert (load_rgba(out.read_bytes()) == load_rgba(served.content)).all()
    plain = tmp_path / "plain.png"
    assert main(["render", *flags, "--no-is-tortie", "-o", str(plain)]) == 0
    assert not (load_rgba(plain.read_bytes()) == load_rgba(out.read_bytes())).all()


def test_render_with_a_bad_trait_exits_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cat.png"
    assert main(["render", "--colour", "GINGR", "-o", str(out)]) == 2
    error = capsys.readouterr().err
    assert "GINGR" in error
    assert "GINGER" in error
    assert not out.exists()


def test_render_with_unreadable_params_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{nope")
    assert main(["render", "--params", str(broken), "-o", str(tmp_path / "x.png")]) == 2
    assert "not JSON" in capsys.readouterr().err
    assert main(["render", "--params", str(tmp_path / "absent.json"), "-o", "x.png"]) == 2


def test_batch_writes_the_sheet_the_service_answers(client: TestClient, tmp_path: Path) -> None:
    body = {
        "payload": {"spriteNumber": 8, "params": {"peltName": "Tabby", "colour": "GINGER"}},
        "variants": [
            {"id": "blue", "params": {"eyeColour": "BLUE"}},
            {"id": "kit", "spriteNumber": 1},
        ],
        "options": {"tileSize": 100, "columns": 2},
    }
    source = tmp_path / "batch.json"
    source.write_text(json.dumps(body))
    out, answer = tmp_path / "sheet.png", tmp_path / "sheet.json"
    assert main(["batch", str(source), "-o", str(out), "--json", str(answer)]) == 0
    served = client.post("/render/batch", json=body).json()
    sheet = base64.b64decode(served["sheet"].split(",", 1)[1])
    assert (load_rgba(out.read_bytes()) == load_rgba(sheet)).all()
    written = json.loads(answer.read_text())
    assert written["frames"] == served["frames"]


def test_batch_over_the_limits_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "batch.json"
    source.write_text(
        json.dumps(
            {
                "payload": {"spriteNumber": 8, "params": {}},
                "variants": [{"id": "a", "params": {"colour": "GINGR"}}],
            }
        )
    )
    assert main(["batch", str(source), "-o", str(tmp_path / "s.png")]) == 2
    assert "GINGR" in capsys.readouterr().err


def test_catalog_json_is_the_catalog_route(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "--json"]) == 0
    served = client.get("/catalog").json()
    del served["saves"]  # the save routes are the service's; the command has its own `save`
    assert json.loads(capsys.readouterr().out) == served


def test_catalog_lists_a_section_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--section", "pelts"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("pelts (")
    assert "Tabby" in out
    assert main(["catalog", "--section", "pelt"]) == 2
    assert "pelts" in capsys.readouterr().err


# --- issue 25: the command line, finished ----------------------------------------------------


def test_catalog_as_the_readme_shows_it_prints_tables_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "pack: name " in out
    assert "pelts (15)" in out
    assert "─" in out  # tables, not Python data
    assert "{'" not in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_catalog_poses_show_their_life_stages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--section", "poses"]) == 0
    out = capsys.readouterr().out
    assert "life stage" in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:2].strip().isdigit()]
    assert rows[0][:2] == ["0", "kitten"]
    assert rows[-1][:2] == ["20", "newborn"]


def test_catalog_palettes_are_listed_palette_by_palette(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["catalog", "--section", "palettes"]) == 0
    out = capsys.readouterr().out
    assert "African Patterns (african-patterns, 18 colours)" in out
    assert "kente, 6 px tile" in out
    assert max(len(line) for line in out.splitlines()) <= 120
    assert main(["catalog", "--section", "palettes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["palettes"][0]["id"] == "african-patterns"


def test_every_subcommand_shows_an_example_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in _subcommands():
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert "example" in capsys.readouterr().out, name


def test_render_flags_take_values_only_where_the_param_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["render", "--help"])
    out = capsys.readouterr().out
    assert "--is-tortie NAME" not in out
    assert "--is-tortie, --no-is-tortie" in out
    assert "Default: SingleColour" in " ".join(out.split())
    args = build_parser().parse_args(["render", "--is-tortie", "-o", "x.png"])
    assert args.trait_isTortie is True
