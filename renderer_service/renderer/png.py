"""PNG encoding of RGBA arrays, and nearest-neighbour upscaling.

A 50 x 50 cat is so small that a general-purpose encoder spends most of its time on set-up:
Pillow takes ~170 us a picture, the standard library's ``zlib`` ~80 us for the deflate stream
alone (most of it allocating its state). Writing the three chunks directly around one ISA-L
deflate stream (``isal``, a zlib-compatible binding) takes ~30 us at ISA-L's level 1 and about
half that at level 0 (see ``LEVEL``), and any PNG reader reads the result back identically
(the tests decode it with Pillow).

Enlarged pictures are written straight from the small one (``encode_png_resized``): a
nearest-neighbour enlargement repeats each source row, so every repeat is written with filter
Up as a row of zeros, and the first row of each run with filter Sub (mostly zeros too, since
pixels repeat along the row). The repeated zero rows are compressed once per run length into a
self-contained, byte-aligned deflate segment and that segment is reused; only the distinct rows
go through the compressor. The zlib checksum of the repeats is computed in closed form. Scale 16
(800 x 800) thus costs about as much as the 50 x 50 picture, and a size that is not a multiple
of 50 costs the same as one that is.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from isal import isal_zlib
from numba import njit
from numpy.typing import NDArray

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SCALE = 16


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)) & 0xFFFFFFFF)
    )


LEVEL = 0
"""ISA-L's level for a picture encoded outright. On the 120 public cats level 0 takes about 20
us where level 1 takes about 36 (it is most of the time a cat takes to render and encode),
for files a quarter larger (1.9 KB against 1.5 KB on average): a few hundred bytes matter
less than the time. ``level=1`` gives the smaller files."""


def encode_png(image: NDArray[np.uint8], level: int = LEVEL) -> bytes:
    """Encode a ``(height, width, 4)`` uint8 RGBA array as an 8-bit RGBA PNG."""
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        raise ValueError(f"expected a (h, w, 4) uint8 array, got {image.shape} {image.dtype}")
    height, width = image.shape[:2]
    rows = np.empty((height, width * 4 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter None on every row
    rows[:, 1:] = image.reshape(height, width * 4)
    return b"".join(
        (_head(width, height), _chunk(b"IDAT", isal_zlib.compress(rows.data, level)), _END)
    )


@lru_cache(maxsize=256)
def _head(width: int, height: int) -> bytes:
    """The signature and header chunk of an 8-bit RGBA PNG of that size."""
    return PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))


_END = _chunk(b"IEND", b"")


def upscale(image: NDArray[np.uint8], scale: int) -> NDArray[np.uint8]:
    """Nearest-neighbour enlargement by an integer ``scale`` (1 returns ``image`` itself)."""
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be 1-{MAX_SCALE}, not {scale}")
    if scale == 1:
        return image
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def resize_nearest(image: NDArray[np.uint8], size: int) -> NDArray[np.uint8]:
    """Nearest-neighbour resize of a square picture to ``size`` x ``size``."""
    if size < 1:
        raise ValueError(f"size must be positive, not {size}")
    height, width = image.shape[:2]
    if size % height == 0 and size % width == 0 and height == width:
        return upscale(image, size // height) if size <= height * MAX_SCALE else _take(image, size)
    return _take(image, size)


def _take(image: NDArray[np.uint8], size: int) -> NDArray[np.uint8]:
    return _resize(image, size, size)


def nearest_index(source: int, size: int) -> NDArray[np.intp]:
    """Which of ``source`` pixels each of ``size`` output pixels shows in a nearest-neighbour
    resize: pixel ``t`` shows ``t * source // size``."""
    return np.arange(size) * source // size


