"""Save benchmark: reading a 2,000-cat ClanGen save, as ``POST /save/params`` does, in-process.

    uv run python bench/save.py [--cats 2000] [--rounds 15] [--sprite-root PATH]

The save is the 150 public save cats repeated with new IDs up to ``--cats`` cats. Each round
does the route's whole work on the body's bytes: parse the JSON, convert every cat following
ClanGen's loader and check its params against the pack, and serialise the answer. Prints the
median milliseconds per save, wall and CPU, and cats per second (medians, and CPU time,
since shared machines are noisy), and the same for the library's conversion alone.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from renderer_service.packs.bundled import find_sprite_root
from renderer_service.renderer import SpritePack, Vocabulary
from renderer_service.saves.read import read_save
from renderer_service.wire import SaveParamsQuery
from renderer_service.work.save_sheets import answer_save_params

SAVE = Path(__file__).resolve().parents[1] / "tests/data/save-public/clan_cats.json"


def big_save(count: int) -> list[dict[str, object]]:
    """``count`` cats: the public save's, over and over, each with an ID of its own."""
    public = json.loads(SAVE.read_text())
    return [{**public[n % len(public)], "ID": str(n + 1)} for n in range(count)]


def median_ms(work: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``work`` (CPU time is steadier on a busy machine)."""
    wall, cpu = [], []
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cats", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--sprite-root", type=Path, default=None)
    args = parser.parse_args()

    vocabulary = Vocabulary.from_pack(SpritePack(find_sprite_root(args.sprite_root)))
    cats = big_save(args.cats)
    body = json.dumps(cats).encode()
    query = SaveParamsQuery()
    answer = json.loads(answer_save_params(body, query, vocabulary))
    if len(answer["cats"]) != args.cats or answer["errors"]:
        raise SystemExit(f"the save did not convert: {answer['errors'][:3]}")

    route = median_ms(lambda: answer_save_params(body, query, vocabulary), args.rounds)
    library = median_ms(lambda: read_save(cats, vocabulary), args.rounds)
    print(f"{args.cats} cats, {len(body) / 1e6:.1f} MB of JSON, {args.rounds} rounds (medians):")
    for label, (wall, cpu) in (
        ("/save/params work (parse, convert, check, answer)", route),
        ("conversion alone (read_save)", library),
    ):
        print(
            f"  {label:<52} {wall:7.1f} ms wall {args.cats / wall * 1000:8,.0f} cats/s; "
            f"{cpu:7.1f} ms CPU {args.cats / cpu * 1000:8,.0f} cats/s"
        )


if __name__ == "__main__":
    main()
