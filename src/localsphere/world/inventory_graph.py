"""The inventory as a graph of managed objects, read in bulk: objects by id, the children of many
parents at once, the contents of a container in key order one page at a time, an object by name
under a parent, by UUID or by DNS name. What vSphere's SOAP API (PropertyCollector traversals,
container views, the search index) walks, without a query per object.

Every read takes an optional ``Sight`` (``Inventory.sight``): a caller whose permissions are
limited gets only the objects it may see (System.View), as vCenter hides the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select, tuple_

from localsphere.world.inventory import (
    _ALL,
    CLUSTER,
    DATASTORE,
    HOST,
    MOID_ORDER,
    NETWORK,
    POOL,
    POWERED_ON,
    VM,
    ObjectView,
    Sight,
)
from localsphere.world.schema import ManagedObject
from localsphere.world.store import Store
from localsphere.world.vm_hardware import bios_uuid, swapped_uuid

CHUNK = 500  # ids in one IN list
USES = {DATASTORE: "datastore", NETWORK: "network"}  # the key a VM's details name one it uses by
# _ALL without the details: an empty text in their place, which no one can decode
_WITHOUT_DETAILS = tuple(literal("").label("details") if c.key == "details" else c for c in _ALL)
MAX_PAGE = 10_000  # the most objects one page reads


@dataclass(frozen=True)
class Tally:
    """How many hosts or VMs an owner holds, how many of them are powered on, and their CPUs
    (a host's cores, a VM's vCPUs) and memory (MiB), all and of the powered-on ones."""

    count: int = 0
    on: int = 0
    cpus: int = 0
    memory_mib: int = 0
    memory_on_mib: int = 0


# the column that names the cluster or the pool an object is in
_OWNER = {CLUSTER: ManagedObject.cluster, POOL: ManagedObject.pool}


class InventoryGraph:
    def __init__(self, store: Store) -> None:
        self._store = store

    def _rows(self, query: Select[Any], sight: Sight | None) -> list[ObjectView]:
        return [o for o, path in self._pairs(query) if sight is None or sight.sees(path)]

    def _pairs(self, query: Select[Any]) -> list[tuple[ObjectView, str]]:
        """Each row of ``query`` (``_ALL``'s columns) as its object and its path."""
        with self._store.query() as conn:
            return [(ObjectView.of(r), r[-1]) for r in conn.execute(query).all()]

    def objects(self, moids: Iterable[str], sight: Sight | None = None) -> dict[str, ObjectView]:
        """The known objects among ``moids`` (those ``sight`` sees), by id: one query per
        ``CHUNK`` ids."""
        wanted = sorted(set(moids))
        found: dict[str, ObjectView] = {}
        for start in range(0, len(wanted), CHUNK):
            query = select(*_ALL).where(ManagedObject.moid.in_(wanted[start : start + CHUNK]))
            found.update((o.moid, o) for o in self._rows(query, sight))
        return found

    def children(
        self, parents: Collection[str], kinds: Collection[str] | None = None, sight: Sight | None = None
    ) -> list[ObjectView]:
        """The objects whose parent is one of ``parents`` (of ``kinds``, when given), in id order."""
        found: list[ObjectView] = []
        wanted = sorted(set(parents))
        for start in range(0, len(wanted), CHUNK):
            query = select(*_ALL).where(ManagedObject.parent.in_(wanted[start : start + CHUNK]))
            if kinds is not None:
                query = query.where(ManagedObject.kind.in_(sorted(kinds)))
            found += self._rows(query.order_by(*MOID_ORDER), sight)
        return found

    def vms_of(self, owners: Collection[str], kind: str, sight: Sight | None = None) -> list[ObjectView]:
        """The VMs on the hosts (``kind`` HostSystem) or in the resource pools (ResourcePool)
        ``owners``, or that use the datastores (Datastore: a disk or their home on it) or the
        networks (Network: a NIC on it), in id order."""
        found: list[ObjectView] = []
        wanted = sorted(set(owners))
        size = CHUNK if kind not in USES else CHUNK // 10  # a datastore or network: one LIKE each
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            if kind in USES:
                key = USES[kind]
                on = or_(*(ManagedObject.details.contains(f'"{key}": "{m}"', autoescape=True) for m in chunk))
            else:
                on = {HOST: ManagedObject.host, POOL: ManagedObject.pool}[kind].in_(chunk)
            found += self._rows(
                select(*_ALL).where(ManagedObject.kind == VM, on).order_by(*MOID_ORDER), sight
            )
        return found

    def tallies(self, owners: Collection[str], kind: str) -> dict[str, dict[str, Tally]]:
        """The hosts and VMs in each of the clusters (``kind`` ClusterComputeResource) or the
        resource pools (ResourcePool) ``owners``, by owner then kind: one grouped read."""
        column = _OWNER[kind]
        on = ManagedObject.power_state == POWERED_ON
        found: dict[str, dict[str, Tally]] = {o: {} for o in owners}
        wanted = sorted(set(owners))
        for start in range(0, len(wanted), CHUNK):
            rows = self._store_rows(
                select(
                    column,
                    ManagedObject.kind,
                    func.count(),
                    func.sum(case((on, 1), else_=0)),
                    func.sum(ManagedObject.cpu_count),
                    func.sum(ManagedObject.memory_mib),
                    func.sum(case((on, ManagedObject.memory_mib), else_=0)),
                )
                .where(column.in_(wanted[start : start + CHUNK]), ManagedObject.kind.in_((HOST, VM)))
                .group_by(column, ManagedObject.kind)
            )
            for owner, held, *numbers in rows:
                found[owner][held] = Tally(*(int(n or 0) for n in numbers))
        return found

    def _store_rows(self, query: Select[Any]) -> list[Any]:
        with self._store.query() as conn:
            return list(conn.execute(query).all())

    def contents(
        self,
        container: str,
        kinds: Collection[str] | None,
        recursive: bool,
        after: str | None,
        limit: int,
        sight: Sight | None = None,
        details: bool = True,
    ) -> list[ObjectView]:
        """Up to ``limit`` objects in ``container`` (below it at any depth when ``recursive``, else
        its children), of ``kinds`` when given, in id order after the id ``after``: a keyset page.
        An unknown container holds nothing. Without ``details`` the objects' details (devices,
        flags: the largest column) are not read, and reading them fails."""
        limit = min(limit, MAX_PAGE + 1)  # a page and one more: whether another page follows
        with self._store.query() as conn:
            path = conn.scalar(select(ManagedObject.path).where(ManagedObject.moid == container))
        if path is None:
            return []
        inside = (
            and_(ManagedObject.path.startswith(path, autoescape=True), ManagedObject.moid != container)
            if recursive
            else ManagedObject.parent == container
        )
        query = select(*(_ALL if details else _WITHOUT_DETAILS)).where(inside)
        if kinds is not None:
            query = query.where(ManagedObject.kind.in_(sorted(kinds)))
        if after is not None:
            query = query.where(tuple_(*MOID_ORDER) > tuple_(func.length(after), after))
        found: list[ObjectView] = []
        while len(found) < limit:  # a limited sight skips rows: read on until the page is full
            wanted = limit - len(found)
            pairs = self._pairs(query.order_by(*MOID_ORDER).limit(wanted))
            found += [o for o, at in pairs if sight is None or sight.sees(at)]
            if len(pairs) < wanted:
                break
            last = pairs[-1][0].moid
            query = query.where(tuple_(*MOID_ORDER) > tuple_(func.length(last), last))
        return found

    def child_named(self, parent: str, name: str, sight: Sight | None = None) -> ObjectView | None:
        """The child of ``parent`` named ``name``, if any."""
        query = select(*_ALL).where(ManagedObject.parent == parent, ManagedObject.name == name)
        found = self._rows(query.order_by(*MOID_ORDER).limit(1), sight)
        return found[0] if found else None

    def by_uuid(self, kinds: Collection[str], value: str, sight: Sight | None = None) -> ObjectView | None:
        """The first object of ``kinds`` with the UUID ``value`` (case-insensitive)."""
        query = select(*_ALL).where(
            ManagedObject.kind.in_(sorted(kinds)), func.lower(ManagedObject.uuid) == value.lower()
        )
        found = self._rows(query.order_by(*MOID_ORDER).limit(1), sight)
        return found[0] if found else None

    def by_bios_uuid(
        self, value: str, under: str | None = None, sight: Sight | None = None
    ) -> list[ObjectView]:
        """The VMs whose SMBIOS UUID (``vm_hardware.bios_uuid``) is ``value`` (case-insensitive),
        in id order, in the datacenter ``under`` when given; none for text that is no UUID. Two
        VMs may share one, as a copy given its source's does."""
        try:
            wanted = str(uuid.UUID(value))
        except ValueError:
            return []
        kept = func.lower(ManagedObject.details).contains(f'"bios_uuid": "{wanted}"', autoescape=True)
        derived = func.lower(ManagedObject.uuid) == swapped_uuid(wanted)
        where = [ManagedObject.kind == VM, or_(kept, derived)]
        if under is not None:
            where.append(ManagedObject.datacenter == under)
        query = select(*_ALL).where(*where).order_by(*MOID_ORDER)
        return [o for o in self._rows(query, sight) if bios_uuid(o).lower() == wanted]

    def by_name(
        self, kinds: Collection[str], name: str, under: str | None = None, sight: Sight | None = None
    ) -> ObjectView | None:
        """The first object of ``kinds`` named ``name`` (case-insensitive: a DNS name), in the
        datacenter ``under`` when given."""
        where = [ManagedObject.kind.in_(sorted(kinds)), func.lower(ManagedObject.name) == name.lower()]
        if under is not None:
            where.append(or_(ManagedObject.datacenter == under, ManagedObject.moid == under))
        found = self._rows(select(*_ALL).where(*where).order_by(*MOID_ORDER).limit(1), sight)
        return found[0] if found else None
