"""No request value becomes a file path: names are looked up in the pack's index only, and
nothing opens a file once the service has started."""

from __future__ import annotations

import json
import subprocess
import sys
import types
import typing
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from renderer_service.wire import RenderOptions, RequestParams
from renderer_service.wire.normalise import IGNORED_FIELDS

from .conftest import PARITY, REPO, sprite_root

HOSTILE_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "C:\\Windows\\System32",
    "singleGINGER\x00.png",
    "WHITE\x00",
    "%2e%2e%2f",
    "%2e%2e%2fetc%2fpasswd",
    "..%2F..%2Fetc%2Fpasswd",
    "file:///etc/passwd",
    "~/.ssh/id_rsa",
    "lineart",
    "tabbyGINGER",
    "spritesIndex.json",
    "WHITE/../../x",
    "GINGER\n",
    "x" * 10_000,
]
"""Values that are paths, encodings of paths, sprite or file names, or far too long."""


def _takes_text(annotation: object) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _takes_text(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_takes_text(arg) for arg in typing.get_args(annotation))
    return False


def _is_union(annotation: object) -> bool:
    return isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union


def text_fields(model: type[BaseModel], prefix: str) -> list[str]:
    """Every place in ``model`` a client may put a string: ``prefix.field``, and
    ``prefix.field[0]`` for lists of strings."""
    fields = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        annotation = info.annotation
        if name in IGNORED_FIELDS:
            continue  # accepted and never read: any text is harmless there
        if _is_union(annotation):  # ``X | None``: the X
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        if typing.get_origin(annotation) is list and _takes_text(typing.get_args(annotation)[0]):
            fields.append(f"{prefix}.{alias}[0]")
        elif _takes_text(annotation):
            fields.append(f"{prefix}.{alias}")
    return fields


STRING_FIELDS = text_fields(RequestParams, "payload.params") + text_fields(RenderOptions, "options")


def request_with(field: str, value: str) -> dict[str, Any]:
    """A /render body whose ``field`` (``payload.params.scars[0]`` style) is ``value``."""
    body: dict[str, Any] = {"payload": {"spriteNumber": 8, "params": {}}, "options": {}}
    *parents, last = field.split(".")
    target = body
    for part in parents:
        target = target[part]
    if last.endswith("[0]"):
        target[last[:-3]] = [value]
    else:
        target[last] = value
    return body


def test_every_string_field_is_covered() -> None:
    assert "payload.params.colour" in STRING_FIELDS
    assert "payload.params.scars[0]" in STRING_FIELDS
    assert "payload.params.accessories[0]" in STRING_FIELDS
    assert "payload.params.tortieMask" in STRING_FIELDS
    assert len(STRING_FIELDS) >= 16


@pytest.mark.parametrize("field", STRING_FIELDS)
@pytest.mark.parametrize("value", HOSTILE_NAMES, ids=lambda value: repr(value)[:24])
def test_a_path_or_file_name_in_any_string_field_is_refused(
    client: TestClient, field: str, value: str
) -> None:
    response = client.post("/render", json=request_with(field, value))
    assert response.status_code == 422, response.text[:300]
    body = response.json()
    assert set(body) == {"error", "detail", "field", "errors"}
    assert body["field"] == field
    assert body["error"] in ("invalid_params", "invalid_request")
    shown = body["errors"][0]["value"]
    assert shown == value or (len(value) > 80 and shown.startswith(value[:80]))


AUDIT_SCRIPT = r"""
import json, mmap, os, sys
from pathlib import Path
from fastapi.testclient import TestClient
from renderer_service.app.main import create_app
from renderer_service.config import Settings

armed = mmap.mmap(-1, 1)  # shared with the forked render workers
parent = os.getpid()
at_start, after_start = [], []

def audit(event, args):
    if event not in ("open", "os.listdir", "os.scandir"):
        return
    if not armed[0]:
        at_start.append(str(args[0]))
    elif os.getpid() == parent:
        after_start.append(str(args[0]))
    else:  # a render worker: the render fails, and its 500 answer names the file
        raise RuntimeError(f"a worker opened {args[0]!r} while rendering")

sys.addaudithook(audit)
requests = json.loads(sys.stdin.read())
app = create_app(Settings(sprite_root=Path(sys.argv[1]), worker_count=2))
with TestClient(app) as client:
    armed[0] = 1
    answers = []
    for body, accept in requests:
        response = client.post("/render", json=body, headers={"Accept": accept})
        answers.append([response.status_code, response.text[:200]])
    armed[0] = 0
print(json.dumps({"answers": answers, "at_start": at_start, "after_start": after_start}))
"""


def test_rendering_never_opens_a_file_after_start_up() -> None:
    cases = json.loads((PARITY / "legacy-public" / "cases.json").read_text())
    requests: list[tuple[dict[str, Any], str]] = []
    for index, case in enumerate(cases):
        options = {"collectLayers": True, "includeLayerImages": True, "scale": 1 + index % 16}
        requests.append(({"payload": {"params": case["params"]}, "options": options}, "*/*"))
        requests.append(({"payload": {"params": case["params"]}}, "image/png"))
    for field in STRING_FIELDS:
        requests += [(request_with(field, value), "*/*") for value in HOSTILE_NAMES[:12]]
    result = subprocess.run(
        [sys.executable, "-c", AUDIT_SCRIPT, str(sprite_root())],
        input=json.dumps(requests),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # The hook does see files being opened: the pack's, while the service starts.
    assert any(path.endswith("spritesIndex.json") for path in report["at_start"])
    statuses = [status for status, _text in report["answers"]]
    failed = [text for status, text in report["answers"] if status not in (200, 422)]
    assert not failed, failed[:3]
    assert statuses.count(200) == 2 * len(cases)
    assert statuses.count(422) == len(requests) - 2 * len(cases)
    assert report["after_start"] == []
