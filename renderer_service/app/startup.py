"""Start-up: the phases that make a service ready, each logged with its time, and a failed
start-up told in one line.

The phases: read the settings, load the sprite pack while the blend kernels compile (numba),
warm the renderer up and draw one warm-up cat the whole way a request is drawn
(``service.draw_warm_up_cat``), start the render workers. Only then does the server take
connections, so ``/health/ready`` never says ready before a cat was drawn. The image build
(``deploy/Dockerfile``) runs ``fill_kernel_cache`` so the kernels load from numba's cache
instead of compiling: a new replica is ready in seconds. Each logs one line
(``pack loaded: 921 groups from the bundled lifegen pack in 812 ms``).
A bad ``CG3_*`` value or a broken pack raises ``StartupError``, whose message names the
variable or the file and says what is wrong; ``StartupGuard`` hands that one line to the server
(uvicorn logs it and exits non-zero) instead of a traceback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import time
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from renderer_service.config import ENV_PREFIX, Settings
from renderer_service.packs import (
    BUNDLED_PACK_NAMES,
    PackSet,
    bundled_pack_root,
    load_packs,
    load_sprite_pack,
)
from renderer_service.renderer import (
    ModernSpritePack,
    PaletteError,
    SpritePack,
    SpritePackError,
    blend,
)

logger = logging.getLogger("renderer.startup")


class StartupError(RuntimeError):
    """The service cannot start; the message is one line saying why."""


@contextmanager
def phase(done: Callable[[float], str]) -> Iterator[None]:
    """Time the block and log ``done(seconds)`` when it ends without an error."""
    began = time.perf_counter()
    yield
    logger.info(done(time.perf_counter() - began))


def pack_label(root: Path) -> str:
    """How start-up names a pack: a bundled one by name, any other by its folder."""
    for name in BUNDLED_PACK_NAMES:
        try:
            if root.resolve() == bundled_pack_root(name).resolve():
                return f"the bundled {name} pack"
        except OSError:
            pass
    return str(root)


def load_pack(settings: Settings, folders: str | None) -> SpritePack | ModernSpritePack:
    """Load one pack's folders (logged); ``StartupError`` naming the file that is wrong."""
    began = time.perf_counter()
    try:
        pack = load_sprite_pack(folders)
    except SpritePackError as error:
        variable = "PACKS" if settings.packs else "SPRITE_ROOT"
        where = f"{ENV_PREFIX}{variable}={error.path}" if folders else error.path
        raise StartupError(f"cannot load the sprite pack ({where}): {error.problem}") from None
    logger.info(
        "pack loaded: %d groups from %s in %.0f ms (hash %s)",
        len(pack.groups),
        pack_label(pack.root),
        (time.perf_counter() - began) * 1000,
        pack.content_hash[:12],
    )
    return pack


MMAP_THRESHOLD_BYTES = 128 * 1024
"""Allocations at least this large are mapped on their own and given back when freed."""

M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameter for that size."""


def give_back_large_buffers() -> bool:
    """Have glibc map every allocation of ``MMAP_THRESHOLD_BYTES`` or more on its own, so
    that freeing one returns it to the system; whether it could (glibc only).

    Loading a pack decodes whole atlases (tens of megabytes each) and frees them. By default
    glibc raises its mapping threshold after such a free, later buffers come from the heap,
    and the freed ones stay in the process, fragmented: about 160 MB of a two-pack service's
    memory, in every process forked from it. A fixed threshold turns that off."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def load_packs_and_compile(settings: Settings) -> PackSet:
    """Load the packs while the blend kernels compile (or load from numba's cache) in a
    thread: compiling is mostly LLVM work, which releases the GIL, so on a fresh checkout
    the two overlap instead of adding up."""
    give_back_large_buffers()
    pool = ThreadPoolExecutor(1, thread_name_prefix="compile")
    compiling = pool.submit(_timed, blend.compile_kernels)
    try:
        packs = load_packs(settings, lambda folders: load_pack(settings, folders))
    except PaletteError as error:
        raise StartupError(f"cannot load the bundled palettes: {error}") from None
    finally:
        pool.shutdown(wait=False)  # a pack that fails to load is told at once
    logger.info("kernels compiled in %.1f s (while the pack loaded)", compiling.result())
    return packs


def fill_kernel_cache() -> None:
    """Compile every kernel start-up and renders use into numba's cache (``NUMBA_CACHE_DIR``),
    the way start-up does, for the settings in the environment (default: the bundled pack).
    The image build runs it, so a replica starting from the image compiles nothing."""
    from renderer_service.config import load_settings
    from renderer_service.service import draw_warm_up_cat

    packs = load_packs_and_compile(load_settings())
    for _, drawing in packs:
        drawing.warm_up()
    reply = draw_warm_up_cat(packs)
    if reply.status != 200:
        raise StartupError(f"the warm-up cat did not draw: {reply.body[:200]!r}")


def _timed(work: Callable[[], None]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


class StartupGuard:
    """ASGI middleware: a ``StartupError`` during lifespan start-up reaches the server as its
    one-line message, not as the traceback Starlette would otherwise send."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def guarded_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "lifespan.startup.failed":
                held.append(dict(message))  # sent once the exception is known
                return
            await send(message)

        try:
            await self.app(scope, receive, guarded_send)
        except StartupError as error:
            if held:
                await send({"type": "lifespan.startup.failed", "message": str(error)})
                held.clear()
            raise
        finally:
            for message in held:
                await send(message)
