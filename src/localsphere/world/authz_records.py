"""Two authorization records vCenter keeps: objects mapped to vTContainers, and the privilege checks
it made (kept in order, the newest ``KEEP_CHECKS`` of them, so least-privilege tools can see what
an operation needed)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, or_, select

from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.paging import Page, bounded_size, marker_after, next_marker
from localsphere.world.schema import ManagedObject, PrivilegeCheck, VtMapping
from localsphere.world.state import WorldState
from localsphere.world.store import Store

KEEP_CHECKS = 10_000
FLUSH_EVERY = 0.2  # seconds between two writes of the queued privilege checks
log = logging.getLogger("localsphere.world")
OP_ID_LENGTH = 128  # what the store keeps of a client's operation id


@dataclass(frozen=True)
class MappingView:
    id: str
    vtcontainer: str
    object: str
    object_kind: str


@dataclass(frozen=True)
class CheckView:
    object: str
    object_kind: str
    principal_name: str | None
    principal_domain: str | None
    privilege: str


@dataclass(frozen=True)
class CheckPage:
    items: list[CheckView]
    marker: str  # where the next list starts
    truncated: bool  # checks after the given marker were dropped before they could be listed


class VtMappings:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def add(self, vtcontainer: str, moid: str) -> str:
        if not vtcontainer.strip():
            raise Invalid("vtcontainer.empty", "A vTContainer id is required", "vtcontainer")
        bounded_text(vtcontainer, "vtcontainer", 255)
        with self._store.write() as s:
            kind = s.scalar(select(ManagedObject.kind).where(ManagedObject.moid == moid))
            if kind is None:
                raise NotFound("object.not_found", f"Object with identifier '{moid}' does not exist", moid)
            taken = select(VtMapping.id).where(VtMapping.vtcontainer == vtcontainer, VtMapping.object == moid)
            if s.scalars(taken).first():
                raise Conflict(
                    "mapping.exists", f"{moid} is already mapped to {vtcontainer}", vtcontainer, moid
                )
            row = VtMapping(
                id=str(uuid.uuid4()),
                vtcontainer=vtcontainer,
                object=moid,
                object_kind=kind,
                created_at=self._clock.now(s),
            )
            s.add(row)
            return row.id

    def get(self, mapping_id: str) -> MappingView:
        with self._store.read() as s:
            row = s.get(VtMapping, mapping_id)
            if row is None:
                raise NotFound("mapping.not_found", f"Mapping {mapping_id} not found", mapping_id)
            return MappingView(row.id, row.vtcontainer, row.object, row.object_kind)

    def remove(self, mapping_id: str) -> None:
        with self._store.write() as s:
            if s.execute(delete(VtMapping).where(VtMapping.id == mapping_id)).rowcount == 0:
                raise NotFound("mapping.not_found", f"Mapping {mapping_id} not found", mapping_id)

    def list(
        self, vtcontainers: set[str] | None, kinds: set[str] | None, marker: str | None, size: int | None
    ) -> Page:
        limit, after = bounded_size(size, 200), marker_after(marker)
        query = select(VtMapping)
        if vtcontainers is not None:
            query = query.where(VtMapping.vtcontainer.in_(sorted(vtcontainers)))
        if kinds is not None:
            query = query.where(VtMapping.object_kind.in_(sorted(kinds)))
        if after is not None:
            query = query.where(VtMapping.id > after)
        with self._store.read() as s:
            rows = list(s.scalars(query.order_by(VtMapping.id).limit(limit + 1)))
        views = [MappingView(r.id, r.vtcontainer, r.object, r.object_kind) for r in rows[:limit]]
        return Page(views, next_marker(views[-1].id) if len(rows) > limit else None)


class PrivilegeChecks:
    """The privilege checks the server made, as vCenter records them. Recording one is not a write
    on the request's path: it joins this process's queue, which one thread writes in a single
    transaction every ``FLUSH_EVERY`` seconds (and before this process lists them), so other
    workers see a check within that time. A process killed hard loses what it had not written."""

    def __init__(self, store: Store, state: WorldState) -> None:
        self._store = store
        self._state = state
        self._queue: deque[dict[str, Any]] = deque()
        self._flushing = threading.Lock()
        self._writer: threading.Thread | None = None
        self._stop = threading.Event()
        self._pruned_at = 0

    def record(
        self,
        session: str | None,
        name: str | None,
        domain: str | None,
        moid: str,
        privilege: str,
        op_id: str | None,
    ) -> None:
        row = {
            "session": session,
            "principal_name": name,
            "principal_domain": domain,
            "object": moid,
            "privilege": privilege,
            "op_id": op_id[:OP_ID_LENGTH] if op_id else op_id,  # a client's id, kept as far as it fits
            "created_at": self._state.reading().now,
        }
        self._store.after(lambda: self._enqueue(row))

    def _enqueue(self, row: dict[str, Any]) -> None:
        self._queue.append(row)
        if self._writer is None:
            with self._flushing:
                if self._writer is None:
                    self._writer = threading.Thread(target=self._write, name="privilege-checks", daemon=True)
                    self._writer.start()

    def _write(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            try:
                self.flush()
            except Exception:  # the next round tries again; nothing here may stop the thread
                log.warning("could not write privilege checks; retrying", exc_info=True)

    def flush(self) -> None:
        """Write what is queued, in one transaction; then, past each thousand, forget the oldest."""
        self._store.io()  # before anything is taken: a try without the store takes nothing
        with self._flushing:
            rows = [self._queue.popleft() for _ in range(len(self._queue))]
            if not rows:
                return
            self._insert(rows)

    def _insert(self, rows: list[dict[str, Any]]) -> None:
        with self._store.write_core() as conn:
            conn.execute(insert(PrivilegeCheck), rows)
            newest = conn.scalar(select(func.max(PrivilegeCheck.seq))) or 0
            if newest // 1000 != self._pruned_at:
                conn.execute(delete(PrivilegeCheck).where(PrivilegeCheck.seq <= newest - KEEP_CHECKS))
                self._pruned_at = newest // 1000

    def close(self) -> None:
        """Stop the writer and write what is left."""
        self._stop.set()
        if self._writer is not None:
            self._writer.join(5)
        self.flush()

    def latest(self) -> str:
        self.flush()
        with self._store.query() as conn:
            return next_marker(str(conn.scalar(select(func.max(PrivilegeCheck.seq))) or 0))

    def list(
        self,
        objects: set[str] | None,
        sessions: set[str] | None,
        principals: list[tuple[str, str]] | None,
        privileges: set[str] | None,
        op_ids: set[str] | None,
        marker: str | None,
        end_marker: str | None,
        size: int | None,
    ) -> CheckPage:
        """Checks after ``marker`` (and up to ``end_marker``) that match any one of the filters given."""
        self.flush()
        limit = bounded_size(size, 1000)
        start, end = self._position(marker) or 0, self._position(end_marker)
        query = select(PrivilegeCheck).where(PrivilegeCheck.seq > start)
        if end is not None:
            query = query.where(PrivilegeCheck.seq <= end)
        alternatives = []
        if objects is not None:
            alternatives.append(PrivilegeCheck.object.in_(sorted(objects)))
        if sessions is not None:
            alternatives.append(PrivilegeCheck.session.in_(sorted(sessions)))
        if privileges is not None:
            alternatives.append(PrivilegeCheck.privilege.in_(sorted(privileges)))
        if op_ids is not None:
            alternatives.append(PrivilegeCheck.op_id.in_(sorted(op_ids)))
        for name, domain in principals or []:
            alternatives.append(
                (PrivilegeCheck.principal_name == name) & (PrivilegeCheck.principal_domain == domain)
            )
        if alternatives:
            query = query.where(or_(*alternatives))
        with self._store.read() as s:
            oldest = s.scalar(select(func.min(PrivilegeCheck.seq)))
            rows = list(s.scalars(query.order_by(PrivilegeCheck.seq).limit(limit)))
            kinds = dict(
                s.execute(
                    select(ManagedObject.moid, ManagedObject.kind).where(
                        ManagedObject.moid.in_({r.object for r in rows})
                    )
                ).all()
            )
            newest = s.scalar(select(func.max(PrivilegeCheck.seq))) or 0
        last = rows[-1].seq if len(rows) == limit else (end if end is not None else max(newest, start))
        items = [
            CheckView(
                r.object, kinds.get(r.object, "Folder"), r.principal_name, r.principal_domain, r.privilege
            )
            for r in rows
        ]
        return CheckPage(items, next_marker(str(last)), oldest is not None and oldest > start + 1)

    @staticmethod
    def _position(marker: str | None) -> int | None:
        text = marker_after(marker)
        if text is None:
            return None
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise Invalid("marker.invalid", f"Invalid marker: {marker}", marker or "")
        return int(text)
