"""Requests in flight, limited for the whole server and per client address, as VCF Operations'
suite-api does (at most 300 at once, at most 50 from one address; beyond that it answers 429).

The counts must hold across worker processes, so they live in a small table in shared memory that
the parent makes before it spawns the workers:

* The table has one column per worker, and each worker writes only its own column. The whole-server
  count is the sum of the column cells of the global row; an address's count is the sum of the
  cells of its slot's row. When a worker dies, the supervisor zeroes its column (``reclaim``) before
  it starts the replacement, so requests the dead worker had in flight do not stay counted forever.
* The two limits sit in two more cells after the table, so that changing them (a scenario may) takes
  effect in every worker at once.
* Addresses are spread over a fixed number of slots by a hash keyed with a random per-server key,
  so clients cannot choose addresses that collide. Colliding addresses share a slot and so share
  the per-address limit: a collision only ever makes the limit stricter, never looser.
* Checking and incrementing is atomic across processes under an exclusive ``flock`` on the table's
  file. The kernel drops that lock when its holder dies, so a worker killed mid-update cannot stall
  the others; a ``multiprocessing`` lock held by a killed process would stay held, blocking every
  worker's event loop. The critical section is a few integer operations, so the event loop waits
  on it for microseconds at most. A ``threading`` lock orders the callers within one process,
  since ``flock`` does not exclude two threads that share one open file.

POSIX only, like the rest of the server (fcntl, shared listening sockets, signal handlers).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import secrets
import threading
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from localsphere.runtime.shm import Mapped, make_file

DEFAULT_SLOTS = 4096
_CELL = 8  # one signed 64-bit count per cell


@dataclass(frozen=True)
class _Shape:
    """What every process needs to open and read the table; it travels to workers when pickled."""

    path: str
    key: bytes
    workers: int
    slots: int

    @property
    def limits_at(self) -> int:
        """The cell of the whole-server limit; the per-address limit is the next one."""
        return (self.slots + 1) * self.workers

    @property
    def size(self) -> int:
        return (self.limits_at + 2) * _CELL


class _Table:
    """One process's handle on the shared file: its descriptor (for ``flock``) and its cells."""

    def __init__(self, path: str, size: int, owner: bool = False) -> None:
        self.file = Mapped(path, size, owner)
        self.fd = self.file.fd
        self.cells = memoryview(self.file.map).cast("q")
        self.thread_lock = threading.Lock()

    def close(self) -> None:
        self.cells.release()
        self.file.close()


