"""The space VMs take on their datastores, as vSphere counts it: a datastore's ``free_space`` is its
capacity less what is committed on it, and its ``uncommitted`` (in its ``details``) is what thin
disks may still grow into (vim25's ``DatastoreSummary.uncommitted``).

What a VM commits, by this world's rules:

* a thick disk (``thick``, lazily zeroed, or ``eagerZeroedThick``: vim25's ``thinProvisioned``
  false, ``eagerlyScrub`` true; the names of vCenter's ``DiskProvisioningType``) its whole
  capacity, on the disk's datastore;
* a thin disk (``thin``; a disk without ``provisioning``, as the seed's and vCD's are) what its
  guest has written, taken as ``THIN_WRITTEN`` of its capacity; the rest is uncommitted;
* its home files (the .vmx, .nvram and logs: ``HOME_BYTES``) on its home datastore (its details'
  ``datastore``, else its first disk's), and there too, while it runs or is suspended, a file the
  size of its memory (the .vswp swap file; the .vmss memory image);
* a VM vCenter forgot (unregistered: its files kept in its datastore's details) the same as
  when it was powered off.

A vCD independent disk that is not attached to a VM is on no datastore of this world.

The figures are kept on the datastore rows (``free_space``; ``details``' ``committed``,
``uncommitted`` and ``thick``, the bytes of thick disks) by ``keep``, as changes: a write
transaction that changes a VM (its disks, home, power or memory) adds, when it commits, what the VM
takes now less what it took before, read from the rows it changed (nothing is scanned: a power-on
costs the same with 100 or 100,000 VMs). Only an update of inventory rows by statement, which
names no values, or a datastore counted before the world kept ``committed``, is recounted from
the VMs on it. A write that adds thick bytes calls ``require`` before it ends: it refuses
(WrongState ``datastore.insufficient_space``) when a datastore whose thick bytes grew has less
than nothing free; thin disks and home files may overcommit (``free_space`` is then 0)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from localsphere.world.errors import WrongState
from localsphere.world.inventory import DATASTORE, POWERED_ON, SUSPENDED, VM
from localsphere.world.schema import ManagedObject
from localsphere.world.store import INVENTORY, Store, changed

THIN, THICK, EAGER = "thin", "thick", "eagerZeroedThick"
PROVISIONING = (THIN, THICK, EAGER)
THIN_WRITTEN = 0.1  # of a thin disk's capacity, what its guest has written
MIB = 1 << 20
HOME_BYTES = 16 * MIB  # a VM's .vmx, .nvram and logs
FILES = "vm_files"  # a datastore's details: the VMs on it vCenter forgot (vm_placement's)
_TOUCHED = "datastore_space.touched"  # session.info: datastores to recount; None in it: all
_CHANGES = "datastore_space.changes"  # session.info: what the write adds to each datastore


@dataclass
class Space:
    """What is on one datastore, in bytes."""

    committed: int = 0
    uncommitted: int = 0
    thick: int = 0

    def empty(self) -> bool:
        return not (self.committed or self.uncommitted or self.thick)


def provisioning(disk: dict[str, Any]) -> str:
    """A disk's provisioning (``PROVISIONING``): thin unless it says otherwise."""
    return str(disk.get("provisioning") or THIN)


def disk_committed(disk: dict[str, Any]) -> int:
    """The bytes a disk takes on its datastore: a thick one's capacity, what a thin one's guest
    wrote (``THIN_WRITTEN`` of it)."""
    capacity = int(disk.get("capacity") or 0)
    return int(capacity * THIN_WRITTEN) if provisioning(disk) == THIN else capacity


def home(details: dict[str, Any]) -> str | None:
    """A VM's home datastore: its details' ``datastore``, else its first disk's."""
    found = details.get("datastore")
    if found is None and details.get("disks"):
        found = details["disks"][0].get("datastore")
    return found


def datastores_of(details: dict[str, Any]) -> set[str]:
    """The datastores a VM has files on."""
    found = {d["datastore"] for d in details.get("disks", []) if d.get("datastore")}
    at_home = home(details)
    return found | {at_home} if at_home else found


def _add(
    found: dict[str, Space], details: dict[str, Any], power: str | None, memory_mib: int | None, sign: int = 1
) -> None:
    """Add what a VM of ``details`` in ``power`` with ``memory_mib`` takes to ``found`` (``sign``
    -1: take it away)."""
    for disk in details.get("disks", []):
        datastore = disk.get("datastore")
        if not datastore:
            continue
        space = found.setdefault(datastore, Space())
        capacity, written = int(disk.get("capacity") or 0), disk_committed(disk)
        space.committed += sign * written
        if provisioning(disk) == THIN:
            space.uncommitted += sign * (capacity - written)
        else:
            space.thick += sign * capacity
    at_home = home(details)
    if at_home:
        space = found.setdefault(at_home, Space())
        space.committed += sign * HOME_BYTES
        if power in (POWERED_ON, SUSPENDED):
            space.committed += sign * (memory_mib or 0) * MIB


