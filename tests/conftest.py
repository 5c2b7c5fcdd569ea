"""Shared fixtures: the default sprite pack, loaded once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs.bundled import find_sprite_root, load_bundled_palettes
from renderer_service.renderer import Renderer, SpritePack

REPO = Path(__file__).resolve().parent.parent
PARITY = REPO / "tests" / "data"
"""The parity sets: cats with the pictures ClanGen's own code draws for them."""


def without_settings() -> dict[str, str]:
    """This process's environment without any ``CG3_*`` setting: for a child process that
    must start from the defaults (plus what the test gives it)."""
    return {name: value for name, value in os.environ.items() if not name.startswith("CG3_")}


def sprite_root() -> Path:
    configured = os.environ.get("CG3_SPRITE_ROOT")
    return find_sprite_root(Path(configured) if configured else None)


@pytest.fixture(scope="session")
def pack() -> SpritePack:
    return SpritePack(sprite_root())


@pytest.fixture(scope="session")
def renderer(pack: SpritePack) -> Renderer:
    return Renderer(pack, palettes=load_bundled_palettes(pack))


@pytest.fixture(scope="session")
def client(renderer: Renderer) -> Iterator[TestClient]:
    app = create_app(Settings(sprite_root=renderer.pack.root), renderer=renderer)
    with TestClient(app) as test_client:
        yield test_client
