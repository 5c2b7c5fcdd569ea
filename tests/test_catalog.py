"""GET /catalog: every value each param accepts, from the same source as the checks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renderer_service.renderer import CatParams, InvalidTraitsError, Renderer, check_traits

from .conftest import sprite_root

ROOT = sprite_root()
PELT_INFO = json.loads((ROOT / "peltInfo.json").read_text())
TINTS = json.loads((ROOT / "dicts" / "tint.json").read_text())
WHITE_TINTS = json.loads((ROOT / "dicts" / "white_patches_tint.json").read_text())
INDEX = json.loads((ROOT / "spritesIndex.json").read_text())


@pytest.fixture(scope="module")
def catalog(client: TestClient) -> dict[str, Any]:
    response = client.get("/catalog")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_catalog_names_the_pack_it_was_read_from(
    catalog: dict[str, Any], client: TestClient
) -> None:
    health = client.get("/health").json()["pack"]
    assert catalog["pack"] == health
    assert catalog["pack"]["groups"] == len(INDEX) + 2


def test_catalog_is_documented_in_openapi(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    response = schema["paths"]["/catalog"]["get"]["responses"]["200"]
    shapes = response["content"]["application/json"]["schema"]["anyOf"]
    assert shapes == [
        {"$ref": "#/components/schemas/ServiceCatalog"},
        {"$ref": "#/components/schemas/ServiceModernCatalog"},
    ]
    fields = schema["components"]["schemas"]["ServiceCatalog"]["properties"]
    assert {"pelts", "colours", "accessories", "poses", "afterlives", "opacity", "saves"} <= set(
        fields
    )


def test_colours_carry_their_colour_group(catalog: dict[str, Any]) -> None:
    colours = {entry["name"]: entry["colourGroup"] for entry in catalog["colours"]}
    assert colours == TINTS["colour_groups"]


def test_tints_carry_their_rgb(catalog: dict[str, Any]) -> None:
    def table(entries: list[dict[str, Any]]) -> dict[str, list[int]]:
        return {entry["name"]: entry["rgb"] for entry in entries}

    def real(colours: dict[str, Any]) -> dict[str, Any]:
        return {name: rgb for name, rgb in colours.items() if rgb is not None}

    assert table(catalog["tints"]) == real(TINTS["tint_colours"])
    assert table(catalog["diluteTints"]) == real(TINTS["dilute_tint_colours"])
    assert table(catalog["whitePatchesTints"]) == real(WHITE_TINTS["tint_colours"])


def test_scars_are_listed_by_kind(catalog: dict[str, Any]) -> None:
    for kind, key in (("scar", "scars1"), ("special", "scars3"), ("missingPart", "scars2")):
        names = [entry["name"] for entry in catalog["scars"] if entry["kind"] == kind]
        assert names == PELT_INFO[key]
    assert all(entry["group"] == f"scars{entry['name']}" for entry in catalog["scars"])


def test_accessories_name_their_group_atlas_category_and_lists(catalog: dict[str, Any]) -> None:
    entries = {entry["name"]: entry for entry in catalog["accessories"]}
    assert len(entries) == len(catalog["accessories"]) == 350
    categories = set()
    for name, entry in entries.items():
        assert INDEX[entry["group"]]["spritesheet"] == entry["atlas"]
        assert entry["lists"] == [key for key in LISTS if name in PELT_INFO[key]]
        categories.add(entry["category"])
    assert categories == {
        "herbs",
        "wild",
        "collars",
        "flower",
        "plant2",
        "snake",
        "smallAnimal",
        "deadInsect",
        "aliveInsect",
        "fruit",
        "crafted",
        "tail2",
    }
    assert entries["MAPLE LEAF"] | {"lists": None} == {
        "name": "MAPLE LEAF",
        "group": "acc_herbsMAPLE LEAF",
        "atlas": "medcatherbs",
        "category": "herbs",
        "lists": None,
        "note": None,
    }
    assert entries["RED FEATHERS"]["lists"] == ["wild_accessories", "tail_accessories"]
    assert entries["ACORN"]["lists"] == ["extra_accessories"]
    lavender = entries["LAVENDER"]
    assert lavender["group"] == "acc_herbsRASPBERRY"
    assert "acc_herbsRASPBERRY" in lavender["note"]
    assert [name for name, entry in entries.items() if entry["note"]] == ["LAVENDER"]


LISTS = (
    "plant_accessories",
    "wild_accessories",
    "tail_accessories",
    "collars",
    "extra_accessories",
)


def test_poses_carry_their_life_stage(catalog: dict[str, Any]) -> None:
    stages = [(pose["number"], pose["lifeStage"]) for pose in catalog["poses"]]
    expected = (
        ["kitten"] * 3
        + ["adolescent"] * 3
        + ["adult"] * 3
        + ["adultLongFur"] * 3
        + ["senior"] * 3
        + ["paralysedAdult"] * 2
        + ["paralysedYoung", "sickAdult", "sickYoung", "newborn"]
    )
    assert stages == list(enumerate(expected))


def test_afterlives_opacity_and_linearts_are_listed(catalog: dict[str, Any]) -> None:
    afterlives = {entry["name"]: entry for entry in catalog["afterlives"]}
    assert afterlives == {
        "starclan": {
            "name": "starclan",
            "lineart": "lineartdead",
            "aprilFoolsLineart": "aprilfoolslineartdead",
            "fadingBackdrop": "fadestarclan",
        },
        "darkForest": {
            "name": "darkForest",
            "lineart": "lineartdf",
            "aprilFoolsLineart": "aprilfoolslineartdf",
            "fadingBackdrop": "fadedf",
        },
        "unknownResidence": {
            "name": "unknownResidence",
            "lineart": "lineartur",
            "aprilFoolsLineart": "aprilfoolslineartur",
            "fadingBackdrop": "fadestarclan",
        },
    }
    assert catalog["livingLineart"] == {
        "lineart": "lines",
        "aprilFoolsLineart": "aprilfoolslineart",
    }
    opacity = catalog["opacity"]
    assert (opacity["minimum"], opacity["maximum"], opacity["default"]) == (0, 100, 100)
    assert opacity["fadesAtOrBelow"] == 97
    assert [(s["stage"], s["opacityFrom"], s["opacityTo"]) for s in opacity["stages"]] == [
        (0, 81, 97),
        (1, 46, 80),
        (2, 0, 45),
    ]
    assert catalog["darkForestOverlay"] == {"colour": [120, 30, 30], "alpha": 0.5}
    assert catalog["maxListLength"] == 16


def names(catalog: dict[str, Any], key: str) -> list[str]:
    """The values a catalog list offers: its strings, or its entries' names."""
    return [entry if isinstance(entry, str) else entry["name"] for entry in catalog[key]]


