"""``cg3 diff``: clean against the parity pictures and against another service, a changed
picture reported with its case, bad input exits 2; the HTML report holds the pictures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer_service.cli import common
from renderer_service.cli.main import main
from renderer_service.harness import free_port, running_service
from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer

from .conftest import PARITY, REPO

PUBLIC = PARITY / "legacy-public"
SUBSET = 12


@pytest.fixture(autouse=True)
def _shared_pack(renderer: Renderer, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = common._pack_set
    shared = PackSet.single(renderer)
    monkeypatch.setattr(common, "_pack_set", lambda root: shared if root is None else loaded(root))


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    """The first public cats, in the parity sets' format."""
    chosen = json.loads((PUBLIC / "cases.json").read_text())[:SUBSET]
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(chosen))
    return path


def _ids(cases: Path) -> list[str]:
    return [case["id"] for case in json.loads(cases.read_text())]


def _copy_references(cases: Path, folder: Path) -> Path:
    folder.mkdir()
    for case_id in _ids(cases):
        shutil.copy(PUBLIC / "expected" / f"{case_id}.png", folder / f"{case_id}.png")
    return folder


def test_the_parity_set_diffs_clean_and_exits_0(cases: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    code = main(
        [
            "diff",
            "--cases",
            str(cases),
            "--against-dir",
            str(PUBLIC / "expected"),
            "--json",
            str(summary),
        ]
    )
    assert code == 0
    written = json.loads(summary.read_text())
    assert (written["cases"], written["equal"], written["differing"]) == (SUBSET, SUBSET, 0)


def test_one_altered_picture_is_reported_with_its_case(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy_references(cases, tmp_path / "refs")
    altered = _ids(cases)[3]
    with Image.open(folder / f"{altered}.png") as picture:
        pixels = np.asarray(picture.convert("RGBA")).copy()
    ys, xs = np.nonzero(pixels[:, :, 3] == 255)
    pixels[ys[:5], xs[:5], 0] ^= 0x40  # five visible pixels
    Image.fromarray(pixels, "RGBA").save(folder / f"{altered}.png")
    report, summary = tmp_path / "out" / "report.html", tmp_path / "out" / "summary.json"
    code = main(
        [
            "diff",
            "--cases",
            str(cases),
            "--against-dir",
            str(folder),
            "--report",
            str(report),
            "--json",
            str(summary),
        ]
    )
    assert code == 1
    written = json.loads(summary.read_text())
    assert written["differing"] == 1
    (result,) = [row for row in written["results"] if row["status"] == "differing"]
    assert result["id"] == altered
    assert result["differing"] == 5
    assert result["maxChannelDelta"] == 0x40
    assert result["layers"]
    assert written["byLayer"][0]["cases"] == 1
    assert altered in capsys.readouterr().out
    page = report.read_text()
    assert altered in page
    assert "data:image/png;base64," in page
    assert "By layer" in page
    assert "By trait" in page
    assert "http://" not in page
    assert "https://" not in page  # self-contained: nothing fetched


def test_tolerance_accepts_small_differences(cases: Path, tmp_path: Path) -> None:
    folder = _copy_references(cases, tmp_path / "refs")
    first = _ids(cases)[0]
    with Image.open(folder / f"{first}.png") as picture:
        pixels = np.asarray(picture.convert("RGBA")).copy()
    visible = pixels[:, :, 3] > 0
    pixels[visible, 2] = np.where(pixels[visible, 2] > 0, pixels[visible, 2] - 1, 1)
    Image.fromarray(pixels, "RGBA").save(folder / f"{first}.png")
    base = ["diff", "--cases", str(cases), "--against-dir", str(folder)]
    assert main(base) == 1
    assert main([*base, "--tolerance", "1"]) == 0


def test_a_missing_reference_exits_2_and_names_it(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy_references(cases, tmp_path / "refs")
    gone = _ids(cases)[2]
    (folder / f"{gone}.png").unlink()
    assert main(["diff", "--cases", str(cases), "--against-dir", str(folder)]) == 2
    assert gone in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{nope", "not JSON"),
        ("[]", "non-empty"),
        ('[{"id": "../x", "params": {}}]', "id"),
        ('[{"id": "a", "params": {}}, {"id": "a", "params": {}}]', "twice"),
        ('[{"id": "a"}]', "params"),
    ],
    ids=["not-json", "empty", "path-in-id", "duplicate-id", "no-params"],
)
def test_bad_cases_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, needle: str
) -> None:
    bad = tmp_path / "cases.json"
    bad.write_text(content)
    assert main(["diff", "--cases", str(bad), "--against-dir", str(tmp_path)]) == 2
    assert needle in capsys.readouterr().err


def test_usage_errors_exit_2(cases: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["diff", "--cases", str(cases)])  # neither --against-dir nor --against-url
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["diff", "--cases", str(cases), "--against-dir", "x", "--tolerance", "300"])
    assert exited.value.code == 2
    assert main(["diff", "--cases", str(cases), "--against-dir", str(tmp_path / "no")]) == 2


def test_against_another_service_on_loopback_is_clean(
    renderer: Renderer, cases: Path, tmp_path: Path
) -> None:
    env = {"CG3_SPRITE_ROOT": str(renderer.pack.root), "CG3_WORKER_COUNT": "1"}
    summary = tmp_path / "summary.json"
    with running_service(["--log-level", "warning"], env=env, cwd=REPO) as service:
        url = service.url
        code = main(["diff", "--cases", str(cases), "--against-url", url, "--json", str(summary)])
    assert code == 0
    written: dict[str, Any] = json.loads(summary.read_text())
    assert written["equal"] == SUBSET
    assert written["against"] == f"service {url}"


def test_an_unreachable_service_exits_2(cases: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # a port nothing listens on
    assert main(["diff", "--cases", str(cases), "--against-url", f"http://127.0.0.1:{port}"]) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err
