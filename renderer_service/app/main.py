"""The FastAPI application: ``create_app`` builds it, ``app`` is the default instance."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry

from renderer_service.app.cors import UniformCORSMiddleware
from renderer_service.app.errors import COMMON_ERROR_RESPONSES, install_error_handlers
from renderer_service.app.fastpath import RenderFastPath
from renderer_service.app.limits import BodyLimit
from renderer_service.app.openapi import install_schemas
from renderer_service.app.routes import (
    batch,
    catalog,
    diff,
    health,
    palettes,
    pcm,
    render,
    save,
    share,
)
from renderer_service.app.routes.playground import install_playground
from renderer_service.app.routes.save import SAVE_PATHS
from renderer_service.app.startup import StartupError, StartupGuard, load_packs_and_compile, phase
from renderer_service.app.state import ServiceState
from renderer_service.config import Settings, SettingsError, load_settings
from renderer_service.packs import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import (
    COLLECTIONS,
    PUBLISH_SECONDS,
    Handler,
    LRUCache,
    MetricsCollector,
    QueueLimits,
    RedisCache,
    RenderQueue,
    Siblings,
    freeze_long_lived,
)
from renderer_service.service import RenderService, draw_warm_up_cat
from renderer_service.wire import RenderRequest
from renderer_service.work import TaskHandler

logger = logging.getLogger("renderer.app")


def configure_logging() -> None:
    """Log the service's own lines (logger ``renderer``) to stderr, unless set up already."""
    root = logging.getLogger("renderer")
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)


def queue_limits(settings: Settings) -> QueueLimits:
    return QueueLimits(
        max_queue_size=settings.max_queue_size,
        worker_count=settings.worker_count,
        render_timeout_seconds=settings.render_timeout_seconds,
        retry_after_seconds=settings.retry_after_seconds,
        circuit_failure_threshold=settings.circuit_failure_threshold,
        circuit_reset_seconds=settings.circuit_reset_seconds,
        max_wait_seconds=settings.max_wait_ms / 1000,
    )


async def _publish_often(service: RenderService) -> None:
    """Publish this server process's numbers for the others, ``PUBLISH_SECONDS`` apart."""
    while True:
        try:
            service.publish()
        except Exception:  # reporting must never stop: say so and go on
            logger.exception("could not publish this process's numbers")
        await asyncio.sleep(PUBLISH_SECONDS)


def ready_line(total: float, packs: float | None, workers: float) -> str:
    """The line that ends start-up: the whole time, and the part the packs (loaded here, or by
    the parent of several server processes) and the workers took."""
    if packs is None:  # handed in: this process only started its workers
        return f"ready in {total:.1f} s (workers {workers:.1f} s)"
    return f"ready in {total:.1f} s (packs {packs:.1f} s, workers {workers:.1f} s)"


def shared_cache(settings: Settings, pack_hash: str) -> RedisCache | None:
    """The Redis level of the render cache, when ``CG3_CACHE_URL`` names one."""
    if settings.cache_url is None:
        return None
    return RedisCache(
        settings.cache_url,
        namespace=pack_hash,
        ttl_seconds=settings.cache_ttl_seconds,
        max_entry_bytes=settings.cache_max_entry_bytes,
        timeout_seconds=settings.cache_timeout_seconds,
        retry_seconds=settings.cache_retry_seconds,
    )


