"""Reading a /render body into a checked ``RenderJob``: the plain-body reader or the request
models, the pose, the background, the pack and the answer's format (from ``options.format``
and the ``Accept`` header).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

import orjson
from pydantic import ValidationError

from renderer_service.packs import PackSet
from renderer_service.renderer import (
    DEFAULT_POSE,
    FORMATS,
    MEDIA_TYPES,
    Background,
    CatParams,
    ImageFormat,
    InvalidTraitsError,
    Renderer,
    TraitError,
    Vocabulary,
    check_traits,
    parse_background,
)
from renderer_service.wire import (
    MAX_ERROR_ITEMS,
    ApiError,
    RenderOptions,
    RenderRequest,
    RequestParams,
    error_item,
    given_of,
    normalise_given,
    normalise_params,
    read_plain_body,
    trait_items,
    traits_error,
    v2_notes,
    validation_error_from,
)
from renderer_service.work.backgrounds import background_suggestions
from renderer_service.work.canonical import DEFAULT_OPTIONS_DUMPS, canonical_options
from renderer_service.work.job import OutputFormat, RenderJob, Wanted


def wanted_formats(accept: str | None) -> Wanted:
    """The image formats ``accept`` names before ``application/json`` (``image/*``: all)."""
    if not accept:
        return ()
    wanted: list[ImageFormat] = []
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == "application/json":
            break
        if media == "image/*":
            wanted += [f for f in FORMATS if f not in wanted]
        for image_format, media_type in MEDIA_TYPES.items():
            if media == media_type and image_format not in wanted:
                wanted.append(image_format)
    return tuple(wanted)


def resolve_pose(request: RenderRequest) -> int:
    """The pose, from ``payload.spriteNumber`` or ``payload.params.spriteNumber``; with
    neither, ``DEFAULT_POSE`` (an adult pose)."""
    return pose_of(request.payload.sprite_number, request.payload.params.sprite_number)


def pose_of(outer: int | None, inner: int | None) -> int:
    """The pose from ``payload.spriteNumber`` (``outer``) and ``payload.params.spriteNumber``
    (``inner``): a 422 when they differ; with neither, ``DEFAULT_POSE``."""
    if outer is not None and inner is not None and outer != inner:
        raise ApiError(
            422,
            "invalid_params",
            f"payload.spriteNumber ({outer}) and payload.params.spriteNumber ({inner}) differ",
            [
                error_item(
                    "payload.params.spriteNumber",
                    inner,
                    "the pose is given twice with different values",
                    f"{outer}, or leave one of them out",
                )
            ],
        )
    return outer if outer is not None else inner if inner is not None else DEFAULT_POSE


def background_error(error: TraitError, field: str) -> ApiError:
    """The 422 for a background the service cannot draw (a name it does not have), with the
    closest backgrounds (``forest`` -> the forest platforms) like the traits get."""
    suggestions = list(error.suggestions) or background_suggestions(str(error.value))
    hint = f"; did you mean {' or '.join(suggestions[:3])}?" if suggestions else ""
    return ApiError(
        422,
        "invalid_params",
        f"{field}: {error.value!r} is not a background{hint}",
        [error_item(field, error.value, str(error), error.expected, suggestions)],
    )


def parse_options_background(options: RenderOptions) -> Background:
    try:
        return parse_background(options.background)
    except TraitError as error:
        raise background_error(error, "options.background") from None


def choose_format(options: RenderOptions, wanted: Wanted) -> ImageFormat:
    """The format of the answer: ``options.format``, else the first image type the client
    accepts, else PNG; a 422 when the body asks for a type the ``Accept`` header does not."""
    if not wanted:
        return options.format or "png"
    if options.format is None:
        return wanted[0]
    if options.format not in wanted:
        accepted = ", ".join(MEDIA_TYPES[f] for f in wanted)
        raise ApiError(
            422,
            "invalid_request",
            f"options.format: {options.format!r} is not among the types the Accept header "
            f"asks for ({accepted})",
            [
                error_item(
                    "options.format",
                    options.format,
                    f"the Accept header asks for {accepted}",
                    " or ".join(repr(f) for f in wanted) + ", or an Accept header naming it",
                )
            ],
        )
    return options.format


def parse_render_request(body: bytes, packs: PackSet, wanted: Wanted = ()) -> RenderJob:
    """Parse and check a /render body; raises ``ApiError`` (422) for anything invalid.

    ``wanted`` are the image types the client accepts instead of JSON (empty: JSON). The
    job's ``options.pack`` is normalised: ``None`` for the default pack.

    A plain body (``plain_body``) is read without the request models; any other body, and
    any body with a problem, is read by them, which give the answer naming every problem.
    """
    plain = read_plain_body(body)
    if plain is not None:
        try:
            options = (
                RenderOptions.model_validate(plain.options)
                if plain.options is not None
                else _NO_OPTIONS
            )
            return _job(
                packs,
                wanted,
                pose_of(plain.pose, plain.params_pose),
                options,
                partial(normalise_given, plain.given),
                defaults=plain.options is None,
                notes=v2_notes(plain.given),
            )
        except (ApiError, ValidationError, InvalidTraitsError):
            pass  # the models read it again, for the answer that names every problem
    try:
        request = RenderRequest.model_validate_json(body)
    except ValidationError as error:
        raise with_trait_problems(
            validation_error_from(error), error, body, packs.default
        ) from None
    try:
        return _job(
            packs,
            wanted,
            resolve_pose(request),
            request.options,
            partial(normalise_params, request.payload.params),
            notes=v2_notes(given_of(request.payload.params)),
        )
    except InvalidTraitsError as error:
        raise traits_error(error) from None


_NO_OPTIONS = RenderOptions()
"""The options of a body without any (never changed: jobs get copies)."""


def _job(
    packs: PackSet,
    wanted: Wanted,
    pose: int,
    options: RenderOptions,
    params_for: Callable[[Vocabulary], CatParams],
    defaults: bool = False,
    notes: tuple[tuple[str, str], ...] = (),
) -> RenderJob:
    """The checked job; raises ``ApiError`` and ``InvalidTraitsError``. ``params_for`` makes
    the params for a pack's vocabulary; ``defaults`` says ``options`` are ``_NO_OPTIONS``."""
    _name, renderer = packs.choose(options.pack)
    background = parse_options_background(options)
    params = params_for(renderer.vocabulary)
    check_traits(params, renderer.vocabulary, pose)
    image_format = choose_format(options, wanted)
    pack = packs.normalised(options.pack)
    if defaults:
        job_options = _default_options(image_format, background.name, pack)
    else:
        job_options = _with_choices(options, image_format, background.name, pack)
    output: OutputFormat = "image" if wanted else "json"
    return RenderJob(params, pose, job_options, output, background, notes)


def _with_choices(
    options: RenderOptions, image_format: ImageFormat, background: str, pack: str | None
) -> RenderOptions:
    """``options`` with the format, background and pack as the job reads them."""
    return options.model_copy(
        update={"format": image_format, "background": background, "pack": pack}
    )


@lru_cache(maxsize=64)
def _default_options(image_format: ImageFormat, background: str, pack: str | None) -> RenderOptions:
    """``_with_choices`` of the default options, made once: jobs share it and never change
    it (a body without options is the usual one). Its canonical form is kept beside it."""
    options = _with_choices(_NO_OPTIONS, image_format, background, pack)
    DEFAULT_OPTIONS_DUMPS[id(options)] = (options, canonical_options(options))
    return options


def with_trait_problems(
    problem: ApiError, error: ValidationError, body: bytes, renderer: Renderer
) -> ApiError:
    """``problem`` (the request's shape is wrong) with the names the pack cannot draw added,
    so one answer lists every problem: the params that passed the shape check are checked
    against the pack as well."""
    if len(problem.items) != error.error_count() or len(problem.items) >= MAX_ERROR_ITEMS:
        return problem  # summarised or already full
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        return problem
    payload = raw.get("payload") if isinstance(raw, dict) else None
    params = payload.get("params") if isinstance(payload, dict) else None
    if not isinstance(params, dict):
        return problem
    wrong = {
        loc[2]
        for item in error.errors(include_url=False)
        if len(loc := item["loc"]) > 2 and loc[:2] == ("payload", "params")
    }
    try:
        sent = RequestParams.model_validate_json(
            orjson.dumps({name: value for name, value in params.items() if name not in wrong})
        )
        check_traits(normalise_params(sent, renderer.vocabulary), renderer.vocabulary, DEFAULT_POSE)
    except (ValidationError, TypeError):
        return problem
    except InvalidTraitsError as traits:
        items = [*problem.items, *trait_items(traits)][:MAX_ERROR_ITEMS]
        detail = "; ".join(item["detail"] for item in items)
        return ApiError(422, problem.error, detail, items)
    return problem
