"""A batch's frames as a worker draws them: frame tasks, the pictures they answer (packed
to save memory), tile placement and the deflating of whole sheet bands.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from isal import isal_zlib
from numpy.typing import NDArray

from renderer_service.packs import PackSet
from renderer_service.renderer import (
    AnyRenderer,
    Background,
    CatParams,
    DeflatedRows,
    ImageFormat,
    PatternGenerationError,
    deflate_rows,
    deflate_whole_rows,
    encode_image,
    encode_png_resized,
    gather,
    nearest_index,
    parse_background,
)
from renderer_service.wire import pattern_error
from renderer_service.work.reply import Reply

logger = logging.getLogger("renderer.jobs")


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
    renderer: AnyRenderer, params: CatParams, pose: int, task: FrameTask, background: Background
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
