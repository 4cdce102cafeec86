"""Offset paging with OData filters and ordering, for lists whose clients page by number (vRA's
``page``/``limit``, ``$skip``/``$top``, ``$filter``, ``$orderby``): one indexed query for the
page and one count, never a whole table read to cut a page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from localsphere.world import odata

T = TypeVar("T")


@dataclass(frozen=True)
class Listing:
    """A page as a client asks for it: ``offset`` rows skipped (0-based), at most ``limit`` rows,
    an OData ``filter`` and ``order`` (``$orderby``) in the list's field names."""

    offset: int
    limit: int
    filter: str | None = None
    order: str | None = None


@dataclass(frozen=True)
class Counted(Generic[T]):
    """One page of items and how many the whole filtered list holds."""

    items: list[T]
    total: int


CHOICES_MOST = 1000  # values one answer offers a field: a bound, not a product's rule


@dataclass(frozen=True)
class Choice:
    """A value a field may take (a reservation's compute resource, pool, storage, network or key
    pair), by id and name."""

    id: str
    name: str
    capacity_gb: int | None = None  # storages: their size and what is free
    free_gb: int | None = None


_PARSED_MOST = 1000
_parsed_texts: dict[tuple[Callable[..., Any], int, str], Any] = {}


def _parsed(parse: Callable[[str, odata.Fields], T], text: str, fields: odata.Fields) -> T:
    """``parse(text, fields)``, kept: clients page through one filter many times, and SQL
    expressions are immutable, so one made once serves every page. Only what parsed is kept;
    ``fields`` are module-level maps, named by identity."""
    key = (parse, id(fields), text)
    found = _parsed_texts.get(key)
    if found is None:
        found = parse(text, fields)
        if len(_parsed_texts) >= _PARSED_MOST:
            _parsed_texts.clear()
        _parsed_texts[key] = found
    return found


def cut(
    conn: Connection,
    query: Select[Any],
    fields: odata.Fields,
    listing: Listing,
    tiebreak: Sequence[ColumnElement[Any]],
    make: Callable[[Row[Any]], T],
    params: dict[str, Any] | None = None,
) -> Counted[T]:
    """The page of ``query`` that ``listing`` asks for, ordered by its ``$orderby`` and then by
    ``tiebreak`` (unique, so pages never overlap). ``params``: values of the bound parameters
    ``fields`` or ``query`` hold (a field computed at the world's time, say). Invalid
    (``filter.invalid``, ``orderby.invalid``) when the filter or order names what ``fields``
    lacks or is malformed."""
    if listing.filter:
        query = query.where(_parsed(odata.where, listing.filter, fields))
    order = _parsed(odata.order_by, listing.order, fields) if listing.order else []
    total = conn.scalar(select(func.count()).select_from(query.order_by(None).subquery()), params) or 0
    rows = conn.execute(query.order_by(*order, *tiebreak).offset(listing.offset).limit(listing.limit), params)
    return Counted([make(row) for row in rows], total)
