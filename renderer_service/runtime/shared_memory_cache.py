"""A cache of finished answers in shared memory, one for every server process on the machine.

Several server processes forked from one parent each keep a small in-process LRU; behind it
sits this level, which they all share, so a cat drawn by one process is a hit in every other
one. It needs no server: the parent creates it before forking, and every child uses the object
it inherited, whose memory is the same pages in all of them. Redis stays the level for several
machines.

Layout of the one shared mapping (all words little-endian unsigned 64-bit):

- a header: the lock (64 bytes), the ring's write position and the counters (hits, misses,
  writes, ...), so any process reports the totals of all;
- an index of ``max_entries`` slots, each ``(hash_lo, hash_hi, position, size)``: the key's
  16-byte blake2b digest, the absolute ring position of its newest record and that record's
  size. A key lives in one of a short window of slots after ``hash_lo % slots`` (open
  addressing);
- a data ring written in order. A record is a 32-byte head ``(hash_lo, hash_hi, position,
  value length)`` then the value, padded to 8 bytes. Positions are absolute (they only grow);
  a record that would not fit before the ring's end starts at the next lap instead.

Nothing is ever cleaned up: a record is alive while at most one ring's worth of bytes were
written after its start (later writes overwrote older ones), and an index slot is believed only
if the record it points at carries the same digest and position. Eviction is therefore FIFO, not
LRU: the oldest written record goes first whether or not it was read lately (the in-process LRU
in front of this level keeps what each process reads often). A full probe window pushes out its
oldest slot.

One lock guards every call: a robust, process-shared pthread mutex at the mapping's start
(where the C library has none, a POSIX record lock on the mapping's file). Either is given up
by the system when its holder dies, so a process killed mid-call never wedges the others; a
call that cannot have the lock within ``lock_timeout`` seconds (another process holds it that
long) misses or skips and is counted. A put writes its record, then moves the write position,
then publishes the index slot, so a put cut short leaves at worst an unpublished record or a
slot whose record does not match it: a reader gets a miss, never torn or foreign bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import mmap
import os
import struct
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from hashlib import blake2b
from typing import Any, NoReturn, SupportsIndex

import numpy as np

PROBE_WINDOW = 8
"""Slots a key may live in, from its home slot on; a full window pushes out its oldest."""

RECORD_HEAD = 32
"""Bytes before each value in the ring: digest (16), absolute position (8), value length (8)."""

DEFAULT_LOCK_TIMEOUT = 0.05
"""Seconds a call waits for the lock before it misses (get) or skips (put)."""

# The header: the lock's own bytes, then counter words.
_LOCK_BYTES = 64
_MAGIC = 0
_WRITE_POS = 1
_HITS = 2
_MISSES = 3
_WRITES = 4
_SUPERSEDED = 5
_LOCK_TIMEOUTS = 6
_HEADER_WORDS = 8
_HEADER_BYTES = _LOCK_BYTES + _HEADER_WORDS * 8
_MAGIC_VALUE = 0x6367_3373_686D_0001  # "cg3shm", layout 1
_SLOT_WORDS = 4
_SLOT_BYTES = _SLOT_WORDS * 8

_DIGEST = struct.Struct("<QQ")
_HEAD = struct.Struct("<QQQQ")
_SPIN_TRIES = 64
"""Lock attempts with only a yield between them before sleeping: a holder stays microseconds."""


def _record_size(value_length: int) -> int:
    return (RECORD_HEAD + value_length + 7) & ~7


class SharedMemoryCache:
    """Bytes by key in memory shared by forked processes, at most ``max_entries`` records in
    ``max_bytes`` of ring. ``max_bytes == 0`` or ``max_entries == 0`` disables it: every get
    misses and put stores nothing.

    Create it in the parent before forking; never pickle it (children inherit it). Values
    above ``max_entry_bytes`` (default: and in any case a quarter of the ring, less the record
    head) are refused. ``get`` and ``put`` never raise for a busy or closed cache and never
    wait longer than ``lock_timeout``.
    """

    def __init__(
        self,
        max_bytes: int,
        max_entries: int,
        max_entry_bytes: int | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    ) -> None:
        if max_bytes < 0 or max_entries < 0:
            raise ValueError(
                f"max_bytes and max_entries must be >= 0 (0 disables), "
                f"got {max_bytes} and {max_entries}"
            )
        if max_entry_bytes is not None and max_entry_bytes < 0:
            raise ValueError(f"max_entry_bytes must be >= 0 or None, got {max_entry_bytes}")
        if lock_timeout <= 0:
            raise ValueError(f"lock_timeout must be > 0 seconds, got {lock_timeout}")
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self.lock_timeout = lock_timeout
        self._ring = max_bytes & ~7
        self._slots = max_entries
        self._window = min(PROBE_WINDOW, max_entries)
        self.enabled = self._ring > 0 and self._slots > 0
        largest = max(0, self._ring // 4 - RECORD_HEAD)
        self.max_entry_bytes = largest if max_entry_bytes is None else min(max_entry_bytes, largest)
        self._fd = -1
        self._map: mmap.mmap | None = None
        self.lock_kind = "none"
        if not self.enabled:
            return
        self._index_at = _HEADER_BYTES
        self._data_at = _HEADER_BYTES + self._slots * _SLOT_BYTES
        size = self._data_at + self._ring
        self._fd = _anonymous_file("cg3-shared-cache")
        os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)  # MAP_SHARED: the same pages after fork
        whole = memoryview(self._map)
        self._header = whole[_LOCK_BYTES:_HEADER_BYTES].cast("Q")
        self._index = whole[self._index_at : self._data_at].cast("Q")
        whole.release()
        self._header[_MAGIC] = _MAGIC_VALUE
        api = _robust_mutex_api()
        self._lock: _RobustMutex | _RecordLock
        if api is not None:
            self._lock = _RobustMutex(api, self._map, lock_timeout)
            self.lock_kind = "robust-mutex"
        else:
            self._lock = _RecordLock(self._fd, lock_timeout)
            self.lock_kind = "record-lock"
        self._acquire = self._lock.acquire
        self._release = self._lock.release

    def _timed_out(self) -> None:
        # Counted without the lock (it could not be had): a rare event, a lost increment
        # between two processes timing out at the same instant is harmless.
        self._header[_LOCK_TIMEOUTS] += 1

    @contextlib.contextmanager
    def holding_lock(self) -> Iterator[bool]:
        """Hold the cache's lock for a while (tests and maintenance): yields whether it was had.
        Every other process's calls miss or skip meanwhile."""
        if self._map is None:
            yield False
            return
        had = self._acquire()
        try:
            yield had
        finally:
            if had:
                self._release()

    # -- reads and writes -------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The newest value stored under ``key`` by any process, or None (never stored, pushed
        out, or the lock could not be had in time)."""
        mapping = self._map
        if mapping is None:
            return None
        lo, hi = _DIGEST.unpack(blake2b(key.encode(), digest_size=16).digest())
        if not self._acquire():
            self._timed_out()
            return None
        try:
            header = self._header
            index = self._index
            slots = self._slots
            slot = lo % slots
            for _ in range(self._window):
                base = slot * _SLOT_WORDS
                if index[base] == lo and index[base + 1] == hi:
                    # Believe the slot only if its record is whole (not overwritten by later
                    # records, not cut short) and is this key's own.
                    position = index[base + 2]
                    size = index[base + 3]
                    written = header[_WRITE_POS]
                    if position + size <= written <= position + self._ring:
                        at = self._data_at + position % self._ring
                        head_lo, head_hi, head_position, length = _HEAD.unpack_from(mapping, at)
                        if (
                            head_lo == lo
                            and head_hi == hi
                            and head_position == position
                            and _record_size(length) == size
                        ):
                            header[_HITS] += 1
                            return mapping[at + RECORD_HEAD : at + RECORD_HEAD + length]
                    break
                if index[base + 3] == 0:  # never used: the key was never placed further on
                    break
                slot += 1
                if slot == slots:
                    slot = 0
            header[_MISSES] += 1
            return None
        finally:
            self._release()

    def put(self, key: str, value: bytes) -> bool:
        """Store ``value`` under ``key`` for every process; False when it was not stored
        (disabled, closed, larger than ``max_entry_bytes``, or the lock not had in time), and
        then an older value of the key, if any, stays (keys name their answer: equal keys are
        equal values)."""
        mapping = self._map
        length = len(value)
        if mapping is None or length > self.max_entry_bytes:
            return False
        lo, hi = _DIGEST.unpack(blake2b(key.encode(), digest_size=16).digest())
        size = _record_size(length)
        if not self._acquire():
            self._timed_out()
            return False
        try:
            header = self._header
            ring = self._ring
            position = header[_WRITE_POS]
            offset = position % ring
            if offset + size > ring:  # would not fit before the end: start the next lap
                position += ring - offset
                offset = 0
            at = self._data_at + offset
            mapping[at + RECORD_HEAD : at + RECORD_HEAD + length] = value
            _HEAD.pack_into(mapping, at, lo, hi, position, length)
            written = position + size
            header[_WRITE_POS] = written
            self._publish(lo, hi, position, size, written)
            header[_WRITES] += 1
            return True
        finally:
            self._release()

    def _publish(self, lo: int, hi: int, position: int, size: int, written: int) -> None:
        """Point the key's slot at its new record: its own slot if it has one, else the first
        free or dead slot of its window, else the window's oldest (pushed out)."""
        index = self._index
        slots = self._slots
        ring = self._ring
        slot = lo % slots
        target = -1
        oldest = -1
        oldest_position = -1
        for _ in range(self._window):
            base = slot * _SLOT_WORDS
            if index[base] == lo and index[base + 1] == hi:
                old_position = index[base + 2]
                if index[base + 3] and old_position + ring >= written:
                    self._header[_SUPERSEDED] += 1
                target = base
                break
            if target < 0:
                slot_position = index[base + 2]
                if index[base + 3] == 0 or slot_position + ring < written:
                    target = base
                elif oldest < 0 or slot_position < oldest_position:
                    oldest = base
                    oldest_position = slot_position
            slot += 1
            if slot == slots:
                slot = 0
        if target < 0:
            target = oldest
        index[target + 2] = position
        index[target + 3] = size
        index[target] = lo
        index[target + 1] = hi

    # -- accounting -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, int | bool]:
        """Totals over every process. ``entries`` and ``bytes`` are counted from a copy of the
        index: slots whose record lies within the last ring's worth of writes (``bytes`` is
        their footprint in the ring: value, 32-byte head and padding). ``evictions`` are
        records that left while alive (overwritten in the ring or pushed out of a full probe
        window): every write ends alive, replaced by a newer value of its key, or evicted.
        ``footprint_bytes`` is the shared memory the level takes now: its header and index and
        the ring up to the furthest point ever written. The ring's pages are taken as the first
        lap writes them and kept, so it grows to ``max_bytes`` (and the index) and no further,
        while ``bytes`` may stay far below it (only the records still reachable count there).
        The lock is held only to copy the index (about 32 bytes a slot), not to count."""
        counts: dict[str, int | bool] = {
            "enabled": self.enabled,
            "entries": 0,
            "bytes": 0,
            "max_bytes": self.max_bytes,
            "max_entries": self.max_entries,
            "hits": 0,
            "misses": 0,
            "writes": 0,
            "evictions": 0,
            "lock_timeouts": 0,
            "footprint_bytes": 0,
        }
        if self._map is None:
            return counts
        had = self._acquire()  # without it the figures are still close: read anyway
        if not had:
            self._timed_out()
        try:
            header = self._header
            slots = np.array(self._index, dtype=np.uint64).reshape(-1, _SLOT_WORDS)
            written = header[_WRITE_POS]
            writes = header[_WRITES]
            superseded = header[_SUPERSEDED]
            counts.update(
                hits=header[_HITS], misses=header[_MISSES], lock_timeouts=header[_LOCK_TIMEOUTS]
            )
        finally:
            if had:
                self._release()
        position = slots[:, 2]
        size = slots[:, 3]
        alive = (size > 0) & (position + size <= written) & (position + self._ring >= written)
        entries = int(alive.sum())
        counts.update(
            entries=entries,
            bytes=int(size[alive].sum()),
            writes=writes,
            evictions=max(0, writes - superseded - entries),
            footprint_bytes=self._data_at + min(written, self._ring),
        )
        return counts

    # -- life -------------------------------------------------------------------------------

    def close(self) -> None:
        """Release this process's view of the mapping; others keep theirs. Later calls miss."""
        mapping = self._map
        if mapping is None:
            return
        self._map = None
        self._header.release()
        self._index.release()
        mapping.close()
        os.close(self._fd)
        self._fd = -1

    def __reduce_ex__(self, protocol: SupportsIndex) -> NoReturn:
        raise TypeError(
            "SharedMemoryCache cannot be pickled: create it in the parent before forking and "
            "let each child use the object it inherits"
        )


