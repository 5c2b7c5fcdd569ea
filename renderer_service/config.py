"""Service settings, read once from ``CG3_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "CG3_"


class SettingsError(ValueError):
    """A ``CG3_*`` variable has a value the service cannot run with."""


class Settings(BaseSettings):
    """Everything an operator can tune. Invalid values stop start-up naming the variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    sprite_root: Path | None = Field(
        None,
        description="Sprite pack folder; default: the Lifegen pack bundled with the package.",
    )
    max_queue_size: int = Field(
        120, ge=1, le=100_000, description="Renders that may wait for a worker."
    )
    worker_count: int = Field(4, ge=1, le=64, description="Render worker processes.")
    circuit_failure_threshold: int = Field(
        8, ge=1, description="Consecutive render failures that open the circuit."
    )
    circuit_reset_seconds: float = Field(
        12.0, gt=0, description="How long the circuit stays open before a trial request."
    )
    render_timeout_seconds: float = Field(
        10.0, gt=0, description="Longest a worker may take over one render; it is then replaced."
    )
    shutdown_grace_seconds: float = Field(
        10.0,
        ge=0,
        description="How long shutdown waits for open requests and queued renders to finish "
        "before it closes what remains.",
    )
    retry_after_seconds: int = Field(
        1, ge=1, description="Retry-After sent with 503 answers for a full queue."
    )
    dark_forest_overlay_colour: tuple[int, int, int] = Field(
        (120, 30, 30),
        description="Colour of the overlay a living Dark Forest cat gets before its lineart "
        "(JSON, e.g. `[120, 30, 30]`).",
    )
    dark_forest_overlay_alpha: float = Field(
        0.5, ge=0.0, le=1.0, description="Alpha of that overlay, 0-1."
    )
    cache_size: int = Field(
        1024, ge=0, description="Answers kept for identical renders; 0 disables the cache."
    )
    cache_max_bytes: int = Field(
        64 * 1024 * 1024, ge=0, description="Most bytes the cache of single renders may hold."
    )
    frame_cache_max_bytes: int = Field(
        64 * 1024 * 1024,
        ge=0,
        description="Most bytes the cache of batch frames may hold (apart from single renders).",
    )
    max_header_bytes: int = Field(
        16 * 1024,
        ge=1024,
        le=1024 * 1024,
        description="Largest request line and headers, in bytes; larger ones get 431 (cg3 serve).",
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="Longest a client may take to send a request's headers, from connecting or "
        "from its first byte; the connection is then closed (cg3 serve).",
    )
    keep_alive_seconds: float = Field(
        5.0, gt=0, description="How long an idle keep-alive connection stays open (cg3 serve)."
    )
    max_connections: int = Field(
        1024,
        ge=1,
        le=1_000_000,
        description="Most connections open at once; more are answered 503 and closed (cg3 serve).",
    )
    max_body_bytes: int = Field(
        262_144,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest request body accepted, in bytes; larger ones get 413 unread.",
    )
    gc_freeze: bool = Field(
        True,
        description="Exempt the objects alive after start-up from garbage collection, so that "
        "full collections under load do not pause every request.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CORS origins allowed to call the service (comma-separated, or `*`).",
    )

    @field_validator("dark_forest_overlay_colour")
    @classmethod
    def _channels(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if not all(0 <= channel <= 255 for channel in value):
            raise ValueError(f"each channel must be 0-255, not {list(value)}")
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value raises ``SettingsError`` naming its variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = ENV_PREFIX + "_".join(str(part) for part in item["loc"][:1]).upper()
            lines.append(f"{name}={item.get('input')!r}: {item['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(lines)) from None
