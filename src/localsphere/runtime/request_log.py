"""The request log: the last answered requests of every worker of one server, in a ring in shared
memory that the parent makes before it spawns the workers.

A request appends one fixed-size record under an ``flock`` (a few microseconds, no database write,
no thread); readers see every worker's requests in the order they ended. Like the in-flight limits,
it holds for the workers of one machine: servers on several machines sharing one PostgreSQL keep a
log each. Nothing secret goes in: no bodies, no headers, and the faces redact query values.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from localsphere.runtime.shm import Mapped, make_file

SLOT = 1024  # bytes a record may take; longer paths are cut to fit
_HEADER = 16  # the number of records ever appended, and the last one a clear hid
_LENGTH = 4
MAX_PATH = 600


@dataclass(frozen=True)
class Entry:
    at: float  # real time, epoch seconds
    face: str
    method: str
    path: str
    principal: str | None
    status: int  # 0: the connection was dropped without an answer
    duration_ms: float
    fault: str | None = None


class RequestLog:
    """Make it in the parent with the number of requests to keep; it pickles as its file's path."""

    def __init__(self, keep: int, path: str | None = None) -> None:
        if keep < 1:
            raise ValueError("the log must keep at least one request")
        self.keep = keep
        size = _HEADER + keep * SLOT
        self._file = Mapped(path or make_file("localsphere-requests-", size), size, owner=path is None)
        self._map = self._file.map
        self._counts = memoryview(self._map)[:_HEADER].cast("q")
        self._lock = threading.Lock()  # flock does not exclude two threads sharing one open file
        # Opened by path: another process (a worker) shares it, so the file is locked too. A log
        # made here and used here (one worker serving in the server's own process) needs no flock.
        self._shared = path is not None

    def __reduce__(self) -> tuple[Any, ...]:
        return (RequestLog, (self.keep, self._file.path))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if not self._shared:
                yield
                return
            fcntl.flock(self._file.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._file.fd, fcntl.LOCK_UN)

    def append(self, entry: Entry) -> None:
        path = entry.path if len(entry.path) <= MAX_PATH else entry.path[:MAX_PATH] + "..."
        record = orjson.dumps(
            (
                entry.at,
                entry.face,
                entry.method,
                path,
                entry.principal,
                entry.status,
                entry.duration_ms,
                entry.fault,
            )
        )[: SLOT - _LENGTH]
        with self._locked():
            seq = self._counts[0] + 1
            start = _HEADER + (seq - 1) % self.keep * SLOT
            self._map[start : start + _LENGTH] = len(record).to_bytes(_LENGTH, "little")
            self._map[start + _LENGTH : start + _LENGTH + len(record)] = record
            self._counts[0] = seq

    def recent(self, limit: int, after: int = 0) -> list[tuple[int, Entry]]:
        """Up to ``limit`` (sequence number, entry) pairs newer than ``after``, oldest first: the
        newest ones when ``after`` is 0, else the ones that follow it (for following the log)."""
        with self._locked():
            last, hidden = self._counts[0], self._counts[1]
            first = max(after, hidden, last - self.keep) + 1
            seqs = range(first, last + 1)
            seqs = seqs[:limit] if after else seqs[-limit:]
            found = []
            for seq in seqs:
                start = _HEADER + (seq - 1) % self.keep * SLOT
                length = int.from_bytes(self._map[start : start + _LENGTH], "little")
                found.append(
                    (seq, Entry(*orjson.loads(self._map[start + _LENGTH : start + _LENGTH + length])))
                )
        return found

    def clear(self) -> None:
        """Hide everything logged so far; sequence numbers go on, so followers miss nothing new."""
        with self._locked():
            self._counts[1] = self._counts[0]

    def close(self) -> None:
        self._counts.release()
        self._file.close()
