"""The render cache, ETags and 304s, and cat codes (GET /render/{code}.png)."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.renderer import Renderer
from renderer_service.runtime import LRUCache
from renderer_service.wire.codes import CodeError, decode_cat_code, encode_cat_code
from renderer_service.work.reply import Reply

from .conftest import PARITY
from .imaging import load_rgba, mismatches

CAT = {
    "payload": {
        "spriteNumber": 5,
        "params": {"peltName": "Speckled", "colour": "SILVER", "scars": ["ONE"]},
    }
}
PUBLIC = json.loads((PARITY / "legacy-public" / "cases.json").read_text())


def metrics(client: TestClient) -> dict[str, Any]:
    result: dict[str, Any] = client.get("/health").json()["metrics"]
    return result


def test_an_identical_render_is_served_from_the_cache(client: TestClient) -> None:
    first = client.post("/render", json=CAT)
    before = metrics(client)
    second = client.post("/render", json=CAT)
    after = metrics(client)
    assert second.headers["x-cache"] == "hit-memory"
    assert second.content == first.content
    assert after["cache"]["hits"] == before["cache"]["hits"] + 1
    assert after["total_enqueued"] == before["total_enqueued"]
    assert "cg3_cache_hits_total" in client.get("/metrics").text


def test_equal_requests_spelled_differently_share_an_etag(client: TestClient) -> None:
    a = client.post("/render", json=CAT)
    spelled = {
        "options": {"scale": 1},
        "payload": {
            "params": {
                "scars": ["ONE"],
                "colour": "SILVER",
                "spriteNumber": 5,
                "peltName": "Speckled",
                "tint": "none",
            }
        },
    }
    b = client.post("/render", content=json.dumps(spelled, indent=3))
    assert a.headers["etag"] == b.headers["etag"]
    assert b.headers["x-cache"] == "hit-memory"
    other = client.post("/render", json={**CAT, "options": {"scale": 2}})
    assert other.headers["etag"] != a.headers["etag"]
    png = client.post("/render", json=CAT, headers={"Accept": "image/png"})
    assert png.headers["etag"] != a.headers["etag"]


def test_a_matching_if_none_match_gets_304(client: TestClient) -> None:
    etag = client.post("/render", json=CAT).headers["etag"]
    response = client.post("/render", json=CAT, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag
    stale = client.post("/render", json=CAT, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200


@pytest.fixture
def uncached(renderer: Renderer) -> Iterator[TestClient]:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=1, cache_size=0)
    with TestClient(create_app(settings, renderer)) as test_client:
        yield test_client


def test_cache_size_zero_disables_the_cache(uncached: TestClient) -> None:
    uncached.post("/render", json=CAT)
    again = uncached.post("/render", json=CAT)
    assert again.headers["x-cache"] == "miss"
    cache = metrics(uncached)["cache"]
    assert cache["enabled"] is False
    assert cache["entries"] == 0
    assert metrics(uncached)["total_enqueued"] == 2


def test_the_cache_evicts_the_least_recently_used() -> None:
    cache: LRUCache[Reply] = LRUCache(max_entries=2, max_bytes=1000)
    for key in "abc":
        if key == "c":
            assert cache.get("a") is not None  # a is now more recent than b
        cache.put(key, Reply(200, "x", key.encode() * 10))
    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert cache.evictions == 1
    cache.put("big", Reply(200, "x", b"x" * 2000))
    assert cache.get("big") is None  # larger than the whole budget: not kept


def test_render_returns_a_code_that_draws_the_same_png(client: TestClient) -> None:
    body = client.post("/render", json=CAT).json()
    png = client.post("/render", json=CAT, headers={"Accept": "image/png"}).content
    response = client.get(f"/render/{body['code']}.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert "max-age=31536000" in response.headers["cache-control"]
    assert not mismatches(load_rgba(response.content), load_rgba(png)).any()
    big = client.get(f"/render/{body['code']}.png", params={"scale": 4})
    assert load_rgba(big.content).shape == (200, 200, 4)
    again = client.get(
        f"/render/{body['code']}.png", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("case", PUBLIC, ids=[case["id"] for case in PUBLIC])
def test_codes_round_trip_every_param(case: dict[str, Any]) -> None:
    code = encode_cat_code(case["params"])
    assert set(code[1:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cat_code(code) == case["params"]


def test_codes_of_public_cats_render_their_parity_picture(client: TestClient) -> None:
    case = PUBLIC[7]
    code = client.post("/render", json={"payload": {"params": case["params"]}}).json()["code"]
    picture = load_rgba(client.get(f"/render/{code}.png").content)
    expected = load_rgba(PARITY / "legacy-public" / "expected" / f"{case['id']}.png")
    assert not mismatches(picture, expected).any()


def _raw_code(data: bytes) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return (
        "1" + base64.urlsafe_b64encode(packer.compress(data) + packer.flush()).rstrip(b"=").decode()
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("2abc", "unknown code version"),
        ("1***", "not URL-safe base64"),
        ("1____", "damaged"),
        ("1AAAA", "cut short"),
        (_raw_code(b"[1, 2]"), "not hold a params object"),
        (_raw_code(b"not json"), "not hold JSON"),
        (_raw_code(b" " * 100_000), "expands past"),
        ("1" + "A" * 5000, "characters long"),
    ],
)
def test_a_bad_code_is_a_400_that_says_why(client: TestClient, code: str, reason: str) -> None:
    response = client.get(f"/render/{code}.png")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_code"
    assert reason in body["detail"]
    with pytest.raises(CodeError, match=reason):
        decode_cat_code(code)


def test_a_code_with_invalid_params_is_a_400_naming_the_param(client: TestClient) -> None:
    code = encode_cat_code({"spriteNumber": 3, "colour": "PLAID"})
    body = client.get(f"/render/{code}.png").json()
    assert body["error"] == "invalid_code"
    assert body["field"] == "payload.params.colour"