def _resize(image: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    return gather(
        image, nearest_index(image.shape[0], height), nearest_index(image.shape[1], width)
    )


def _identity(index: NDArray[np.intp], size: int) -> bool:
    return len(index) == size and bool((index == np.arange(size)).all())


def gather(
    image: NDArray[np.uint8], rows: NDArray[np.intp], columns: NDArray[np.intp]
) -> NDArray[np.uint8]:
    """The picture whose pixel ``(y, x)`` is ``image[rows[y], columns[x]]`` (RGBA pixels
    moved as one 32-bit word each, several times quicker than moving four bytes); ``image``
    itself when both are the identity."""
    height, width = image.shape[:2]
    if _identity(rows, height) and _identity(columns, width):
        return image
    pixels = np.ascontiguousarray(image).view(np.uint32).reshape(height, width)
    taken = pixels.take(rows, axis=0).take(columns, axis=1)
    return taken.view(np.uint8).reshape(len(rows), len(columns), 4)


_ADLER_MOD = 65521
_ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, fastest-compression hint
_FINAL_EMPTY_BLOCK = b"\x03\x00"  # a final, empty block with fixed Huffman codes
SMALL_ENLARGEMENT = 4
"""Up to this many times the source's pixels, resizing first and encoding once is quicker..."""
SMALL_OUTPUT = 1 << 17
"""...as long as the output is this small (in pixels): larger ones (a spritesheet) cost more
in fresh memory for the resized copy than the row-by-row writing does."""
ROW_LEVEL = 0
"""ISA-L's level 0 (still Huffman + LZ77, with a small table): its full flush, which every
distinct row needs so that the reused segments between rows stay valid, costs ~1.5 us where
level 1's costs ~25 us; the rows are mostly zeros after filter Sub, so files grow little."""


def _raw_compressor(level: int) -> Any:
    return isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)


def _segment(data: bytes, level: int) -> bytes:
    """``data`` as non-final deflate blocks that end byte-aligned and refer to nothing before
    them, so the segment can be placed anywhere in a stream, any number of times."""
    compressor = _raw_compressor(level)
    return bytes(compressor.compress(data) + compressor.flush(isal_zlib.Z_SYNC_FLUSH))


@lru_cache(maxsize=64)
def _repeat_segment(row_bytes: int, count: int) -> bytes:
    """The segment of ``count`` rows of filter Up with nothing changed: ``02 00 00 ...``."""
    return _segment((b"\x02" + bytes(row_bytes)) * count, 1)


def _adler_repeats(value: int, row_bytes: int, count: int) -> int:
    """``zlib.adler32`` continued over ``count`` rows of ``02`` followed by ``row_bytes``
    zeros: each row adds 2 to the first sum, and the first sum ``row_bytes + 1`` times to the
    second, so the total has a closed form."""
    a, b = value & 0xFFFF, value >> 16
    b = (b + (row_bytes + 1) * (count * a + count * (count + 1))) % _ADLER_MOD
    a = (a + 2 * count) % _ADLER_MOD
    return (b << 16) | a


def encode_png_resized(image: NDArray[np.uint8], width: int, height: int | None = None) -> bytes:
    """The PNG of ``image`` resized (nearest neighbour) to ``width`` x ``height`` (square when
    ``height`` is left out), written without building the resized picture.

    The pixels are those of ``resize_nearest`` (and of ``upscale`` for whole multiples):
    output row ``y`` shows source row ``y * source_height // height``, likewise columns.
    """
    height = width if height is None else height
    if width < 1 or height < 1:
        raise ValueError(f"width and height must be positive, not {width} x {height}")
    if image.shape[:2] == (height, width):  # scale 1, the commonest: no index maps to build
        return encode_png(image)
    return encode_png_gathered(
        image, nearest_index(image.shape[0], height), nearest_index(image.shape[1], width)
    )


def encode_png_gathered(
    image: NDArray[np.uint8], rows: NDArray[np.intp], columns: NDArray[np.intp]
) -> bytes:
    """The PNG of ``gather(image, rows, columns)``, written without building that picture.

    ``rows`` and ``columns`` are any index arrays into ``image`` (a sheet of tiles each
    resized on its own has index maps that no single resize of the whole sheet gives); the
    output is ``len(columns)`` x ``len(rows)``.
    """
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        raise ValueError(f"expected a (h, w, 4) uint8 array, got {image.shape} {image.dtype}")
    height, width = len(rows), len(columns)
    if width < 1 or height < 1:
        raise ValueError(f"width and height must be positive, not {width} x {height}")
    source_height, source_width = image.shape[:2]
    pixels_out, pixels_in = width * height, source_width * source_height
    if pixels_out <= pixels_in or (
        pixels_out <= SMALL_ENLARGEMENT * pixels_in and pixels_out <= SMALL_OUTPUT
    ):
        # Not enlarged, or so little that a flush per distinct row costs more than encoding
        # the resized picture outright.
        return encode_png(gather(image, rows, columns))
    return png_from_rows(width, height, [deflate_rows(image, rows, columns)])


