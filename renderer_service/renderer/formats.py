"""Image formats: a finished RGBA picture (or several, as an animation) as PNG, WebP or GIF.

PNG, APNG and WebP (always lossless) keep every pixel exactly. GIF cannot: it has no
translucency and at most 256 colours a frame. A GIF is therefore made by one rule, the same
for still pictures and animations:

1. the picture is drawn on its background first, when it has one (the renderer does that);
2. every pixel whose alpha is below 128 becomes fully transparent, every other pixel fully
   opaque with its colour unchanged (``gif_alpha``);
3. when a frame then holds at most 255 colours, they are kept exactly (one palette entry is
   the transparent one). Past 255, its 255 commonest colours stay exact and every other
   colour becomes the nearest of them (no dithering); a frame of more than 4096 colours (a
   large sheet) is reduced by Pillow's fast octree instead.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage

from renderer_service.renderer.png import encode_png_resized, upscale

Image = NDArray[np.uint8]
ImageFormat = Literal["png", "webp", "gif"]
FORMATS: tuple[ImageFormat, ...] = ("png", "webp", "gif")
ANIMATED_FORMATS: tuple[ImageFormat, ...] = ("png", "gif")
MEDIA_TYPES: dict[ImageFormat, str] = {
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
}
GIF_ALPHA_THRESHOLD = 128
"""Alpha at or above which a pixel is opaque in a GIF; below it, transparent."""
GIF_COLOURS = 255
"""Colours a GIF frame keeps exactly (its palette's 256th entry is transparency)."""
NEAREST_LIMIT = 4096
"""Up to this many colours, the 255 commonest are kept and the rest mapped to the nearest."""


def gif_alpha(image: Image) -> Image:
    """The GIF alpha rule: alpha below 128 becomes 0, the rest 255 (colours unchanged)."""
    out = image.copy()
    opaque = out[:, :, 3] >= GIF_ALPHA_THRESHOLD
    out[:, :, 3] = np.where(opaque, 255, 0).astype(np.uint8)
    out[~opaque] = 0
    return out


def _channels(packed: NDArray[np.uint32]) -> NDArray[np.int32]:
    """``0xRRGGBB`` values as ``(n, 3)`` channels."""
    return np.stack([packed >> 16 & 255, packed >> 8 & 255, packed & 255], axis=1).astype(np.int32)


def _gif_frame(image: Image, scale: int = 1) -> PILImage.Image:
    """A palette picture whose index 0 is transparent, following the GIF rule, enlarged
    ``scale`` times (after choosing the palette, which enlarging cannot change)."""
    ruled = gif_alpha(image)
    opaque = ruled[:, :, 3] == 255
    rgb = ruled[:, :, :3]
    packed = (
        rgb[:, :, 0].astype(np.uint32) << 16
        | rgb[:, :, 1].astype(np.uint32) << 8
        | rgb[:, :, 2].astype(np.uint32)
    )
    colours, inverse, counts = np.unique(packed[opaque], return_inverse=True, return_counts=True)
    indices = np.zeros(packed.shape, dtype=np.uint8)
    palette = np.zeros((256, 3), dtype=np.uint8)
    if len(colours) <= GIF_COLOURS:
        indices[opaque] = (inverse + 1).astype(np.uint8)
        kept = colours
    elif len(colours) <= NEAREST_LIMIT:
        # The 255 commonest colours stay exact; each other colour takes the nearest of them.
        kept = colours[np.argsort(-counts, kind="stable")[:GIF_COLOURS]]
        distance = (_channels(colours)[:, None, :] - _channels(kept)[None, :, :]) ** 2
        nearest = distance.sum(axis=2).argmin(axis=1)
        indices[opaque] = (nearest[inverse] + 1).astype(np.uint8)
    else:  # a large sheet of many colours: Pillow's fast octree
        reduced = PILImage.fromarray(np.ascontiguousarray(rgb), "RGB").quantize(
            GIF_COLOURS, method=PILImage.Quantize.FASTOCTREE, dither=PILImage.Dither.NONE
        )
        indices[opaque] = np.asarray(reduced, dtype=np.uint8)[opaque] + 1
        used = np.frombuffer(bytes(reduced.getpalette() or []), dtype=np.uint8).reshape(-1, 3)
        palette[1 : 1 + min(len(used), GIF_COLOURS)] = used[:GIF_COLOURS]
        kept = np.zeros(0, dtype=np.uint32)
    palette[1 : len(kept) + 1] = _channels(kept)
    if scale > 1:
        indices = np.repeat(np.repeat(indices, scale, axis=0), scale, axis=1)
    frame = PILImage.fromarray(np.ascontiguousarray(indices), "P")
    frame.putpalette(palette.tobytes())
    frame.info["transparency"] = 0
    return frame


def _webp(image: Image) -> bytes:
    buffer = io.BytesIO()
    PILImage.fromarray(np.ascontiguousarray(image), "RGBA").save(
        buffer, "WEBP", lossless=True, exact=True, quality=100, method=1
    )  # method 1: a few percent larger than the slowest effort, several times faster
    return buffer.getvalue()


def _gif(image: Image, scale: int) -> bytes:
    buffer = io.BytesIO()
    _gif_frame(image, scale).save(buffer, "GIF", transparency=0, optimize=False)
    return buffer.getvalue()


def encode_image(image: Image, image_format: ImageFormat, scale: int = 1) -> bytes:
    """One ``(h, w, 4)`` RGBA picture in ``image_format``, enlarged ``scale`` times
    (nearest neighbour; a GIF's palette is chosen before enlarging, which is cheaper)."""
    if image_format == "png":  # written from the small picture, however large the scale
        height, width = image.shape[:2]
        return encode_png_resized(image, width * scale, height * scale)
    if image_format == "webp":
        return _webp(upscale(image, scale))
    if image_format == "gif":
        return _gif(image, scale)
    raise ValueError(f"unknown image format {image_format!r}; one of {', '.join(FORMATS)}")


def encode_animation(
    frames: Sequence[Image], image_format: ImageFormat, frame_ms: int, loop: int
) -> bytes:
    """``frames`` (same size, RGBA) as one animation: APNG for ``png``, or GIF.

    Each frame replaces the one before (nothing of it shows through transparent pixels).
    ``loop`` 0 repeats for ever; otherwise the animation plays ``loop`` times in all.
    """
    if not frames:
        raise ValueError("an animation needs at least one frame")
    buffer = io.BytesIO()
    if image_format == "png":
        pictures = [PILImage.fromarray(np.ascontiguousarray(f), "RGBA") for f in frames]
        pictures[0].save(
            buffer,
            "PNG",
            save_all=True,
            append_images=pictures[1:],
            duration=frame_ms,
            loop=loop,
            disposal=1,  # clear the frame's area to transparent before the next one
            blend=0,  # draw each frame as it is, not over the one before
            compress_level=1,
        )
    elif image_format == "gif":
        pictures = [_gif_frame(f) for f in frames]
        pictures[0].save(
            buffer,
            "GIF",
            save_all=True,
            append_images=pictures[1:],
            duration=frame_ms,
            loop=loop,
            disposal=2,  # restore to the (transparent) background between frames
            transparency=0,
            optimize=False,
        )
    else:
        raise ValueError(
            f"{image_format!r} cannot be animated here; one of {', '.join(ANIMATED_FORMATS)}"
        )
    return buffer.getvalue()
