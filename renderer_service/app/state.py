"""What the routes share: settings, the renderer and the render queue."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from prometheus_client import CollectorRegistry

from renderer_service.config import Settings
from renderer_service.packs import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import RenderQueue
from renderer_service.service import RenderService


@dataclass
class ServiceState:
    settings: Settings
    renderer: Renderer
    """The default pack's renderer."""
    queue: RenderQueue
    service: RenderService
    registry: CollectorRegistry
    packs: PackSet


async def get_state(request: Request) -> ServiceState:
    """The shared state (``async`` so FastAPI does not hand it to a thread pool)."""
    state: ServiceState = request.app.state.service
    return state