@dataclass(frozen=True, slots=True)
class DeflatedRows:
    """Consecutive rows of a PNG's pixel data (each with its filter byte), compressed as a
    deflate segment that stands alone: non-final blocks that end byte-aligned and refer to
    nothing before them. Segments of consecutive rows, joined, are one stream, so the bands
    of a picture can be compressed apart (in other processes) and joined by
    ``png_from_rows``."""

    data: bytes
    adler: int
    """``zlib.adler32`` of the uncompressed rows (starting from 1)."""
    size: int
    """Length of the uncompressed rows in bytes."""


def _sub_filtered(pixels: NDArray[np.uint32], columns: NDArray[np.intp]) -> NDArray[np.uint8]:
    """Every row of ``pixels`` widened to ``columns`` (one 32-bit gather) and filtered Sub
    (each byte minus the one a pixel before, wrapping as uint8 arithmetic does), with its
    filter byte; one more row at the end is filter Up with nothing changed (``02 00 ...``)."""
    source_height = pixels.shape[0]
    wide = pixels.take(columns, axis=1).view(np.uint8)
    filtered = np.empty((source_height + 1, len(columns) * 4 + 1), dtype=np.uint8)
    filtered[:source_height, 0] = 1
    filtered[:source_height, 1:5] = wide[:, :4]
    np.subtract(wide[:, 4:], wide[:, :-4], out=filtered[:source_height, 5:])
    filtered[source_height] = 0
    filtered[source_height, 0] = 2
    return filtered


