"""The world-state row as every request reads it (the clock's offset or frozen instant, and the
access stamp), without a database round trip.

Each process keeps a copy of the row, valid while a *state generation* stays the same: a number
that the workers of one server share in memory (``runtime.generation``), which the store bumps
right after it commits a transaction that changed the row (``store.changed``), and which a server
on PostgreSQL also bumps when it hears another server's change (``world.changes``). A reader that
sees a new generation reads the row again, after that commit, so it never keeps an older row than
one a write told it about. A copy is also read again once it is ``max_age`` old, for changes
nobody said: the ``localsphere`` CLI working on the database directly, or another server's while
the notifications' connection was down.

Inside a write transaction, read the row in that transaction instead (``clock.read_state``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from localsphere.world.clock import STATE_ROW, ClockReading
from localsphere.world.store import STATE, Store


class Generation(Protocol):
    """A number every worker of the server reads for nothing and any may bump."""

    @property
    def value(self) -> int: ...

    def bump(self) -> None: ...


class LocalGeneration:
    """The generation of a process that shares its world with no other worker."""

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


@dataclass(frozen=True, slots=True)
class _Copy:
    generation: int
    read_at: float  # time.monotonic()
    offset: float
    frozen_at: float | None
    stamp: int


class WorldState:
    """This process's copy of the world-state row, read again when the generation moves or the
    copy is ``max_age`` seconds old."""

    def __init__(self, store: Store, generation: Generation, max_age: float) -> None:
        self._store = store
        self._generation = generation
        self._max_age = max_age
        self._copy: _Copy | None = None
        store.on_change(STATE, self._changed)

    def reading(self) -> ClockReading:
        """The time and the access stamp, from the copy while it is current."""
        copy = self._copy
        generation = self._generation.value
        if copy is None or copy.generation != generation or time.monotonic() - copy.read_at > self._max_age:
            copy = self._read(generation)
        if copy.frozen_at is not None:
            return ClockReading(copy.frozen_at, True, copy.stamp)
        return ClockReading(time.time() + copy.offset, False, copy.stamp)

    def _read(self, generation: int) -> _Copy:
        with self._store.query() as conn:
            row = conn.execute(STATE_ROW).first()
        if row is None:  # a world not yet seeded
            copy = _Copy(generation, time.monotonic(), 0.0, None, 0)
        else:
            offset, frozen_at, stamp = row
            copy = _Copy(generation, time.monotonic(), offset, frozen_at, stamp)
        self._copy = copy
        return copy

    def _changed(self) -> None:
        """After a commit that changed the row (``store.changed``): this process and, through
        the generation, every worker read it again."""
        self._copy = None
        self._generation.bump()
