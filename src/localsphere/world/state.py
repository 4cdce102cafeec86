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
from localsphere.world.copies import Copies
from localsphere.world.store import STATE, Store


@dataclass(frozen=True, slots=True)
class _Row:
    offset: float
    frozen_at: float | None
    stamp: int


class WorldState:
    """This process's copy of the world-state row."""

    def __init__(self, store: Store, max_age: float) -> None:
        self._store = store
        self._copy: Copies[None, _Row] = Copies(store.generations[STATE], max_age, limit=1)

    def reading(self) -> ClockReading:
        """The time and the access stamp, from the copy while it is current."""
        row = self._copy.kept(None, self._read)
        if row.frozen_at is not None:
            return ClockReading(row.frozen_at, True, row.stamp)
        return ClockReading(time.time() + row.offset, False, row.stamp)

    def _read(self) -> _Row:
        with self._store.query() as conn:
            row = conn.execute(STATE_ROW).first()
        return _Row(0.0, None, 0) if row is None else _Row(*row)  # None: a world not yet seeded
