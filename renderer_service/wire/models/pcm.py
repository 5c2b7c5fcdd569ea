"""The /import/pixel-cat-maker request and answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from renderer_service.wire.models.common import strict_body

PcmLineart = Literal["regular", "dead", "dark forest", "unknown residence"]


class PcmImportRequest(BaseModel):
    """A pixel-cat-maker share link, with the two choices of its page the link does not carry."""

    model_config = strict_body(
        {
            "url": "https://pixelcatmaker.example/?version=v2&spriteNumber=12&peltName=Tabby"
            "&colour=GINGER&eyeColour=GREEN&skinColour=PINK&shading=true",
            "lineart": "regular",
        }
    )

    url: str = Field(
        min_length=1,
        max_length=4096,
        description="The share URL, or its query string (`peltName=Tabby&colour=GINGER...`). "
        "Old `version=v1` links (legacy poses and collar names) are converted as "
        "pixel-cat-maker converts them.",
    )
    lineart: PcmLineart = Field(
        "regular",
        description="pixel-cat-maker's Lineart choice: `regular` (living), `dead` (StarClan), "
        "`dark forest` or `unknown residence`.",
    )
    april_fools: bool = Field(
        False, alias="aprilFools", description="pixel-cat-maker's April Fools' lineart."
    )


class PcmImportResponse(BaseModel):
    request: dict[str, Any] = Field(
        description="A `POST /render` body that draws the cat on the `clangen` pack, as it is."
    )
    warnings: list[str] = Field(description="What the link held that draws nothing.")