def _every_listed_value(catalog: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """One cat per catalog value, using that value for its param."""
    single = {
        "pelts": "peltName",
        "colours": "colour",
        "tints": "tint",
        "diluteTints": "tint",
        "whitePatches": "whitePatches",
        "points": "points",
        "vitiligo": "vitiligo",
        "whitePatchesTints": "whitePatchesTint",
        "eyeColours": "eyeColour",
        "eyeColours2": "eyeColour2",
        "skins": "skinColour",
        "accessories": "accessory",
    }
    for key, param in single.items():
        for name in names(catalog, key):
            yield f"{param}={name}", {param: name}
    for name in names(catalog, "scars"):
        yield f"scars={name}", {"scars": [name]}
    for name in names(catalog, "tortieMasks"):
        layer = {"pattern": "Tabby", "colour": "BLACK", "mask": name}
        yield f"tortie mask {name}", {"tortie": [layer]}
    for name in names(catalog, "pelts"):
        yield (
            f"tortie pattern {name}",
            {"tortie": [{"pattern": name, "colour": "GREY", "mask": "ONE"}]},
        )
    for name in names(catalog, "afterlives"):
        for stage in catalog["opacity"]["stages"]:
            for opacity in (stage["opacityFrom"], stage["opacityTo"]):
                yield f"{name} {opacity}", {"dead": True, "afterlife": name, "opacity": opacity}
            yield f"{name} april", {"dead": True, "afterlife": name, "aprilFools": True}
    for pose in catalog["poses"]:
        yield f"pose {pose['number']}", {"spriteNumber": pose["number"]}


def test_every_listed_value_is_accepted(catalog: dict[str, Any], renderer: Renderer) -> None:
    refused = []
    for label, params in _every_listed_value(catalog):
        try:
            check_traits(
                CatParams.model_validate({"spriteNumber": 8, **params}), renderer.vocabulary
            )
        except InvalidTraitsError as error:
            refused.append(f"{label}: {error}")
    assert not refused


@pytest.mark.parametrize(
    ("key", "param"),
    [
        ("pelts", "peltName"),
        ("colours", "colour"),
        ("whitePatches", "whitePatches"),
        ("eyeColours", "eyeColour"),
        ("skins", "skinColour"),
        ("accessories", "accessory"),
        ("afterlives", "afterlife"),
    ],
)
def test_refusals_suggest_only_listed_values(
    catalog: dict[str, Any], client: TestClient, key: str, param: str
) -> None:
    listed = set(names(catalog, key))
    wrong = sorted(listed)[0][:-1] + "Q"
    if key == "colours":  # palette colours are valid wherever a coat colour is
        listed |= {c["name"] for p in catalog["palettes"] for c in p["colours"]}
    response = client.post(
        "/render",
        json={"payload": {"spriteNumber": 3, "params": {"dead": True, param: wrong}}},
    )
    assert response.status_code == 422
    item = response.json()["errors"][0]
    assert item["field"] == f"payload.params.{param}"
    assert item["suggestions"]
    assert set(item["suggestions"]) <= listed
