"""What the routes share: settings, the renderer and the render queue."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from prometheus_client import CollectorRegistry

from ..config import Settings
from ..pack_set import PackSet
from ..renderer import Renderer
from ..runtime import RenderQueue
from ..service import RenderService


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
