"""Error answers: one JSON shape for every 4xx and 5xx, built without any web framework.

``{"error": code, "detail": sentence, "field": first field at fault, "errors": [items]}``,
each item ``{"field", "value", "detail", "expected", "suggestions"}``. Worker processes and
the HTTP layer build their answers with the same functions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from renderer_service.renderer import CatParams, InvalidTraitsError, PatternGenerationError
from renderer_service.wire.models.render import RenderRequest

PARAMS_PATH = "payload.params"

MAX_SHOWN_CHARS = 80
"""Longest text an error answer echoes back (a field name, a value); longer text is cut."""

MAX_SHOWN_BYTES = 512
"""Largest given value, as JSON, an error answer echoes back; a bigger one is summarised."""

MAX_ERROR_ITEMS = 20
"""Most problems one error answer lists; the rest are counted."""

MAX_READ_ERRORS = 200
"""Past this many problems a request is not examined item by item: it is refused whole.

A 256 KiB body of unknown fields holds tens of thousands of problems; reading each one
(with its suggestions) would cost the event loop seconds and answer megabytes."""


class ApiError(Exception):
    """An error answer: HTTP status, short code, a sentence and the items at fault."""

    def __init__(
        self,
        status: int,
        error: str,
        detail: str,
        items: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.items = [dict(item) for item in items]
        self.headers = dict(headers or {})
        super().__init__(detail)

    def body(self) -> bytes:
        return error_body(self.error, self.detail, self.items)


def shorten(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """``text``, or its first ``limit`` characters and a note of its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def shown_value(value: object) -> object:
    """What an error answer may echo of a given value: short values as they are, long text
    cut, large lists and objects and numbers JSON cannot hold summarised."""
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, str):
        return shorten(value)
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**64 else "(an integer too large to show)"
    if isinstance(value, list | dict):
        try:
            size = len(orjson.dumps(value))
        except TypeError:  # it holds something JSON cannot show, such as a huge integer
            size = MAX_SHOWN_BYTES + 1
        if size <= MAX_SHOWN_BYTES:
            return value
        if isinstance(value, dict):
            return f"(an object of {len(value)} fields)"
        return f"(a list of {len(value)} items)"
    return shorten(repr(value))


def error_item(
    field: str | None,
    value: object,
    detail: str,
    expected: str | None = None,
    suggestions: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "field": field,
        "value": shown_value(value),
        "detail": detail,
        "expected": expected,
        "suggestions": list(suggestions),
    }


def error_body(error: str, detail: str, items: Iterable[Mapping[str, Any]] = ()) -> bytes:
    listed = [dict(item) for item in items]
    body = {
        "error": error,
        "detail": detail,
        "field": next((item.get("field") for item in listed if item.get("field")), None),
        "errors": listed,
    }
    try:
        return orjson.dumps(body, default=repr)
    except TypeError:  # a value JSON cannot hold: the answer goes out without the values
        for item in listed:
            item["value"] = shown_value(item.get("value"))
        return orjson.dumps(body, default=repr)


def traits_error(error: InvalidTraitsError, prefix: str = PARAMS_PATH) -> ApiError:
    """The 422 for params that name things the pack cannot draw.

    A name with no close match is pointed to the ``GET /catalog`` entry listing them all."""
    return ApiError(422, "invalid_params", str(error), trait_items(error, prefix))


def trait_items(error: InvalidTraitsError, prefix: str = PARAMS_PATH) -> list[dict[str, Any]]:
    """The error items of ``error``'s problems, their fields under ``prefix``."""
    items = []
    for item in error.errors:
        detail = f"{prefix}.{item}"
        hint = catalog_hint(item.field)
        unknown_name = isinstance(item.value, str) and item.expected.startswith(("a ", "an "))
        if unknown_name and not item.suggestions and hint:
            detail += f"; {hint}"
        field = f"{prefix}.{item.field}"
        items.append(error_item(field, item.value, detail, item.expected, item.suggestions))
    return items


