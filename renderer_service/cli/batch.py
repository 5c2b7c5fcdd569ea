"""``cg3 batch``: a ``/render/batch`` body to a spritesheet PNG, in-process."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import orjson

from renderer_service.cli.common import (
    FAILED,
    OK,
    USAGE_ERROR,
    add_pack_argument,
    error_message,
    load_packs,
    read_json,
    write_output,
)
from renderer_service.cli.progress import progress_bar


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "batch",
        help="render a /render/batch body to a spritesheet PNG, without a server",
        description="Render the frames of a POST /render/batch body (base payload, variants, "
        "options) in-process and write the sheet as a PNG, with the same pixels the service "
        "answers. Limits and checks are the service's.",
        epilog="example: cg3 batch eyes.json -o eyes.png --json eyes-answer.json, with "
        'eyes.json holding {"payload": {"params": {"colour": "GINGER"}}, "options": '
        '{"layerId": "eyes", "expandVariants": true}}',
    )
    parser.add_argument("file", metavar="FILE", help="the batch body as JSON ('-': stdin)")
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the sheet PNG ('-': stdout)"
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write the whole /render/batch answer (frames, sources, sheet) as JSON",
    )
    add_pack_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from renderer_service.wire import ApiError, BatchRequest, validation_error_from
    from renderer_service.work import (
        FrameResult,
        FrameTask,
        assemble,
        batch_body,
        layout_sheet,
        plan_batch,
        plan_tiles,
        run_frames,
    )

    began = time.perf_counter()
    raw = read_json(args.file, "batch")
    if args.pack is not None and isinstance(raw, dict):
        raw["options"] = {**(raw.get("options") or {}), "pack": args.pack}
    packs = load_packs(args)
    try:
        try:
            request = BatchRequest.model_validate_json(orjson.dumps(raw))
        except ValidationError as error:
            raise validation_error_from(error, BatchRequest) from None
        tiles = plan_tiles(request)
        name, renderer = packs.choose(request.options.pack)
        frames = plan_batch(request, renderer, packs.normalised(name))
        layout = layout_sheet(request, len(frames), tiles)
    except ApiError as error:
        print("cg3 batch: " + error_message(error.body()), file=sys.stderr)
        return USAGE_ERROR
    options = request.options
    layer_id = options.layer_id if options.frame_mode == "layer" else None
    pack = packs.normalised(name)
    results: list[FrameResult] = []
    with progress_bar("rendering frames", len(frames)) as advance:
        for index, frame in enumerate(frames):
            task = FrameTask(
                ((frame.params, frame.pose),),
                tiles.width,
                layer_id,
                options.include_sources,
                tiles.background.name,
                tiles.image_format,
                pack,
            )
            answer = run_frames(packs, task)
            if answer.failure is not None:
                message = error_message(answer.failure.body)
                print(f"cg3 batch: frame {index} ({frame.id!r}): {message}", file=sys.stderr)
                return FAILED
            results.extend(answer.frames)
            advance()
    sheet = assemble(results, layout, tiles, request)
    write_output(args.output, sheet)
    if args.json:
        meta = {
            "frames": len(frames),
            "rendered": len(frames),
            "cached": 0,
            "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            "pack": renderer.pack.content_hash,
        }
        body = batch_body(request, frames, results, layout, tiles, sheet, meta)
        write_output(args.json, orjson.dumps(body, option=orjson.OPT_INDENT_2))
    return OK
