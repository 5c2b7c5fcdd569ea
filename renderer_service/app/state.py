"""What the routes share: settings, the renderer and the render queue."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from prometheus_client import CollectorRegistry

from ..config import Settings
from ..renderer import Renderer
from ..runtime import RenderQueue


@dataclass
class ServiceState:
    settings: Settings
    renderer: Renderer
    queue: RenderQueue
    registry: CollectorRegistry


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
