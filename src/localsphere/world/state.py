"""The world-state row as every request reads it (the clock's offset or frozen instant, and the
access stamp), without a database round trip.

Each process keeps a copy of the row while the ``STATE`` generation stays the same and for at most
``max_age`` seconds (``world.copies`` says how generations move). A reader that sees a new
generation reads the row again, after the commit that moved it, so it never keeps an older row
than one a write told it about.

Inside a write transaction, read the row in that transaction instead (``clock.read_state``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from localsphere.world.clock import STATE_ROW, ClockReading
from localsphere.world.store import STATE, Store


@dataclass(frozen=True, slots=True)
class _Copy:
    generation: int
    read_at: float  # time.monotonic()
    offset: float
    frozen_at: float | None
    stamp: int


class WorldState:
    """This process's copy of the world-state row."""

    def __init__(self, store: Store, max_age: float) -> None:
        self._store = store
        self._generation = store.generations[STATE]
        self._max_age = max_age
        self._copy: _Copy | None = None

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
