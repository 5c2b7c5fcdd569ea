"""All 21 poses draw, the paralysed, sick and newborn ones included."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from .conftest import sprite_root
from .imaging import atlas_cell, load_rgba, mismatches

ROOT = sprite_root()
CAT = {
    "peltName": "Tabby",
    "colour": "GINGER",
    "isTortie": True,
    "tortiePattern": "Smoke",
    "tortieColour": "BLACK",
    "tortieMask": "ONE",
    "eyeColour": "GREEN",
    "eyeColour2": "BLUE",
    "whitePatches": "LITTLE",
    "scars": ["ONE", "NOTAIL"],
    "accessories": ["MAPLE LEAF", "ACORN"],
    "shading": True,
}


@pytest.mark.parametrize("pose", range(21))
def test_every_pose_draws_each_layer_from_that_poses_cell(client: TestClient, pose: int) -> None:
    response = client.post(
        "/render",
        json={
            "payload": {"spriteNumber": pose, "params": CAT},
            "options": {"collectLayers": True, "includeLayerImages": True},
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["spriteNumber"] == pose
    layers = {layer["id"]: layer for layer in body["layers"]}
    for layer_id, group in (("lineart", "lines"), ("skin", "skinPINK")):
        image = load_rgba(base64.b64decode(layers[layer_id]["image"].split(",", 1)[1]))
        cell = atlas_cell(ROOT, group, pose)
        assert cell[:, :, 3].any()
        assert not mismatches(image, cell).any(), (layer_id, pose)
    picture = load_rgba(base64.b64decode(body["image"].split(",", 1)[1]))
    assert picture[:, :, 3].any()
    assert all(layers[i]["drawn"] for i in ("base", "whitePatches", "eyes", "scarsPrimary"))