def of_vm(details: dict[str, Any], power: str | None, memory_mib: int | None) -> dict[str, Space]:
    """What one VM (its ``details``, ``power``, ``memory_mib``) takes on each datastore it has
    files on, by datastore id: vim25's ``VirtualMachine.storage`` of it."""
    found: dict[str, Space] = {}
    _add(found, details, power, memory_mib)
    return found


def _add_forgotten(found: dict[str, Space], datastore_details: dict[str, Any], sign: int = 1) -> None:
    """Add what the VMs vCenter forgot, kept in a datastore's details, take (as powered off)."""
    for kept in datastore_details.get(FILES, {}).values():
        _add(found, kept.get("details") or {}, None, None, sign)


def usage(s: Session, datastores: Iterable[str] | None = None) -> dict[str, Space]:
    """What the VMs (those vCenter knows and those it forgot) take on ``datastores`` (None: on
    every datastore), by datastore id, in one read of the VMs that name them."""
    wanted = None if datastores is None else sorted(set(datastores))
    query = select(ManagedObject.details, ManagedObject.power_state, ManagedObject.memory_mib).where(
        ManagedObject.kind == VM
    )
    if wanted is not None:
        if not wanted:
            return {}
        query = query.where(or_(*(ManagedObject.details.contains(f'"{d}"', autoescape=True) for d in wanted)))
    found: dict[str, Space] = {}
    for details, power, memory in s.execute(query.execution_options(yield_per=1000)):
        _add(found, json.loads(details or "{}"), power, memory)
    stores = select(ManagedObject.details).where(
        ManagedObject.kind == DATASTORE, ManagedObject.details.contains(FILES, autoescape=True)
    )
    for (details,) in s.execute(stores):
        _add_forgotten(found, json.loads(details or "{}"))
    return found if wanted is None else {d: found.get(d, Space()) for d in wanted}


def recount(s: Session, datastores: Iterable[str] | None = None) -> None:
    """Set ``free_space``, ``committed``, ``uncommitted`` and ``thick`` of ``datastores`` (None:
    all) from what is on them now."""
    counted = usage(s, datastores)
    rows = select(ManagedObject).where(ManagedObject.kind == DATASTORE)
    if datastores is not None:
        rows = rows.where(ManagedObject.moid.in_(sorted(counted)))
    for row in s.scalars(rows):
        _set(s, row, counted.get(row.moid, Space()))


def _set(s: Session, row: ManagedObject, space: Space) -> None:
    """A datastore row's figures from ``space``, what is on it."""
    free = max(0, (row.capacity or 0) - space.committed)
    details = json.loads(row.details or "{}")
    kept = (details.get("committed"), details.get("uncommitted"), details.get("thick"))
    if row.free_space != free or kept != (space.committed, space.uncommitted, space.thick):
        row.free_space = free
        details["committed"], details["uncommitted"], details["thick"] = (
            space.committed,
            space.uncommitted,
            space.thick,
        )
        row.details = json.dumps(details)
        changed(s, INVENTORY)


def _kept(row: ManagedObject) -> Space | None:
    """What a datastore row says is on it; None for one counted before the world kept it."""
    details = json.loads(row.details or "{}")
    if "committed" not in details:
        return None
    return Space(int(details["committed"]), int(details.get("uncommitted", 0)), int(details.get("thick", 0)))


def _pending(s: Session) -> dict[str, Space]:
    return s.info.setdefault(_CHANGES, {})


def require(s: Session, datastores: Iterable[str], file: str = "") -> None:
    """Refuse, before a write transaction that adds thick bytes to ``datastores`` ends, when one
    of them whose thick bytes grew (against what its row kept before) has less than nothing free:
    WrongState ``datastore.insufficient_space`` quoting the file (``file``; else the datastore's
    path) and the datastore's name, worded as vCenter's "Insufficient disk space on datastore"."""
    s.flush()
    pending, touched = _pending(s), _touched(s)
    for row in s.scalars(
        select(ManagedObject).where(
            ManagedObject.kind == DATASTORE, ManagedObject.moid.in_(sorted(set(datastores)))
        )
    ):
        kept = _kept(row)
        if kept is None or row.moid in touched or None in touched:
            space, grown = usage(s, [row.moid])[row.moid], None
            before = int(json.loads(row.details or "{}").get("thick", 0))
            grown = space.thick > before
        else:
            change = pending.get(row.moid, Space())
            space = Space(kept.committed + change.committed, 0, kept.thick + change.thick)
            grown = change.thick > 0
        if grown and space.committed > (row.capacity or 0):
            raise WrongState(
                "datastore.insufficient_space",
                f"Insufficient disk space on datastore '{row.name}'.",
                file or f"[{row.name}]",
                row.name,
            )


