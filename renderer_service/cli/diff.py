"""``cg3 diff``: render many cats here and compare each with another renderer's picture.

Exit codes: 0 when every case is equal, 1 when a case differs, 2 on a usage or input error
(an unreadable cases file, a missing reference, a case either renderer refuses).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import orjson

from renderer_service.cli.common import (
    FAILED,
    OK,
    USAGE_ERROR,
    UsageError,
    add_pack_argument,
    load_packs,
    load_renderer,
)
from renderer_service.cli.progress import progress_bar


def _tolerance(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer 0-255, got {text!r}") from None
    if not 0 <= value <= 255:
        raise argparse.ArgumentTypeError(f"expected an integer 0-255, got {value}")
    return value


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "diff",
        help="compare this renderer with pictures in a folder or with another service",
        description="Render every case here and compare it, pixel by pixel, with a folder of "
        "<id>.png pictures or with another render service speaking this API (POST /render). "
        "Two pixels are equal when both are fully transparent or no channel differs by more "
        "than --tolerance. Writes a self-contained HTML report (by trait, by layer, the worst "
        "cases side by side with heat maps) and a JSON summary. Exit 0: all equal; 1: a case "
        "differs; 2: usage or input error.",
        epilog="example: cg3 diff --cases tests/data/legacy-public/cases.json --against-dir "
        "tests/data/legacy-public/expected --report diff.html",
    )
    parser.add_argument(
        "--cases",
        action="append",
        required=True,
        metavar="FILE",
        help='JSON list of {"id", "params"} or {"id", "payload", "options"}; repeatable',
    )
    against = parser.add_mutually_exclusive_group(required=True)
    against.add_argument(
        "--against-dir",
        action="append",
        metavar="DIR",
        help="folder of <id>.png references: one for all cases files, or one per --cases in "
        "the same order",
    )
    against.add_argument(
        "--against-url", metavar="URL", help="a render service, e.g. http://127.0.0.1:8001"
    )
    parser.add_argument("--report", metavar="FILE", help="write the HTML report here")
    parser.add_argument("--json", metavar="FILE", help="write the JSON summary here")
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        default=0,
        metavar="N",
        help="largest channel difference still counted as equal (default 0)",
    )
    parser.add_argument(
        "--worst",
        type=int,
        default=24,
        metavar="N",
        help="cases shown with pictures in the report (default 24)",
    )
    add_pack_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from renderer_service.harness import (
        Case,
        CasesError,
        FolderSource,
        ReferenceSource,
        ServiceSource,
        compare_all,
        html_report,
        load_cases,
        summarise,
    )

    files = [Path(name) for name in args.cases]
    try:
        sets = [load_cases(path) for path in files]
    except CasesError as error:
        raise UsageError(str(error)) from None
    ids = [case.id for cases in sets for case in cases]
    if len(set(ids)) != len(ids):
        twice = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
        raise UsageError("case ids appear in more than one cases file: " + ", ".join(twice[:10]))
    sources: list[ReferenceSource]
    if args.against_url:
        if not args.against_url.startswith(("http://", "https://")):
            raise UsageError(f"--against-url must be an http(s) URL, not {args.against_url!r}")
        service = ServiceSource(args.against_url)
        sources = [service] * len(files)
        against = service.description
    else:
        folders = [Path(name) for name in args.against_dir]
        if len(folders) not in (1, len(files)):
            raise UsageError(
                f"give one --against-dir, or one per --cases ({len(files)}), not {len(folders)}"
            )
        for folder in folders:
            if not folder.is_dir():
                raise UsageError(f"--against-dir {folder} is not a folder")
        sources = [FolderSource(folder) for folder in folders]
        if len(sources) == 1:
            sources = sources * len(files)
        against = ", ".join(source.description for source in dict.fromkeys(sources))
    renderer = load_renderer(args)
    packs = load_packs(args)
    work: list[tuple[Case, ReferenceSource]] = [
        (case, source) for cases, source in zip(sets, sources, strict=True) for case in cases
    ]
    try:
        with progress_bar("comparing cases", len(work)) as advance:
            results = compare_all(packs, work, args.tolerance, advance, args.pack)
    finally:
        for source in set(sources):
            source.close()
    summary = summarise(results)
    summary = {
        "against": against,
        "tolerance": args.tolerance,
        "pack": renderer.pack.content_hash,
        **summary,
    }
    if args.json:
        _write(args.json, orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    if args.report:
        page = html_report(
            summary,
            results,
            against=against,
            tolerance=args.tolerance,
            pack=f"{renderer.pack.location} ({renderer.pack.content_hash})",
            worst=args.worst,
        )
        _write(args.report, page.encode())
    print(
        f"{summary['cases']} cases: {summary['equal']} equal, {summary['differing']} differ, "
        f"{summary['errors']} not compared"
    )
    for row in summary["results"]:
        if row["status"] == "differing":
            layers = ", ".join(item["id"] for item in row["layers"]) or "no layer"
            print(f"  differs: {row['id']}: {row['differing']} pixels ({layers})")
        elif row["status"] == "error":
            print(f"  not compared: {row['id']}: {row['error']}", file=sys.stderr)
    if args.report and (summary["differing"] or summary["errors"]):
        print(f"report: {args.report}")
    if summary["errors"]:
        return USAGE_ERROR
    return FAILED if summary["differing"] else OK


def _write(target: str, data: bytes) -> None:
    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