def pattern_error(
    error: PatternGenerationError, params: CatParams | None = None, prefix: str = PARAMS_PATH
) -> ApiError:
    """The 500 for a pattern colour whose generator failed: nothing is drawn in its place."""
    field = None
    if params is not None and error.colour is not None:
        wanted = error.colour.upper()
        candidates = [("colour", params.colour), ("tortieColour", params.tortie_colour)]
        candidates += [
            (f"tortie[{index}].colour", layer.colour)
            for index, layer in enumerate(params.tortie or [])
        ]
        field = next(
            (f"{prefix}.{name}" for name, value in candidates if (value or "").upper() == wanted),
            None,
        )
    item = error_item(
        field,
        error.colour,
        f"the {error.generator} generator failed to draw this pattern colour",
        "another colour while this one is broken",
    )
    return ApiError(500, "pattern_failed", str(error), [item])


def _model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model whose fields apply at ``loc`` below ``root`` (for unknown-field hints)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        if info is None:
            return None
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        candidates = [annotation, *args]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
    return model


def field_path(loc: Sequence[str | int]) -> str | None:
    """``("payload", "params", "scars", 1)`` -> ``payload.params.scars[1]``; long names cut."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + shorten(str(part), 64)
    return path or None


def validation_error_from(
    error: ValidationError,
    root: type[BaseModel] = RenderRequest,
    prefix: Sequence[str | int] = (),
) -> ApiError:
    """The 422 for a pydantic ``ValidationError``: each problem, or one summary of very many."""
    count = error.error_count()
    if count > MAX_READ_ERRORS:
        detail = (
            f"the request has {count} problems (unknown fields, wrong types); "
            f"it does not look like a {root.__name__}"
        )
        return ApiError(422, "invalid_request", detail, [error_item(None, None, detail)])
    return validation_error(error.errors(include_url=False), root, prefix)


FIELD_LIST = "one of the fields "
"""How an unknown-field error begins the list of the fields that are accepted."""

NESTING_HINT = 'traits go under payload.params, e.g. {"payload": {"params": {"colour": "GINGER"}}}'
"""What a request with its traits at the wrong level is told."""

CATALOG_ENTRIES = {
    "peltName": "pelts",
    "colour": "colours",
    "tortiePattern": "pelts",
    "tortieColour": "colours",
    "tortieMask": "tortieMasks",
    "pattern": "pelts",
    "mask": "tortieMasks",
    "tint": "tints",
    "whitePatches": "whitePatches",
    "points": "points",
    "vitiligo": "vitiligo",
    "whitePatchesTint": "whitePatchesTints",
    "eyeColour": "eyeColours",
    "eyeColour2": "eyeColours2",
    "skinColour": "skins",
    "scars": "scars",
    "accessories": "accessories",
    "accessory": "accessories",
    "afterlife": "afterlives",
}
"""The ``GET /catalog`` entry listing every value a trait accepts, by the trait's name."""


def catalog_hint(field: str) -> str | None:
    """Where ``GET /catalog`` lists the values of a trait (``scars[2]`` -> ``scars``)."""
    name = field.rsplit(".", 1)[-1].split("[", 1)[0]
    entry = CATALOG_ENTRIES.get(name)
    return f"GET /catalog lists every accepted value under `{entry}`" if entry else None


def _json_text(value: object) -> str:
    """A given value as JSON text, for a sentence (cut and summarised like ``shown_value``)."""
    shown = shown_value(value)
    try:
        return orjson.dumps(shown).decode()
    except TypeError:
        return repr(shown)


def _items(count: object) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def plain_expectation(kind: str, ctx: Mapping[str, Any], value: object, message: str) -> str:
    """What a field accepts, in plain words, from a pydantic error's type and context."""
    if kind == "less_than_equal":
        return f"at most {ctx.get('le')}"
    if kind == "greater_than_equal":
        return f"at least {ctx.get('ge')}"
    if kind == "less_than":
        limit = ctx.get("lt")
        return f"at most {limit - 1}" if isinstance(limit, int) else f"less than {limit}"
    if kind == "greater_than":
        limit = ctx.get("gt")
        return f"at least {limit + 1}" if isinstance(limit, int) else f"more than {limit}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return 'a whole number, such as 8 (not 8.0 or "8")'
    if kind in ("float_type", "float_parsing"):
        return "a number"
    if kind in ("bool_type", "bool_parsing"):
        return "true or false"
    if kind == "string_type":
        return 'text in quotes, such as "GINGER"'
    if kind == "list_type":
        return 'a list, such as ["ONE"]'
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "an object, such as {}"
    if kind == "too_long":
        return f"at most {_items(ctx.get('max_length'))}"
    if kind == "too_short":
        return f"at least {_items(ctx.get('min_length'))}"
    if kind == "string_too_long":
        return f"at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return f"at least {ctx.get('min_length')} characters"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    if kind == "missing":
        return "a value: this field is required"
    if kind in ("json_invalid", "json_type"):
        return "a JSON object"
    return message.removeprefix("Value error, ")


