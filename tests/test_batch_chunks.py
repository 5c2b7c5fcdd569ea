"""Batch frames travel to the workers in chunks and come back as 1x pictures: few tasks per
batch, the first failed frame inside a chunk named exactly, frames cached at any tile size,
and sheets whose tiles are each frame's picture resized on its own."""

from __future__ import annotations

import base64
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from renderer_service.app.main import create_app
from renderer_service.config import Settings
from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import CatParams, Renderer
from renderer_service.renderer.png import png_from_rows, resize_nearest, upscale
from renderer_service.wire import BatchRequest
from renderer_service.wire.errors import ApiError
from renderer_service.work.batch_assemble import (
    MAX_CHUNK_FRAMES,
    chunk_size,
    frame_chunks,
    plan_tasks,
)
from renderer_service.work.batch_plan import layout_sheet, plan_batch, plan_tiles
from renderer_service.work.dispatch import TaskHandler
from renderer_service.work.frames import (
    PACK_FRAMES,
    FrameResult,
    FramesResult,
    FrameTask,
    PackedPictures,
    SheetBand,
    frame_pictures,
    place_pictures,
    run_frames,
)
from renderer_service.work.reply import Reply

from .imaging import load_rgba

BASE = {"spriteNumber": 8, "params": {"peltName": "Tabby", "colour": "GINGER"}}
COLOURS = ["WHITE", "BLACK", "CREAM", "LILAC", "GREY", "SILVER", "GHOST", "BROWN"]


class FailingColour(TaskHandler):
    """Draws frames; a chunk holding a BLACK cat stops there with a 500 (as a pattern colour
    that cannot be drawn does)."""

    def __call__(self, kind: str, payload: Any) -> Any:
        answer = super().__call__(kind, payload)
        if kind != "frame":
            return answer
        colours = [params.colour for params, _pose in payload.cats]
        if "BLACK" not in colours:
            return answer
        at = colours.index("BLACK")
        failure = ApiError(500, "pattern_failed", "the BLACK generator failed")
        return FramesResult(answer.frames[:at], Reply.from_error(failure))


def _service(renderer: Renderer, workers: int) -> Iterator[TestClient]:
    settings = Settings(sprite_root=renderer.pack.root, worker_count=workers)
    app = create_app(settings, renderer, handler_factory=FailingColour)
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def two_workers(renderer: Renderer) -> Iterator[TestClient]:
    yield from _service(renderer, 2)


@pytest.fixture(scope="module")
def one_worker(renderer: Renderer) -> Iterator[TestClient]:
    yield from _service(renderer, 1)


def variants(colours: list[str], pose: int = 8) -> list[dict[str, Any]]:
    return [
        {"id": f"{colour}-{pose}", "spriteNumber": pose, "params": {"colour": colour}}
        for colour in colours
    ]


def sheet_tiles(body: dict[str, Any]) -> dict[str, np.ndarray]:
    sheet = load_rgba(base64.b64decode(body["sheet"].split(",", 1)[1]))
    return {
        frame["id"]: sheet[
            frame["y"] : frame["y"] + frame["height"], frame["x"] : frame["x"] + frame["width"]
        ]
        for frame in body["frames"]
    }


def drawn(renderer: Renderer, colour: str, pose: int = 8) -> np.ndarray:
    params = CatParams.model_validate({**BASE["params"], "colour": colour})
    return renderer.render(params, pose).image


def test_chunks_are_about_one_per_worker_and_never_over_the_limit() -> None:
    assert chunk_size(256, 2) == MAX_CHUNK_FRAMES == 128
    assert chunk_size(256, 4) == 64
    assert chunk_size(256, 1) == MAX_CHUNK_FRAMES
    assert chunk_size(20, 4) == 5
    assert chunk_size(3, 4) == 1
    assert chunk_size(256, 2, source_pixels=1024 * 1024) == 4  # big tiles to encode: fewer
    assert chunk_size(256, 2, source_pixels=100 * 100) == MAX_CHUNK_FRAMES
    chunks = frame_chunks(list(range(300)), chunk_size(300, 2))
    assert [len(chunk) for chunk in chunks] == [128, 128, 44]
    assert [index for chunk in chunks for index in chunk] == list(range(300))