def _fresh_rows(pixels: NDArray[np.uint32], rows: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Which output rows differ from the row above (the first always does): a repeat of the
    source row above, or a source row equal to it (transparent margins, flat colour), is
    written as filter Up with nothing changed."""
    fresh: NDArray[np.bool_] = np.diff(rows, prepend=-1) != 0
    fresh[0] = True
    moved = np.flatnonzero(fresh[1:]) + 1
    fresh[moved] = (pixels[rows[moved]] != pixels[rows[moved - 1]]).any(axis=1)
    return fresh


def _pixels(image: NDArray[np.uint8]) -> NDArray[np.uint32]:
    if image.ndim != 3 or image.shape[2] != 4 or image.dtype != np.uint8:
        raise ValueError(f"expected a (h, w, 4) uint8 array, got {image.shape} {image.dtype}")
    return np.ascontiguousarray(image).view(np.uint32).reshape(image.shape[:2])


def deflate_rows(
    image: NDArray[np.uint8], rows: NDArray[np.intp], columns: NDArray[np.intp]
) -> DeflatedRows:
    """The rows of ``gather(image, rows, columns)`` as a standalone deflate segment, written
    without building that picture: each distinct row once (filter Sub), each repeat of the
    row above as a reused segment of filter-Up zero rows."""
    pixels = _pixels(image)
    height, width = len(rows), len(columns)
    filtered = _sub_filtered(pixels, columns)
    # Runs of output rows that repeat the row above: (source row, length).
    starts = np.flatnonzero(_fresh_rows(pixels, rows))
    lengths = np.diff(starts, append=height)
    row_bytes = width * 4
    compressor = _raw_compressor(ROW_LEVEL)
    parts = []
    adler = 1
    for source_row, length in zip(rows[starts].tolist(), lengths.tolist(), strict=True):
        line = filtered[source_row].tobytes()
        parts.append(compressor.compress(line))
        parts.append(compressor.flush(isal_zlib.Z_FULL_FLUSH))
        adler = isal_zlib.adler32(line, adler)
        if length > 1:
            parts.append(_repeat_segment(row_bytes, length - 1))
            adler = _adler_repeats(adler, row_bytes, length - 1)
    return DeflatedRows(b"".join(parts), adler, height * (row_bytes + 1))


WHOLE_LEVEL = 1
"""ISA-L's level for ``deflate_whole_rows``: with one flush for all the rows, level 1 costs
no more than level 0 and its data is about a third smaller."""

_HIGH_BITS = np.uint32(0x80808080)
_LOW_BITS = np.uint32(0x7F7F7F7F)


@njit(cache=True, nogil=True)
def _write_filtered_rows(
    pixels: NDArray[np.uint32],
    rows: NDArray[np.intp],
    columns: NDArray[np.intp],
    out: NDArray[np.uint8],
) -> None:  # pragma: no cover - compiled; its output is checked against deflate_rows'
    """Fill ``out`` with the PNG rows of ``gather(pixels, rows, columns)``: a row that
    repeats the one above (the same source row, or an equal one) as filter Up with nothing
    changed, any other as filter Sub, each pixel's four bytes minus the previous pixel's,
    byte by byte, in one 32-bit word (a borrow never crosses into the next byte)."""
    source_width = pixels.shape[1]
    for y in range(rows.shape[0]):
        row = rows[y]
        line = out[y]
        fresh = y == 0
        if not fresh and row != rows[y - 1]:
            above = rows[y - 1]
            for x in range(source_width):
                if pixels[row, x] != pixels[above, x]:
                    fresh = True
                    break
        if not fresh:
            line[0] = 2
            line[1:] = 0
            continue
        line[0] = 1
        previous = np.uint32(0)
        for x in range(columns.shape[0]):
            current = pixels[row, columns[x]]
            difference = ((current | _HIGH_BITS) - (previous & _LOW_BITS)) ^ (
                (current ^ ~previous) & _HIGH_BITS
            )
            at = 1 + 4 * x
            line[at] = difference & 0xFF
            line[at + 1] = (difference >> 8) & 0xFF
            line[at + 2] = (difference >> 16) & 0xFF
            line[at + 3] = difference >> 24
            previous = current


def deflate_whole_rows(
    image: NDArray[np.uint8], rows: NDArray[np.intp], columns: NDArray[np.intp]
) -> DeflatedRows:
    """The same rows as ``deflate_rows`` (the same pixels, the same standalone kind of
    segment), every row written out (a repeat as a filter-Up row of zeros) by one compiled
    pass and compressed in one call. Where rows repeat only a few times (50 px pictures in
    100 px tiles), the flush per distinct row is most of what ``deflate_rows`` costs, and
    this is about twice as quick; where they repeat many times, ``deflate_rows`` is, since
    it never compresses a repeat."""
    pixels = _pixels(image)
    data = np.empty((len(rows), len(columns) * 4 + 1), dtype=np.uint8)
    _write_filtered_rows(
        pixels, np.asarray(rows, dtype=np.intp), np.asarray(columns, dtype=np.intp), data
    )
    compressor = _raw_compressor(WHOLE_LEVEL)
    deflated = compressor.compress(data) + compressor.flush(isal_zlib.Z_SYNC_FLUSH)
    return DeflatedRows(deflated, isal_zlib.adler32(data), data.nbytes)


def compile_row_kernel() -> None:
    """Compile (or read from numba's on-disk cache) the kernel of ``deflate_whole_rows``."""
    deflate_whole_rows(np.zeros((2, 2, 4), dtype=np.uint8), np.arange(2), np.arange(2))


def adler32_combine(first: int, second: int, second_size: int) -> int:
    """The adler32 of two byte strings joined, from each one's adler32 (starting from 1) and
    the second's length: the sums add, and the first's sum counts once more for each byte of
    the second."""
    a1, b1 = first & 0xFFFF, first >> 16
    a2, b2 = second & 0xFFFF, second >> 16
    a = (a1 + a2 - 1) % _ADLER_MOD
    b = (b1 + b2 + second_size * (a1 - 1)) % _ADLER_MOD
    return (b << 16) | a


def png_from_rows(width: int, height: int, bands: Sequence[DeflatedRows]) -> bytes:
    """The PNG whose pixel data is ``bands`` joined, in order (``height`` rows in all, of
    ``width`` RGBA pixels)."""
    if sum(band.size for band in bands) != height * (width * 4 + 1):
        raise ValueError(f"the bands do not hold {height} rows of {width} pixels")
    adler = 1
    for band in bands:
        adler = adler32_combine(adler, band.adler, band.size)
    data = b"".join([_ZLIB_HEADER, *(band.data for band in bands), _FINAL_EMPTY_BLOCK])
    idat = _chunk(b"IDAT", data + struct.pack(">I", adler))
    return b"".join((_head(width, height), idat, _END))
