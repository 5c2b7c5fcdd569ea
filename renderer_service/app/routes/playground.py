"""GET /: the playground page, and its script and style under /playground/.

The page is static (``renderer_service/web``): its own JS and CSS, no CDN and no build step. It
talks to the service only through the public API (``/catalog``, ``/render``, ``/render/batch``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI
from starlette.responses import FileResponse
from starlette.staticfiles import StaticFiles

router = APIRouter(tags=["playground"])


def web_folder() -> Path:
    """The playground's static files inside the installed package."""
    return Path(str(resources.files("renderer_service") / "web"))


@router.get("/", include_in_schema=False)
def playground() -> FileResponse:
    return FileResponse(web_folder() / "index.html", media_type="text/html")


def install_playground(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/playground", StaticFiles(directory=web_folder()), name="playground")