def _anonymous_file(name: str) -> int:
    """A file with no name on disk to back the mapping (and carry the record lock)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create(name)
    handle, path = tempfile.mkstemp(prefix=name)
    os.unlink(path)
    return handle


# -- locks -------------------------------------------------------------------------------------


class _MutexApi:
    """The C library's process-shared robust mutexes, through ctypes."""

    def __init__(self, libc: ctypes.CDLL) -> None:
        address = [ctypes.c_void_p]
        self.attr_init = libc.pthread_mutexattr_init
        self.set_pshared = libc.pthread_mutexattr_setpshared
        self.set_robust = libc.pthread_mutexattr_setrobust
        self.init = libc.pthread_mutex_init
        self.trylock = libc.pthread_mutex_trylock
        self.unlock = libc.pthread_mutex_unlock
        self.consistent = libc.pthread_mutex_consistent
        self.clocklock: Any = getattr(libc, "pthread_mutex_clocklock", None)
        self.timedlock = libc.pthread_mutex_timedlock
        for function in (self.trylock, self.unlock, self.consistent):
            function.argtypes = address
            function.restype = ctypes.c_int
        self.timedlock.restype = ctypes.c_int
        if self.clocklock is not None:
            self.clocklock.restype = ctypes.c_int


class _Timespec(ctypes.Structure):
    _fields_ = (("seconds", ctypes.c_long), ("nanoseconds", ctypes.c_long))