def create_app(
    settings: Settings | None = None,
    renderer: Renderer | PackSet | None = None,
    handler_factory: Callable[[PackSet], Handler] = TaskHandler,
    fast_path: bool = True,
    siblings: Siblings | None = None,
) -> FastAPI:
    """Build the service.

    Settings are read now; a bad one, like a broken sprite pack, ends start-up with one line
    naming it (see ``.startup``). The sprite packs load at start-up unless a renderer (the
    one pack, ``default``) or a pack set is handed in. ``handler_factory`` makes what the
    worker processes run. ``fast_path=False`` serves ``POST /render`` through the framework
    route only. ``siblings``: this is one of several server processes (``cg3 serve`` with
    ``CG3_SERVER_PROCESSES`` above 1), which share a cache and report their numbers together.
    """
    settings_error: SettingsError | None = None
    if settings is not None:
        chosen = settings
    else:
        try:
            chosen = load_settings()
        except SettingsError as error:  # told when the service starts, in one line
            settings_error = error
            chosen = Settings.model_construct()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings_error is not None:
            raise StartupError(str(settings_error))
        began = time.perf_counter()
        loading: float | None = None  # seconds spent loading the packs here, if they were
        if isinstance(renderer, PackSet):
            packs = renderer
        elif renderer is not None:
            packs = PackSet.single(renderer)
        else:
            packs = load_packs_and_compile(chosen)
            loading = time.perf_counter() - began
        workers = f"{chosen.worker_count} render worker{'s' if chosen.worker_count != 1 else ''}"
        starting = time.perf_counter()
        with phase(lambda s: f"{workers} ready in {s * 1000:.0f} ms"):
            for _, drawing in packs:  # before the workers fork, so they start with every kernel
                drawing.warm_up()
            warm_up = draw_warm_up_cat(packs)  # the whole way a request is drawn, once
            if warm_up.status != 200:
                raise StartupError(f"the warm-up cat did not draw: {warm_up.body[:200]!r}")
            if chosen.gc_freeze:
                logger.info("%d long-lived objects exempt from collection", freeze_long_lived())
            queue = RenderQueue(handler_factory(packs), queue_limits(chosen))
            await queue.start()
        COLLECTIONS.install()  # after the workers fork: it times the event loop's process
        shared = shared_cache(chosen, packs.default.pack.content_hash)
        if shared is not None:
            reachable = await shared.check()
            logger.info("shared cache %s: %s", shared.url_for_logs, "up" if reachable else "down")
        memory: LRUCache[Any] = LRUCache(chosen.cache_size, chosen.cache_max_bytes)
        frames: LRUCache[Any] = LRUCache(chosen.cache_size, chosen.frame_cache_max_bytes)
        # A handler handed in (a test's faulty renderer) defines what rendering is: it runs
        # in the workers only.
        inline = chosen.inline_renders and handler_factory is TaskHandler
        service = RenderService(
            packs, queue, memory, frames, shared, inline=inline, siblings=siblings
        )
        publishing = None
        if siblings is not None:
            publishing = asyncio.create_task(_publish_often(service), name="publish-numbers")
        registry = CollectorRegistry()
        registry.register(MetricsCollector(service.snapshot))
        app.state.service = ServiceState(chosen, packs.default, queue, service, registry, packs)
        took = time.perf_counter() - began
        if siblings is None:
            logger.info(ready_line(took, loading, time.perf_counter() - starting))
        else:  # one of several: the parent says when all are ready, and the whole time
            logger.info("started in %.1f s", took)
        try:
            yield
        finally:
            # Run by ``cg3 serve``, the grace period began when the server began to stop.
            deadline = getattr(app.state, "shutdown_deadline", None)
            grace = chosen.shutdown_grace_seconds
            if deadline is not None:
                grace = max(0.0, deadline - time.monotonic())
            if publishing is not None:
                publishing.cancel()
            await queue.close(grace)
            COLLECTIONS.remove()
            logger.info("render workers stopped")
            if shared is not None:
                await shared.close()

    app = FastAPIOffline(  # /docs and /redoc load their scripts from the service, not a CDN
        title="CatGenerator V3 renderer",
        version="0.1.0",
        summary="Pixel-exact ClanGen / Lifegen cats from the games' sprite atlases.",
        lifespan=lifespan,
        responses=COMMON_ERROR_RESPONSES,
    )
    if fast_path:
        app.add_middleware(RenderFastPath)  # added first, so CORS and error handling wrap it
    app.add_middleware(  # outside the fast path
        BodyLimit,
        max_bytes=chosen.max_body_bytes,
        route_limits=dict.fromkeys(SAVE_PATHS, chosen.save_max_body_bytes),
    )
    if chosen.allowed_origins:
        app.add_middleware(
            UniformCORSMiddleware,
            allow_origins=chosen.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
            expose_headers=["Retry-After"],
        )
    app.add_middleware(StartupGuard)
    install_error_handlers(app)
    app.include_router(render.router)
    app.include_router(batch.router)
    app.include_router(save.router)
    app.include_router(diff.router)
    app.include_router(health.router)
    app.include_router(catalog.router)
    app.include_router(pcm.router)
    app.include_router(palettes.router)
    app.include_router(share.router)
    install_playground(app)
    install_schemas(app, [RenderRequest])
    return app


app = create_app()
