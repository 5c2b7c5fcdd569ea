"""Service settings, read once from ``CG3_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can tune. Invalid values stop start-up naming the variable."""

    model_config = SettingsConfigDict(env_prefix="CG3_", env_file=".env", extra="ignore")

    sprite_root: Path | None = Field(
        None,
        description="Sprite pack folder; default ./sprites in the checkout, "
        "else ../shared/sprites/lifegen beside it.",
    )
