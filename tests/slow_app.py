"""An app whose renders take a while, for tests that need requests to pile up.

    uvicorn tests.slow_app:create --factory

``SLOW_APP_DELAY`` sets the seconds each render sleeps before drawing.
"""

from __future__ import annotations

import os
import time
from typing import Any

from fastapi import FastAPI

from renderer_service.app.main import create_app
from renderer_service.renderer import Renderer
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.reply import Reply


class SlowHandler(TaskHandler):
    def __init__(self, renderer: Renderer, delay: float) -> None:
        super().__init__(renderer)
        self.delay = delay

    def __call__(self, kind: str, payload: Any) -> Reply:
        time.sleep(self.delay)
        return super().__call__(kind, payload)


def create() -> FastAPI:
    delay = float(os.environ.get("SLOW_APP_DELAY", "0.3"))
    return create_app(handler_factory=lambda renderer: SlowHandler(renderer, delay))
