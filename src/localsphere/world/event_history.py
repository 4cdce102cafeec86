"""The event log read as vSphere reads it: filtered (by entity and the objects beneath it, time,
user, kind of event), in time order, a page at a time; and vSphere's event history collectors,
kept in the store for the session that made them, each with its filter, page size and the place
its scrollable view stands, so that whichever worker answers a session's next read carries on.

Sign-ins and sign-outs of vSphere's sessions are recorded here too (``signed``): the event log's
``login`` and ``logout`` of a ``user`` entity, with the session's key, address and client.

What a filter's kinds of events mean is the face's business: it asks for events by their
action, outcome and whether a task made them (``Match``); the world only selects.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, func, or_, select, true, tuple_
from sqlalchemy.orm import aliased

from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import NotFound, WrongState
from localsphere.world.events import Entity, Events, EventView, view_of
from localsphere.world.identity import PrincipalView
from localsphere.world.schema import Event, EventCollector, ManagedObject, Principal
from localsphere.world.store import Store
from localsphere.world.tenants import DEFAULT_TENANT

LOGOUT = "logout"  # a session was closed
SESSIONS = "vim"  # the service of vSphere sessions' events
MAX_COLLECTORS = 32  # a session's collectors (vCenter's ``event.maxCollectors``)
MAX_PAGE = 1000  # the most events one read returns
SELF, CHILDREN, ALL = "self", "children", "all"


@dataclass(frozen=True)
class Match:
    """Events of ``actions`` (None: any; less ``exclude``), succeeded or not (``success`` None:
    either), made by a task or not (``task`` None: either), about entities of ``kinds`` (None:
    any; less ``exclude_kinds``)."""

    actions: list[str] | None = None
    exclude: list[str] = field(default_factory=list)
    success: bool | None = None
    task: bool | None = None
    kinds: list[str] | None = None
    exclude_kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EventFilter:
    """Which events: about ``kinds`` of entities or of ``services`` (the scope of a product's
    log), about ``entity`` (and, by ``recursion``, its children or everything beneath it), from
    ``begin`` to ``end`` (epoch seconds, inclusive), by ``users`` (``[domain or None, name]``,
    any case), matching any of ``matches`` (None: all)."""

    kinds: list[str]
    services: list[str]
    entity: str | None = None
    recursion: str = ALL
    begin: float | None = None
    end: float | None = None
    users: list[list[str | None]] | None = None
    matches: list[Match] | None = None

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def loads(text: str) -> EventFilter:
        data = json.loads(text)
        matches = data.pop("matches")
        return EventFilter(**data, matches=None if matches is None else [Match(**m) for m in matches])


@dataclass(frozen=True)
class Recorded:
    """An event, the domain of the user who made it (None: not known) and the ``seq`` of its
    chain's first event (of its task: the task's own event; else its own)."""

    event: EventView
    domain: str | None
    chain: int


@dataclass(frozen=True)
class Gap:
    """A place between two events: just after or just before the event (``at``, ``seq``)."""

    at: float
    seq: int
    after: bool


@dataclass(frozen=True)
class CollectorView:
    id: str
    filter: EventFilter
    page_size: int


def _where(f: EventFilter) -> list[ColumnElement[bool]]:
    scope = or_(Event.entity_kind.in_(f.kinds), Event.service.in_(f.services))
    where: list[ColumnElement[bool]] = [scope]
    if f.entity is not None:
        where.append(_entity(f.entity, f.recursion))
    if f.begin is not None:
        where.append(Event.at >= f.begin)
    if f.end is not None:
        where.append(Event.at <= f.end)
    if f.users is not None:
        where.append(or_(false(), *(_user(domain, name) for domain, name in f.users)))
    if f.matches is not None:
        where.append(or_(false(), *(_match(m) for m in f.matches)))
    return where


def _entity(moid: str, recursion: str) -> ColumnElement[bool]:
    """The events of ``moid`` and, by ``recursion``, of its children (``children``) or of every
    object beneath it (``all``: under its path, or on the host, cluster or pool it is)."""
    if recursion == SELF:
        return Event.entity_id == moid
    if recursion == CHILDREN:
        beneath = select(ManagedObject.moid).where(ManagedObject.parent == moid)
    else:
        path = select(ManagedObject.path).where(ManagedObject.moid == moid).scalar_subquery()
        beneath = select(ManagedObject.moid).where(
            or_(
                func.substr(ManagedObject.path, 1, func.length(path)) == path,
                ManagedObject.host == moid,
                ManagedObject.cluster == moid,
                ManagedObject.pool == moid,
            )
        )
    return or_(Event.entity_id == moid, Event.entity_id.in_(beneath))


def _user(domain: str | None, name: str) -> ColumnElement[bool]:
    same = func.lower(Event.user_name) == name.lower()
    return same if domain is None else and_(same, func.lower(Principal.domain) == domain.lower())


def _match(m: Match) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = [true()]
    if m.actions is not None:
        parts.append(Event.action.in_(m.actions))
    if m.exclude:
        parts.append(Event.action.not_in(m.exclude))
    if m.success is not None:
        parts.append(Event.success.is_(m.success))
    if m.task is not None:
        parts.append(Event.task_id.is_not(None) if m.task else Event.task_id.is_(None))
    if m.kinds is not None:
        parts.append(Event.entity_kind.in_(m.kinds))
    if m.exclude_kinds:
        parts.append(Event.entity_kind.not_in(m.exclude_kinds))
    return and_(*parts)


_FIRST = aliased(Event)
_CHAIN = func.coalesce(
    select(func.min(_FIRST.seq)).where(_FIRST.task_id == Event.task_id).scalar_subquery(), Event.seq
)
"""The ``seq`` of an event's chain's first event: its task's first (the task's own), or its own."""


def _select(f: EventFilter) -> Select[Any]:
    return (
        select(Event, Principal.domain, _CHAIN)
        .outerjoin(Principal, Principal.id == Event.user_id)
        .where(*_where(f))
    )


_KEY = tuple_(Event.at, Event.seq)
"""The order of events: by world time, then as they were recorded (vSphere's key order)."""


class EventHistory:
    def __init__(self, store: Store, clock: Clock, events: Events) -> None:
        self._store = store
        self._clock = clock
        self._events = events

    def find(
        self, f: EventFilter, limit: int, newest_first: bool = True, gap: Gap | None = None
    ) -> list[Recorded]:
        """Up to ``limit`` events ``f`` selects: newest first, or oldest first; with a ``gap``,
        only those on the side of it they are read towards (newer when oldest first)."""
        query = _select(f)
        if gap is not None:
            point = (gap.at, gap.seq)
            if newest_first:
                query = query.where(point >= _KEY if gap.after else point > _KEY)
            else:
                query = query.where(point < _KEY if gap.after else point <= _KEY)
        order = (Event.at.desc(), Event.seq.desc()) if newest_first else (Event.at, Event.seq)
        with self._store.read() as s:
            rows = s.execute(query.order_by(*order).limit(max(0, min(limit, MAX_PAGE)))).all()
            return [Recorded(view_of(row[0]), row[1], row[2]) for row in rows]

    def chains(self, task_ids: list[str]) -> dict[str, int]:
        """The chain of each task's events (the ``seq`` of its first event, its own, recorded as
        it started), by task id; a task with no event recorded is left out."""
        if not task_ids:
            return {}
        query = (
            select(Event.task_id, func.min(Event.seq))
            .where(Event.task_id.in_(sorted(set(task_ids))))
            .group_by(Event.task_id)
        )
        with self._store.read() as s:
            return {task_id: seq for task_id, seq in s.execute(query)}

    def signed(self, principal: PrincipalView, action: str, details: dict[str, Any]) -> None:
        """Record a vSphere session's sign-in (``LOGIN``) or sign-out (``LOGOUT``) by
        ``principal``; ``details``: what the face tells of the session (key, address, client)."""
        with self._store.write() as s:
            self._events.record(
                s,
                DEFAULT_TENANT,
                action,
                Entity("user", principal.id, principal.name),
                principal.id,
                principal.name,
                service=SESSIONS,
                details=json.dumps(details),
            )

    # Collectors

    def _reset_gap(self, f: EventFilter, page_size: int) -> Gap | None:
        """Just before the latest page (before every event while there are fewer)."""
        latest = self.find(f, page_size)
        if len(latest) < page_size:
            return None
        oldest = latest[-1].event
        return Gap(oldest.at, oldest.seq, False)

    def create(self, session_id: str, f: EventFilter, page_size: int) -> str:
        """A new collector of the session; WrongState when it holds ``MAX_COLLECTORS`` already
        (vCenter: InvalidState)."""
        gap = self._reset_gap(f, page_size)
        key = digest(session_id)
        with self._store.write() as s:
            held = s.scalar(
                select(func.count()).select_from(EventCollector).where(EventCollector.session == key)
            )
            if (held or 0) >= MAX_COLLECTORS:
                raise WrongState("collector.too_many", "Too many event collectors to create")
            collector_id = str(uuid.uuid4())
            s.add(
                EventCollector(
                    id=collector_id,
                    session=key,
                    spec=f.dumps(),
                    page_size=page_size,
                    at=gap.at if gap else None,
                    event=gap.seq if gap else None,
                    after=gap.after if gap else False,
                    created_at=self._clock.now(s),
                )
            )
        return collector_id

    def _row(self, s: Any, session_id: str, collector_id: str) -> EventCollector:
        row = s.execute(
            select(EventCollector)
            .where(EventCollector.id == collector_id, EventCollector.session == digest(session_id))
            .with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise NotFound("collector.not_found", f"No collector {collector_id}", collector_id)
        return row

    def get(self, session_id: str, collector_id: str) -> CollectorView:
        """NotFound unless the session holds the collector."""
        with self._store.read() as s:
            row = self._row(s, session_id, collector_id)
            return CollectorView(row.id, EventFilter.loads(row.spec), row.page_size)

    def read(self, session_id: str, collector_id: str, count: int, newer: bool) -> list[Recorded]:
        """Up to ``count`` events from where the collector's view stands, ``newer`` ones (oldest
        first) or older ones (newest first); the view moves past them."""
        with self._store.write() as s:
            row = self._row(s, session_id, collector_id)
            gap = Gap(row.at or 0.0, row.event, row.after) if row.event is not None else None
            if not newer and gap is None:  # before every event: nothing is older
                return []
            found = self.find(EventFilter.loads(row.spec), count, not newer, gap)
            if found:
                last = found[-1].event
                row.at, row.event, row.after = last.at, last.seq, newer
            return found

    def rewind(self, session_id: str, collector_id: str) -> None:
        """The view before the oldest event."""
        with self._store.write() as s:
            row = self._row(s, session_id, collector_id)
            row.at, row.event, row.after = None, None, False

    def reset(self, session_id: str, collector_id: str, page_size: int | None = None) -> None:
        """The view just before the latest page (of ``page_size``, when it changes)."""
        view = self.get(session_id, collector_id)
        size = page_size or view.page_size
        gap = self._reset_gap(view.filter, size)
        with self._store.write() as s:
            row = self._row(s, session_id, collector_id)
            row.page_size = size
            row.at, row.event, row.after = (gap.at, gap.seq, False) if gap else (None, None, False)

    def destroy(self, session_id: str, collector_id: str) -> None:
        """NotFound unless the session holds the collector."""
        with self._store.write() as s:
            done = s.execute(
                delete(EventCollector).where(
                    EventCollector.id == collector_id, EventCollector.session == digest(session_id)
                )
            )
            if done.rowcount == 0:
                raise NotFound("collector.not_found", f"No collector {collector_id}", collector_id)
