"""The one dispatcher a render worker runs: a task's kind -> the work that answers it."""

from __future__ import annotations

from typing import Any

from renderer_service.packs import PackSet
from renderer_service.work.frames import FramesResult, run_frames
from renderer_service.work.job import job_from_state
from renderer_service.work.render import answer_job
from renderer_service.work.reply import Reply


class TaskHandler:
    """What a worker process runs: ``handler(kind, payload) -> Reply`` for each task kind."""

    def __init__(self, packs: PackSet) -> None:
        from renderer_service.work.diff import run_diff

        self.packs = packs
        self._run_diff = run_diff

    def __call__(self, kind: str, payload: Any) -> Reply | FramesResult:
        if kind == "render":  # a job the event loop has checked, as ``job_state`` packs it
            job, canonical = job_from_state(payload)
            return answer_job(self.packs, job, canonical)
        if kind == "frame":
            return run_frames(self.packs, payload)
        if kind == "diff":
            return self._run_diff(self.packs, payload)
        raise ValueError(f"unknown task kind {kind!r}")
