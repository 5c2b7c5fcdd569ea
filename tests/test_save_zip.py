"""A Clan's save folder as a zip: where its files may sit, every content type, and the
archives refused (traversal, absolute paths, bombs, too many entries, nested archives, no
clan_cats.json), through the library, the routes and ``cg3 save``."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.cli.main import main
from renderer_service.saves import MAX_ENTRIES, SaveArchiveError, open_save, read_zip

from .conftest import PARITY

MODERN = PARITY / "modern-save-public"
LEGACY = PARITY / "save-public"
ERROR_KEYS = {"error", "detail", "field", "errors"}


def folder_files(root: Path = MODERN) -> dict[str, bytes]:
    """The save folder's files by their path in the folder (the Clan file apart)."""
    files = {"clan_cats.json": (root / "clan_cats.json").read_bytes()}
    for path in sorted((root / "conditions").glob("*.json")) if root == MODERN else []:
        files[f"conditions/{path.name}"] = path.read_bytes()
    return files


def make_zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zipped_folder(
    top: str = "Public/",
    clan: str | None = "folder",
    clan_file: bytes | None = None,
    root: Path = MODERN,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """The save folder zipped, under ``top`` (``""``: at the root), with the Clan file in the
    folder, at the zip's root (``clan="root"``) or absent (``clan=None``)."""
    entries = {top + name: data for name, data in folder_files(root).items()}
    if clan is not None and root == MODERN:
        data = clan_file or (MODERN / "Publicclan.json").read_bytes()
        entries[(top if clan == "folder" else "") + "Publicclan.json"] = data
    entries.update(extra or {})
    return make_zip(entries)


def post(client: TestClient, body: bytes, content_type: str | None = "application/zip") -> Any:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post("/save/params", content=body, headers=headers)


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    body: dict[str, Any] = response.json()
    assert set(body) == ERROR_KEYS
    assert body["error"] == code
    return body


# --- good archives ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("top", "clan"),
    [("", "folder"), ("", None), ("Public/", "folder"), ("Public/", "root"), ("Public/", None)],
)
def test_a_zipped_folder_reads_at_the_root_or_under_one_top_folder(
    client: TestClient, top: str, clan: str | None
) -> None:
    body = post(client, zipped_folder(top, clan)).json()
    assert body["saveFormat"] == "v0.13"
    assert body["errors"] == []
    assert body["total"] == 150
    cats = {cat["ID"]: cat for cat in body["cats"]}
    assert cats["66"]["pose"].startswith("para")  # paralysed only in conditions/
    assert cats["31"]["pose"] == "sick_adult0"


@pytest.mark.parametrize("clan", ["folder", "root"])
def test_the_clan_files_groups_are_used(client: TestClient, clan: str) -> None:
    document = json.loads((MODERN / "Publicclan.json").read_text())
    document["used_group_IDs"]["2"] = "dark_forest"
    body = post(client, zipped_folder("Public/", clan, json.dumps(document).encode())).json()
    starclan = [c for c in body["cats"] if c["params"].get("afterlife") == "starclan"]
    assert starclan == []


@pytest.mark.parametrize(
    "content_type",
    [
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
        "application/json",
        "text/plain",
        None,
    ],
)
def test_a_zip_is_known_by_its_content_whatever_the_content_type(
    client: TestClient, content_type: str | None
) -> None:
    response = post(client, zipped_folder(), content_type)
    assert response.status_code == 200, response.text[:300]
    assert response.json()["saveFormat"] == "v0.13"


def test_a_zipped_legacy_folder_reads_as_legacy_and_draws_its_sheet(client: TestClient) -> None:
    body = zipped_folder("Public/", None, root=LEGACY)
    assert post(client, body).json()["saveFormat"] == "legacy"
    sheet = client.post("/save/sheet?include=all&limit=20", content=body)
    assert sheet.status_code == 200, sheet.text[:300]
    assert len(sheet.json()["frames"]) == 20


def test_a_v013_sheet_needs_the_clangen_pack(client: TestClient) -> None:
    body = refused(client.post("/save/sheet", content=zipped_folder()), 422, "pack_unavailable")
    assert "`clangen` pack" in body["detail"]
    assert body["errors"][0]["value"] == "clangen"


def test_an_unreadable_conditions_file_is_ignored_with_a_warning() -> None:
    folder = open_save(zipped_folder(extra={"Public/conditions/1_conditions.json": b"{oops"}))
    assert any("1_conditions.json" in warning for warning in folder.warnings)


def test_mac_folders_and_other_files_are_left_alone() -> None:
    extra = {
        "__MACOSX/Public/._clan_cats.json": b"\x00junk",
        "Public/relationships/1_relations.json": b"[]",
    }
    assert len(open_save(zipped_folder(extra=extra)).cats) == 150


