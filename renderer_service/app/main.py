"""The FastAPI application: ``create_app`` builds it, ``app`` is the default instance."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ..assets import load_sprite_pack
from ..config import Settings
from ..renderer import Renderer
from .errors import install_error_handlers
from .routes import catalog, health, render
from .state import ServiceState

logger = logging.getLogger("renderer.app")


def create_app(settings: Settings | None = None, renderer: Renderer | None = None) -> FastAPI:
    """Build the service. The sprite pack loads at start-up unless a renderer is handed in."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or Settings()
        drawing = renderer or Renderer(load_sprite_pack(chosen.sprite_root))
        logger.info("sprite pack %s: %d groups", drawing.pack.root, len(drawing.pack.groups))
        app.state.service = ServiceState(chosen, drawing)
        yield

    app = FastAPI(
        title="CatGenerator V3 renderer",
        version="0.1.0",
        summary="Pixel-exact ClanGen / Lifegen cats from the games' sprite atlases.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.include_router(render.router)
    app.include_router(health.router)
    app.include_router(catalog.router)
    return app


app = create_app()
