"""The diff summary as one self-contained HTML page: inline style, pictures as data URLs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from typing import Any

import orjson

from renderer_service.harness.run import CaseResult
from renderer_service.renderer import encode_png

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25em .7em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-size: 1.1em; padding: .6em 1em; border-radius: 4px; display: inline-block; }
.clean { background: #e3f5e1; } .dirty { background: #fde2e1; }
.case { border: 1px solid #ddd; border-radius: 4px; padding: .7em 1em; margin: 1em 0; }
.case img { image-rendering: pixelated; display: block; margin: .5em 0;
            background: repeating-conic-gradient(#ddd 0 25%, #fff 0 50%) 0 0 / 16px 16px; }
.legend { color: #666; font-size: .9em; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: .5em; overflow-x: auto; white-space: pre-wrap; }
"""


def _png_url(picture: Any) -> str:
    return "data:image/png;base64," + base64.b64encode(encode_png(picture)).decode("ascii")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(name)}</th>" for name in headers)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{value}</td>'
            if isinstance(value, int)
            else f"<td>{escape(str(value))}</td>"
            for value in row
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _case_card(result: CaseResult) -> str:
    layers = ", ".join(f"{item.id} ({item.pixels})" for item in result.layers) or "none"
    picture = (
        f'<img alt="reference, ours, differences of {escape(result.case.id)}" '
        f'src="{_png_url(result.picture)}">'
        if result.picture is not None
        else ""
    )
    params = orjson.dumps(result.case.body, option=orjson.OPT_SORT_KEYS).decode()
    return (
        f'<div class="case" id="case-{escape(result.case.id)}">'
        f"<strong>{escape(result.case.id)}</strong> ({escape(result.case.source)}): "
        f"{result.differing} pixels differ, largest channel difference "
        f"{result.max_channel_delta}, within {escape(str(list(result.bbox or ())))}"
        f"<br>layers covering them: {escape(layers)}{picture}"
        f"<pre>{escape(params)}</pre></div>"
    )


def html_report(
    summary: dict[str, Any],
    results: Sequence[CaseResult],
    *,
    against: str,
    tolerance: int,
    pack: str,
    worst: int = 24,
) -> str:
    """The page: verdict, counts per set, by layer, by trait, the worst cases with pictures
    (reference | ours | heat map), every differing case and every error."""
    clean = summary["differing"] == 0 and summary["errors"] == 0
    verdict = (
        f'<p class="verdict clean">All {summary["cases"]} cases are equal.</p>'
        if clean
        else f'<p class="verdict dirty">{summary["differing"]} of {summary["cases"]} cases '
        f"differ ({summary['differingPixels']} pixels); {summary['errors']} could not be "
        "compared.</p>"
    )
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<title>cg3 diff report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Render diff</h1>",
        verdict,
        f"<p>Ours: sprite pack <code>{escape(pack)}</code>. Against: {escape(against)}. "
        f"Tolerance: {tolerance} (largest channel difference counted as equal). Two pixels "
        "are equal when both are fully transparent or no channel differs by more than "
        "that.</p>",
        "<h2>By set</h2>",
        _table(
            ["set", "equal", "differing", "errors"],
            [
                [name, counts.get("equal", 0), counts.get("differing", 0), counts.get("error", 0)]
                for name, counts in summary["sets"].items()
            ],
        ),
    ]
    if summary["byLayer"]:
        parts += [
            "<h2>By layer</h2>",
            '<p class="legend">The compositing stages whose own pixels cover differing '
            "pixels: in how many differing cases, and how many pixels in all.</p>",
            _table(
                ["layer", "cases", "pixels"],
                [[row["id"], row["cases"], row["pixels"]] for row in summary["byLayer"]],
            ),
        ]
    if summary["byTrait"]:
        parts += [
            "<h2>By trait</h2>",
            '<p class="legend">Trait values of the differing cases: how many cases have the '
            "value and how many of them differ, most often differing first (the first 60).</p>",
            _table(
                ["param", "value", "cases", "differing"],
                [
                    [row["trait"], row["value"], row["cases"], row["differing"]]
                    for row in summary["byTrait"][:60]
                ],
            ),
        ]
    differing = sorted(
        (result for result in results if result.status == "differing"),
        key=lambda result: -result.differing,
    )
    if differing:
        parts += [
            f"<h2>The worst {min(worst, len(differing))} cases</h2>",
            '<p class="legend">Each picture: the reference | ours | the differing pixels, '
            "yellow for a small difference to red for a large one.</p>",
            *(_case_card(result) for result in differing[:worst]),
            "<h2>Every differing case</h2>",
            _table(
                ["case", "set", "pixels", "largest difference", "layers"],
                [
                    [
                        result.case.id,
                        result.case.source,
                        result.differing,
                        result.max_channel_delta,
                        ", ".join(item.id for item in result.layers),
                    ]
                    for result in differing
                ],
            ),
        ]
    errors = [result for result in results if result.status == "error"]
    if errors:
        parts += [
            "<h2>Cases not compared</h2>",
            _table(
                ["case", "set", "why"],
                [[result.case.id, result.case.source, result.error or ""] for result in errors],
            ),
        ]
    parts.append("</body></html>\n")
    return "".join(parts)
