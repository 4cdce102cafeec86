"""Queries over the inventory as a monitoring tool asks them: which objects of which kinds, by
name (a part of it, or a regular expression), id, health, age, parent, and conditions on their
properties, a page at a time with the total. Everything but a regular expression is decided in
SQL; a regular expression is applied to the rows the rest selects, streamed.

The health of an object is the monitoring view of it: a VM that is not powered on collects
nothing (grey); every other object is healthy.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, not_, or_, select, true

from localsphere.world import guest_os
from localsphere.world import inventory as inv
from localsphere.world.inventory import ObjectView
from localsphere.world.schema import ManagedObject
from localsphere.world.store import Store

# The spec's operators, and the official client's text ones (STARTS_WITH and the like)
OPERATORS = (
    *("EXISTS", "NOT_EXISTS", "GT_EQ", "GT", "LT_EQ", "LT", "EQ", "NOT_EQ", "CONTAINS", "NOT_CONTAINS"),
    *("STARTS_WITH", "NOT_STARTS_WITH", "ENDS_WITH", "NOT_ENDS_WITH"),
)
# What a condition may compare: a column, or a column scaled (memory in KiB)
_VALUES: dict[str, ColumnElement[Any]] = {
    "name": ManagedObject.name,
    "power_state": ManagedObject.power_state,
    "subtype": ManagedObject.subtype,
    # a VM's guest as Operations names it (config|guestFullName), for the guests vCenter knows
    "guest_full_name": case(
        {name: guest_os.full_name(name) for name in guest_os.NAMES},
        value=ManagedObject.subtype,
        else_=ManagedObject.subtype,
    ),
    "cpu_count": ManagedObject.cpu_count,
    "memory_kib": ManagedObject.memory_mib * 1024,
}
_COLUMNS = tuple(
    getattr(ManagedObject, "details" if f.name == "details_json" else f.name) for f in fields(ObjectView)
)
_COMPARE = {
    "EQ": operator.eq,
    "NOT_EQ": operator.ne,
    "GT": operator.gt,
    "GT_EQ": operator.ge,
    "LT": operator.lt,
    "LT_EQ": operator.le,
}
_ORDER = (func.length(ManagedObject.moid), ManagedObject.moid)


@dataclass(frozen=True)
class Condition:
    """``value`` (one of ``_VALUES``) ``operator`` ``operand`` on the objects of ``kinds``, the
    only ones that have the value: on any other object it does not exist."""

    value: str
    operator: str
    operand: str | float | None
    kinds: frozenset[str]


@dataclass(frozen=True)
class ResourceFilter:
    """Each field, when set, keeps the objects that match it; ``conditions`` are joined by
    ``any_condition`` (OR) or else all of them (AND)."""

    kinds: frozenset[str]  # world kinds; ``inventory.VCENTER`` is the root folder
    name: str | None = None  # a case-insensitive part of the name
    regex: tuple[str, ...] = ()  # the whole name matches one of them
    uuids: frozenset[str] | None = None
    grey: bool | None = None  # True: only VMs not powered on; False: all but those
    created_after: float | None = None
    parents: frozenset[str] | None = None  # uuids of objects one of whose children it is
    conditions: tuple[Condition, ...] = ()
    any_condition: bool = False


class BadQuery(ValueError):
    """A query that cannot be run (a malformed regular expression, an unknown operator)."""


def _compare(condition: Condition) -> ColumnElement[bool]:
    value, op, operand = _VALUES[condition.value], condition.operator, condition.operand
    exists = and_(ManagedObject.kind.in_(sorted(condition.kinds)), value.is_not(None))
    if op == "EXISTS":
        return exists
    if op == "NOT_EXISTS":
        return not_(exists)
    text = {"CONTAINS": "contains", "STARTS_WITH": "startswith", "ENDS_WITH": "endswith"}
    test = text.get(op.removeprefix("NOT_"))
    if test is not None:
        found = getattr(func.lower(value), test)(str(operand).lower(), autoescape=True)
        return and_(exists, not_(found) if op.startswith("NOT_") else found)
    compare = _COMPARE.get(op)
    if compare is None:
        raise BadQuery(f"Unknown operator {op}; one of {', '.join(OPERATORS)}")
    if operand is None:  # a property no object has here: nothing compares with it
        return false()
    return and_(exists, compare(value, operand))


def _grey() -> ColumnElement[bool]:
    return and_(ManagedObject.kind == inv.VM, ManagedObject.power_state != inv.POWERED_ON)


def _where(f: ResourceFilter) -> list[ColumnElement[bool]]:
    real = sorted(f.kinds - {inv.VCENTER})
    either = [and_(ManagedObject.kind.in_(real), ManagedObject.moid != inv.ROOT_FOLDER)] if real else []
    if inv.VCENTER in f.kinds:
        either.append(ManagedObject.moid == inv.ROOT_FOLDER)
    where = [or_(*either) if either else false()]
    if f.name:
        where.append(func.lower(ManagedObject.name).contains(f.name.lower(), autoescape=True))
    if f.uuids is not None:
        where.append(ManagedObject.uuid.in_(sorted(f.uuids)))
    if f.grey is not None:
        where.append(_grey() if f.grey else not_(_grey()))
    if f.created_after is not None:
        where.append(ManagedObject.created_at > f.created_after)
    if f.parents is not None:
        parent = select(ManagedObject.moid).where(ManagedObject.uuid.in_(sorted(f.parents)))
        where.append(
            or_(
                ManagedObject.parent.in_(parent),
                and_(
                    ManagedObject.kind == inv.VM,
                    or_(ManagedObject.host.in_(parent), ManagedObject.pool.in_(parent)),
                ),
            )
        )
    if f.conditions:
        compared = [_compare(c) for c in f.conditions]
        where.append(or_(*compared) if f.any_condition else and_(true(), *compared))
    return where


def _names(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a name matches one of the regular expressions (any, when there are none)."""
    try:
        compiled = [re.compile(p) for p in patterns]
    except re.error as exc:
        raise BadQuery(f"Invalid regular expression: {exc}") from None
    return lambda name: not compiled or any(c.fullmatch(name) for c in compiled)