def _misplaced_trait(loc: Sequence[str | int]) -> str | None:
    """The trait's name when ``loc`` is a CatParams field given above ``payload.params``."""
    names = {info.alias or name for name, info in CatParams.model_fields.items()}
    if len(loc) == 1 and (loc[0] in names or loc[0] == "params"):
        return str(loc[0])
    if len(loc) == 2 and loc[0] == "payload" and loc[1] in names - {"spriteNumber"}:
        return str(loc[1])
    return None


def validation_error(
    errors: Sequence[Mapping[str, Any]],
    root: type[BaseModel] = RenderRequest,
    prefix: Sequence[str | int] = (),
) -> ApiError:
    """The 422 for a body that does not fit the request model (types, ranges, fields), each
    problem in plain words with the value that was sent.

    ``prefix`` is where ``root`` sits in the request, for models checked on their own.
    """
    items = [
        _validation_item(err, root, prefix, nested=root is RenderRequest and not prefix)
        for err in errors[:MAX_ERROR_ITEMS]
    ]
    listed: set[str] = set()
    for item in items:  # a list of accepted fields is given once, with its first unknown field
        expected = item.get("expected") or ""
        if expected.startswith(FIELD_LIST):
            if expected in listed:
                item["expected"] = "a field named in the first unknown-field error"
            listed.add(expected)
    detail = "; ".join(item["detail"] for item in items) or "invalid request"
    if len(errors) > MAX_ERROR_ITEMS:
        detail += f"; and {len(errors) - MAX_ERROR_ITEMS} more problems"
    return ApiError(422, "invalid_request", detail, items)


def _validation_item(
    err: Mapping[str, Any],
    root: type[BaseModel],
    prefix: Sequence[str | int],
    nested: bool,
) -> dict[str, Any]:
    loc = [part for part in err.get("loc", ()) if part != "body"]
    field = field_path([*prefix, *loc])
    kind = str(err.get("type", ""))
    value = err.get("input")
    suggestions: list[str] = []
    if kind == "extra_forbidden" and loc:
        misplaced = _misplaced_trait(loc) if nested else None
        if misplaced is not None:
            expected = PARAMS_PATH if misplaced == "params" else f"{PARAMS_PATH}.{misplaced}"
            suggestions = [expected]
            detail = f"{field}: not a field here; {NESTING_HINT}"
            return error_item(field, value, detail, expected, suggestions)
        parent = _model_at(root, loc[:-1])
        expected = "a known field"
        if parent is not None:
            names = [info.alias or name for name, info in parent.model_fields.items()]
            expected = FIELD_LIST + ", ".join(names)
            name = shorten(str(loc[-1]))
            suggestions = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        close = " or ".join(suggestions)
        detail = f"{field}: unknown field" + (f"; did you mean {close}?" if close else "")
    elif kind == "missing":
        expected = plain_expectation(kind, {}, None, "")
        if nested and loc == ["payload"]:
            expected = f"a payload: {NESTING_HINT}"
        value = None
        detail = f"{field}: missing; expected {expected}"
    elif kind == "json_invalid":
        value = None
        expected = plain_expectation(kind, {}, None, "")
        detail = f"the body is not valid JSON ({err.get('msg', 'invalid')}); expected {expected}"
    else:
        expected = plain_expectation(kind, err.get("ctx") or {}, value, str(err.get("msg", "")))
        detail = f"{field}: {_json_text(value)} is not valid; expected {expected}"
        if field is None:
            detail = f"the body is not valid; expected {expected}"
    return error_item(field, value, detail, expected, suggestions)