def thick_grown(before: dict[str, Any], after: dict[str, Any]) -> dict[str, str]:
    """Of a VM whose details were ``before`` and are ``after`` (a new VM: ``{}`` before), the
    datastores that hold more of its thick bytes now, each with the file of a thick disk there
    that is new, moved there or larger."""
    old = {(d.get("datastore"), d.get("key")): d for d in before.get("disks", []) if provisioning(d) != THIN}
    grown: dict[str, str] = {}
    for disk in after.get("disks", []):
        datastore = disk.get("datastore")
        if not datastore or provisioning(disk) == THIN:
            continue
        was = old.get((datastore, disk.get("key")))
        if was is None or int(disk.get("capacity") or 0) > int(was.get("capacity") or 0):
            grown.setdefault(datastore, str(disk.get("file") or ""))
    return grown


def require_room(s: Session, before: dict[str, Any], after: dict[str, Any]) -> None:
    """``require`` for the datastores where a VM's thick bytes grew (``thick_grown``)."""
    for datastore, file in thick_grown(before, after).items():
        require(s, [datastore], file)


def keep(store: Store) -> None:
    """Have ``store``'s write transactions add, when they commit, what the VMs they change take
    now less what they took (``_noted``; an update of inventory rows by statement: a recount of
    the datastores of the VMs it names, ``_noted_statement``)."""
    store.listen("before_flush", _noted)
    store.listen("do_orm_execute", _noted_statement)
    store.before_commit(_counted)


def _touched(s: Session) -> set[str | None]:
    return s.info.setdefault(_TOUCHED, set())


def _before(s: Session, row: ManagedObject, name: str) -> Any:
    """A row's column as the database holds it (before this flush's change to it; read from the
    database when the row did not hold the old value, as one expired and then set)."""
    history = inspect(row).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if not history.added:
        return getattr(row, name)
    with s.no_autoflush:
        return s.scalar(select(getattr(ManagedObject, name)).where(ManagedObject.moid == row.moid))


_VM_COLUMNS = ("details", "power_state", "memory_mib")


def _noted(s: Session, _flush: UOWTransaction, _instances: Any) -> None:
    """What the VMs (and the forgotten VMs of datastores) this flush writes change on their
    datastores: ``_CHANGES``, by datastore."""
    pending = _pending(s)
    for row in (*s.new, *s.dirty, *s.deleted):
        if not isinstance(row, ManagedObject) or row.kind not in (VM, DATASTORE):
            continue
        state = inspect(row)
        if row.kind == DATASTORE:
            if row not in s.new and row not in s.deleted and state.attrs.details.history.has_changes():
                _add_forgotten(pending, json.loads(_before(s, row, "details") or "{}"), -1)
                _add_forgotten(pending, json.loads(row.details or "{}"))
            continue
        unchanged = not any(state.attrs[c].history.has_changes() for c in _VM_COLUMNS)
        if state.persistent and row not in s.deleted and unchanged:
            continue
        if row not in s.new:
            details, power, memory = (_before(s, row, c) for c in _VM_COLUMNS)
            _add(pending, json.loads(details or "{}"), power, memory, -1)
        if row not in s.deleted:
            _add(pending, json.loads(row.details or "{}"), row.power_state, row.memory_mib)


def _noted_statement(state: ORMExecuteState) -> None:
    """An update or delete of inventory rows by statement: a delete takes away what the VMs it
    names took (read before it runs); an update, which names no values, has the datastores of the
    VMs it names (every datastore when it names no rows) recounted."""
    mapper = state.bind_mapper
    if not (state.is_update or state.is_delete) or mapper is None or mapper.class_ is not ManagedObject:
        return
    where = state.statement.whereclause
    if where is None:
        _touched(state.session).add(None)
        return
    columns = (ManagedObject.details, ManagedObject.power_state, ManagedObject.memory_mib)
    named = select(*columns).where(ManagedObject.kind == VM, where)
    if state.is_delete:  # what is pending is flushed (and noted) first: the rows as they go
        for details, power, memory in state.session.execute(named):
            _add(_pending(state.session), json.loads(details or "{}"), power, memory, -1)
        return
    with state.session.no_autoflush:
        for details, _power, _memory in state.session.execute(named):
            _touched(state.session).update(datastores_of(json.loads(details or "{}")))


def _counted(s: Session) -> None:
    """Before a write commits: add its changes to the datastores' figures (a datastore counted
    before the world kept them, or one an update by statement touched, recounted whole)."""
    s.flush()
    touched = s.info.pop(_TOUCHED, set())
    pending = {d: c for d, c in s.info.pop(_CHANGES, {}).items() if not c.empty()}
    if None in touched:
        recount(s)
        return
    if not pending and not touched:
        return
    wanted = sorted(touched | set(pending))
    recounted = set(touched)
    for row in s.scalars(
        select(ManagedObject).where(ManagedObject.kind == DATASTORE, ManagedObject.moid.in_(wanted))
    ):
        kept = _kept(row)
        if kept is None:
            recounted.add(row.moid)
        elif row.moid not in recounted:
            change = pending[row.moid]
            total = Space(
                kept.committed + change.committed,
                kept.uncommitted + change.uncommitted,
                kept.thick + change.thick,
            )
            _set(s, row, total)
    if recounted:
        recount(s, recounted)
    s.info.pop(_CHANGES, None)
    s.info.pop(_TOUCHED, None)
