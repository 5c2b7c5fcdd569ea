"""GET /c/{code}: a cat's share page, a small HTML page whose OpenGraph and Twitter-card tags
make a pasted link unfurl into the cat (Discord, Slack, Mastodon read them).

Absolute URLs (``og:image``, ``og:url``) come from ``CG3_PUBLIC_URL`` when set, else from
the request: its ``Host``, and ``X-Forwarded-Proto`` / ``X-Forwarded-Host`` only when the
request comes from an address ``CG3_TRUSTED_PROXIES`` names. Query parameters the page does
not read (a link's tracking parameters) are ignored.
"""

from __future__ import annotations

import html
import ipaddress
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, Response

from renderer_service.app.errors import documented
from renderer_service.app.routes.render import reply_response
from renderer_service.app.state import ServiceState, get_state
from renderer_service.wire import ApiError, CodeError, decode_cat_code, error_item
from renderer_service.work import Reply

router = APIRouter(tags=["share"])

SHARE_SCALE = 8
"""The scale of the picture a link unfurls into: a 50 px cat at 400 x 400."""

SPRITE_SIZE = 50

_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?$")
"""A Host header worth echoing into a page (anything else is replaced by ``localhost``)."""

WORDS = {
    "PALEGREY": "pale grey",
    "DARKGREY": "dark grey",
    "PALEGINGER": "pale ginger",
    "DARKBROWN": "dark brown",
    "LIGHTBROWN": "light brown",
    "GOLDEN-BROWN": "golden-brown",
    "GOLDENBROWN": "golden-brown",
    "DARKGINGER": "dark ginger",
    "PALEGREEN": "pale green",
    "DARKBLUE": "dark blue",
    "HEATHERBLUE": "heather blue",
    "SUNLITICE": "sunlit ice",
    "PALEBLUE": "pale blue",
    "PALEYELLOW": "pale yellow",
    "GREENYELLOW": "green-yellow",
    "SingleColour": "",
    "TwoColour": "two-colour",
    "Singlestripe": "single-stripe",
}
"""Game names that read better spelt out."""


def _word(name: str) -> str:
    if name in WORDS:
        return WORDS[name]
    if "_" in name:  # a palette colour, e.g. AW_ABYSSNAVY: its name without the palette
        name = name.split("_", 1)[1].replace("_", " ")
    return name.lower()


def describe(params: dict[str, Any]) -> str:
    """A short description of a cat from its params: ``Ginger tabby, green eyes``."""
    colour = _word(str(params.get("colour") or "WHITE"))
    pelt = _word(str(params.get("peltName", "SingleColour")))
    tortie = params.get("tortie") or params.get("tortiePattern")
    coat = " ".join(part for part in (colour, pelt) if part) or "cat"
    if tortie and params.get("isTortie") is not False:
        coat += " tortie"
    elif not pelt:
        coat += " cat"
    parts = [coat[:1].upper() + coat[1:]]
    if params.get("whitePatches"):
        parts[0] += " with white"
    eyes = _word(str(params.get("eyeColour") or "YELLOW"))
    second = params.get("eyeColour2")
    parts.append(f"{eyes} and {_word(str(second))} eyes" if second else f"{eyes} eyes")
    if params.get("dead"):
        parts.append("of StarClan" if params.get("afterlife") in (None, "starclan") else "dead")
    return ", ".join(parts)


def _trusted(address: str | None, proxies: list[str]) -> bool:
    if not address or not proxies:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in proxies)


def public_base(request: Request, public_url: str | None, proxies: list[str]) -> str:
    """The service's address as a reader of the page reaches it."""
    if public_url:
        return public_url
    scheme = request.url.scheme
    host = request.headers.get("host", "")
    if _trusted(request.client.host if request.client else None, proxies):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in ("http", "https"):
            scheme = proto
        forwarded = request.headers.get("x-forwarded-host", "").split(",")[0].strip()
        if forwarded:
            host = forwarded
    if not _HOST.match(host):
        host = "localhost"
    return f"{scheme}://{host}"


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Cat playground</title>
<meta name="description" content="{description}">
<meta property="og:type" content="website">
<meta property="og:site_name" content="CatGenerator">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{description}">
<meta property="og:url" content="{url}">
<meta property="og:image" content="{image}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="{size}">
<meta property="og:image:height" content="{size}">
<meta property="og:image:alt" content="{title}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="{title}">
<meta name="twitter:description" content="{description}">
<meta name="twitter:image" content="{image}">
<meta name="twitter:image:alt" content="{title}">
<link rel="canonical" href="{url}">
<link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; background: #f7f3ea; color: #1f1b16;
  margin: 0; display: grid; place-items: center; min-height: 100vh; text-align: center; }}
img {{ image-rendering: pixelated; width: min(400px, 90vw); height: auto; }}
a {{ color: #6b4e16; font-size: 1.1rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<img src="{image}" alt="{title}" width="{size}" height="{size}">
<p><a href="{playground}">Open this cat in the playground</a></p>
</main>
</body>
</html>
"""


@router.get(
    "/c/{code}",
    response_class=Response,
    summary="A cat's share page (unfurls in chats)",
    description="A small HTML page with OpenGraph and Twitter-card tags: `og:image` is the "
    f"cat's PNG at scale {SHARE_SCALE} ({SPRITE_SIZE * SHARE_SCALE} x "
    f"{SPRITE_SIZE * SHARE_SCALE}), `og:title` a short description from its traits, "
    "`og:url` the link itself. The page shows the cat and links into the playground. Query "
    "parameters are ignored (links carry tracking parameters).",
    responses={
        **documented({400: "The code cannot be read"}),
        200: {"content": {"text/html": {}}, "description": "The share page."},
    },
)
async def share_page(
    code: str, request: Request, state: Annotated[ServiceState, Depends(get_state)]
) -> Response:
    try:
        params = decode_cat_code(code)
    except CodeError as error:
        problem = ApiError(
            400,
            "invalid_code",
            f"code: {error}",
            [error_item("code", code[:64], str(error), "a code returned by /render")],
        )
        return reply_response(Reply.from_error(problem))
    settings = state.settings
    base = public_base(request, settings.public_url, settings.trusted_proxies)
    title = describe(params)
    size = SPRITE_SIZE * SHARE_SCALE
    page = PAGE.format(
        title=html.escape(title),
        description=html.escape(f"{title}: a ClanGen cat drawn by the CatGenerator renderer."),
        url=html.escape(f"{base}/c/{code}"),
        image=html.escape(f"{base}/render/{code}.png?scale={SHARE_SCALE}"),
        playground=html.escape(f"{base}/?cat={code}&scale=8"),
        size=size,
    )
    return HTMLResponse(page, headers={"Cache-Control": "public, max-age=86400"})