class InFlightCounters:
    """Requests in flight for one server, shared by its worker processes.

    Make it in the parent before spawning workers; give worker ``i`` the view ``counters.worker(i)``
    as an argument of its ``Process`` (a view pickles as the table's shape and opens the file in the
    worker). The instance the parent made is itself worker 0's view, for the single-process server.
    Call ``reclaim(i)`` when worker ``i`` has died and before starting its replacement, and
    ``close()`` in the parent when the server stops (it removes the file).
    """

    def __init__(
        self, max_total: int, max_per_address: int, workers: int = 1, slots: int = DEFAULT_SLOTS
    ) -> None:
        if min(max_total, max_per_address, workers, slots) < 1:
            raise ValueError("limits, workers and slots must be at least 1")
        shape = _Shape("", secrets.token_bytes(16), workers, slots)
        shape = dataclasses.replace(shape, path=make_file("localsphere-inflight-", shape.size))
        self._init(shape, _Table(shape.path, shape.size, owner=True), 0)
        self.set_limits(max_total, max_per_address)

    def _init(self, shape: _Shape, table: _Table, column: int) -> None:
        self._shape = shape
        self._table = table
        self.column = column
        self.workers = shape.workers
        self.slots = shape.slots

    @classmethod
    def _view(cls, shape: _Shape, table: _Table | None, column: int) -> InFlightCounters:
        """Worker ``column``'s view on ``table``, or on a handle opened here when there is none."""
        view = cls.__new__(cls)
        view._init(shape, table or _Table(shape.path, shape.size), column)
        return view

    def __reduce__(self) -> tuple[Any, ...]:
        return (InFlightCounters._view, (self._shape, None, self.column))

    def worker(self, index: int) -> InFlightCounters:
        """Worker ``index``'s view, sharing this process's handle until it is pickled to the worker."""
        self._check_worker(index)
        return InFlightCounters._view(self._shape, self._table, index)

    def _check_worker(self, index: int) -> None:
        if not 0 <= index < self.workers:
            raise ValueError(f"worker index {index} is not in 0..{self.workers - 1}")

    @property
    def limits(self) -> tuple[int, int]:
        """The whole-server and per-address limits in force."""
        at = self._shape.limits_at
        return self._table.cells[at], self._table.cells[at + 1]

    def set_limits(self, max_total: int, max_per_address: int) -> None:
        """Change the limits for every worker at once (a scenario may set them)."""
        if min(max_total, max_per_address) < 1:
            raise ValueError("limits must be at least 1")
        at = self._shape.limits_at
        with self._table.thread_lock:
            fcntl.flock(self._table.fd, fcntl.LOCK_EX)
            try:
                self._table.cells[at], self._table.cells[at + 1] = max_total, max_per_address
            finally:
                fcntl.flock(self._table.fd, fcntl.LOCK_UN)

    def slot(self, address: str) -> int:
        """The row that counts ``address``'s requests."""
        digest = hashlib.blake2b(address.encode(), key=self._shape.key, digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.slots

    def try_enter(self, address: str) -> bool:
        """Count one more request from ``address`` if both limits allow it; else change nothing."""
        row = self.slot(address) * self.workers
        total = self.slots * self.workers
        table = self._table
        cells = table.cells
        with table.thread_lock:
            fcntl.flock(table.fd, fcntl.LOCK_EX)
            try:
                limits = self._shape.limits_at
                if (
                    sum(cells[total : total + self.workers]) >= cells[limits]
                    or sum(cells[row : row + self.workers]) >= cells[limits + 1]
                ):
                    return False
                cells[total + self.column] += 1
                cells[row + self.column] += 1
                return True
            finally:
                fcntl.flock(table.fd, fcntl.LOCK_UN)

    def leave(self, address: str) -> None:
        """Count one request from ``address`` less (never below zero); pair it with a ``try_enter``
        that returned True in this same worker. Only this worker writes its column, but the lock
        still makes other workers see both counts change together."""
        row = self.slot(address) * self.workers + self.column
        total = self.slots * self.workers + self.column
        table = self._table
        cells = table.cells
        with table.thread_lock:
            fcntl.flock(table.fd, fcntl.LOCK_EX)
            try:
                if cells[total] > 0:
                    cells[total] -= 1
                if cells[row] > 0:
                    cells[row] -= 1
            finally:
                fcntl.flock(table.fd, fcntl.LOCK_UN)

    def in_flight(self, address: str | None = None) -> int:
        """Requests in flight on the whole server, or counted in ``address``'s slot (a snapshot)."""
        row = (self.slots if address is None else self.slot(address)) * self.workers
        return sum(self._table.cells[row : row + self.workers])

    def reclaim(self, index: int) -> None:
        """Forget worker ``index``'s requests: call it once that worker is dead, before its
        replacement starts, so what it had in flight stops counting against the limits."""
        self._check_worker(index)
        table = self._table
        with table.thread_lock:
            fcntl.flock(table.fd, fcntl.LOCK_EX)
            try:
                table.cells[index : self._shape.limits_at : self.workers] = array("q", [0]) * (self.slots + 1)
            finally:
                fcntl.flock(table.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Drop this process's mapping; the parent's instance also removes the file. Views made
        with ``worker`` in this process share the mapping and must not be used after."""
        self._table.close()


Reject = Callable[[Scope], Awaitable[Response]]


class InFlightLimit:
    """ASGI middleware admitting an HTTP request only while the server and its client's address are
    under their in-flight limits; else it answers with the face's own error from ``reject``.

    A request is in flight until the app returns, which includes streaming the response. The client
    address is the connection's peer: X-Forwarded-For is whatever the client says, so it is ignored.
    Requests without a peer address (a Unix socket) share one count.
    """

    def __init__(self, app: ASGIApp, counters: InFlightCounters, reject: Reject) -> None:
        self.app = app
        self.counters = counters
        self.reject = reject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else ""
        if not self.counters.try_enter(address):
            response = await self.reject(scope)
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.counters.leave(address)