def test_a_batch_goes_to_the_workers_in_a_few_tasks_not_one_per_frame(
    two_workers: TestClient,
) -> None:
    before = two_workers.get("/health").json()["metrics"]["total_enqueued"]
    poses = [{"id": str(pose), "spriteNumber": pose} for pose in range(16)]
    response = two_workers.post(
        "/render/batch", json={"payload": BASE, "variants": poses, "options": {"tileSize": 60}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["meta"]["rendered"] == 16
    after = two_workers.get("/health").json()["metrics"]["total_enqueued"]
    assert after - before == 2  # 16 frames, two workers: two tasks of 8


def test_a_frame_failing_inside_a_chunk_is_the_one_named(one_worker: TestClient) -> None:
    colours = ["WHITE", "CREAM", "BLACK", "LILAC"]  # one worker: one chunk of four
    body = {"payload": BASE, "variants": variants(colours), "options": {"tileSize": 61}}
    response = one_worker.post("/render/batch", json=body)
    assert response.status_code == 500
    problem = response.json()
    assert problem["error"] == "pattern_failed"
    assert problem["field"] == "frames[2]"
    assert problem["detail"].startswith("frame 2 ('BLACK-8'): the BLACK generator failed")
    assert problem["detail"].endswith("the batch stopped there (1 frames not drawn)")
    # nothing of a failed batch is cached: its good frames are drawn again next time
    good = {"payload": BASE, "variants": variants(["WHITE", "CREAM"]), "options": {"tileSize": 61}}
    assert one_worker.post("/render/batch", json=good).json()["meta"]["rendered"] == 2


def test_frames_come_from_the_cache_at_any_tile_size(
    two_workers: TestClient, renderer: Renderer
) -> None:
    first = {"payload": BASE, "variants": variants(COLOURS[2:6], 3), "options": {"tileSize": 77}}
    assert two_workers.post("/render/batch", json=first).json()["meta"]["rendered"] == 4
    again = {**first, "options": {"tileSize": 150}}
    body = two_workers.post("/render/batch", json=again).json()
    assert (body["meta"]["cached"], body["meta"]["rendered"]) == (4, 0)
    for colour, tile in zip(COLOURS[2:6], sheet_tiles(body).values(), strict=True):
        assert (tile == upscale(drawn(renderer, colour, 3), 3)).all()


def test_a_sheet_of_cached_and_new_frames_shows_each_in_its_place(
    two_workers: TestClient, renderer: Renderer
) -> None:
    """Cached frames travel with the band of rows they share with new ones."""
    some = {"payload": BASE, "variants": variants(COLOURS[5:7], 5), "options": {"tileSize": 93}}
    two_workers.post("/render/batch", json=some)
    mixed = [c for c in COLOURS if c != "BLACK"]
    body = {"payload": BASE, "variants": variants(mixed, 5), "options": {"tileSize": 93}}
    answer = two_workers.post("/render/batch", json=body).json()
    assert (answer["meta"]["cached"], answer["meta"]["rendered"]) == (2, len(mixed) - 2)
    tiles = sheet_tiles(answer)
    for colour in mixed:
        assert (tiles[f"{colour}-5"] == resize_nearest(drawn(renderer, colour, 5), 93)).all()
    repeat = two_workers.post("/render/batch", json=body).json()
    assert repeat["meta"]["cached"] == len(mixed)
    assert repeat["sheet"] == answer["sheet"]  # the same batch is the same bytes


def test_a_band_task_compresses_its_rows_with_the_cached_frames_in_place(
    renderer: Renderer,
) -> None:
    cats = [CatParams.model_validate({**BASE["params"], "colour": c}) for c in COLOURS[:3]]
    first = drawn(renderer, COLOURS[3])
    cached = FrameResult.alone(first.tobytes(), 50, 50)
    band = SheetBand(2, (75, 75), (None, cached, None, None))
    task = FrameTask(tuple((cat, 8) for cat in cats), 75, band=band)
    answer = run_frames(PackSet.single(renderer), task)
    assert answer.status == 200
    assert answer.band is not None
    pictures, width, height = frame_pictures(answer.frames)
    assert (len(pictures), width, height) == (3, 50, 50)
    for picture, cat in zip(pictures, COLOURS[:3], strict=True):
        assert picture == drawn(renderer, cat).tobytes()
    sheet = load_rgba(png_from_rows(150, 150, [answer.band]))  # two rows of two 75 px tiles
    expected = [drawn(renderer, COLOURS[0]), first, drawn(renderer, COLOURS[1])]
    expected.append(drawn(renderer, COLOURS[2]))
    for place, picture in enumerate(expected):
        row, column = divmod(place, 2)
        tile = sheet[row * 75 : row * 75 + 75, column * 75 : column * 75 + 75]
        assert (tile == resize_nearest(picture, 75)).all()


def test_a_sheet_of_one_long_row_is_still_shared_out_and_exact(
    two_workers: TestClient, renderer: Renderer
) -> None:
    """Rows too long to give one worker (more frames than a task holds) are drawn in chunks
    by all workers and the service assembles the sheet."""
    poses = [{"id": str(n), "spriteNumber": n % 21} for n in range(40)]
    body = {"payload": BASE, "variants": poses, "options": {"tileSize": 20, "columns": 40}}
    before = two_workers.get("/health").json()["metrics"]["total_enqueued"]
    answer = two_workers.post("/render/batch", json=body).json()
    assert two_workers.get("/health").json()["metrics"]["total_enqueued"] - before == 2
    assert (answer["columns"], answer["rows"]) == (40, 1)
    again = two_workers.post("/render/batch", json=body).json()
    assert again["meta"]["cached"] == 40
    for sheet in (answer, again):  # one cat in every pose: each frame its own pose
        tiles = sheet_tiles(sheet)
        for n in (0, 17, 39):
            expected = resize_nearest(drawn(renderer, "GINGER", n % 21), 20)
            assert (tiles[str(n)] == expected).all()


def test_sources_of_cached_and_new_frames_are_each_frames_own_tile(
    two_workers: TestClient,
) -> None:
    options = {"tileSize": 70, "includeSources": True}
    first = {"payload": BASE, "variants": variants(COLOURS[:1], 2), "options": options}
    two_workers.post("/render/batch", json=first)
    body = {
        "payload": BASE,
        "variants": variants(COLOURS[:1] + COLOURS[2:5], 2),
        "options": options,
    }
    answer = two_workers.post("/render/batch", json=body).json()
    assert (answer["meta"]["cached"], answer["meta"]["rendered"]) == (1, 3)
    tiles = sheet_tiles(answer)
    for source in answer["sources"]:
        image = load_rgba(base64.b64decode(source["image"].split(",", 1)[1]))
        assert (image == tiles[source["id"]]).all()


def test_pictures_are_placed_left_to_right_and_empty_places_stay_transparent() -> None:
    rng = np.random.default_rng(3)
    pictures = [rng.integers(1, 256, (4, 3, 4), dtype=np.uint8) for _ in range(5)]
    sheet = place_pictures([picture.tobytes() for picture in pictures], 3, 4, columns=2, rows=3)
    assert sheet.shape == (12, 6, 4)
    for index, picture in enumerate(pictures):
        row, column = divmod(index, 2)
        assert (sheet[row * 4 : row * 4 + 4, column * 3 : column * 3 + 3] == picture).all()
    assert not sheet[8:12, 3:6].any()


def test_a_tasks_frames_come_back_in_small_packs_of_their_pictures(renderer: Renderer) -> None:
    cats = [CatParams.model_validate({**BASE["params"], "colour": c}) for c in COLOURS]
    task = FrameTask(tuple((cat, pose) for cat in cats for pose in (1, 8, 12)), 100)
    answer = pickle.loads(pickle.dumps(run_frames(PackSet.single(renderer), task)))
    packs = [frame.pictures for frame in answer.frames]
    assert [id(pack) for pack in packs] == [id(packs[0])] * 16 + [id(packs[16])] * 8
    assert [pack.count for pack in packs[::16]] == [PACK_FRAMES, 8]
    raw = 24 * 50 * 50 * 4
    assert packs[0].count == 16
    assert len(packs[0].data) + len(packs[16].data) < raw / 4
    # A frame counts its whole pack in the frame cache: the pack stays while any frame does.
    assert answer.frames[3].nbytes == len(packs[0].data)
    pictures, width, height = frame_pictures(answer.frames)
    assert (width, height) == (50, 50)
    for picture, (cat, pose) in zip(pictures, task.cats, strict=True):
        assert picture == renderer.render(cat, pose).image.tobytes()


def test_frames_of_several_packs_and_sizes() -> None:
    first = FrameResult.alone(bytes(range(48)), 3, 4)
    second = FrameResult.alone(bytes(48), 3, 4)
    pictures, _, _ = frame_pictures([second, first, second])
    assert [bytes(p) for p in pictures] == [bytes(48), bytes(range(48)), bytes(48)]
    with pytest.raises(ValueError, match="frame 1 is 2 x 4"):
        frame_pictures([first, FrameResult.alone(bytes(32), 2, 4)])
    with pytest.raises(ValueError, match="48 bytes"):
        PackedPictures.pack([bytes(47)], 48)


def test_the_sheet_is_only_joined_when_every_band_was_compressed_by_a_worker(
    renderer: Renderer,
) -> None:
    poses = [{"id": str(pose), "spriteNumber": pose} for pose in range(16)]
    request = BatchRequest.model_validate(
        {"payload": BASE, "variants": poses, "options": {"tileSize": 100, "columns": 4}}
    )
    tiles = plan_tiles(request)
    frames = plan_batch(request, renderer)
    layout = layout_sheet(request, len(frames), tiles)
    cold = plan_tasks(frames, [None] * 16, layout, tiles, request, 2, None)
    assert [list(band) for band in cold.bands or []] == [list(range(8)), list(range(8, 16))]
    assert cold.compressed_by_workers
    cached = FrameResult.alone(bytes(50 * 50 * 4), 50, 50)
    half = plan_tasks(frames, [cached] * 8 + [None] * 8, layout, tiles, request, 2, None)
    assert half.task_bands == [1]
    assert not half.compressed_by_workers  # the first band is compressed in the service
