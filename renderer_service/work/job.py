"""One cat to draw, checked: ``RenderJob``, and the plain tuple it travels as to a worker
process (``job_state`` / ``job_from_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from renderer_service.renderer import (
    DEFAULT_BACKGROUND,
    Background,
    CatParams,
    ImageFormat,
    parse_background,
)
from renderer_service.wire import RenderOptions

OutputFormat = Literal["json", "image"]
"""``json``: the JSON answer with a data URL; ``image``: the picture's bytes themselves."""

Wanted = tuple[ImageFormat, ...]
"""The image types a client's ``Accept`` header asks for, in order; empty for JSON."""


LIGHT_MAX_SCALE = 4
"""The largest scale of a light job (see ``RenderJob.light``): a 200 x 200 PNG."""


@dataclass(frozen=True, slots=True)
class RenderJob:
    """One cat to draw: validated params, the pose, the options (``format`` always set) and
    whether the answer is JSON or the picture itself."""

    params: CatParams
    pose: int
    options: RenderOptions
    output: OutputFormat = "json"
    background: Background = DEFAULT_BACKGROUND
    notes: tuple[tuple[str, str], ...] = ()
    """``(layer id, sentence)`` for the diagnostics: how a V2 edge case was drawn."""

    @property
    def image_format(self) -> ImageFormat:
        return self.options.format or "png"

    @property
    def light(self) -> bool:
        """Whether the job is a few hundred microseconds of work at most: one PNG at a scale
        of up to ``LIGHT_MAX_SCALE``, without layers. Such a job may be drawn in the server
        process (``CG3_INLINE_RENDERS``) rather than sent to a worker."""
        options = self.options
        return (
            not options.collect_layers
            and options.scale <= LIGHT_MAX_SCALE
            and (options.format is None or options.format == "png")
        )


_PARAM_FIELDS: tuple[str, ...] = tuple(CatParams.model_fields)
_OPTION_FIELDS: tuple[str, ...] = tuple(RenderOptions.model_fields)

M = TypeVar("M", bound=BaseModel)

JobState = tuple[Any, ...]
"""A checked ``RenderJob`` as plain values, as it crosses to a worker process (see
``job_state``)."""


def _restored(model: type[M], names: tuple[str, ...], values: tuple[Any, ...], given: Any) -> M:
    """A pydantic model rebuilt from field values that were already validated, the way
    unpickling rebuilds one: no validation, no copying."""
    rebuilt = model.__new__(model)
    rebuilt.__setstate__(
        {
            "__dict__": dict(zip(names, values, strict=True)),
            "__pydantic_fields_set__": set(given),
            "__pydantic_extra__": None,
            "__pydantic_private__": None,
        }
    )
    return rebuilt


def job_state(job: RenderJob, canonical: dict[str, Any] | None = None) -> JobState:
    """``job``, already checked, as a tuple of plain values: what the event loop sends a worker.

    The worker rebuilds the job with ``job_from_state`` instead of parsing and checking the
    request again; the tuple pickles in about a fifth of the time the models take.
    ``canonical`` (the job's canonical params, if the caller has them) saves the worker
    working them out again for the cat's code.
    """
    params, options = job.params, job.options
    return (
        tuple(params.__dict__[name] for name in _PARAM_FIELDS),
        tuple(params.model_fields_set),
        job.pose,
        tuple(options.__dict__[name] for name in _OPTION_FIELDS),
        tuple(options.model_fields_set),
        job.output,
        job.background.name,
        canonical,
        job.notes,
    )


def job_from_state(state: JobState) -> tuple[RenderJob, dict[str, Any] | None]:
    """The job (and its canonical params, when sent) that ``job_state`` packed."""
    params, given, pose, options, options_given, output, background, canonical, notes = state
    job = RenderJob(
        _restored(CatParams, _PARAM_FIELDS, params, given),
        pose,
        _restored(RenderOptions, _OPTION_FIELDS, options, options_given),
        output,
        _background(background),
        notes,
    )
    return job, canonical


@lru_cache(maxsize=256)
def _background(name: str) -> Background:
    return parse_background(name)
