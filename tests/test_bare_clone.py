"""A fresh clone needs nothing beside it: cloned into an empty folder (no sprites, no parity
pictures, no ``CG3_*`` settings next to it), the service starts with the README's command
and draws a cat.

The clone holds the committed files only, so this checks what a newcomer gets. It starts one
service on a free loopback port, and stops it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from renderer_service.harness import running_service

from .conftest import REPO

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START_TIMEOUT = 240.0
"""Seconds the clone's first start may take (it compiles the kernels: numba has no cache)."""


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.fail("the bare-clone check needs git and a git checkout")
    folder = tmp_path_factory.mktemp("bare") / "clone"
    subprocess.run([git, "clone", "--quiet", str(REPO), str(folder)], check=True, timeout=300)
    return folder


def clone_env(clone: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CG3_", "NUMBA_CACHE"))}
    return {**env, "PYTHONPATH": str(clone)}


def test_the_clone_has_nothing_beside_it(clone: Path) -> None:
    assert [path.name for path in clone.parent.iterdir()] == ["clone"]


def test_the_clone_runs_its_own_code(clone: Path) -> None:
    where = subprocess.run(
        [sys.executable, "-c", "import renderer_service; print(renderer_service.__file__)"],
        cwd=clone,
        env=clone_env(clone),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert Path(where).is_relative_to(clone)


def test_the_readme_start_command_serves_a_cat_from_the_clone(clone: Path) -> None:
    readme = (clone / "README.md").read_text()
    start_command, test_command = readme.split("\n\n")[1].split("\n")
    assert start_command.strip() == "uv run cg3 serve"
    assert test_command.strip() == "uv run pytest"
    first_cat = readme[readme.index("## Your first cat") :]
    found = re.search(r"-d '(\{.*?\})'\s*\\?\s*-o cat\.png", first_cat, re.DOTALL)
    assert found, "the README's first cat is not one curl writing cat.png"
    body = found.group(1).encode()
    with running_service(
        base_env=clone_env(clone),
        env={"CG3_WORKER_COUNT": "1"},
        cwd=clone,
        ready_seconds=START_TIMEOUT,
    ) as service:
        log = service.output().splitlines()
        assert any("pack loaded: " in line and "bundled lifegen pack" in line for line in log)
        request = urllib.request.Request(
            f"{service.url}/render",
            data=body,
            headers={"Content-Type": "application/json", "Accept": "image/png"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert answer.status == 200
            assert answer.read().startswith(PNG_SIGNATURE)
