"""Light renders drawn in the server process (``CG3_INLINE_RENDERS``), under the queue's rules.

A single cat as a PNG at a small scale takes less time to draw than the round trip to a worker
process. Such a render is drawn where the request was parsed; the circuit breaker still admits
and judges it, the counters count it, and a failure is a 500 as a worker's would be. Heavier
work (layers, large scales, other formats) still goes to the workers.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import LRUCache, QueueLimits, RenderQueue
from renderer_service.service import RenderService
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.reply import Reply

from .conftest import PARITY

CASES: list[dict[str, Any]] = json.loads((PARITY / "legacy-public" / "cases.json").read_text())


def _stable(reply: Reply) -> dict[str, Any]:
    """A JSON answer without the fields that change from one render to the next (times)."""
    body = orjson.loads(reply.body)
    for name in ("started_at", "finished_at", "duration_ms", "render_ms", "encode_ms"):
        body["meta"].pop(name)
    return body


def body_of(case: dict[str, Any], options: dict[str, Any]) -> bytes:
    return orjson.dumps({"payload": {"params": case["params"]}, "options": options})


class _Workers:
    """Stands in for the worker processes: records what the queue was sent, draws it here."""

    def __init__(self, queue: RenderQueue) -> None:
        self.queue = queue
        self.sent: list[str] = []

    async def submit(self, kind: str, payload: Any, arrived: float | None = None) -> Reply:
        self.sent.append(kind)
        reply = self.queue.handler(kind, payload)
        assert isinstance(reply, Reply)
        return reply


def _service(
    renderer: Renderer, inline: bool = True, threshold: int = 8
) -> tuple[RenderService, RenderQueue, _Workers]:
    limits = QueueLimits(worker_count=1, circuit_failure_threshold=threshold)
    queue = RenderQueue(TaskHandler(PackSet.single(renderer)), limits)
    workers = _Workers(queue)
    queue.submit = workers.submit  # type: ignore[method-assign]
    return RenderService(renderer, queue, LRUCache(0, 0), inline=inline), queue, workers


@pytest.mark.parametrize("options", [{}, {"scale": 4, "background": "#203040"}])
def test_a_light_render_is_drawn_here_and_answers_as_a_worker_would(
    renderer: Renderer, options: dict[str, Any]
) -> None:
    here, queue, workers = _service(renderer, inline=True)
    there, _, sent_there = _service(renderer, inline=False)
    cases = CASES[::6]
    for case in cases:
        body = body_of(case, options)
        drawn_here = asyncio.run(here.render(body))
        drawn_there = asyncio.run(there.render(body))
        assert drawn_here.status == 200, drawn_here.body
        assert _stable(drawn_here) == _stable(drawn_there), case["id"]
        as_png = asyncio.run(here.render(body, ("png",)))
        assert as_png.body == asyncio.run(there.render(body, ("png",))).body
    assert workers.sent == []
    assert len(sent_there.sent) == 2 * len(cases)
    assert queue.stats.total_completed == 2 * len(cases)
    assert len(queue.stats.latencies_ms) == 2 * len(cases)
    assert queue.stats.total_failed == 0


@pytest.mark.parametrize(
    ("options", "wanted"),
    [
        ({"scale": 8}, ()),
        ({"collectLayers": True}, ()),
        ({"format": "webp"}, ()),
        ({}, ("gif",)),
    ],
    ids=["large-scale", "layers", "webp", "gif-accepted"],
)
def test_heavier_renders_go_to_the_workers(
    renderer: Renderer, options: dict[str, Any], wanted: tuple[str, ...]
) -> None:
    service, _, workers = _service(renderer)
    reply = asyncio.run(service.render(body_of(CASES[0], options), wanted))  # type: ignore[arg-type]
    assert reply.status == 200
    assert workers.sent == ["render"]


def test_an_inline_render_that_raises_is_a_500_and_opens_the_circuit(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> Reply:
        raise RuntimeError("the paint ran out")

    monkeypatch.setattr("renderer_service.service.answer_job", broken)
    service, queue, _ = _service(renderer, threshold=2)
    bodies = [body_of(case, {}) for case in CASES[:3]]
    first, second, third = (asyncio.run(service.render(body)) for body in bodies)
    for failed in (first, second):
        assert failed.status == 500
        problem = orjson.loads(failed.body)
        assert problem["error"] == "render_failed"
        assert "paint" not in problem["detail"]  # the exception's text stays in the log
    assert third.status == 503
    assert orjson.loads(third.body)["error"] == "circuit_open"
    assert "Retry-After" in dict(third.headers)
    assert (queue.stats.total_failed, queue.stats.rejected_circuit_open) == (2, 1)


def test_inline_renders_are_refused_once_the_service_is_stopping(renderer: Renderer) -> None:
    service, queue, workers = _service(renderer)
    asyncio.run(queue.close(0))
    reply = asyncio.run(service.render(body_of(CASES[0], {})))
    assert reply.status == 503
    assert orjson.loads(reply.body)["error"] == "shutting_down"
    assert workers.sent == []


def test_with_inline_renders_off_every_render_goes_to_the_workers(renderer: Renderer) -> None:
    service, _, workers = _service(renderer, inline=False)
    assert asyncio.run(service.render(body_of(CASES[0], {}))).status == 200
    assert workers.sent == ["render"]


@pytest.mark.parametrize(
    ("inline_setting", "custom_handler", "expected"),
    [(True, False, True), (False, False, False), (True, True, False)],
    ids=["default", "setting-off", "handler-handed-in"],
)
def test_the_app_draws_inline_by_default_but_never_with_a_handler_handed_in(
    renderer: Renderer, inline_setting: bool, custom_handler: bool, expected: bool
) -> None:
    settings = Settings(
        sprite_root=renderer.pack.root, worker_count=1, inline_renders=inline_setting
    )
    if custom_handler:
        app = create_app(settings, renderer, handler_factory=lambda packs: TaskHandler(packs))
    else:
        app = create_app(settings, renderer)
    with TestClient(app) as client:
        assert app.state.service.service.inline is expected
        answer = client.post("/render", json={"payload": {"params": CASES[0]["params"]}})
        assert answer.status_code == 200