_PTHREAD_PROCESS_SHARED = 1
_PTHREAD_MUTEX_ROBUST = 1
_api: list[_MutexApi | None] = []


def _robust_mutex_api() -> _MutexApi | None:
    """The robust-mutex functions if this C library has them (glibc and musl do), else None."""
    if not _api:
        api: _MutexApi | None = None
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                api = _MutexApi(ctypes.CDLL(None))
        _api.append(api)
    return _api[0]


class _RobustMutex:
    """A pthread mutex in the mapping, shared between processes and robust: when its holder
    dies the next locker gets it with EOWNERDEAD and marks it consistent (a put cut short
    leaves nothing a reader would believe, see the module's notes). Threads of one process
    exclude each other too. Uncontended, a lock and an unlock are two ctypes calls; a waiter
    sleeps in the kernel (the call releases the GIL) until the holder unlocks or time is up."""

    def __init__(self, api: _MutexApi, mapping: mmap.mmap, timeout: float) -> None:
        self._api = api
        self._timeout = timeout
        view = (ctypes.c_char * _LOCK_BYTES).from_buffer(mapping)
        self._address = ctypes.addressof(view)
        del view  # keep only the address: the mapping must stay closable
        attributes = ctypes.create_string_buffer(64)  # pthread_mutexattr_t is 4-8 bytes
        for status in (
            api.attr_init(attributes),
            api.set_pshared(attributes, _PTHREAD_PROCESS_SHARED),
            api.set_robust(attributes, _PTHREAD_MUTEX_ROBUST),
            api.init(ctypes.c_void_p(self._address), attributes),
        ):
            if status:
                raise OSError(status, f"shared cache lock: {os.strerror(status)}")

    def acquire(self) -> bool:
        status = self._api.trylock(self._address)
        if status == errno.EBUSY:
            status = self._wait()
        if status == 0:
            return True
        if status == errno.EOWNERDEAD:  # its holder died: the lock is ours
            self._api.consistent(self._address)
            return True
        return False  # ETIMEDOUT (or, never expected, ENOTRECOVERABLE)

    def _wait(self) -> int:
        api = self._api
        if api.clocklock is not None:
            clock, now = time.CLOCK_MONOTONIC, time.monotonic()
        else:
            clock, now = time.CLOCK_REALTIME, time.time()
        until = now + self._timeout
        deadline = _Timespec(int(until), int((until % 1) * 1e9))
        if api.clocklock is not None:
            return int(api.clocklock(ctypes.c_void_p(self._address), clock, ctypes.byref(deadline)))
        return int(api.timedlock(ctypes.c_void_p(self._address), ctypes.byref(deadline)))

    def release(self) -> None:
        self._api.unlock(self._address)


