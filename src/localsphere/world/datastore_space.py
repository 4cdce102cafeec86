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

The figures are kept on the datastore rows (``free_space``; ``details``' ``uncommitted`` and
``thick``, the bytes of thick disks) by ``keep``: a write transaction that changes a VM recounts,
when it commits, the datastores the VM was or is on, in one grouped read of the VMs on them (a
scan of the VM rows that name them: a world of 100,000 VMs pays for it on each such write).
A write that adds thick bytes calls ``require`` before it ends: it refuses (WrongState
``datastore.insufficient_space``) when a datastore whose thick bytes grew has less than nothing
free; thin disks and home files may overcommit (``free_space`` is then 0)."""

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


@dataclass
class Space:
    """What is on one datastore, in bytes."""

    committed: int = 0
    uncommitted: int = 0
    thick: int = 0


def provisioning(disk: dict[str, Any]) -> str:
    """A disk's provisioning (``PROVISIONING``): thin unless it says otherwise."""
    return str(disk.get("provisioning") or THIN)


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


def _add(found: dict[str, Space], details: dict[str, Any], power: str | None, memory_mib: int | None) -> None:
    for disk in details.get("disks", []):
        datastore = disk.get("datastore")
        if not datastore:
            continue
        space = found.setdefault(datastore, Space())
        capacity = int(disk.get("capacity") or 0)
        if provisioning(disk) == THIN:
            written = int(capacity * THIN_WRITTEN)
            space.committed += written
            space.uncommitted += capacity - written
        else:
            space.committed += capacity
            space.thick += capacity
    at_home = home(details)
    if at_home:
        space = found.setdefault(at_home, Space())
        space.committed += HOME_BYTES
        if power in (POWERED_ON, SUSPENDED):
            space.committed += (memory_mib or 0) * MIB


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
        for kept in json.loads(details or "{}").get(FILES, {}).values():
            _add(found, kept.get("details") or {}, None, None)
    return found if wanted is None else {d: found.get(d, Space()) for d in wanted}


def recount(s: Session, datastores: Iterable[str] | None = None) -> None:
    """Set ``free_space``, ``uncommitted`` and ``thick`` of ``datastores`` (None: all) from what is
    on them now."""
    counted = usage(s, datastores)
    rows = select(ManagedObject).where(ManagedObject.kind == DATASTORE)
    if datastores is not None:
        rows = rows.where(ManagedObject.moid.in_(sorted(counted)))
    for row in s.scalars(rows):
        space = counted.get(row.moid, Space())
        free = max(0, (row.capacity or 0) - space.committed)
        details = json.loads(row.details or "{}")
        if (
            row.free_space != free
            or details.get("uncommitted") != space.uncommitted
            or details.get("thick") != space.thick
        ):
            row.free_space = free
            details["uncommitted"], details["thick"] = space.uncommitted, space.thick
            row.details = json.dumps(details)
            changed(s, INVENTORY)


def require(s: Session, datastores: Iterable[str], file: str = "") -> None:
    """Refuse, before a write transaction that adds thick bytes to ``datastores`` ends, when one
    of them whose thick bytes grew (against what its row kept before) has less than nothing free:
    WrongState ``datastore.insufficient_space`` quoting the file (``file``; else the datastore's
    path) and the datastore's name, worded as vCenter's "Insufficient disk space on datastore"."""
    s.flush()
    counted = usage(s, datastores)
    for row in s.scalars(
        select(ManagedObject).where(ManagedObject.kind == DATASTORE, ManagedObject.moid.in_(sorted(counted)))
    ):
        space = counted[row.moid]
        before = int(json.loads(row.details or "{}").get("thick", 0))
        if space.thick > before and space.committed > (row.capacity or 0):
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
    """Have ``store``'s write transactions recount the datastores of the VMs they change when
    they commit (an update or delete of inventory rows by statement: every datastore)."""
    store.listen("before_flush", _noted)
    store.listen("do_orm_execute", _noted_statement)
    store.before_commit(_recounted)


def _touched(s: Session) -> set[str | None]:
    return s.info.setdefault(_TOUCHED, set())


def _noted(s: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for row in (*s.new, *s.dirty, *s.deleted):
        if not isinstance(row, ManagedObject) or row.kind != VM:
            continue
        history = inspect(row).attrs.details.history
        for details in (row.details, *(history.deleted or ())):
            _touched(s).update(datastores_of(json.loads(details or "{}")))


def _noted_statement(state: ORMExecuteState) -> None:
    """An update or delete of inventory rows by statement: the datastores of the VMs it names
    (read before it runs), or every datastore when it names no rows."""
    mapper = state.bind_mapper
    if not (state.is_update or state.is_delete) or mapper is None or mapper.class_ is not ManagedObject:
        return
    where = state.statement.whereclause
    if where is None:
        _touched(state.session).add(None)
        return
    with state.session.no_autoflush:
        named = state.session.execute(select(ManagedObject.details).where(ManagedObject.kind == VM, where))
        for (details,) in named:
            _touched(state.session).update(datastores_of(json.loads(details or "{}")))


def _recounted(s: Session) -> None:
    s.flush()
    touched = s.info.pop(_TOUCHED, set())
    if touched:
        recount(s, None if None in touched else {t for t in touched if t is not None})
