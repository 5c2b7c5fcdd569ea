"""Render jobs: a request's body in, the answer's bytes out.

This is the part of a request that costs CPU: parse and check the params, compose, encode,
serialise. It knows no web framework, so it runs in worker processes; the HTTP layer only
moves bytes to and from them.
"""

from __future__ import annotations

import binascii
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, Literal, NamedTuple, TypeVar

import numpy as np
import orjson
from isal import isal_zlib
from numpy.typing import NDArray
from pydantic import BaseModel, ValidationError

from .codes import encode_cat_code
from .errors import (
    MAX_ERROR_ITEMS,
    ApiError,
    error_item,
    pattern_error,
    trait_items,
    traits_error,
    validation_error_from,
)
from .models import RenderOptions, RenderRequest, RequestParams
from .normalise import normalise_given, normalise_params
from .pack_set import PackSet
from .plain_body import read_plain_body
from .renderer import (
    DEFAULT_BACKGROUND,
    DEFAULT_POSE,
    FORMATS,
    MEDIA_TYPES,
    Background,
    CatParams,
    ImageFormat,
    InvalidTraitsError,
    Layer,
    Renderer,
    TraitError,
    Vocabulary,
    check_traits,
    encode_image,
    parse_background,
)
from .renderer.patterns import PatternGenerationError
from .renderer.png import (
    DeflatedRows,
    deflate_rows,
    deflate_whole_rows,
    encode_png_resized,
    gather,
    nearest_index,
)

OutputFormat = Literal["json", "image"]
"""``json``: the JSON answer with a data URL; ``image``: the picture's bytes themselves."""

Wanted = tuple[ImageFormat, ...]
"""The image types a client's ``Accept`` header asks for, in order; empty for JSON."""


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
    )


def job_from_state(state: JobState) -> tuple[RenderJob, dict[str, Any] | None]:
    """The job (and its canonical params, when sent) that ``job_state`` packed."""
    params, given, pose, options, options_given, output, background, canonical = state
    job = RenderJob(
        _restored(CatParams, _PARAM_FIELDS, params, given),
        pose,
        _restored(RenderOptions, _OPTION_FIELDS, options, options_given),
        output,
        _background(background),
    )
    return job, canonical


@lru_cache(maxsize=256)
def _background(name: str) -> Background:
    return parse_background(name)


class Reply(NamedTuple):
    """A finished answer: status, media type, body and extra headers.

    A named tuple rather than a frozen dataclass: one is made for every answer, and a tuple
    is made in a fraction of the time (it also pickles compactly, as its fields)."""

    status: int
    media_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)

    @classmethod
    def from_error(cls, error: ApiError) -> Reply:
        return cls(error.status, "application/json", error.body(), tuple(error.headers.items()))


class RenderOutput(NamedTuple):
    body: bytes
    media_type: str


def data_url(data: bytes, media_type: str = "image/png") -> str:
    return f"data:{media_type};base64," + binascii.b2a_base64(data, newline=False).decode("ascii")


def enlarged_png(image: NDArray[np.uint8], scale: int) -> bytes:
    """The PNG of ``image`` enlarged ``scale`` times, written without building the enlargement."""
    height, width = image.shape[:2]
    return encode_png_resized(image, width * scale, height * scale)


CANVAS_BLEND_MODES = {
    "normal": "source-over",
    "rgb_mult": "multiply",
    "rgba_mult": "multiply",
    "multiply": "multiply",
    "rgb_add": "add",
    "rgb_mult+rgb_add": "multiply",
}
"""Each stage's exact blend -> the canvas blend a client should draw its layer image with
(the CatGenerator's layer debugger knows ``multiply``, ``screen``, ``add``, ``replace``;
anything else is drawn ``source-over``)."""

MEMORY_PRESSURE_FIELD = b'"memory_pressure":false'
"""How a rendered answer says it was not made under pressure; the service flips it to true
when it answers while shedding load (answers are cached, pressure is not)."""


def _layer_json(layer: Layer, job: RenderJob) -> dict[str, object]:
    options = job.options
    image = None
    if options.include_layer_images and layer.image is not None:
        image = data_url(enlarged_png(layer.image, options.scale))
    return {
        "id": layer.id,
        "label": layer.label,
        "blend_mode": CANVAS_BLEND_MODES.get(layer.blend_mode, "source-over"),
        "blendMode": layer.blend_mode,
        "sprites": layer.sprites,
        "drawn": layer.drawn,
        "duration_ms": round(layer.duration_ms, 4) if options.diagnostics else None,
        "diagnostics": layer.notes if options.diagnostics else [],
        "image": image,
    }


