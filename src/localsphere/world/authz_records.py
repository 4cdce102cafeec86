"""Two authorization records vCenter keeps: objects mapped to vTContainers, and the privilege checks
it made (kept in order, the newest ``KEEP_CHECKS`` of them, so least-privilege tools can see what
an operation needed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select

from localsphere.world.clock import Clock, read_state
from localsphere.world.errors import Conflict, Invalid, NotFound, bounded_text
from localsphere.world.paging import Page, bounded_size, marker_after, next_marker
from localsphere.world.schema import ManagedObject, PrivilegeCheck, VtMapping
from localsphere.world.store import Store

KEEP_CHECKS = 10_000
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
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def record(
        self,
        session: str | None,
        name: str | None,
        domain: str | None,
        moid: str,
        privilege: str,
        op_id: str | None,
    ) -> None:
        with self._store.write_core() as conn:
            seq = conn.execute(
                insert(PrivilegeCheck).values(
                    session=session,
                    principal_name=name,
                    principal_domain=domain,
                    object=moid,
                    privilege=privilege,
                    op_id=op_id[:OP_ID_LENGTH] if op_id else op_id,  # a client's id, kept as far as it fits
                    created_at=read_state(conn).now,
                )
            ).inserted_primary_key[0]
            if seq % 1000 == 0:  # now and then, forget the oldest
                conn.execute(delete(PrivilegeCheck).where(PrivilegeCheck.seq <= seq - KEEP_CHECKS))

    def latest(self) -> str:
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
