"""POST /render: one cat, as JSON with a data URL or as PNG bytes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from starlette.responses import Response

from ...jobs import OutputFormat, RenderJob, run_render_job
from ...models import RenderRequest, RenderResponse
from ...renderer import check_traits
from ..errors import ERROR_RESPONSES, ApiError
from ..state import ServiceState, get_state

router = APIRouter(tags=["render"])


def wants_png(accept: str | None) -> bool:
    """Whether the client asked for the picture itself (``Accept: image/png``)."""
    if not accept:
        return False
    types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return "image/png" in types and "application/json" not in types[: types.index("image/png")]


def build_job(request: RenderRequest, output: OutputFormat, state: ServiceState) -> RenderJob:
    """Resolve the pose and check every trait; raises ``ApiError`` / ``InvalidTraitsError``."""
    payload = request.payload
    pose = payload.sprite_number
    inner = payload.params.sprite_number
    if pose is None:
        pose = inner
    elif inner is not None and inner != pose:
        raise ApiError(
            422,
            "invalid_params",
            f"payload.spriteNumber ({pose}) and payload.params.spriteNumber ({inner}) differ",
            [
                {
                    "field": "payload.params.spriteNumber",
                    "value": inner,
                    "detail": "the pose is given twice with different values",
                    "expected": f"{pose}, or leave one of them out",
                    "suggestions": [],
                }
            ],
        )
    if pose is None:
        raise ApiError(
            422,
            "invalid_params",
            "payload.spriteNumber: a pose is required",
            [
                {
                    "field": "payload.spriteNumber",
                    "value": None,
                    "detail": "no pose given",
                    "expected": "an integer 0-20, here or as payload.params.spriteNumber",
                    "suggestions": [],
                }
            ],
        )
    check_traits(payload.params, state.renderer.vocabulary, pose)
    return RenderJob(payload.params, pose, request.options, output)


@router.post(
    "/render",
    response_model=RenderResponse,
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {"image/png": {}},
            "description": "The cat as JSON, or as PNG bytes with `Accept: image/png`.",
        },
    },
    summary="Render one cat",
)
def render(
    request: RenderRequest,
    state: Annotated[ServiceState, Depends(get_state)],
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    job = build_job(request, "png" if wants_png(accept) else "json", state)
    output = run_render_job(state.renderer, job)
    return Response(output.body, media_type=output.media_type)
