"""Several packs at once: CG3_PACKS, options.pack, /catalog?pack=, /health, caches and codes."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from renderer_service.app.main import create_app
from renderer_service.config import Settings, SettingsError, load_settings, parse_packs_setting
from renderer_service.packs import bundled
from renderer_service.packs.bundled import bundled_pack_root, load_sprite_pack
from renderer_service.packs.pack_set import PackSet, load_packs
from renderer_service.renderer import Renderer, SpritePack

from .imaging import load_rgba, mismatches

SCARRED = {"spriteNumber": 8, "peltName": "Tabby", "colour": "GINGER", "scars": ["ONE"]}
PLAIN = {"spriteNumber": 8, "peltName": "Tabby", "colour": "GINGER"}


@pytest.fixture(scope="module")
def modded(tmp_path_factory: pytest.TempPathFactory) -> Renderer:
    """The bundled pack with its scars atlas recoloured, layered over the bundled one."""
    mod = tmp_path_factory.mktemp("mymod")
    with Image.open(bundled_pack_root() / "scars.png") as sheet:
        pixels = np.asarray(sheet.convert("RGBA")).copy()
    pixels[:, :, :3] = 255 - pixels[:, :, :3]
    Image.fromarray(pixels, "RGBA").save(mod / "scars.png")
    return Renderer(load_sprite_pack(f"{mod}:bundled"))


@pytest.fixture(scope="module")
def two(renderer: Renderer, modded: Renderer) -> Iterator[TestClient]:
    packs = PackSet({"lifegen": renderer, "mymod": modded})
    app = create_app(Settings(worker_count=1), packs)
    with TestClient(app) as client:
        yield client


def _png(client: TestClient, params: dict[str, Any], **options: Any) -> Any:
    answer = client.post(
        "/render",
        headers={"Accept": "image/png"},
        json={"payload": {"params": params}, "options": options},
    )
    assert answer.status_code == 200, answer.text
    return answer


def test_requests_choose_a_pack_and_the_first_is_the_default(two: TestClient) -> None:
    default = load_rgba(_png(two, SCARRED).content)
    named = load_rgba(_png(two, SCARRED, pack="lifegen").content)
    modded = load_rgba(_png(two, SCARRED, pack="mymod").content)
    assert not mismatches(default, named).any()
    assert mismatches(default, modded).any()  # the mod's scars are recoloured
    plain = load_rgba(_png(two, PLAIN).content)
    assert not mismatches(plain, load_rgba(_png(two, PLAIN, pack="mymod").content)).any()


def test_etags_and_cache_entries_differ_by_pack(two: TestClient) -> None:
    lifegen = _png(two, PLAIN, pack="lifegen").headers["etag"]
    mymod = _png(two, PLAIN, pack="mymod").headers["etag"]
    assert lifegen != mymod  # same cat, same pixels, but drawn from different packs
    assert _png(two, PLAIN).headers["etag"] == lifegen
    again = _png(two, PLAIN, pack="mymod")
    assert again.headers["etag"] == mymod
    assert again.headers["x-cache"] == "hit-memory"


def test_an_unknown_pack_is_a_422_listing_the_packs(two: TestClient) -> None:
    answer = two.post("/render", json={"payload": {"params": PLAIN}, "options": {"pack": "mymodd"}})
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "options.pack"
    assert "lifegen, mymod" in body["detail"]
    assert body["errors"][0]["suggestions"][0] == "mymod"


def test_a_code_keeps_its_pack(two: TestClient) -> None:
    answer = two.post(
        "/render", json={"payload": {"params": SCARRED}, "options": {"pack": "mymod"}}
    ).json()
    image = base64.b64decode(answer["image"].split(",", 1)[1])
    drawn = two.get(f"/render/{answer['code']}.png")
    assert drawn.status_code == 200
    assert not mismatches(load_rgba(drawn.content), load_rgba(image)).any()
    default_code = two.post("/render", json={"payload": {"params": SCARRED}}).json()["code"]
    assert default_code != answer["code"]


def test_catalog_and_health_list_each_pack(
    two: TestClient, renderer: Renderer, modded: Renderer
) -> None:
    assert two.get("/catalog").json()["pack"]["hash"] == renderer.pack.content_hash
    assert two.get("/catalog?pack=mymod").json()["pack"]["hash"] == modded.pack.content_hash
    refused = two.get("/catalog?pack=nope")
    assert refused.status_code == 422
    assert refused.json()["field"] == "pack"
    health = two.get("/health").json()
    assert [(entry["name"], entry["hash"]) for entry in health["packs"]] == [
        ("lifegen", renderer.pack.content_hash),
        ("mymod", modded.pack.content_hash),
    ]
    assert all("path" not in entry for entry in health["packs"])  # no server paths shown
    assert health["pack"]["hash"] == renderer.pack.content_hash


def test_batches_and_diffs_draw_with_the_chosen_pack(two: TestClient) -> None:
    body = {
        "payload": {"params": SCARRED},
        "variants": [{"id": "a"}],
        "options": {"pack": "mymod", "includeSources": True},
    }
    sheet = two.post("/render/batch", json=body).json()
    frame = base64.b64decode(sheet["sources"][0]["image"].split(",", 1)[1])
    modded = _png(two, SCARRED, pack="mymod").content
    assert not mismatches(load_rgba(frame), load_rgba(modded)).any()
    reference = "data:image/png;base64," + base64.b64encode(modded).decode()
    diff = {"payload": {"params": SCARRED}, "reference": reference}
    assert two.post("/diff", json=diff).json()["differing"] > 0
    diff["options"] = {"pack": "mymod"}
    assert two.post("/diff", json=diff).json()["differing"] == 0


def test_the_packs_setting_is_read_in_order(
    pack: SpritePack, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parse_packs_setting("lifegen=bundled, mymod = mymod:bundled") == [
        ("lifegen", "bundled"),
        ("mymod", "mymod:bundled"),
    ]
    loaded: list[str | Path | None] = []

    def fake_load(folders: str | Path | None) -> SpritePack:
        loaded.append(folders)
        return pack

    monkeypatch.setattr(bundled, "load_sprite_pack", fake_load)
    packs = load_packs(Settings(packs="b=bundled,a=bundled"))
    assert packs.names == ("b", "a")
    assert packs.default_name == "b"
    assert loaded == ["bundled"]  # the same folders are loaded once
    both = load_packs(Settings(sprite_root=None))
    assert both.names == ("lifegen", "clangen")  # every bundled pack, Lifegen the default
    single = load_packs(Settings(sprite_root="bundled"))
    assert single.names == ("default",)


@pytest.mark.parametrize(
    ("packs", "needle"),
    [
        ("mymod", "NAME=FOLDERS"),
        ("a=x,a=y", "named twice"),
        ("a b=x", "pack name"),
        (",", "no pack"),
    ],
)
def test_a_bad_packs_setting_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, packs: str, needle: str
) -> None:
    monkeypatch.setenv("CG3_PACKS", packs)
    with pytest.raises(SettingsError, match="CG3_PACKS") as info:
        load_settings()
    assert needle in str(info.value)


def test_packs_and_sprite_root_together_stop_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CG3_PACKS", "lifegen=bundled")
    monkeypatch.setenv("CG3_SPRITE_ROOT", "bundled")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "CG3_PACKS" in str(info.value)
    assert "CG3_SPRITE_ROOT" in str(info.value)
