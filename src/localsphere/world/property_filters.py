"""vSphere PropertyCollector filters, kept in the store for the session that made them, so that
whichever worker answers a session's next call knows its filters. The world keeps them and bounds
them; what a filter's spec says is the SOAP face's business (it is stored as the face wrote it).
A session may make collectors of its own (``CreatePropertyCollector``), each with its own filters;
a filter of none belongs to the session's default collector."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound
from localsphere.world.schema import PropertyFilter
from localsphere.world.store import Store

MAX_FILTERS = 1000  # filters one session may hold
MAX_SPEC = 1 << 20  # characters of one filter's spec


@dataclass(frozen=True)
class FilterView:
    id: str
    spec: str
    partial_updates: bool


class PropertyFilters:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def create(self, session_id: str, spec: str, partial_updates: bool, collector: str | None = None) -> str:
        """A new filter of the session ``session_id`` (of its ``collector``; None: the default one);
        returns its id. Invalid when the session holds ``MAX_FILTERS`` already or the spec is
        longer than ``MAX_SPEC``."""
        if len(spec) > MAX_SPEC:
            raise Invalid("filter.too_large", f"A filter's spec must be shorter than {MAX_SPEC} characters")
        key = digest(session_id)
        with self._store.write() as s:
            held = s.scalar(
                select(func.count()).select_from(PropertyFilter).where(PropertyFilter.session == key)
            )
            if (held or 0) >= MAX_FILTERS:
                raise Invalid("filter.too_many", f"A session may hold at most {MAX_FILTERS} filters")
            filter_id = str(uuid.uuid4())
            s.add(
                PropertyFilter(
                    id=filter_id,
                    session=key,
                    spec=spec,
                    partial_updates=partial_updates,
                    collector=collector,
                    created_at=self._clock.now(s),
                )
            )
            return filter_id

    def destroy(self, session_id: str, filter_id: str) -> None:
        """NotFound unless the session holds the filter."""
        with self._store.write() as s:
            done = s.execute(
                delete(PropertyFilter).where(
                    PropertyFilter.id == filter_id, PropertyFilter.session == digest(session_id)
                )
            )
            if done.rowcount == 0:
                raise NotFound("filter.not_found", f"No filter {filter_id}", filter_id)

    def of_session(self, session_id: str, collector: str | None = None) -> list[FilterView]:
        """The filters of the session's ``collector`` (None: the default one), oldest first."""
        mine = (
            PropertyFilter.collector.is_(None) if collector is None else PropertyFilter.collector == collector
        )
        query = (
            select(PropertyFilter.id, PropertyFilter.spec, PropertyFilter.partial_updates)
            .where(PropertyFilter.session == digest(session_id), mine)
            .order_by(PropertyFilter.created_at, PropertyFilter.id)
        )
        with self._store.query() as conn:
            return [FilterView(*row) for row in conn.execute(query)]

    def of_ids(self, session_id: str, ids: list[str]) -> list[FilterView]:
        """The session's filters among ``ids``, of whichever of its collectors."""
        query = select(PropertyFilter.id, PropertyFilter.spec, PropertyFilter.partial_updates).where(
            PropertyFilter.session == digest(session_id), PropertyFilter.id.in_(sorted(set(ids)))
        )
        with self._store.query() as conn:
            return [FilterView(*row) for row in conn.execute(query)]

    def destroy_collector(self, session_id: str, collector: str) -> None:
        """The filters of one of the session's own collectors (``world.session_objects``) go."""
        key = digest(session_id)
        with self._store.write() as s:
            s.execute(
                delete(PropertyFilter).where(
                    PropertyFilter.session == key, PropertyFilter.collector == collector
                )
            )
