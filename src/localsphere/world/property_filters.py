"""vSphere PropertyCollector filters, kept in the store for the session that made them, so that
whichever worker answers a session's next call knows its filters. The world keeps them and bounds
them; what a filter's spec says is the SOAP face's business (it is stored as the face wrote it).
A session may make collectors of its own (``CreatePropertyCollector``), each with its own filters;
a filter of none belongs to the session's default collector. Each collector counts its update
versions, and each filter keeps what it last told (``filter_updates``), so that any worker answers
what changed since the version a client names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select

from localsphere.world.auth import digest
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound
from localsphere.world.filter_updates import Fingerprints, Told
from localsphere.world.schema import CollectorVersion, PropertyFilter
from localsphere.world.store import Store

MAX_FILTERS = 1000  # filters one session may hold
MAX_SPEC = 1 << 20  # characters of one filter's spec


@dataclass(frozen=True)
class FilterView:
    id: str
    spec: str
    partial_updates: bool
    digest: str | None = None  # of the values it selected when it last told them (None: never)


@dataclass(frozen=True)
class Versions:
    """A collector's latest update version and the oldest it can answer from (0, 0: none given)."""

    version: int = 0
    floor: int = 0


_VIEW = (PropertyFilter.id, PropertyFilter.spec, PropertyFilter.partial_updates, PropertyFilter.digest)


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
        with self._store.write(serial=True) as s:  # the collector's versions are made once
            held = s.scalar(
                select(func.count()).select_from(PropertyFilter).where(PropertyFilter.session == key)
            )
            if (held or 0) >= MAX_FILTERS:
                raise Invalid("filter.too_many", f"A session may hold at most {MAX_FILTERS} filters")
            filter_id = str(uuid.uuid4())
            if s.get(CollectorVersion, (key, collector or "")) is None:
                s.add(CollectorVersion(session=key, collector=collector or "", version=0, floor=0))
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
        with self._store.query() as conn:
            return [FilterView(*row) for row in conn.execute(_of_collector(session_id, collector))]

    def watch(self, session_id: str, collector: str | None = None) -> tuple[Versions, list[FilterView]]:
        """The collector's versions and its filters (``of_session``), read together."""
        versions = select(CollectorVersion.version, CollectorVersion.floor).where(
            CollectorVersion.session == digest(session_id), CollectorVersion.collector == (collector or "")
        )
        with self._store.query() as conn:
            row = conn.execute(versions).first()
            filters = [FilterView(*r) for r in conn.execute(_of_collector(session_id, collector))]
        return (Versions(*row) if row is not None else Versions()), filters

    def advance(
        self,
        session_id: str,
        collector: str | None,
        seen: dict[str, tuple[str, Callable[[], Fingerprints]]],
    ) -> tuple[Versions, dict[str, Told]]:
        """Take in what each filter (by id) selects now: its digest, and how to fingerprint it
        (called only for a filter whose digest differs from the one it last told). A change in
        any filter makes the collector's next version. Returns the collector's versions and what
        each of those filters has told; a filter made since ``seen`` was read is left for the
        next call."""
        key = digest(session_id)
        with self._store.write() as s:
            row = s.get(CollectorVersion, (key, collector or ""), with_for_update=True)
            if row is None:  # a filter made before collectors kept versions
                row = CollectorVersion(session=key, collector=collector or "", version=0, floor=0)
                s.add(row)
            version, floor, changed = row.version + 1, row.floor, False
            told: dict[str, Told] = {}
            mine = (PropertyFilter.id.in_(sorted(seen)), PropertyFilter.session == key)
            for f in s.scalars(select(PropertyFilter).where(*mine)):
                now, fingerprints = seen[f.id]
                told[f.id] = kept = Told.load(f.told)
                if f.digest == now and f.told is not None:
                    continue
                if kept.advance(fingerprints(), version):
                    changed = True
                    floor = max(floor, kept.forget())
                f.told, f.digest = kept.dump(), now
            if changed:
                row.version, row.floor = version, floor
            return Versions(row.version, row.floor), told

    def of_ids(self, session_id: str, ids: list[str]) -> list[FilterView]:
        """The session's filters among ``ids``, of whichever of its collectors."""
        query = select(*_VIEW).where(
            PropertyFilter.session == digest(session_id), PropertyFilter.id.in_(sorted(set(ids)))
        )
        with self._store.query() as conn:
            return [FilterView(*row) for row in conn.execute(query)]

    def destroy_collector(self, session_id: str, collector: str) -> None:
        """The filters of one of the session's own collectors (``world.session_objects``) go, and
        its versions."""
        key = digest(session_id)
        with self._store.write() as s:
            s.execute(
                delete(PropertyFilter).where(
                    PropertyFilter.session == key, PropertyFilter.collector == collector
                )
            )
            s.execute(
                delete(CollectorVersion).where(
                    CollectorVersion.session == key, CollectorVersion.collector == collector
                )
            )


def _of_collector(session_id: str, collector: str | None) -> Any:
    mine = PropertyFilter.collector.is_(None) if collector is None else PropertyFilter.collector == collector
    return (
        select(*_VIEW)
        .where(PropertyFilter.session == digest(session_id), mine)
        .order_by(PropertyFilter.created_at, PropertyFilter.id)
    )
