"""What the routes share: settings, the renderer and the render queue."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from prometheus_client import CollectorRegistry

from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import AnyRenderer, Renderer
from renderer_service.runtime import RenderQueue
from renderer_service.service import RenderService


@dataclass
class ServiceState:
    settings: Settings
    renderer: AnyRenderer
    """The default pack's renderer."""
    queue: RenderQueue
    service: RenderService
    registry: CollectorRegistry
    packs: PackSet


async def get_state(request: Request) -> ServiceState:
    """The shared state (``async`` so FastAPI does not hand it to a thread pool)."""
    state: ServiceState = request.app.state.service
    return state


def legacy_renderer(state: ServiceState) -> Renderer | None:
    """The renderer of the first legacy pack (palettes and 2024 saves are drawn on the legacy
    layout): the default pack's when it is one; ``None`` when every pack is modern."""
    return next((r for _, r in state.packs if isinstance(r, Renderer)), None)
