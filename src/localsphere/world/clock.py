"""The world's time: real time plus an offset, or frozen at an instant.

Its state is a row in the store, so every worker agrees on what time it is; everything that
expires or ages asks ``now()`` here and never the system clock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from localsphere.world.schema import ClockState
from localsphere.world.store import Store


@dataclass(frozen=True)
class ClockReading:
    now: float
    frozen: bool


class Clock:
    def __init__(self, store: Store) -> None:
        self._store = store

    def now(self, session: Session | None = None) -> float:
        """Epoch seconds in world time; reads through ``session`` when inside a transaction."""
        if session is not None:
            return self._read(session).now
        with self._store.read() as s:
            return self._read(s).now

    def reading(self) -> ClockReading:
        with self._store.read() as s:
            return self._read(s)

    def freeze(self) -> ClockReading:
        with self._store.write() as s:
            row = self._row(s)
            if row.frozen_at is None:
                row.frozen_at = time.time() + row.offset
            return self._read(s)

    def advance(self, seconds: float) -> ClockReading:
        with self._store.write() as s:
            row = self._row(s)
            if row.frozen_at is None:
                row.offset += seconds
            else:
                row.frozen_at += seconds
            return self._read(s)

    def real(self) -> ClockReading:
        with self._store.write() as s:
            row = self._row(s)
            row.offset, row.frozen_at = 0.0, None
            return self._read(s)

    @staticmethod
    def _row(session: Session) -> ClockState:
        row = session.get(ClockState, 1)
        if row is None:
            row = ClockState(id=1, offset=0.0, frozen_at=None)
            session.add(row)
            session.flush()
        return row

    @staticmethod
    def _read(session: Session) -> ClockReading:
        row = session.get(ClockState, 1)
        if row is None:
            return ClockReading(time.time(), False)
        if row.frozen_at is not None:
            return ClockReading(row.frozen_at, True)
        return ClockReading(time.time() + row.offset, False)