class ResourceQueries:
    def __init__(self, store: Store) -> None:
        self._store = store

    def page(
        self, f: ResourceFilter, offset: int, limit: int, sight: inv.Sight | None = None
    ) -> tuple[int, list[ObjectView]]:
        """One page of the objects ``f`` selects (of those ``sight`` sees, when given), in the
        order of their managed-object ids, and how many it selects in all. BadQuery when ``f``
        cannot be run."""
        query: Select[Any] = select(*_COLUMNS).where(*_where(f))
        if sight is not None:
            keep = _names(f.regex)
            with self._store.read() as s:  # a transaction: PostgreSQL streams rows only inside one
                ordered = select(*_COLUMNS, ManagedObject.path).where(*_where(f)).order_by(*_ORDER)
                return inv.seen_page(s, ordered, sight, lambda row: keep(row.name), offset, limit)
        if f.regex:
            return self._matching(query, f.regex, offset, limit)
        with self._store.query() as conn:
            total = conn.scalar(select(func.count()).select_from(ManagedObject).where(*_where(f))) or 0
            rows = conn.execute(query.order_by(*_ORDER).offset(offset).limit(limit))
            return total, [ObjectView(*r) for r in rows]

    def _matching(
        self, query: Select[Any], patterns: tuple[str, ...], offset: int, limit: int
    ) -> tuple[int, list[ObjectView]]:
        keep = _names(patterns)
        total, found = 0, []
        with self._store.read() as s:  # a transaction: PostgreSQL streams rows only inside one
            rows: Iterator[Any] = iter(s.execute(query.order_by(*_ORDER).execution_options(yield_per=1000)))
            for row in rows:
                if keep(row.name):
                    if offset <= total < offset + limit:
                        found.append(ObjectView(*row))
                    total += 1
        return total, found
