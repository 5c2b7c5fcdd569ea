"""Settings come from CG3_* variables or .env, and a bad value names its variable."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from renderer_service.config import Settings, SettingsError, load_settings

from .conftest import REPO


def test_defaults_match_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [
        "MAX_QUEUE_SIZE",
        "WORKER_COUNT",
        "CIRCUIT_FAILURE_THRESHOLD",
        "CIRCUIT_RESET_SECONDS",
    ]:
        monkeypatch.delenv(f"CG3_{name}", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.max_queue_size == 120
    assert settings.worker_count == len(os.sched_getaffinity(0))  # one per usable core
    assert settings.circuit_failure_threshold == 8
    assert settings.circuit_reset_seconds == 12
    assert settings.render_timeout_seconds > 0
    assert settings.allowed_origins == []


def test_environment_variables_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG3_MAX_QUEUE_SIZE", "7")
    monkeypatch.setenv("CG3_WORKER_COUNT", "2")
    monkeypatch.setenv("CG3_ALLOWED_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("CG3_SPRITE_ROOT", "/packs/mine")
    settings = load_settings()
    assert settings.max_queue_size == 7
    assert settings.worker_count == 2
    assert settings.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.sprite_root == "/packs/mine"


def test_a_dotenv_file_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CG3_CIRCUIT_RESET_SECONDS", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CG3_CIRCUIT_RESET_SECONDS=3.5\n")
    assert load_settings().circuit_reset_seconds == 3.5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CG3_MAX_QUEUE_SIZE", "0"),
        ("CG3_MAX_QUEUE_SIZE", "lots"),
        ("CG3_WORKER_COUNT", "-1"),
        ("CG3_CIRCUIT_FAILURE_THRESHOLD", "0"),
        ("CG3_CIRCUIT_RESET_SECONDS", "soon"),
        ("CG3_RENDER_TIMEOUT_SECONDS", "0"),
    ],
)
def test_an_invalid_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings()


def test_the_app_refuses_to_start_with_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from renderer_service.app.main import create_app
    from renderer_service.app.startup import StartupError

    monkeypatch.setenv("CG3_WORKER_COUNT", "many")
    app = create_app()  # importable; the bad value ends start-up
    with pytest.raises(StartupError, match="CG3_WORKER_COUNT='many'"), TestClient(app):
        pass


def test_the_dark_forest_overlay_is_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (settings.dark_forest_overlay_colour, settings.dark_forest_overlay_alpha) == (
        (120, 30, 30),
        0.5,
    )
    monkeypatch.setenv("CG3_DARK_FOREST_OVERLAY_COLOUR", "[10, 20, 30]")
    monkeypatch.setenv("CG3_DARK_FOREST_OVERLAY_ALPHA", "0.25")
    settings = load_settings()
    assert (settings.dark_forest_overlay_colour, settings.dark_forest_overlay_alpha) == (
        (10, 20, 30),
        0.25,
    )
    monkeypatch.setenv("CG3_DARK_FOREST_OVERLAY_COLOUR", "[10, 20, 300]")
    with pytest.raises(SettingsError, match="CG3_DARK_FOREST_OVERLAY_COLOUR"):
        load_settings()
    monkeypatch.setenv("CG3_DARK_FOREST_OVERLAY_COLOUR", "[10, 20, 30]")
    monkeypatch.setenv("CG3_DARK_FOREST_OVERLAY_ALPHA", "2")
    with pytest.raises(SettingsError, match="CG3_DARK_FOREST_OVERLAY_ALPHA"):
        load_settings()


def test_every_setting_is_documented() -> None:
    """docs/configuration.md lists every ``CG3_*`` variable, and none that does not exist."""
    page = (REPO / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `(CG3_[A-Z0-9_]+)` \|", page, re.MULTILINE))
    known = {"CG3_" + name.upper() for name in Settings.model_fields}
    assert documented == known
