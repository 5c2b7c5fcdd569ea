"""Reading a /render body into a checked ``RenderJob``: the plain-body reader or the request
models, the pose, the background, the pack and the answer's format (from ``options.format``
and the ``Accept`` header).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from typing import Any, NamedTuple

import orjson
from pydantic import ValidationError

from renderer_service.packs import PackSet
from renderer_service.renderer import (
    DEFAULT_MODERN_POSE,
    DEFAULT_POSE,
    FORMATS,
    LEGACY_POSE_NAMES,
    MEDIA_TYPES,
    AnyRenderer,
    AnyVocabulary,
    Background,
    CatParams,
    ImageFormat,
    InvalidTraitsError,
    ModernRenderer,
    TraitError,
    closest,
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


class PoseAsked(NamedTuple):
    """The pose a body asks for, before a pack is chosen: a name, a number, or neither."""

    name: str | None
    number: int | None
    number_field: str = "payload.spriteNumber"
    """Where the number was given (``payload.params.spriteNumber`` when only there)."""
    name_field: str = "payload.pose"
    """Where the name was given."""


def pose_asked(name: str | None, outer: int | None, inner: int | None) -> PoseAsked:
    """The pose from ``payload.pose`` (``name``), ``payload.spriteNumber`` (``outer``) and
    ``payload.params.spriteNumber`` (``inner``); see ``pose_of``."""
    field = "payload.params.spriteNumber" if outer is None and inner is not None else None
    return PoseAsked(name, pose_of(outer, inner), field or "payload.spriteNumber")


def asked_pose(request: RenderRequest) -> PoseAsked:
    """The pose a parsed request asks for (see ``pose_asked``)."""
    payload = request.payload
    return pose_asked(payload.pose, payload.sprite_number, payload.params.sprite_number)


def pose_of(outer: int | None, inner: int | None) -> int | None:
    """The pose number from ``payload.spriteNumber`` (``outer``) and
    ``payload.params.spriteNumber`` (``inner``): a 422 when they differ; ``None`` with neither."""
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
    return outer if outer is not None else inner


def pose_names(renderer: AnyRenderer) -> tuple[str, ...]:
    """The pack's poses by name, in number order: a modern pack's own list; for a legacy pack
    the modern name of each legacy pose 0-20."""
    if isinstance(renderer, ModernRenderer):
        return tuple(renderer.vocabulary.poses)
    return LEGACY_POSE_NAMES


def default_pose(renderer: AnyRenderer) -> int:
    """The pose drawn when a request gives none: an adult pose (8 on a legacy pack,
    ``adult_short2`` on a modern one)."""
    if isinstance(renderer, ModernRenderer):
        poses = renderer.vocabulary.poses
        return poses.index(DEFAULT_MODERN_POSE) if DEFAULT_MODERN_POSE in poses else 0
    return DEFAULT_POSE


def choose_pose(renderer: AnyRenderer, pack: str, asked: PoseAsked) -> int:
    """The pose number to draw on ``renderer``: ``asked.name`` if given (it wins over a
    number), else ``asked.number``, else the pack's default; a 422 naming the pack's poses
    when the pack has no such pose."""
    problem = pose_problem(renderer, pack, asked)
    if problem is not None:
        raise ApiError(422, "invalid_params", problem["detail"], [problem])
    if asked.name is not None:
        return pose_names(renderer).index(asked.name)  # a legacy pose's name is its number
    return asked.number if asked.number is not None else default_pose(renderer)


def pose_problem(renderer: AnyRenderer, pack: str, asked: PoseAsked) -> dict[str, Any] | None:
    """What is wrong with the pose ``asked`` on ``renderer`` (as an error item), if anything."""
    names = pose_names(renderer)
    if asked.name is not None:
        if asked.name in names:
            return None
        detail = f"{asked.name_field}: pack {pack!r} has no pose named {asked.name!r}"
        if asked.name in MODERN_ONLY_POSES and not isinstance(renderer, ModernRenderer):
            detail += " (the legacy layout has no cell for it)"
        return error_item(
            asked.name_field,
            asked.name,
            detail,
            "one of " + ", ".join(names),
            closest(asked.name, names),
        )
    if asked.number is None or asked.number < len(names):
        return None
    field = asked.number_field
    detail = (
        f"{field}: pack {pack!r} has no pose {asked.number}; its poses are numbered from 0 "
        f"to {len(names) - 1}"
    )
    expected = f"at most {len(names) - 1} (pack {pack!r} numbers its poses 0-{len(names) - 1})"
    return error_item(field, asked.number, detail, expected)


MODERN_ONLY_POSES = frozenset(
    {"newborn0", "newborn1", "adolescent_long0", "adolescent_long1", "adolescent_long2"}
)
"""Pose names of ClanGen v0.13 that the legacy layout has no cell for."""


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
                pose_asked(plain.pose_name, plain.pose, plain.params_pose),
                options,
                partial(normalise_given, plain.given, keep_pose=False),
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
            asked_pose(request),
            request.options,
            partial(normalise_params, request.payload.params, keep_pose=False),
            notes=v2_notes(given_of(request.payload.params)),
        )
    except InvalidTraitsError as error:
        raise traits_error(error) from None


_NO_OPTIONS = RenderOptions()
"""The options of a body without any (never changed: jobs get copies)."""


def _job(
    packs: PackSet,
    wanted: Wanted,
    asked: PoseAsked,
    options: RenderOptions,
    params_for: Callable[[AnyVocabulary, type[CatParams]], CatParams],
    defaults: bool = False,
    notes: tuple[tuple[str, str], ...] = (),
) -> RenderJob:
    """The checked job; raises ``ApiError`` and ``InvalidTraitsError``. ``params_for`` makes
    the params for a pack's vocabulary and params type; ``defaults`` says ``options`` are
    ``_NO_OPTIONS``."""
    name, renderer = packs.choose(options.pack)
    background = parse_options_background(options)
    problem = pose_problem(renderer, name, asked)
    pose = default_pose(renderer) if problem else choose_pose(renderer, name, asked)
    params = params_for(renderer.vocabulary, renderer.params_model)
    try:
        renderer.check_traits(params, pose)
    except InvalidTraitsError as error:
        if problem is None:
            raise
        items = [problem, *trait_items(error)][:MAX_ERROR_ITEMS]
        raise ApiError(
            422, "invalid_params", "; ".join(i["detail"] for i in items), items
        ) from None
    if problem is not None:
        raise ApiError(422, "invalid_params", problem["detail"], [problem])
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
    problem: ApiError, error: ValidationError, body: bytes, renderer: AnyRenderer
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
    pose_items = _pose_items(payload, params, renderer, problem)
    wrong = {
        loc[2]
        for item in error.errors(include_url=False)
        if len(loc := item["loc"]) > 2 and loc[:2] == ("payload", "params")
    }
    try:
        sent = RequestParams.model_validate_json(
            orjson.dumps({name: value for name, value in params.items() if name not in wrong})
        )
        params = normalise_params(sent, renderer.vocabulary, renderer.params_model, keep_pose=False)
        renderer.check_traits(params, default_pose(renderer))
    except (ValidationError, TypeError):
        return _with_items(problem, pose_items)
    except InvalidTraitsError as traits:
        return _with_items(problem, [*pose_items, *trait_items(traits)])
    return _with_items(problem, pose_items)


def _with_items(problem: ApiError, items: list[dict[str, Any]]) -> ApiError:
    if not items:
        return problem
    listed = [*problem.items, *items][:MAX_ERROR_ITEMS]
    return ApiError(422, problem.error, "; ".join(item["detail"] for item in listed), listed)


def _pose_items(
    payload: Any, params: dict[str, Any], renderer: AnyRenderer, problem: ApiError
) -> list[dict[str, Any]]:
    """The pose's problem on ``renderer`` when the shape check let the pose fields through."""
    flagged = {item["field"] for item in problem.items}
    fields = ("payload.pose", "payload.spriteNumber", "payload.params.spriteNumber")
    if flagged.intersection(fields):
        return []
    name, outer, inner = (
        payload.get("pose"),
        payload.get("spriteNumber"),
        params.get("spriteNumber"),
    )
    if not (name is None or type(name) is str) or (
        outer is not None and outer != inner is not None
    ):
        return []
    if not all(value is None or type(value) is int for value in (outer, inner)):
        return []
    asked = pose_asked(name, outer, inner)
    item = pose_problem(renderer, "default", asked)
    return [item] if item is not None else []