class _RecordLock:
    """Where the C library has no robust mutexes: a POSIX record lock on the mapping's file,
    which the kernel drops when its holder dies, plus a thread lock (record locks do not
    exclude threads of one process). A waiter polls, yielding then sleeping, until the
    deadline."""

    def __init__(self, fd: int, timeout: float) -> None:
        self._fd = fd
        self._timeout = timeout
        self._thread_lock = threading.Lock()
        # A child inherits the thread lock in whatever state a parent's thread left it.
        ref = weakref.ref(self)

        def fresh_thread_lock() -> None:
            lock = ref()
            if lock is not None:
                lock._thread_lock = threading.Lock()

        os.register_at_fork(after_in_child=fresh_thread_lock)

    def acquire(self) -> bool:
        thread_lock = self._thread_lock
        deadline = 0.0
        if not thread_lock.acquire(False):
            deadline = time.monotonic() + self._timeout
            if not thread_lock.acquire(timeout=self._timeout):
                return False
        fd = self._fd
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
            return True
        except OSError:
            pass
        if not deadline:
            deadline = time.monotonic() + self._timeout
        tries = 0
        pause = 0.0001
        while True:
            tries += 1
            if tries < _SPIN_TRIES:
                os.sched_yield()
            else:
                time.sleep(pause)
                pause = min(pause * 2, 0.002)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
                return True
            except OSError:
                if time.monotonic() >= deadline:
                    thread_lock.release()
                    return False

    def release(self) -> None:
        fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, 0)
        self._thread_lock.release()
