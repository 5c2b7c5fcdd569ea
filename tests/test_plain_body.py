"""Plain /render bodies are read without the request models, to the same job.

``parse_render_request`` reads a plain body (``plain_body``) itself and hands any other body
to the models. Each test here compares it with the models alone (``read_plain_body``
patched to say no body is plain): the same job for every body, the same error answer for
every bad one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer
from renderer_service.wire import RenderRequest, RequestParams
from renderer_service.wire.errors import ApiError
from renderer_service.wire.plain_body import read_plain_body
from renderer_service.work import request as request_module
from renderer_service.work.canonical import canonical_body
from renderer_service.work.job import RenderJob
from renderer_service.work.request import parse_render_request

from .conftest import PARITY

CASES: list[dict[str, Any]] = [
    case
    for folder in ("legacy-public", "legacy-features")
    for case in json.loads((PARITY / folder / "cases.json").read_text())
]

OPTIONS: list[dict[str, Any] | None] = [
    None,
    {},
    {"scale": 4, "background": "#203040"},
    {"format": "webp", "collectLayers": True, "includeLayerImages": True},
    {"outputFormat": "gif", "diagnostics": False, "background": "platform:auto:beach:newleaf:dark"},
]


@pytest.fixture(scope="module")
def packs(renderer: Renderer) -> PackSet:
    return PackSet.single(renderer)


Outcome = tuple[Any, ...]


def _outcome(body: bytes, packs: PackSet, wanted: tuple[Any, ...] = ()) -> Outcome:
    """The job ``body`` parses to, as comparable values, or the error answer."""
    try:
        job = parse_render_request(body, packs, wanted)
    except ApiError as error:
        return ("error", error.status, error.body())
    return _job_values(job)


def _job_values(job: RenderJob) -> Outcome:
    return (
        "job",
        job.params.model_dump(),
        frozenset(job.params.model_fields_set),
        job.pose,
        job.options.model_dump(),
        frozenset(job.options.model_fields_set),
        job.output,
        job.background.name,
        canonical_body(job),
    )


@contextmanager
def _models_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patched:
        patched.setattr(request_module, "read_plain_body", lambda body: None)
        yield


def _compare(body: bytes, packs: PackSet, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """The outcome of ``body``, checked to be the models' outcome."""
    outcome = _outcome(body, packs)
    with _models_only(monkeypatch):
        assert _outcome(body, packs) == outcome, body
    return outcome


@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: json.dumps(options))
def test_every_parity_cat_is_plain_and_reads_as_the_models_read_it(
    packs: PackSet, monkeypatch: pytest.MonkeyPatch, options: dict[str, Any] | None
) -> None:
    for case in CASES:
        request: dict[str, Any] = {"payload": {"params": case["params"]}}
        if options is not None:
            request["options"] = options
        body = orjson.dumps(request)
        assert read_plain_body(body) is not None, body
        assert _compare(body, packs, monkeypatch)[0] == "job"


