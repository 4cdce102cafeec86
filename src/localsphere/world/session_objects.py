"""Managed objects a vSphere session makes and owns until it destroys them or ends (its own
PropertyCollectors, its list views), and marks of what it did that a later call must know (a
retrieval it cancelled): kept in the store (``session_objects``), so that whichever
worker answers the session's next call knows them; a view's ``body`` is the JSON the SOAP face
wrote (a list view's objects), the world only keeps and bounds it."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid
from localsphere.world.schema import SessionObject
from localsphere.world.store import Store

MAX_OBJECTS = 100  # of one kind, per session
MAX_BODY = 1 << 20  # characters of one object's body


class SessionObjects:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def add(self, session_id: str, moid: str, kind: str, body: str = "") -> None:
        """Keep ``moid`` (an id the face made) as the session's; Invalid past ``MAX_OBJECTS`` of
        its kind or a body longer than ``MAX_BODY``."""
        key = self._bounded(session_id, body)
        with self._store.write() as s:
            held = s.scalar(
                select(func.count())
                .select_from(SessionObject)
                .where(SessionObject.session == key, SessionObject.kind == kind)
            )
            if (held or 0) >= MAX_OBJECTS:
                raise Invalid("session_object.too_many", f"A session may hold at most {MAX_OBJECTS} of these")
            s.add(SessionObject(id=moid, session=key, kind=kind, body=body, created_at=self._clock.now(s)))

    def mark(self, session_id: str, moid: str, kind: str, most: int = MAX_OBJECTS) -> None:
        """Keep the mark ``moid`` of ``kind`` for the session (a record of something it did, such
        as a retrieval it cancelled), forgetting its oldest marks of that kind past ``most``; a
        mark the session holds already stays as it is."""
        key = digest(session_id)
        mine = (SessionObject.session == key) & (SessionObject.kind == kind)
        with self._store.write() as s:
            row = s.get(SessionObject, moid)
            if row is not None:
                return
            s.add(SessionObject(id=moid, session=key, kind=kind, body="", created_at=self._clock.now(s)))
            s.flush()
            oldest = (
                select(SessionObject.id)
                .where(mine)
                .order_by(SessionObject.created_at.desc(), SessionObject.id)
                .offset(most)
            )
            stale = list(s.scalars(oldest))
            if stale:
                s.execute(delete(SessionObject).where(mine, SessionObject.id.in_(stale)))

    def body(self, session_id: str, moid: str, kind: str) -> str | None:
        """The body of the session's object (None: it holds no such object)."""
        query = select(SessionObject.body).where(
            SessionObject.id == moid, SessionObject.session == digest(session_id), SessionObject.kind == kind
        )
        with self._store.query() as conn:
            return conn.scalar(query)

    def replace(self, session_id: str, moid: str, body: str) -> None:
        key = self._bounded(session_id, body)
        with self._store.write() as s:
            row = s.get(SessionObject, moid)
            if row is not None and row.session == key:
                row.body = body

    def remove(self, session_id: str, moid: str, kind: str) -> bool:
        """Forget the session's object of ``kind``; False when it held none such."""
        mine = (
            (SessionObject.id == moid)
            & (SessionObject.session == digest(session_id))
            & (SessionObject.kind == kind)
        )
        with self._store.write() as s:
            return s.execute(delete(SessionObject).where(mine)).rowcount > 0

    @staticmethod
    def _bounded(session_id: str, body: str) -> str:
        if len(body) > MAX_BODY:
            raise Invalid("session_object.too_large", f"At most {MAX_BODY} characters")
        return digest(session_id)
