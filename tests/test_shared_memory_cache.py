"""The shared-memory cache: what one process stores every forked process reads, a reader never
gets bytes that are not the newest value of its own key, and a dead or stuck process never
wedges the others."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer_service.runtime import shared_memory_cache as module
from renderer_service.runtime.shared_memory_cache import RECORD_HEAD, SharedMemoryCache

FORK = multiprocessing.get_context("fork")
JOIN_SECONDS = 10.0

LOCK_KINDS = ["robust-mutex", "record-lock"]


@pytest.fixture(params=LOCK_KINDS)
def lock_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every behaviour holds with either lock: the robust mutex (Linux C libraries) and the
    record lock used where there is none."""
    kind = str(request.param)
    if kind == "record-lock":
        monkeypatch.setattr(module, "_robust_mutex_api", lambda: None)
    elif module._robust_mutex_api() is None:
        pytest.skip("this C library has no robust mutexes")
    return kind


@pytest.fixture
def make(lock_kind: str) -> Iterator[Any]:
    made: list[SharedMemoryCache] = []

    def build(max_bytes: int = 1 << 16, max_entries: int = 64, **options: Any) -> Any:
        cache = SharedMemoryCache(max_bytes, max_entries, **options)
        if cache.enabled:
            assert cache.lock_kind == lock_kind
        made.append(cache)
        return cache

    yield build
    for cache in made:
        cache.close()


def record(length: int) -> int:
    """A value's footprint in the ring."""
    return (RECORD_HEAD + length + 7) & ~7


