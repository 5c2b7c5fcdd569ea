"""How a single render travels: repeats known by their bytes, checked jobs sent as plain values.

The event loop parses and checks a request once. A body it has seen before is answered from
the cache by the digest of its bytes, without parsing; a new one goes to a worker as
``job_state`` values, which the worker turns back into the job without checking it again.
"""

from __future__ import annotations

import asyncio
import json
import pickle
from typing import Any

import orjson
import pytest

from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import LRUCache
from renderer_service.service import RenderService
from renderer_service.work import render as render_module
from renderer_service.work import request as request_module
from renderer_service.work.canonical import canonical_params
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.job import job_from_state, job_state
from renderer_service.work.render import answer_render
from renderer_service.work.reply import Reply
from renderer_service.work.request import parse_render_request

from .conftest import PARITY

CASES: list[dict[str, Any]] = json.loads(
    (PARITY / "legacy-public" / "cases.json").read_text()
) + json.loads((PARITY / "legacy-features" / "cases.json").read_text())

OPTIONS = [
    {},
    {"scale": 4, "background": "#203040"},
    {"format": "webp", "collectLayers": True, "includeLayerImages": True},
    {
        "collectLayers": True,
        "diagnostics": False,
        "background": "platform:auto:beach:greenleaf:light",
    },
]


def _stable(reply: Reply) -> dict[str, Any]:
    """A JSON answer without the fields that change from one render to the next (times)."""
    body = orjson.loads(reply.body)
    for name in ("started_at", "finished_at", "duration_ms", "render_ms", "encode_ms"):
        body["meta"].pop(name)
    for layer in body["layers"] or []:
        layer.pop("duration_ms")
    return body


def body_of(case: dict[str, Any], options: dict[str, Any]) -> bytes:
    return orjson.dumps({"payload": {"params": case["params"]}, "options": options})


@pytest.mark.parametrize("options", OPTIONS, ids=["plain", "scaled", "layers-webp", "platform"])
def test_a_job_sent_as_plain_values_answers_as_the_request_itself(
    renderer: Renderer, options: dict[str, Any]
) -> None:
    packs = PackSet.single(renderer)
    handler = TaskHandler(packs)
    for case in CASES[:: 7 if options else 1]:
        body = body_of(case, options)
        job = parse_render_request(body, packs)
        state = pickle.loads(pickle.dumps(job_state(job, canonical_params(job.params, job.pose))))
        rebuilt, _ = job_from_state(state)
        assert rebuilt == job
        assert rebuilt.params.model_fields_set == job.params.model_fields_set
        sent = handler("render", state)
        assert isinstance(sent, Reply)
        assert _stable(sent) == _stable(answer_render(packs, body)), case["id"]


def test_the_worker_does_not_parse_or_check_a_job_again(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    packs = PackSet.single(renderer)
    job = parse_render_request(body_of(CASES[0], {}), packs)
    state = job_state(job)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the worker parsed the request again")

    monkeypatch.setattr(render_module, "parse_render_request", refuse)
    monkeypatch.setattr(request_module.RenderRequest, "model_validate_json", refuse)
    reply = TaskHandler(packs)("render", state)
    assert isinstance(reply, Reply)
    assert reply.status == 200


class _InProcessQueue:
    """A render queue stand-in: draws in-process and counts what it was sent."""

    def __init__(self, renderer: Renderer) -> None:
        self.handler = TaskHandler(PackSet.single(renderer))
        self.under_pressure = False
        self.sent = 0

    async def submit(self, kind: str, payload: Any, arrived: float | None = None) -> Reply:
        self.sent += 1
        reply = self.handler(kind, payload)
        assert isinstance(reply, Reply)
        return reply


class _CountingParse:
    def __init__(self) -> None:
        self.calls = 0
        self.parse = request_module.parse_render_request

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.parse(*args, **kwargs)

    @classmethod
    def installed(cls, monkeypatch: pytest.MonkeyPatch) -> _CountingParse:
        """A counter the service parses /render bodies through, for the test's length."""
        counting = cls()
        monkeypatch.setattr("renderer_service.service.parse_render_request", counting)
        return counting


def _service(renderer: Renderer, entries: int = 64) -> tuple[RenderService, _InProcessQueue]:
    queue = _InProcessQueue(renderer)
    service = RenderService(renderer, queue, LRUCache(entries, 1 << 24))  # type: ignore[arg-type]
    return service, queue


def test_a_repeated_body_is_answered_from_the_cache_without_parsing(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, queue = _service(renderer)
    counting = _CountingParse.installed(monkeypatch)
    body = body_of(CASES[3], {"scale": 2})
    first = asyncio.run(service.render(body))
    second = asyncio.run(service.render(body))
    assert (counting.calls, queue.sent) == (1, 1)
    assert dict(first.headers)["X-Cache"] == "miss"
    assert dict(second.headers)["X-Cache"] == "hit-memory"
    assert dict(second.headers)["ETag"] == dict(first.headers)["ETag"]
    assert second.body == first.body
    # The same cat spelt another way is parsed, then found by its canonical form.
    respelt = orjson.dumps({"options": {"scale": 2}, "payload": {"params": CASES[3]["params"]}})
    third = asyncio.run(service.render(respelt))
    assert (counting.calls, queue.sent) == (2, 1)
    assert dict(third.headers)["X-Cache"] == "hit-memory"


def test_a_known_body_answers_304_to_its_etag_without_parsing(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = _service(renderer)
    counting = _CountingParse.installed(monkeypatch)
    body = body_of(CASES[5], {})
    etag = dict(asyncio.run(service.render(body)).headers)["ETag"]
    again = asyncio.run(service.render(body, if_none_match=etag))
    assert again.status == 304
    assert dict(again.headers)["ETag"] == etag
    assert counting.calls == 1


def test_a_known_body_asking_for_an_image_is_not_the_json_answer(renderer: Renderer) -> None:
    service, queue = _service(renderer)
    body = body_of(CASES[1], {})
    as_json = asyncio.run(service.render(body))
    as_png = asyncio.run(service.render(body, ("png",)))
    assert as_json.media_type == "application/json"
    assert as_png.media_type == "image/png"
    assert queue.sent == 2


def test_a_known_body_whose_picture_left_the_cache_is_drawn_again(renderer: Renderer) -> None:
    service, queue = _service(renderer, entries=2)
    bodies = [body_of(case, {}) for case in CASES[:3]]
    for body in bodies:
        asyncio.run(service.render(body))
    again = asyncio.run(service.render(bodies[0]))  # evicted by the third
    assert again.status == 200
    assert dict(again.headers)["X-Cache"] == "miss"
    assert queue.sent == 4


def test_the_body_index_is_bounded(renderer: Renderer) -> None:
    service, _ = _service(renderer, entries=4)
    for case in CASES[:20]:
        asyncio.run(service.render(body_of(case, {})))
    assert len(service._aliases) == 8


def test_bad_bodies_are_never_remembered(renderer: Renderer) -> None:
    service, queue = _service(renderer)
    body = orjson.dumps({"payload": {"params": {"colour": "NOTACOLOUR"}}})
    for _ in range(2):
        assert asyncio.run(service.render(body)).status == 422
    assert queue.sent == 0
    assert not service._aliases


def test_with_the_cache_off_every_request_is_drawn(renderer: Renderer) -> None:
    service, queue = _service(renderer, entries=0)
    body = body_of(CASES[2], {})
    for _ in range(3):
        assert dict(asyncio.run(service.render(body)).headers)["X-Cache"] == "miss"
    assert queue.sent == 3
    assert not service._aliases