def test_a_plain_body_skips_the_request_models(
    packs: PackSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the request models read a plain body")

    monkeypatch.setattr(RenderRequest, "model_validate_json", refuse)
    params = {**CASES[0]["params"], "spriteNumber": 3}
    body = orjson.dumps({"payload": {"spriteNumber": 3, "params": params}})
    assert parse_render_request(body, packs).pose == 3


def test_every_request_params_field_is_read_in_its_frontend_spelling() -> None:
    # A field added to the models without a plain kind fails at import; this pins the keys.
    from renderer_service.wire.plain_body import _FIELDS

    spellings = {info.alias or name for name, info in RequestParams.model_fields.items()}
    assert set(_FIELDS) == spellings


NOT_PLAIN = {
    "python spelling": {"payload": {"params": {"pelt_name": "Tabby"}}},
    "scar object": {"payload": {"params": {"scars": [{"id": "ONE"}]}}},
    "palette mode list": {"payload": {"params": {"experimentalColourMode": ["a", "b"]}}},
    "unknown key": {"payload": {"params": {"peltname": "Tabby"}}},
    "unknown top-level key": {"payload": {}, "extra": 1},
    "options null": {"payload": {}, "options": None},
    "payload null": {"payload": None},
    "no payload": {"options": {}},
    "params null": {"payload": {"params": None}},
    "bool for a number": {"payload": {"spriteNumber": True}},
    "float for a number": {"payload": {"params": {"spriteNumber": 3.0}}},
    "pose out of range": {"payload": {"spriteNumber": 64}},
    "opacity out of range": {"payload": {"params": {"opacity": 101}}},
    "number for a name": {"payload": {"params": {"colour": 3}}},
    "long name": {"payload": {"params": {"colour": "W" * 65}}},
    "long list": {"payload": {"params": {"accessories": ["BELL"] * 17}}},
    "string for a bool": {"payload": {"params": {"shading": "true"}}},
    "tortie layer without pattern": {"payload": {"params": {"tortie": [{"colour": "BLACK"}]}}},
    "tortie layer extra key": {"payload": {"params": {"tortie": [{"pattern": "x", "y": 1}]}}},
}


@pytest.mark.parametrize("request_body", NOT_PLAIN.values(), ids=NOT_PLAIN.keys())
def test_bodies_that_are_not_plain_go_to_the_models(
    packs: PackSet, monkeypatch: pytest.MonkeyPatch, request_body: dict[str, Any]
) -> None:
    body = orjson.dumps(request_body)
    assert read_plain_body(body) is None
    _compare(body, packs, monkeypatch)


ODD_BODIES = [
    b'{"payload": {"params": {"colour": "BLACK", "colour": "WHITE"}}}',
    b'{"payload": {"spriteNumber": 2}, "payload": {"spriteNumber": 4}}',
    b'\xef\xbb\xbf{"payload": {}}',
    b'{"payload": {}} x',
    b' {"payload": {}}\n',
    b'{"payload": {"spriteNumber": 99999999999999999999999}}',
    b'{"payload": {"params": {"colour": "\\ud800"}}}',
    b'{"payload": {"params": {"colour": "caf\\u00e9"}}}',
    b'{"payload": {"params": {"spriteNumber": 3}, "spriteNumber": 4}}',
    b'{"payload": {"params": {"skinColor": "pink", "skinColour": "BLACK"}}}',
    b'{"payload": {"params": {"colour": "NOSUCH"}}}',
    b'{"payload": {}, "options": {"pack": "nosuch"}}',
    b'{"payload": {}, "options": {"format": "png", "outputFormat": "gif"}}',
    b'{"payload": {}, "options": {"scale": 0}}',
    b'{"payload": {}, "options": {"background": "nosuch"}}',
    b'{"payload": {}, "options": {"shape": 1}}',
    b"[]",
    b"null",
    b"",
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=lambda body: body.decode("utf-8", "replace"))
def test_odd_bodies_read_as_the_models_read_them(
    packs: PackSet, monkeypatch: pytest.MonkeyPatch, body: bytes
) -> None:
    _compare(body, packs, monkeypatch)


def test_the_accept_header_chooses_the_same_format_either_way(
    packs: PackSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    for options in ({}, {"format": "webp"}, {"format": "gif"}):
        body = orjson.dumps({"payload": {"params": CASES[1]["params"]}, "options": options})
        for wanted in ((), ("webp",), ("png", "gif")):
            outcome = _outcome(body, packs, wanted)
            with _models_only(monkeypatch):
                assert _outcome(body, packs, wanted) == outcome


# --- generated bodies ---------------------------------------------------------------------

_NAMES = sorted(
    {value for case in CASES for value in case["params"].values() if isinstance(value, str)}
)
_SPELLINGS = sorted({info.alias or name for name, info in RequestParams.model_fields.items()})


def _respelt(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.upper(), name.title()])


_name = st.sampled_from(_NAMES).flatmap(_respelt) | st.sampled_from(
    ["", "none", "None", "NOSUCH", "W" * 64, "W" * 65]
)
_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 110),
    st.sampled_from([1.0, 3.5, 2**70]),
    _name,
)
_value = st.one_of(
    _scalar,
    st.lists(st.one_of(st.none(), _name, st.fixed_dictionaries({"id": _name})), max_size=18),
    st.lists(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"pattern": _name},
                optional={"colour": st.one_of(st.none(), _name), "mask": _scalar},
            ),
        ),
        max_size=3,
    ),
)
_keys = st.sampled_from([*_SPELLINGS, "pelt_name", "dark_forest", "bogus"])
_params = st.dictionaries(_keys, _value, max_size=8) | st.builds(
    lambda case, changes: {**case["params"], **changes},
    st.sampled_from(CASES),
    st.dictionaries(_keys, _scalar, max_size=2),
)
"""Params of every kind; half of them a parity cat with a field or two changed."""
_options = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "scale": st.sampled_from([0, 1, 2, 4, 5, True, 1.0]),
            "format": st.sampled_from(["png", "webp", "gif", "jpeg", None]),
            "outputFormat": st.sampled_from(["png", "gif", None]),
            "background": st.sampled_from(["transparent", "#102030", "nosuch", ""]),
            "collectLayers": st.booleans(),
            "pack": st.sampled_from([None, "lifegen", "nosuch"]),
        },
    ),
)
_payload = st.fixed_dictionaries(
    {"params": _params},
    optional={
        "spriteNumber": st.sampled_from([None, 0, 3, 8, 20, 21, -1, True]),
        "poseName": st.sampled_from([None, "kit", 3]),
        "collectLayers": st.sampled_from([None, True, "x"]),
    },
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=_payload, options=_options)
def test_generated_bodies_read_as_the_models_read_them(
    packs: PackSet, payload: dict[str, Any], options: dict[str, Any] | None
) -> None:
    request: dict[str, Any] = {"payload": payload}
    if options is not None:
        request["options"] = options
    body = json.dumps(request).encode()  # numbers past 64 bits too
    outcome = _outcome(body, packs)
    with pytest.MonkeyPatch.context() as patched, _models_only(patched):
        assert _outcome(body, packs) == outcome