def run(target: Any, *args: Any) -> int:
    """Run ``target(*args)`` in a forked child and give its exit status (0: no exception)."""
    child = FORK.Process(target=target, args=args)
    child.start()
    child.join(JOIN_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail("a child did not finish in time")
    assert child.exitcode is not None
    return child.exitcode


# -- one process -------------------------------------------------------------------------------


def test_put_then_get_returns_the_value(make: Any) -> None:
    cache = make()
    value = os.urandom(3000)
    assert cache.put('"3f2a00112233445566778899"', value) is True
    assert cache.get('"3f2a00112233445566778899"') == value


def test_an_empty_value_round_trips(make: Any) -> None:
    cache = make()
    assert cache.put("empty", b"") is True
    assert cache.get("empty") == b""


def test_unknown_key_misses(make: Any) -> None:
    cache = make()
    cache.put("known", b"value")
    assert cache.get("unknown") is None
    assert cache.snapshot()["misses"] == 1


def test_overwriting_a_key_returns_the_newest_value(make: Any) -> None:
    cache = make()
    for version in range(5):
        cache.put("cat", f"version {version}".encode())
    assert cache.get("cat") == b"version 4"
    counts = cache.snapshot()
    assert counts["entries"] == 1
    assert counts["writes"] == 5
    assert counts["evictions"] == 0  # replaced by a newer value is not evicted


def test_values_above_max_entry_bytes_are_refused(make: Any) -> None:
    cache = make(max_bytes=1 << 16, max_entry_bytes=1000)
    assert cache.put("fits", b"x" * 1000) is True
    assert cache.put("too big", b"x" * 1001) is False
    assert cache.get("too big") is None
    assert cache.snapshot()["writes"] == 1


def test_values_above_a_quarter_of_the_ring_are_refused(make: Any) -> None:
    cache = make(max_bytes=4096, max_entry_bytes=10_000)
    assert cache.max_entry_bytes == 4096 // 4 - RECORD_HEAD
    assert cache.put("quarter", b"x" * (1024 - RECORD_HEAD)) is True
    assert cache.put("more", b"x" * (1024 - RECORD_HEAD + 1)) is False


def test_filling_past_the_ring_evicts_the_oldest_first(make: Any) -> None:
    ring = 8 * record(1000)
    cache = make(max_bytes=ring, max_entries=1024)
    for number in range(30):
        assert cache.put(f"cat {number}", bytes([number]) * 1000)
    present = [number for number in range(30) if cache.get(f"cat {number}") is not None]
    # Oldest written goes first: what is left is the newest run, and a whole ring's worth.
    assert present == list(range(22, 30))
    for number in present:
        assert cache.get(f"cat {number}") == bytes([number]) * 1000
    counts = cache.snapshot()
    assert counts["entries"] == 8
    assert counts["evictions"] == 22
    assert counts["bytes"] == 8 * record(1000) <= ring


def test_reading_does_not_keep_an_old_entry_first_in_first_out(make: Any) -> None:
    cache = make(max_bytes=4 * record(1000), max_entries=64)
    cache.put("first", b"a" * 1000)
    for number in range(4):
        assert cache.get("first") is not None or number > 0
        cache.put(f"later {number}", b"b" * 1000)
    assert cache.get("first") is None


def test_a_record_that_would_not_fit_before_the_ring_end_starts_the_next_lap(make: Any) -> None:
    # Four 1,000-byte records (1,032 in the ring) fill 4,128 of a 4,400-byte lap: the fifth
    # does not fit in the 272 left, starts the next lap at its start and overwrites the first.
    cache = make(max_bytes=4400, max_entries=64)
    values = {f"cat {number}": bytes([65 + number]) * 1000 for number in range(5)}
    for key, value in values.items():
        assert cache.put(key, value)
    assert cache.get("cat 0") is None
    for number in range(1, 5):
        assert cache.get(f"cat {number}") == values[f"cat {number}"]
    assert cache.snapshot()["entries"] == 4
    for lap in range(40):  # many laps later every record read back is whole
        length = 300 + 37 * lap % 700
        cache.put("lap", bytes([lap]) * length)
        assert cache.get("lap") == bytes([lap]) * length


def test_entries_never_exceed_max_entries(make: Any) -> None:
    cache = make(max_bytes=1 << 20, max_entries=10)
    for number in range(200):
        assert cache.put(f"key {number}", b"v" * 10)
        assert cache.snapshot()["entries"] <= 10
    counts = cache.snapshot()
    assert counts["evictions"] == 200 - counts["entries"]
    assert sum(cache.get(f"key {number}") is not None for number in range(200)) <= 10
    assert cache.get("key 199") == b"v" * 10  # the newest always made it


def test_a_slot_pointing_at_another_keys_record_reads_as_a_miss(make: Any) -> None:
    # What a put cut short between its index words could leave: the slot's digest is one
    # key's, its position another record's.
    cache = make(max_entries=1)
    cache.put("one", b"1" * 100)
    first_position = cache._index[2]
    cache.put("two", b"2" * 100)
    assert cache.get("two") == b"2" * 100
    cache._index[2] = first_position
    assert cache.get("two") is None
    assert cache.get("one") is None


def test_a_record_published_before_it_was_finished_reads_as_a_miss(make: Any) -> None:
    # A slot written but the write position not moved past its record: never believed.
    cache = make()
    cache.put("cat", b"c" * 100)
    written = cache._header[module._WRITE_POS]
    cache._header[module._WRITE_POS] = written - 8
    assert cache.get("cat") is None
    cache._header[module._WRITE_POS] = written
    assert cache.get("cat") == b"c" * 100


model_operations = st.lists(
    st.tuples(st.sampled_from(["put", "get"]), st.integers(0, 11), st.integers(0, 700)),
    max_size=120,
)


@settings(max_examples=60, deadline=None)
@given(operations=model_operations)
def test_a_get_misses_or_returns_the_newest_value_of_its_own_key(
    operations: list[tuple[str, int, int]],
) -> None:
    for max_bytes, max_entries in ((2048, 8), (4096, 5)):
        cache = SharedMemoryCache(max_bytes, max_entries)
        model: dict[str, bytes] = {}
        gets = stored = 0
        try:
            for version, (operation, number, length) in enumerate(operations):
                key = f"key {number}"
                if operation == "put":
                    value = f"{key}|{version}|".encode() + bytes([version % 256]) * length
                    if cache.put(key, value):
                        stored += 1
                        model[key] = value
                        assert cache.get(key) == value  # the newest write is always readable
                        gets += 1
                    else:
                        # Refused for its size: whatever the key held before stays.
                        assert len(value) > cache.max_entry_bytes
                else:
                    got = cache.get(key)
                    gets += 1
                    assert got is None or got == model.get(key)
            counts = cache.snapshot()
            assert counts["hits"] + counts["misses"] == gets
            assert counts["writes"] == stored
            assert counts["entries"] <= max_entries
            assert counts["bytes"] <= max_bytes
            assert counts["evictions"] >= 0
        finally:
            cache.close()


@pytest.mark.parametrize(("max_bytes", "max_entries"), [(0, 10), (1 << 16, 0)])
def test_a_zero_limit_disables_the_cache(max_bytes: int, max_entries: int) -> None:
    cache = SharedMemoryCache(max_bytes, max_entries)
    assert cache.enabled is False
    assert cache.put("cat", b"value") is False
    assert cache.get("cat") is None
    counts = cache.snapshot()
    assert counts["enabled"] is False
    assert counts["entries"] == counts["writes"] == counts["hits"] == 0


def test_negative_limits_are_refused_naming_them() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        SharedMemoryCache(1024, -1)


def test_a_closed_cache_misses_and_stores_nothing(make: Any) -> None:
    cache = make()
    cache.put("cat", b"value")
    cache.close()
    assert cache.get("cat") is None
    assert cache.put("cat", b"value") is False
    cache.close()  # twice is harmless


def test_pickling_is_refused_with_a_clear_message(make: Any) -> None:
    with pytest.raises(TypeError, match="inherit"):
        pickle.dumps(make())


def test_threads_of_one_process_never_read_foreign_bytes(make: Any) -> None:
    cache = make(max_bytes=8192, max_entries=16)
    wrong: list[tuple[str, bytes]] = []

    def work(worker: int) -> None:
        for round_ in range(300):
            key = f"key {round_ % 7}"
            cache.put(key, key.encode() * (1 + (round_ * worker) % 40))
            asked = f"key {(round_ + worker) % 7}".encode()
            got = cache.get(asked.decode())
            if got is not None and got != asked * (len(got) // len(asked)):
                wrong.append((asked.decode(), got))

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(1, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not wrong


# -- forked processes --------------------------------------------------------------------------


def put_in_child(cache: SharedMemoryCache, key: str, value: bytes) -> None:
    assert cache.put(key, value)


def expect_in_child(cache: SharedMemoryCache, key: str, value: bytes) -> None:
    assert cache.get(key) == value


def test_a_value_written_by_a_forked_child_is_read_by_the_parent_and_another_child(
    make: Any,
) -> None:
    cache = make()
    value = os.urandom(3000)
    assert run(put_in_child, cache, "from a child", value) == 0
    assert cache.get("from a child") == value
    assert run(expect_in_child, cache, "from a child", value) == 0
    assert run(expect_in_child, cache, "from a child", b"something else") != 0  # can fail


def busy_child(cache: SharedMemoryCache, worker: int) -> None:
    for number in range(50):
        cache.put(f"child {worker} cat {number}", b"v" * 500)
    for number in range(50):
        assert cache.get(f"child {worker} cat {number}") == b"v" * 500
    for number in range(20):
        assert cache.get(f"nobody {worker} {number}") is None


def test_counters_add_up_across_processes(make: Any) -> None:
    cache = make(max_bytes=1 << 20, max_entries=1024)
    children = [FORK.Process(target=busy_child, args=(cache, worker)) for worker in range(3)]
    for child in children:
        child.start()
    for child in children:
        child.join(JOIN_SECONDS)
    assert [child.exitcode for child in children] == [0, 0, 0]
    counts = cache.snapshot()
    assert counts["writes"] == 150
    assert counts["hits"] == 150
    assert counts["misses"] == 60
    assert counts["entries"] == 150
    assert counts["bytes"] == 150 * record(500)
    assert counts["evictions"] == 0
    assert counts["lock_timeouts"] == 0


def hold_lock_until_killed(cache: SharedMemoryCache, ready: Connection) -> None:
    with cache.holding_lock() as had:
        ready.send(had)
        time.sleep(JOIN_SECONDS)


def test_a_child_killed_holding_the_lock_does_not_hang_the_others(make: Any) -> None:
    cache = make(lock_timeout=0.05)
    cache.put("cat", b"value")
    receive, send = FORK.Pipe(duplex=False)
    child = FORK.Process(target=hold_lock_until_killed, args=(cache, send))
    child.start()
    try:
        assert receive.poll(JOIN_SECONDS)
        assert receive.recv() is True
        began = time.monotonic()
        assert cache.get("cat") is None  # the holder is alive: miss rather than wait
        assert cache.put("dog", b"value") is False
        assert time.monotonic() - began < 2.0  # bounded by the lock timeout, not the holder
        assert cache.snapshot()["lock_timeouts"] >= 2
    finally:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(JOIN_SECONDS)
    assert child.exitcode == -signal.SIGKILL
    # The system gave the dead holder's lock up: the cache works again at once.
    assert cache.get("cat") == b"value"
    assert cache.put("dog", b"woof") is True
    assert cache.get("dog") == b"woof"


def die_mid_put(cache: SharedMemoryCache) -> None:
    """A put cut short after its record's head and half its value, before the write position
    moved: the way the real put orders its steps, stopped by SIGKILL."""
    with cache.holding_lock():
        at = cache._data_at + cache._header[module._WRITE_POS] % cache._ring
        position = cache._header[module._WRITE_POS]
        lo, hi = module._DIGEST.unpack(module.blake2b(b"cat", digest_size=16).digest())
        module._HEAD.pack_into(cache._map, at, lo, hi, position, 1000)
        cache._map[at + RECORD_HEAD : at + RECORD_HEAD + 500] = b"torn" * 125
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_put_killed_midway_leaves_nothing_a_reader_believes(make: Any) -> None:
    cache = make()
    cache.put("cat", b"whole")
    assert run(die_mid_put, cache) == -signal.SIGKILL
    assert cache.get("cat") == b"whole"
    assert cache.put("dog", b"d" * 800)
    assert cache.get("dog") == b"d" * 800
    assert cache.get("cat") == b"whole"


def test_footprint_grows_with_the_first_lap_of_the_ring_and_then_stays(make: Any) -> None:
    cache = make(max_bytes=1 << 14, max_entries=8)
    index_and_header = cache.snapshot()["footprint_bytes"]
    assert index_and_header == module._HEADER_BYTES + 8 * module._SLOT_BYTES
    cache.put("one", b"v" * 1000)
    cache.put("two", b"v" * 1000)
    assert cache.snapshot()["footprint_bytes"] == index_and_header + 2 * record(1000)
    for number in range(100):  # several laps of a 16 KiB ring
        cache.put(f"cat {number}", b"v" * 1000)
    counts = cache.snapshot()
    assert counts["footprint_bytes"] == index_and_header + (1 << 14)
    # What is still reachable is far less than what the ring's pages take.
    assert counts["bytes"] <= 8 * record(1000) < counts["footprint_bytes"]


def test_a_disabled_cache_takes_no_memory(make: Any) -> None:
    assert make(max_bytes=0, max_entries=8).snapshot()["footprint_bytes"] == 0
