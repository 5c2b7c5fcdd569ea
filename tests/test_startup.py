"""Start-up explains itself: one line per phase, and one line (no traceback) when it cannot.

The failing starts run the real commands, ``uvicorn renderer_service.app.main:app`` and
``cg3 serve``, as subprocesses; they stop before the pack's atlases are read.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from renderer_service.app import main
from renderer_service.app.main import create_app
from renderer_service.app.startup import StartupError
from renderer_service.config import Settings
from renderer_service.packs.pack_set import PackSet
from renderer_service.renderer import Renderer
from renderer_service.runtime import RenderQueue
from renderer_service.work.reply import Reply

from .conftest import sprite_root, without_settings

UVICORN = [sys.executable, "-m", "uvicorn", "renderer_service.app.main:app", "--port", "0"]
CG3_SERVE = [sys.executable, "-m", "renderer_service.cli.main", "serve", "--port", "0"]


def start(command: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = without_settings()
    return subprocess.run(
        command,
        cwd=tmp_path,  # no .env file here
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def broken_pack(tmp_path: Path) -> Path:
    """A copy of the pack's JSON files whose ``peltInfo.json`` is not JSON."""
    source = sprite_root()
    pack = tmp_path / "broken-pack"
    (pack / "dicts").mkdir(parents=True)
    for name in ("spritesIndex.json", "spritesOffsetMap.json", "dicts/tint.json"):
        (pack / name).write_bytes((source / name).read_bytes())
    (pack / "dicts/white_patches_tint.json").write_text(json.dumps({}))
    (pack / "peltInfo.json").write_text("{not json")
    return pack


def test_a_bad_setting_ends_uvicorn_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = start(UVICORN, tmp_path, CG3_WORKER_COUNT="many")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    named = [line for line in result.stderr.splitlines() if "CG3_WORKER_COUNT='many'" in line]
    assert len(named) == 1, result.stderr


def test_a_broken_pack_ends_cg3_serve_start_up_with_one_line_naming_the_file(
    tmp_path: Path,
) -> None:
    result = start(CG3_SERVE, tmp_path, CG3_SPRITE_ROOT=str(broken_pack(tmp_path)))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    named = [line for line in result.stderr.splitlines() if "peltInfo.json" in line]
    assert len(named) == 1, result.stderr
    assert "CG3_SPRITE_ROOT" in named[0]


def test_a_missing_pack_folder_is_named(tmp_path: Path) -> None:
    app = create_app(Settings(sprite_root=tmp_path / "nowhere"))
    with pytest.raises(StartupError, match=r"nowhere.*does not exist"), TestClient(app):
        pass


def test_start_up_logs_one_line_per_phase_with_its_time(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(sprite_root=None, worker_count=1)  # both bundled packs
    with caplog.at_level(logging.INFO, logger="renderer"), TestClient(create_app(settings)):
        pass
    lines = [r.getMessage() for r in caplog.records if r.name == "renderer.startup"]
    assert len(lines) == 4, lines
    *loaded, compiled, ready = lines
    for pack, line in zip(("lifegen", "clangen"), loaded, strict=True):
        pattern = rf"pack loaded: \d+ groups from the bundled {pack} pack in \d+ ms \(hash \w+\)"
        assert re.fullmatch(pattern, line)
    assert re.fullmatch(r"kernels compiled in \d+\.\d s \(while the pack loaded\)", compiled)
    assert re.fullmatch(r"1 render worker ready in \d+ ms", ready)
    ready_lines = [r.getMessage() for r in caplog.records if r.name == "renderer.app"]
    done = [line for line in ready_lines if line.startswith("ready in")]
    assert len(done) == 1, ready_lines  # the whole start-up, the packs it loaded included
    assert re.fullmatch(r"ready in \d+\.\d s \(packs \d+\.\d s, workers \d+\.\d s\)", done[0])


def test_compiling_ahead_covers_every_kernel_signature_a_render_uses() -> None:
    """Kernels compiled before the pack exists are the ones renders run: a render adds no
    new signature (which would compile again in the worker processes)."""
    probe = (
        "from renderer_service.packs.bundled import load_sprite_pack\n"
        "from renderer_service.renderer import Renderer, blend\n"
        "kernels = [k for k in vars(blend).values() if hasattr(k, 'signatures')]\n"
        "blend.compile_kernels()\n"
        "ahead = {k.__name__: list(k.signatures) for k in kernels}\n"
        "Renderer(load_sprite_pack(None)).warm_up()\n"
        "after = {k.__name__: list(k.signatures) for k in kernels}\n"
        "assert any(ahead.values()), ahead\n"
        "assert after == ahead, (ahead, after)\n"
    )
    env = without_settings()
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr


def test_start_up_draws_a_warm_up_cat_before_the_workers_start_and_it_serves(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new replica is ready in seconds, and ready means a cat was drawn: start-up draws
    one the whole way a request is drawn before it forks the workers (which inherit it) and
    before the server takes a connection (so before ``/health/ready`` can say ready)."""
    steps: list[str] = []
    draw = main.draw_warm_up_cat
    start = main.RenderQueue.start

    def drawing(packs: PackSet) -> Reply:
        reply = draw(packs)
        steps.append(f"warm-up cat {reply.status}")
        return reply

    async def starting(queue: RenderQueue) -> None:
        steps.append("workers")
        await start(queue)

    monkeypatch.setattr(main, "draw_warm_up_cat", drawing)
    monkeypatch.setattr(main.RenderQueue, "start", starting)
    app = create_app(Settings(sprite_root=renderer.pack.root, worker_count=1), renderer)
    with TestClient(app) as client:
        assert steps == ["warm-up cat 200", "workers"]
        assert client.get("/health/ready").status_code == 200
        counted = client.get("/health").json()["metrics"]
    assert counted["total_enqueued"] == 0  # outside the queue and its counters
    assert counted["cache"]["entries"] == 0


def test_a_warm_up_cat_that_does_not_draw_stops_start_up(
    renderer: Renderer, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Reply(500, "application/json", b'{"error": "render_failed"}')
    monkeypatch.setattr(main, "draw_warm_up_cat", lambda packs: broken)
    app = create_app(Settings(sprite_root=renderer.pack.root, worker_count=1), renderer)
    with pytest.raises(StartupError, match="warm-up cat did not draw"), TestClient(app):
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_start_up_has_large_buffers_given_back_to_the_system() -> None:
    """Pack loading frees whole decoded atlases; with a fixed mapping threshold glibc returns
    them instead of keeping them fragmented in every forked process (bench/memory.py)."""
    from renderer_service.app.startup import give_back_large_buffers

    assert give_back_large_buffers() is True