# --- refused archives ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("../evil.json", "climbs out"),
        ("Public/../../evil.json", "climbs out"),
        ("/etc/passwd", "absolute path"),
        ("C:/Windows/evil.json", "absolute path"),
        ("Public/old_save.zip", "another archive"),
    ],
)
def test_unsafe_entries_are_refused_naming_them(client: TestClient, name: str, words: str) -> None:
    body = refused(post(client, zipped_folder(extra={name: b"{}"})), 422, "invalid_archive")
    assert words in body["detail"]
    assert name in body["detail"]


def test_a_clan_cats_json_that_is_itself_a_zip_is_refused() -> None:
    inner = make_zip({"clan_cats.json": b"[]"})
    with pytest.raises(SaveArchiveError, match="itself an archive"):
        read_zip(make_zip({"clan_cats.json": inner}))


def test_a_bomb_by_its_declared_size_is_a_413(client: TestClient) -> None:
    bomb = make_zip({"clan_cats.json": b" " * (16 * 1024 * 1024 + 1)})
    assert len(bomb) < 100_000
    body = refused(post(client, bomb), 413, "archive_too_large")
    assert "declares" in body["detail"]


def lying_zip(real_size: int, declared: int) -> bytes:
    """A zip whose one entry holds ``real_size`` bytes but declares ``declared``."""
    data = bytearray(make_zip({"clan_cats.json": b" " * real_size}))
    struct.pack_into("<I", data, 22, declared)  # the local header's uncompressed size
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_a_bomb_that_lies_about_its_size_is_stopped_while_reading(client: TestClient) -> None:
    body = refused(post(client, lying_zip(32 * 1024 * 1024, 100)), 422, "invalid_archive")
    assert "clan_cats.json" in body["detail"]


def test_the_bytes_read_are_counted_against_the_budget() -> None:
    archive = make_zip({"clan_cats.json": b"[" + b" " * 5000 + b"]"})
    with pytest.raises(SaveArchiveError) as caught:
        read_zip(archive, max_bytes=1000)
    assert caught.value.status == 413
    several = make_zip(
        {
            "clan_cats.json": b"[]",
            **{f"conditions/{n}_conditions.json": b"{}" * 200 for n in range(10)},
        }
    )
    with pytest.raises(SaveArchiveError, match="at most 2000 bytes"):
        read_zip(several, max_bytes=2000)


def test_too_many_entries_is_a_413(client: TestClient) -> None:
    entries = {f"Public/x/{n}.txt": b"" for n in range(MAX_ENTRIES)}
    entries["Public/clan_cats.json"] = b"[]"
    body = refused(post(client, make_zip(entries, zipfile.ZIP_STORED)), 413, "archive_too_large")
    assert str(MAX_ENTRIES) in body["detail"]


@pytest.mark.parametrize(
    "entries",
    [
        {"Public/conditions/1_conditions.json": b"{}"},
        {"a/b/clan_cats.json": b"[]"},
        {},
    ],
)
def test_a_zip_without_clan_cats_json_names_it(
    client: TestClient, entries: dict[str, bytes]
) -> None:
    body = refused(post(client, make_zip(entries)), 422, "invalid_archive")
    assert "clan_cats.json" in body["detail"]


def test_two_saves_in_one_zip_are_refused(client: TestClient) -> None:
    entries = {"A/clan_cats.json": b"[]", "B/clan_cats.json": b"[]"}
    assert (
        "more than one save"
        in refused(post(client, make_zip(entries)), 422, "invalid_archive")["detail"]
    )


def test_a_body_that_starts_like_a_zip_but_is_not_one(client: TestClient) -> None:
    body = refused(post(client, b"PK\x03\x04 not really"), 422, "invalid_archive")
    assert "not one" in body["detail"]


def test_a_zipped_clan_file_where_clan_cats_should_be_is_named(client: TestClient) -> None:
    entries = {"clan_cats.json": (MODERN / "Publicclan.json").read_bytes()}
    body = refused(post(client, make_zip(entries)), 422, "invalid_request")
    assert "Clan file" in body["detail"]


# --- cg3 save -----------------------------------------------------------------------------


def test_cg3_save_takes_a_folder_and_a_zip(tmp_path: Path) -> None:
    folder = tmp_path / "Legacy"
    folder.mkdir()
    (folder / "clan_cats.json").write_bytes((LEGACY / "clan_cats.json").read_bytes())
    zipped = tmp_path / "legacy.zip"
    zipped.write_bytes(zipped_folder("Legacy/", None, root=LEGACY))
    for source in (folder, zipped):
        out = tmp_path / f"out-{source.name}"
        assert main(["save", str(source), "-o", str(out), "--include", "living"]) == 0
        assert (out / "sheet.png").is_file()
        listing = json.loads((out / "cats.json").read_text())
        assert listing["cats"][0]["request"]["options"]["pack"] == "lifegen"


def test_cg3_save_draws_every_cat_of_a_v013_save_with_the_clangen_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zipped = tmp_path / "public.zip"
    zipped.write_bytes(zipped_folder())
    code = main(["save", str(zipped), "-o", str(tmp_path / "out"), "--include", "all"])
    assert code == 0, capsys.readouterr().err
    assert len(list((tmp_path / "out").glob("*.png"))) == 151  # 150 cats and the sheet
