"""Service settings, read once from ``CG3_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "CG3_"

PACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def parse_packs_setting(text: str) -> list[tuple[str, str]]:
    """``lifegen=bundled,mymod=mymod:bundled`` -> ``[(name, folders), ...]``; ``ValueError``
    saying what is wrong."""
    packs: list[tuple[str, str]] = []
    for entry in text.split(","):
        if not entry.strip():
            continue
        name, sep, folders = (part.strip() for part in entry.partition("="))
        if not sep or not folders:
            raise ValueError(f"{entry.strip()!r} is not NAME=FOLDERS")
        if not PACK_NAME.match(name):
            raise ValueError(f"pack name {name!r} must be letters, digits, '.', '_' or '-'")
        if any(name == known for known, _ in packs):
            raise ValueError(f"pack {name!r} is named twice")
        packs.append((name, folders))
    if not packs:
        raise ValueError("names no pack; expected NAME=FOLDERS[,NAME=FOLDERS...]")
    return packs


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity mask, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class SettingsError(ValueError):
    """A ``CG3_*`` variable has a value the service cannot run with."""


class Settings(BaseSettings):
    """Everything an operator can tune. Invalid values stop start-up naming the variable."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    sprite_root: str | None = Field(
        None,
        description="One sprite pack, served as `default`: a folder, or folders separated by "
        "`:` looked up in order atlas by atlas (`bundled:lifegen` and `bundled:clangen` name "
        "the packaged packs, `bundled` alone the Lifegen one, e.g. `mymod:bundled`); default: "
        "both bundled packs, `lifegen` (the default) and `clangen`.",
    )
    packs: str | None = Field(
        None,
        description="Several named packs, e.g. `lifegen=bundled,mymod=mymod:bundled`: each "
        "NAME=FOLDERS as for `CG3_SPRITE_ROOT`; requests choose one with `options.pack`, the "
        "first is the default. Not with `CG3_SPRITE_ROOT`.",
    )
    max_queue_size: int = Field(
        120, ge=1, le=100_000, description="Renders that may wait for a worker."
    )
    worker_count: int = Field(
        default_factory=lambda: usable_cores(),
        ge=1,
        le=64,
        description="Render worker processes (default: the cores this process may run on; "
        "more only add switching, since each worker renders one cat at a time at full speed). "
        "With several server processes, each has this many: they draw only the heavy work, "
        "and a batch spreads over the workers of the process it reached.",
    )
    server_processes: int = Field(
        default_factory=lambda: usable_cores(),
        ge=1,
        le=64,
        description="Server processes `cg3 serve` runs on the one port, each with its own event "
        "loop and render workers; they share one cache and report one `/health` and "
        "`/metrics` (default: the cores this process may run on).",
    )
    inline_renders: bool = Field(
        True,
        description="Draw light single renders (one PNG at a scale of 4 or less, without "
        "layers) in the server process instead of a worker: for such a cat the round trip to "
        "a worker costs more than the drawing. Other renders, batches, diffs and saves always "
        "go to the workers.",
    )
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
    max_wait_ms: int = Field(
        250,
        ge=1,
        le=600_000,
        description="Longest a render may wait to start, in milliseconds, from the moment its "
        "request's body is complete (queued renders and light ones drawn in the server process "
        "alike); past it the request is answered at once with 503 `overloaded` and "
        "`Retry-After: 1`. Answers from the cache, /health and /metrics are never shed.",
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
    body_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="Longest a client may take to send a request's body once its headers are "
        "complete, plus 1 s per 64 KiB of its declared Content-Length (of a chunked body: per "
        "64 KiB received so far); the client then gets 408 and the connection closes "
        "(cg3 serve).",
    )
    keep_alive_seconds: float = Field(
        5.0, gt=0, description="How long an idle keep-alive connection stays open (cg3 serve)."
    )
    max_connections: int = Field(
        1024,
        ge=1,
        le=1_000_000,
        description="Most connections open at once per server process. A new connection past "
        "it closes the one gone longest without a complete request (idle keep-alives first, "
        "then the slowest incomplete request); only when every open connection has a request "
        "being answered is the new one answered 503 and closed (cg3 serve).",
    )
    cache_url: str | None = Field(
        None,
        description="Redis URL of the shared second cache level (`redis://host:6379/0`, "
        "`rediss://...`, `unix:///path`); unset: each replica caches in memory only.",
    )
    cache_ttl_seconds: int = Field(
        7 * 24 * 3600, ge=1, description="How long an answer stays in the shared cache."
    )
    cache_max_entry_bytes: int = Field(
        1024 * 1024, ge=1, description="Largest answer stored in the shared cache, in bytes."
    )
    cache_timeout_seconds: float = Field(
        0.1,
        gt=0,
        le=10,
        description="Longest one shared-cache call may take; beyond it Redis counts as down.",
    )
    cache_retry_seconds: float = Field(
        1.0, gt=0, le=300, description="How often a down Redis is pinged to reconnect."
    )
    max_body_bytes: int = Field(
        262_144,
        ge=1024,
        le=64 * 1024 * 1024,
        description="Largest request body accepted, in bytes; larger ones get 413 unread.",
    )
    save_max_body_bytes: int = Field(
        16 * 1024 * 1024,
        ge=1024,
        le=256 * 1024 * 1024,
        description="Largest body of the save routes (`/save/params`, `/save/sheet`), in bytes: "
        "a save of thousands of cats is megabytes.",
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

    public_url: str | None = Field(
        None,
        description="The service's public address (e.g. `https://cats.example`), for the "
        "absolute links of share pages (`GET /c/{code}`). Unset: taken from the request's "
        "`Host` (and `X-Forwarded-Proto` / `X-Forwarded-Host` from trusted proxies).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Addresses or networks (comma-separated, e.g. `10.0.0.0/8,127.0.0.1`) "
        "whose `X-Forwarded-Proto` and `X-Forwarded-Host` are believed.",
    )

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.strip().rstrip("/")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list):
            for part in value:
                ipaddress.ip_network(str(part), strict=False)  # ValueError names the bad one
        return value

    @field_validator("dark_forest_overlay_colour")
    @classmethod
    def _channels(cls, value: tuple[int, int, int]) -> tuple[int, int, int]:
        if not all(0 <= channel <= 255 for channel in value):
            raise ValueError(f"each channel must be 0-255, not {list(value)}")
        return value

    @field_validator("sprite_root", mode="before")
    @classmethod
    def _folder_text(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @field_validator("packs")
    @classmethod
    def _packs(cls, value: str | None) -> str | None:
        if value is not None:
            parse_packs_setting(value)  # raises ValueError saying what is wrong
        return value

    @model_validator(mode="after")
    def _one_way_to_name_packs(self) -> Settings:
        if self.packs is not None and self.sprite_root is not None:
            raise ValueError(
                "CG3_PACKS and CG3_SPRITE_ROOT are both set; name the packs with CG3_PACKS "
                "alone (e.g. CG3_PACKS=default=FOLDERS,other=FOLDERS)"
            )
        return self

    @field_validator("cache_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
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
            if not item["loc"]:  # a rule across settings: its message names them
                lines.append(str(item["msg"]).removeprefix("Value error, "))
                continue
            name = ENV_PREFIX + "_".join(str(part) for part in item["loc"][:1]).upper()
            lines.append(f"{name}={item.get('input')!r}: {item['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(lines)) from None
