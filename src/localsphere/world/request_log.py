"""The request log: the last answered requests, kept in the store so that every worker's requests
show in one list. Workers hand entries over in batches (see ``faces/observe.py``), so logging costs
a request no database write of its own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select

from localsphere.world.schema import LoggedRequest
from localsphere.world.store import Store


@dataclass(frozen=True)
class Entry:
    at: float
    face: str
    method: str
    path: str
    principal: str | None
    status: int
    duration_ms: float
    fault: str | None = None


@dataclass(frozen=True)
class Logged:
    seq: int
    entry: Entry


class RequestLog:
    def __init__(self, store: Store, keep: int) -> None:
        self._store = store
        self.keep = keep

    def append(self, entries: list[Entry]) -> None:
        """Add entries and drop all but the newest ``keep``."""
        if not entries:
            return
        with self._store.write_core() as conn:
            conn.execute(insert(LoggedRequest), [e.__dict__ for e in entries])
            newest = conn.scalar(select(func.max(LoggedRequest.seq)))
            conn.execute(delete(LoggedRequest).where(LoggedRequest.seq <= newest - self.keep))

    def recent(self, limit: int, after: int = 0) -> list[Logged]:
        """Up to ``limit`` entries newer than sequence number ``after``, oldest first: the newest
        ones when ``after`` is 0, else the ones that follow it (for following the log)."""
        columns = [getattr(LoggedRequest, f) for f in Entry.__dataclass_fields__]
        query = select(LoggedRequest.seq, *columns).where(LoggedRequest.seq > after)
        with self._store.query() as conn:
            if after:
                rows = conn.execute(query.order_by(LoggedRequest.seq).limit(limit)).all()
            else:
                rows = conn.execute(query.order_by(LoggedRequest.seq.desc()).limit(limit)).all()[::-1]
        return [Logged(r[0], Entry(*r[1:])) for r in rows]

    def clear(self) -> None:
        with self._store.write_core() as conn:
            conn.execute(delete(LoggedRequest))
