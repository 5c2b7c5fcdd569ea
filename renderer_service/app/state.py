"""What the routes share: the loaded pack's renderer and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from ..config import Settings
from ..renderer import Renderer


@dataclass
class ServiceState:
    settings: Settings
    renderer: Renderer


def get_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