def run_render_job(
    renderer: Renderer, job: RenderJob, canonical: dict[str, Any] | None = None
) -> RenderOutput:
    """Render ``job`` and serialise it. Raises the renderer's errors for bad traits.

    ``canonical`` is the job's ``canonical_params``, when the caller already has them."""
    started_at = time.time()
    began = time.perf_counter()
    options = job.options
    result = renderer.render(
        job.params,
        job.pose,
        collect_layers=options.collect_layers,
        layer_images=options.collect_layers and options.include_layer_images,
        checked=True,  # a job's traits were checked when its request was parsed
    )
    picture, background = renderer.picture(job.params, job.pose, job.background, result.image)
    rendered = time.perf_counter()
    media_type = MEDIA_TYPES[job.image_format]
    encoded_image = encode_image(picture, job.image_format, options.scale)
    encoded = time.perf_counter()
    render_ms = (rendered - began) * 1000
    if job.output == "image":
        return RenderOutput(encoded_image, media_type)
    body = {
        "image": data_url(encoded_image, media_type),
        "code": encode_cat_code(code_params(job.params, job.pose, options.pack, canonical)),
        "meta": {
            "started_at": started_at,
            "finished_at": time.time(),
            "duration_ms": round((encoded - began) * 1000, 4),
            "memory_pressure": False,
            "render_ms": round(render_ms, 4),
            "encode_ms": round((encoded - rendered) * 1000, 4),
            "spriteNumber": job.pose,
            "width": picture.shape[1] * options.scale,
            "height": picture.shape[0] * options.scale,
            "scale": options.scale,
            "format": job.image_format,
            "background": background.name,
            "pack": renderer.pack.content_hash,
        },
        "layers": (
            [_layer_json(layer, job) for layer in result.layers]
            if result.layers is not None
            else None
        ),
    }
    return RenderOutput(orjson.dumps(body), "application/json")


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
    """The 422 for a background the service cannot draw (a name it does not have)."""
    return ApiError(
        422,
        "invalid_params",
        f"{field}: {error.value!r} is not a background",
        [error_item(field, error.value, str(error), error.expected, error.suggestions)],
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
    return RenderJob(params, pose, job_options, output, background)


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
    _DEFAULT_OPTIONS_DUMPS[id(options)] = (options, _canonical_options(options))
    return options


_DEFAULT_OPTIONS_DUMPS: dict[int, tuple[RenderOptions, dict[str, Any]]] = {}
"""``_default_options`` (by identity; each is held here) -> its ``_canonical_options``."""


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


CODE_PACK_KEY = "pack"
"""Where a code keeps the pack its cat is drawn with (left out for the default pack)."""


def code_params(
    params: CatParams, pose: int, pack: str | None, canonical: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a cat's code holds: its canonical params (``canonical``, when already worked
    out), and its pack unless the default."""
    held = dict(canonical) if canonical is not None else canonical_params(params, pose)
    if pack is not None:
        held[CODE_PACK_KEY] = pack
    return held


def canonical_params(params: CatParams, pose: int) -> dict[str, Any]:
    """The params with defaults left out and the pose inside: equal cats, equal dicts."""
    canonical = params.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    canonical["spriteNumber"] = pose
    return canonical


def canonical_body(job: RenderJob, params: dict[str, Any] | None = None) -> bytes:
    """The job as the shortest /render body that means the same: defaults left out, the pose
    inside the params, keys sorted. Equal jobs have equal canonical bodies.

    ``params`` is the job's ``canonical_params``, when the caller already has them."""
    if params is None:
        params = canonical_params(job.params, job.pose)
    body: dict[str, Any] = {"payload": {"params": params}}
    options = _canonical_options(job.options)
    if options:
        body["options"] = options
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def _canonical_options(options: RenderOptions) -> dict[str, Any]:
    """The options that are not the defaults, PNG counting as a default."""
    known = _DEFAULT_OPTIONS_DUMPS.get(id(options))
    if known is not None and known[0] is options:
        return known[1]
    dump = options.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    if dump.get("format") == "png":
        dump.pop("format")  # PNG is the default: spelt out or not, the same picture
    return dump


logger = logging.getLogger("renderer.jobs")


def answer_render(packs: PackSet, body: bytes, wanted: Wanted = ()) -> Reply:
    """The whole of POST /render after the bytes arrive: bad input is a 4xx ``Reply``."""
    try:
        job = parse_render_request(body, packs, wanted)
    except ApiError as error:
        return Reply.from_error(error)
    return answer_job(packs, job)


def answer_job(packs: PackSet, job: RenderJob, canonical: dict[str, Any] | None = None) -> Reply:
    """The answer to a checked job: its picture, or a 500 naming a pattern that failed."""
    try:
        result = run_render_job(packs.choose(job.options.pack)[1], job, canonical)
    except PatternGenerationError as error:
        logger.error("%s", error, exc_info=error)
        return Reply.from_error(pattern_error(error, job.params))
    return Reply(200, result.media_type, result.body)


@dataclass(frozen=True, slots=True)
class SheetBand:
    """Whole rows of a PNG sheet for a worker to compress once it has drawn its frames, so
    that a batch's sheet is compressed in parallel, band by band, while other frames draw.

    ``slots`` are the band's frames in sheet order, ``columns`` to a row: a frame drawn
    before (from the cache), or ``None`` where the task's next drawn frame goes. Each tile is
    ``tile`` (width, height): its picture resized."""

    columns: int
    tile: tuple[int, int]
    slots: tuple[FrameResult | None, ...]


@dataclass(frozen=True, slots=True)
class FrameTask:
    """Frames of a batch for one worker (one queue task): cats checked when the batch was
    planned, each drawn at 1x on the batch's background.

    The worker answers each frame's 1x picture (50 x 50, or 80 x 70 on a platform); the
    sheet is enlarged once, while it is encoded. The tile is ``tile_size`` square (the
    picture resized), or on a platform the picture enlarged ``tile_size // 80`` times: the
    worker needs it only for the frames' own images (``include_png``).
    """

    cats: tuple[tuple[CatParams, int], ...]
    """Each frame's params and pose, in order."""
    tile_size: int
    layer_id: str | None = None
    """Draw only this layer (``frameMode=layer``); ``None`` draws the whole cat."""
    include_png: bool = False
    """Also encode each tile alone (in ``source_format``)."""
    background: str = "transparent"
    source_format: ImageFormat = "png"
    pack: str | None = None
    """The pack to draw with, by its normalised name (``None``: the default)."""
    band: SheetBand | None = None
    """The sheet rows these frames fall in, to compress once they are drawn."""


PICTURES_LEVEL = 1
"""ISA-L's level for ``PackedPictures``."""
PACK_FRAMES = 16
"""At most this many frames' pictures are packed together. The frames of a batch are mostly
one cat in other poses or colours, so one deflate stream over several finds whole pictures
it has seen: 16 pictures of 10 KB pack into about 5 KB in 20 us. A pack stays in memory while
any of its frames is in the frame cache, so each frame counts its whole pack there: packs of
16 keep that count near what the frames hold, where one pack per task would let a few
frames kept from many tasks hold far more than the budget says."""


class PackedPictures:
    """The 1x pictures of up to ``PACK_FRAMES`` frames drawn together (RGBA bytes, ``size``
    each), joined and compressed as one deflate stream, which those frames' results share.

    That is what crosses back from a worker and what the frame cache holds, a few percent of
    the raw pictures; they are unpacked only when a sheet is made of frames from the cache.
    """

    __slots__ = ("count", "data", "size")

    def __init__(self, data: bytes, count: int, size: int) -> None:
        self.data = data
        self.count = count
        self.size = size

    @classmethod
    def pack(cls, pictures: Sequence[bytes], size: int) -> PackedPictures:
        """``pictures``, each ``size`` bytes, packed."""
        if any(len(picture) != size for picture in pictures):
            raise ValueError(f"every picture must be {size} bytes")
        data = isal_zlib.compress(b"".join(pictures), PICTURES_LEVEL, -15)
        return cls(data, len(pictures), size)

    def unpack(self) -> bytes:
        """All the pictures, joined."""
        return isal_zlib.decompress(self.data, -15, self.count * self.size)

    def __reduce__(self) -> tuple[type[PackedPictures], tuple[bytes, int, int]]:
        return PackedPictures, (self.data, self.count, self.size)


@dataclass(frozen=True, slots=True)
class FrameResult:
    """One frame drawn: its 1x picture on its background (picture ``index`` of ``pictures``,
    ``width`` x ``height``), and its tile alone if asked."""

    pictures: PackedPictures
    index: int
    width: int
    height: int
    png: bytes | None
    """The tile alone, encoded in the task's ``source_format``, when asked for."""
    drawn: bool

    @classmethod
    def alone(
        cls, picture: bytes, width: int, height: int, png: bytes | None = None, drawn: bool = True
    ) -> FrameResult:
        """A frame whose RGBA ``picture`` is packed on its own."""
        return cls(PackedPictures.pack([picture], width * height * 4), 0, width, height, png, drawn)

    @property
    def nbytes(self) -> int:
        """The memory it keeps: its whole pack (which stays while any of its frames does),
        and its own image."""
        return len(self.pictures.data) + len(self.png or b"")

    def __reduce__(self) -> tuple[type[FrameResult], tuple[Any, ...]]:
        # Fields as arguments: a slots dataclass's generic state pickles several times slower.
        return FrameResult, (
            self.pictures,
            self.index,
            self.width,
            self.height,
            self.png,
            self.drawn,
        )


def frame_pictures(results: Sequence[FrameResult]) -> tuple[list[memoryview], int, int]:
    """The 1x RGBA pictures of ``results`` (each pack unpacked once), and their width and
    height; ``ValueError`` if the frames are not all one size."""
    width, height = results[0].width, results[0].height
    size = width * height * 4
    unpacked: dict[int, memoryview] = {}
    pictures = []
    for at, result in enumerate(results):
        if (result.width, result.height) != (width, height):
            raise ValueError(
                f"frame {at} is {result.width} x {result.height}, not {width} x {height}"
            )
        packed = result.pictures
        data = unpacked.get(id(packed))
        if data is None:
            data = unpacked[id(packed)] = memoryview(packed.unpack())
        pictures.append(data[result.index * size : (result.index + 1) * size])
    return pictures, width, height


@dataclass(frozen=True, slots=True)
class FramesResult:
    """A ``FrameTask``'s answer: its frames drawn, in order, up to the first that failed
    (``failure``, the error for frame ``len(frames)``: the rest were not drawn)."""

    frames: tuple[FrameResult, ...]
    failure: Reply | None = None
    band: DeflatedRows | None = None
    """The task's sheet band, compressed (when it had one and every frame drew)."""

    @property
    def status(self) -> int:
        return 200 if self.failure is None else self.failure.status


def tile_shape(width: int, height: int, tile_size: int, on_platform: bool) -> tuple[int, int]:
    """The ``(width, height)`` of the tile a ``width`` x ``height`` picture is drawn in."""
    if on_platform:
        scale = tile_size // width
        return width * scale, height * scale
    return tile_size, tile_size


def tile_bytes(
    picture: NDArray[np.uint8], size: tuple[int, int], image_format: ImageFormat
) -> bytes:
    """A picture resized (nearest neighbour) to its tile's ``(width, height)``, encoded."""
    width, height = size
    if image_format == "png":
        return encode_png_resized(picture, width, height)
    rows = nearest_index(picture.shape[0], height)
    return encode_image(gather(picture, rows, nearest_index(picture.shape[1], width)), image_format)


Drawn = tuple[NDArray[np.uint8], bytes | None, bool]
"""A frame drawn: its 1x picture, its tile alone (when asked), whether its layer drew."""


def draw_frame(
    renderer: Renderer, params: CatParams, pose: int, task: FrameTask, background: Background
) -> Drawn:
    """One frame of ``task``: the cat (or its one layer) on its background, at 1x."""
    drawn = True
    # A frame's traits were checked, pose by pose, when the batch was planned.
    if task.layer_id is None:
        image = renderer.render(params, pose, checked=True).image
    else:
        result = renderer.render(params, pose, collect_layers=True, layer_images=True, checked=True)
        layer = next(layer for layer in result.layers or [] if layer.id == task.layer_id)
        drawn = layer.drawn
        image = layer.image if layer.image is not None else np.zeros_like(result.image)
    picture, _ = renderer.picture(params, pose, background, image)
    source = None
    if task.include_png:
        height, width = picture.shape[:2]
        size = tile_shape(width, height, task.tile_size, background.is_platform)
        source = tile_bytes(picture, size, task.source_format)
    return picture, source, drawn


def run_frames(packs: PackSet, task: FrameTask) -> FramesResult:
    """Draw a task's frames in order (their params were checked when the batch was planned);
    a frame whose pattern colour cannot be drawn stops the task with its 500."""
    renderer = packs.choose(task.pack)[1]
    background = parse_background(task.background)
    drawn: list[Drawn] = []
    failure = None
    for params, pose in task.cats:
        try:
            drawn.append(draw_frame(renderer, params, pose, task, background))
        except PatternGenerationError as error:
            logger.error("%s", error, exc_info=error)
            failure = Reply.from_error(pattern_error(error, params))
            break
    if not drawn:
        return FramesResult((), failure)
    height, width = drawn[0][0].shape[:2]
    pictures = [picture.tobytes() for picture, _source, _drawn in drawn]
    size = width * height * 4
    packed = [
        PackedPictures.pack(pictures[start : start + PACK_FRAMES], size)
        for start in range(0, len(pictures), PACK_FRAMES)
    ]
    frames = tuple(
        FrameResult(packed[at // PACK_FRAMES], at % PACK_FRAMES, width, height, source, ok)
        for at, (_picture, source, ok) in enumerate(drawn)
    )
    if failure is not None:
        return FramesResult(frames, failure)
    band = None
    if task.band is not None:
        cached = [slot for slot in task.band.slots if slot is not None]
        earlier = iter(frame_pictures(cached)[0] if cached else [])
        fresh = iter(pictures)
        slots = [next(fresh) if slot is None else next(earlier) for slot in task.band.slots]
        band = deflate_band(slots, width, height, task.band.columns, task.band.tile)
    return FramesResult(frames, band=band)


def tile_index(picture: int, tile: int, count: int) -> NDArray[np.intp]:
    """Along one axis of a sheet of ``count`` tiles of ``tile`` pixels, which pixel of the
    same sheet at 1x (pictures of ``picture`` pixels) each pixel shows: each tile is its own
    picture resized, as ``resize_nearest`` resizes it."""
    within = nearest_index(picture, tile)
    return (np.arange(count)[:, None] * picture + within[None, :]).ravel()


Picture = bytes | memoryview
"""A frame's 1x picture: RGBA bytes."""


def place_pictures(
    pictures: Sequence[Picture], width: int, height: int, columns: int, rows: int
) -> NDArray[np.uint8]:
    """Frames' 1x pictures (each ``width`` x ``height``) on one sheet of ``columns`` x
    ``rows``, left to right, top to bottom (empty places transparent): all of them joined
    and rearranged in one move."""
    empty = bytes(4 * width * height * (rows * columns - len(pictures)))
    joined = b"".join([*pictures, empty])
    tiles = np.frombuffer(joined, dtype=np.uint32).reshape(rows, columns, height, width)
    sheet = np.ascontiguousarray(tiles.transpose(0, 2, 1, 3))
    return sheet.view(np.uint8).reshape(rows * height, columns * width, 4)


WHOLE_ROWS_UP_TO = 2
"""A band whose rows repeat at most this many times (tiles at most twice the pictures'
height) is compressed row for row in one call (``deflate_whole_rows``); taller tiles repeat
rows so often that reusing one compressed repeat (``deflate_rows``) is quicker."""


def deflate_band(
    pictures: Sequence[Picture], width: int, height: int, columns: int, tile: tuple[int, int]
) -> DeflatedRows:
    """Sheet rows holding the 1x ``pictures`` (each ``width`` x ``height``; ``columns`` to
    a row, each a ``tile`` (width, height) tile), compressed straight from them."""
    rows = math.ceil(len(pictures) / columns)
    small = place_pictures(pictures, width, height, columns, rows)
    deflate = deflate_whole_rows if tile[1] <= WHOLE_ROWS_UP_TO * height else deflate_rows
    return deflate(small, tile_index(height, tile[1], rows), tile_index(width, tile[0], columns))


class TaskHandler:
    """What a worker process runs: ``handler(kind, payload) -> Reply`` for each task kind."""

    def __init__(self, packs: PackSet) -> None:
        from .diff import run_diff  # that module builds on this one; imported before forking

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
