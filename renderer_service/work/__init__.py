"""What one request does, free of HTTP: read a body into a checked job, draw it, answer it;
batches (plan, frames, assembly), diffs and save sheets; ``TaskHandler`` dispatches a
worker's tasks.
"""

from renderer_service.work.batch_assemble import assemble, batch_body, plan_tasks
from renderer_service.work.batch_plan import (
    PlannedFrame,
    frame_keys,
    layout_sheet,
    plan_batch,
    plan_tiles,
)
from renderer_service.work.canonical import CODE_PACK_KEY, canonical_body, canonical_params
from renderer_service.work.diff import check_diff_request
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.frames import FrameResult, FramesResult, FrameTask, run_frames
from renderer_service.work.job import RenderJob, Wanted, job_state
from renderer_service.work.negotiate import (
    CODE_QUERY,
    RENDER_TYPES,
    accept_error,
    extension_error,
    query_error,
)
from renderer_service.work.pcm_import import import_pcm_link
from renderer_service.work.render import answer_job, answer_render
from renderer_service.work.reply import MEMORY_PRESSURE_FIELD, Reply
from renderer_service.work.request import background_error, parse_render_request, wanted_formats
from renderer_service.work.save_sheets import answer_save_params, legacy_pack, plan_save_sheet

__all__ = [
    "CODE_PACK_KEY",
    "CODE_QUERY",
    "MEMORY_PRESSURE_FIELD",
    "RENDER_TYPES",
    "FrameResult",
    "FrameTask",
    "FramesResult",
    "PlannedFrame",
    "RenderJob",
    "Reply",
    "TaskHandler",
    "Wanted",
    "accept_error",
    "answer_job",
    "answer_render",
    "answer_save_params",
    "assemble",
    "background_error",
    "batch_body",
    "canonical_body",
    "canonical_params",
    "check_diff_request",
    "extension_error",
    "frame_keys",
    "import_pcm_link",
    "job_state",
    "layout_sheet",
    "legacy_pack",
    "parse_render_request",
    "plan_batch",
    "plan_save_sheet",
    "plan_tasks",
    "plan_tiles",
    "query_error",
    "run_frames",
    "wanted_formats",
]
