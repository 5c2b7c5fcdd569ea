"""Shared-memory cache benchmark: microseconds per get and put, alone and with forked processes
calling at once.

    uv run python bench/shared_cache.py [--rounds 9] [--calls 20000] [--processes 2]

Prints the median over rounds of microseconds per call for: a hit and a put of a 3 KB value
(a typical pickled answer), a miss, a 100 KB put and hit, a blake2b digest of the key alone
(the floor every call pays) and then hits while ``--processes`` forked children hit the same
cache (the lock is shared: contention shows here). It checks every value read back.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from hashlib import blake2b
from multiprocessing.queues import Queue

from renderer_service.runtime.shared_memory_cache import SharedMemoryCache

KEY = '"3f2a00112233445566778899"'


def median_us(work: Callable[[], object], calls: int, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        for _ in range(calls):
            work()
        samples.append((time.perf_counter() - began) / calls * 1e6)
    return statistics.median(samples)


def hammer(cache: SharedMemoryCache, calls: int, rounds: int, results: Queue[float]) -> None:
    assert cache.get(KEY) is not None
    results.put(median_us(lambda: cache.get(KEY), calls, rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    cache = SharedMemoryCache(64 << 20, 65_536)
    small = os.urandom(3000)
    large = os.urandom(100_000)
    assert cache.put(KEY, small)
    assert cache.put("large", large)
    assert cache.get(KEY) == small
    assert cache.get("large") == large
    print(f"lock: {cache.lock_kind}; {args.rounds} rounds of {args.calls} calls, median µs/call")
    rows: list[tuple[str, Callable[[], object], str]] = [
        ("digest of the key only", lambda: blake2b(KEY.encode(), digest_size=16).digest(), ""),
        ("get, hit, 3 KB", lambda: cache.get(KEY), "hits"),
        ("get, miss", lambda: cache.get("absent"), "misses"),
        ("put, 3 KB", lambda: cache.put(KEY, small), "writes"),
        ("get, hit, 100 KB", lambda: cache.get("large"), "hits"),
        ("put, 100 KB", lambda: cache.put("large", large), "writes"),
    ]
    for label, work, counter in rows:
        # Puts write many rings' worth: store both values afresh so every get row hits.
        assert cache.put(KEY, small)
        assert cache.put("large", large)
        calls = args.calls if "100 KB" not in label else args.calls // 10
        before = cache.snapshot()
        figure = median_us(work, calls, args.rounds)
        if counter:  # every call did what its row says (a hit row never measured misses)
            done = int(cache.snapshot()[counter]) - int(before[counter])
            assert done == calls * args.rounds, (label, done)
        print(f"  {label:<28} {figure:7.2f}")
    assert cache.put(KEY, small)
    assert cache.get(KEY) == small

    context = multiprocessing.get_context("fork")
    results: Queue[float] = context.Queue()
    children = [
        context.Process(target=hammer, args=(cache, args.calls, args.rounds, results))
        for _ in range(args.processes)
    ]
    for child in children:
        child.start()
    figures = [results.get(timeout=300) for _ in children]
    for child in children:
        child.join(60)
    exits = [child.exitcode for child in children]
    assert exits == [0] * len(children), exits
    print(
        f"  get, hit, 3 KB, {args.processes} processes at once: "
        + ", ".join(f"{figure:.2f}" for figure in figures)
    )
    counts = cache.snapshot()
    print(f"  lock timeouts: {counts['lock_timeouts']}; hits {counts['hits']}")
    cache.close()


if __name__ == "__main__":
    main()
