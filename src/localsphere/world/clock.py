"""The world's time: real time plus an offset, or frozen at an instant.

Its state is the world-state row in the store, so every worker agrees on what time it is;
everything that expires or ages asks ``now()`` here and never the system clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.errors import Invalid
from localsphere.world.schema import WorldState
from localsphere.world.store import STATE, Store, changed

STATE_ROW = select(WorldState.clock_offset, WorldState.clock_frozen_at, WorldState.access_stamp).where(
    WorldState.id == 1
)


LATEST = 253402300799.0  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class ClockReading:
    """The time, whether it is frozen, and the access stamp read in the same breath."""

    now: float
    frozen: bool
    stamp: int


def read_state(db: Session | Connection) -> ClockReading:
    row = db.execute(STATE_ROW).first()
    if row is None:  # a world not yet seeded
        return ClockReading(time.time(), False, 0)
    offset, frozen_at, stamp = row
    if frozen_at is not None:
        return ClockReading(frozen_at, True, stamp)
    return ClockReading(time.time() + offset, False, stamp)


class Clock:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._moved: list[Callable[[], object]] = []

    def on_moved(self, listener: Callable[[], object]) -> None:
        """``listener`` runs after each move of the clock on (``advance``), in its own
        transaction: what falls due with the new time (lease ends, ``lease_expiry.py``)."""
        self._moved.append(listener)

    def now(self, session: Session | Connection) -> float:
        """Epoch seconds in world time, read in the caller's transaction."""
        return read_state(session).now

    def reading(self) -> ClockReading:
        with self._store.query() as conn:
            return read_state(conn)

    def freeze(self) -> ClockReading:
        with self._store.write() as s:
            now = read_state(s).now
            s.execute(update(WorldState).where(WorldState.id == 1).values(clock_frozen_at=now))
            changed(s, STATE)
            return read_state(s)

    def advance(self, seconds: float) -> ClockReading:
        """Move the world's time on; refused (Invalid) past the year 9999, where no product's
        timestamps go."""
        with self._store.write() as s:
            reading = read_state(s)
            if not 0 <= seconds <= LATEST - reading.now:
                raise Invalid(
                    "clock.range", f"The clock can move on at most {LATEST - reading.now:.0f} seconds"
                )
            if reading.frozen:
                change = {"clock_frozen_at": WorldState.clock_frozen_at + seconds}
            else:
                change = {"clock_offset": WorldState.clock_offset + seconds}
            s.execute(update(WorldState).where(WorldState.id == 1).values(**change))
            changed(s, STATE)
            reading = read_state(s)
        for listener in self._moved:
            listener()
        return reading

    def real(self) -> ClockReading:
        with self._store.write() as s:
            s.execute(
                update(WorldState).where(WorldState.id == 1).values(clock_offset=0.0, clock_frozen_at=None)
            )
            changed(s, STATE)
            return read_state(s)
