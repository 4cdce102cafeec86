"""The compute inventory: datacenters, folders, clusters, hosts, resource pools, datastores,
networks and VMs, each a row named by its managed-object id, built from counts the way vcsim
builds its model, and changed by VM life-cycle and power operations.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, delete, false, func, not_, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from localsphere.world import access
from localsphere.world.access import OPS, ROOTS, Caller
from localsphere.world.clock import Clock, read_state
from localsphere.world.copies import Copies
from localsphere.world.errors import (
    AlreadyInState,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    WrongState,
    bounded_text,
)
from localsphere.world.guest_os import check_guest
from localsphere.world.plan import POWER_STATES, InventoryPlan, VmGroup
from localsphere.world.scenario import ScenarioError
from localsphere.world.schema import ExternalStat, ManagedObject, Meta
from localsphere.world.store import INVENTORY, STATS, Store, bulk_insert, changed
from localsphere.world.vm_sizes import check_cpus, check_memory

DATACENTER, FOLDER, CLUSTER, HOST = "Datacenter", "Folder", "ClusterComputeResource", "HostSystem"
POOL, DATASTORE, NETWORK, VM = "ResourcePool", "Datastore", "Network", "VirtualMachine"
ROOT_FOLDER = "group-d1"
VCENTER = "vCenter"  # the kind ``page`` gives the root folder, which stands for the vCenter
VIEW = "System.View"
# The privilege that lets a family's caller see an object at all (without it, the object is not
# there for it): vCenter's System.View, Operations' ViewEnvironment.
SEEING = {access.VCENTER: VIEW, OPS: "ViewEnvironment"}
# What vCenter grants a caller on each object above one it sees, whatever its permissions there.
IMPLIED = frozenset({"System.Anonymous", VIEW})
POWERED_ON, POWERED_OFF, SUSPENDED = "POWERED_ON", "POWERED_OFF", "SUSPENDED"
DISCONNECTED = "DISCONNECTED"  # a host's connection state (its ``subtype``)

MOID_SEQUENCE = "moid_sequence"
MOID_ORDER = (func.length(ManagedObject.moid), ManagedObject.moid)
"""The order vCenter lists objects in: by the number in their moid (``datastore-9`` before ``-10``)."""
GUESTS = ("UBUNTU_64", "RHEL_9_64", "WINDOWS_SERVER_2021", "OTHER_LINUX_64")
CPUS = (1, 2, 4, 8)
MEMORY = (2048, 4096, 8192, 16384)
GIB = 1 << 30
VM_NAME_LENGTH = 80  # vCenter refuses longer VM names
BATCH = 5000


@dataclass
class _Builder:
    """Makes rows with fresh managed-object ids, in the order vCenter would number them."""

    now: float
    next_id: int = 1
    vms: int = 0  # made so far; also the number of the last one
    pending: list[dict[str, Any]] = field(default_factory=list)
    taken: set[tuple[str, str, str]] = field(default_factory=set)

    def unique(self, scope: str, kind: str, name: str, line: int) -> str:
        """``name``, refused when ``scope`` (a datacenter, or "" for the whole world) already has a
        ``kind`` of that name, as vCenter refuses it; ``line``: where the plan wrote it."""
        if (scope, kind, name) in self.taken:
            raise ScenarioError(line, f"two {kind} objects would be named {name!r}; vCenter refuses that")
        self.taken.add((scope, kind, name))
        return name

    def moid(self, prefix: str) -> str:
        value = f"{prefix}{self.next_id}"
        self.next_id += 1
        return value

    def add(self, moid: str, kind: str, name: str, parent: str | None, path: str, **values: Any) -> str:
        details = values.pop("details", {})
        row = {
            "moid": moid,
            "uuid": str(uuid.uuid4()),
            "kind": kind,
            "name": name,
            "parent": parent,
            "path": f"{path}{moid}/",
            "datacenter": None,
            "folder": None,
            "cluster": None,
            "host": None,
            "pool": None,
            "subtype": None,
            "power_state": None,
            "cpu_count": None,
            "memory_mib": None,
            "capacity": None,
            "free_space": None,
            "details": json.dumps(details),
            "created_at": self.now,
            "vapp": None,
            "booted_at": None,
            "suspended_at": None,
            "suspended_for": None,
        }
        row.update(values)
        self.pending.append(row)
        return row["path"]


def build(s: Session, plan: InventoryPlan, now: float, progress: Callable[[int], None] | None = None) -> int:
    """Fill an empty inventory from a plan; returns how many objects it made. Rows go in batches,
    so a world of 100,000 VMs loads in bounded memory; ``progress`` hears how many VMs are made."""
    b = _Builder(now)
    count = 0
    conn = s.connection()
    for batch in _objects(b, plan):
        bulk_insert(conn, _OBJECTS, _OBJECT_COLUMNS, [[row[c] for c in _OBJECT_COLUMNS] for row in batch])
        count += len(batch)
        if progress is not None:
            progress(b.vms)
    s.merge(Meta(key=MOID_SEQUENCE, value=str(b.next_id)))
    return count


_OBJECTS = ManagedObject.__table__
_OBJECT_COLUMNS = list(_OBJECTS.columns.keys())


def _flush(b: _Builder) -> Iterator[list[dict[str, Any]]]:
    if len(b.pending) >= BATCH:
        yield b.pending
        b.pending = []


def _expand(groups: Iterable[Any], **outer: int) -> Iterator[tuple[Any, str, int]]:
    """Each planned item of ``groups`` as (group, name, index among its siblings from 1), its name
    from the group's template with ``n`` (index in the group) and the outer indexes."""
    index = 0
    for group in groups:
        for n in range(1, group.count + 1):
            index += 1
            yield group, group.name.format(n=n, **outer, **{_INDEX[type(group).__name__]: index}), index


_INDEX = {
    "DatacenterGroup": "d",
    "ClusterGroup": "c",
    "HostGroup": "h",
    "DatastoreGroup": "s",
    "NetworkGroup": "k",
}


def _objects(b: _Builder, plan: InventoryPlan) -> Iterator[list[dict[str, Any]]]:
    root = b.add(b.moid("group-d"), FOLDER, "Datacenters", None, "/", subtype="DATACENTER")
    for dc_plan, dc_name, d in _expand(plan.datacenters):
        b.unique("", DATACENTER, dc_name, dc_plan.line)
        dc = b.moid("datacenter-")
        dc_path = b.add(dc, DATACENTER, dc_name, ROOT_FOLDER, root, folder=ROOT_FOLDER)
        folders = {}
        for prefix, kind, label in (
            ("group-v", "VIRTUAL_MACHINE", "vm"),
            ("group-h", "HOST", "host"),
            ("group-s", "DATASTORE", "datastore"),
            ("group-n", "NETWORK", "network"),
        ):
            moid = b.moid(prefix)
            folders[kind] = (moid, b.add(moid, FOLDER, label, dc, dc_path, datacenter=dc, subtype=kind))
        net_folder, net_path = folders["NETWORK"]
        names = ["VM Network"] + [
            b.unique(dc, NETWORK, name, group.line) for group, name, _ in _expand(dc_plan.networks, d=d)
        ]
        nets = []
        for name in names:
            moid = b.moid("network-")
            nets.append((moid, name))
            b.add(
                moid,
                NETWORK,
                name,
                net_folder,
                net_path,
                datacenter=dc,
                folder=net_folder,
                subtype="STANDARD_PORTGROUP",
            )
        ds_folder, ds_path = folders["DATASTORE"]
        datastores = []
        for ds_plan, name, _ in _expand(dc_plan.datastores, d=d):
            b.unique(dc, DATASTORE, name, ds_plan.line)
            moid = b.moid("datastore-")
            datastores.append((moid, name))
            capacity = ds_plan.capacity_gib * GIB
            b.add(
                moid,
                DATASTORE,
                name,
                ds_folder,
                ds_path,
                datacenter=dc,
                folder=ds_folder,
                subtype="VMFS",
                capacity=capacity,
                free_space=capacity,  # the seed counts what its VMs take (datastore_space)
                details={"accessible": True, "multiple_host_access": True, "thin_provisioning": True},
            )
        host_folder, host_path = folders["HOST"]
        vm_place = (dc, *folders["VIRTUAL_MACHINE"])
        for cl_plan, cl_name, c in _expand(dc_plan.clusters, d=d):
            b.unique(dc, CLUSTER, cl_name, cl_plan.line)
            cluster = b.moid("domain-c")
            cluster_path = b.add(
                cluster,
                CLUSTER,
                cl_name,
                host_folder,
                host_path,
                datacenter=dc,
                folder=host_folder,
                details={"ha_enabled": True, "drs_enabled": True},
            )
            pool = b.moid("resgroup-")
            b.add(pool, POOL, "Resources", cluster, cluster_path, datacenter=dc, cluster=cluster)
            for host_plan, host_name, h in _expand(cl_plan.hosts, d=d, c=c):
                b.unique("", HOST, host_name, host_plan.line)
                host = b.moid("host-")
                b.add(
                    host,
                    HOST,
                    host_name,
                    cluster,
                    cluster_path,
                    datacenter=dc,
                    cluster=cluster,
                    folder=host_folder,
                    subtype="CONNECTED",
                    power_state=POWERED_ON,
                    cpu_count=host_plan.cpus,
                    memory_mib=host_plan.memory_mib,
                )
                for vm_plan in host_plan.vms:
                    for n in range(1, vm_plan.count + 1):
                        b.vms += 1
                        number = b.vms
                        template = vm_plan.name or "vm-{vm:05d}"
                        name = template.format(n=n, vm=number, d=d, c=c, h=h)
                        if "{vm" not in template:  # a name with the VM's own number is unique already
                            b.unique(dc, VM, name, vm_plan.line)
                        _add_vm(
                            b,
                            vm_plan,
                            number,
                            name,
                            vm_place,
                            (cluster, host, pool),
                            datastores[number % len(datastores)] if datastores else None,
                            nets[number % len(nets)],
                        )
                        yield from _flush(b)
    if b.pending:
        yield b.pending
        b.pending = []


def _pick(number: int, weights: list[float], stride: float) -> int:
    """A deterministic, evenly spread choice by weight for the ``number``-th VM: the fractional
    parts of multiples of an irrational ``stride`` cover [0, 1) evenly."""
    point = (number * stride) % 1.0 * sum(weights)
    for index, weight in enumerate(weights):
        point -= weight
        if point < 0:
            return index
    return len(weights) - 1


def _add_vm(
    b: _Builder,
    plan: VmGroup,
    number: int,
    name: str,
    place: tuple[str, str, str],
    compute: tuple[str, str, str],
    datastore: tuple[str, str] | None,
    network: tuple[str, str],
) -> None:
    """One VM on ``datastore`` (its id and name); without sizes and a power mix it takes the demo
    world's rotation: four sizes, and every third VM powered off."""
    dc, folder, folder_path = place
    cluster, host, pool = compute
    if plan.power is None:
        power = POWERED_OFF if number % 3 == 0 else POWERED_ON
    else:
        mix = plan.power
        power = POWER_STATES[_pick(number, [mix.on, mix.off, mix.suspended], 0.6180339887498949)]
    if plan.sizes is None:
        cpus, memory, disk_gib = CPUS[number % len(CPUS)], MEMORY[number % len(MEMORY)], 40
    else:
        size = plan.sizes[_pick(number, [z.weight for z in plan.sizes], 0.4142135623730951)]
        cpus, memory, disk_gib = size.cpus, size.memory_mib, size.disk_gib
    b.add(
        b.moid("vm-"),
        VM,
        name,
        folder,
        folder_path,
        datacenter=dc,
        folder=folder,
        cluster=cluster,
        host=host,
        pool=pool,
        power_state=power,
        **booted(power, b.now),
        cpu_count=cpus,
        memory_mib=memory,
        subtype=plan.guest or GUESTS[number % len(GUESTS)],
        details=vm_details(name, datastore, network, disk_gib * GIB, clean_power_off=True),
    )


def authorize(caller: Caller, path: str, privilege: str, moid: str, db: Session | Connection) -> None:
    """Refuse unless ``caller`` holds ``privilege`` on the object at ``path``: Forbidden, or
    NotFound when it may not even see it (its family's ``SEEING`` privilege); ``db``: where the
    caller's permissions are looked up when it sees the object only as an ancestor."""
    _check(caller, _privileges_at(caller, path, lambda: ancestors(db, caller)), privilege, moid)


def _check(caller: Caller, held: frozenset[str], privilege: str, moid: str) -> None:
    """``authorize`` for the privileges ``held`` on the object ``moid``."""
    if SEEING[caller.family] not in held:
        raise NotFound("object.not_found", f"Object with identifier '{moid}' does not exist", moid)
    if privilege not in held:
        raise Forbidden(
            "privilege.missing",
            f"{caller.principal.upn} lacks {privilege} on {moid}",
            caller.principal.upn,
            privilege,
            moid,
        )


def _privileges_at(caller: Caller, path: str, above: Callable[[], frozenset[str]]) -> frozenset[str]:
    """The privileges ``caller`` holds on the object at ``path``: its permissions', or, when they
    do not let it see the object but it lies above one they do (``above``: the ids of those
    objects, asked for only then), ``IMPLIED`` alone, as vCenter shows the way down."""
    held = caller.on(_chain_of(caller, path))
    if SEEING[caller.family] in held or caller.family != access.VCENTER or _moid_of(path) not in above():
        return held
    return IMPLIED


def _moid_of(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def _scope_paths(db: Session | Connection, caller: Caller) -> list[str]:
    """The paths of the objects below the root that ``caller``'s permissions sit on."""
    scopes = sorted(caller.grants.scopes() - {ROOTS[caller.family]})
    if not scopes:
        return []
    return list(db.scalars(select(ManagedObject.path).where(ManagedObject.moid.in_(scopes))))


def ancestors(db: Session | Connection, caller: Caller, paths: Iterable[str] | None = None) -> frozenset[str]:
    """The ids of the objects above those ``caller`` sees (vCenter only): the ancestors of each
    object a permission of its sits on and lets it see, and of each whose own permission hides it
    but does not propagate while one above lets its children be seen (when it has children).
    ``paths``: those objects' paths (``_scope_paths``), when read already. An explicit NoAccess on
    an ancestor does not hide the way down to what the caller sees below it."""
    if caller.family != access.VCENTER or not caller.grants.scopes() - {ROOT_FOLDER}:
        return frozenset()
    found: set[str] = set()
    for path in _scope_paths(db, caller) if paths is None else paths:
        chain = _chain(path)
        if VIEW in caller.on(chain):
            found.update(chain[1:])
        elif VIEW in caller.on([_A_CHILD, *chain]) and _has_children(db, path):
            found.update(chain)
    return frozenset(found)


_A_CHILD = "\0"  # no object's id: the chain of a child without permissions of its own


def _has_children(db: Session | Connection, path: str) -> bool:
    below = and_(ManagedObject.path.startswith(path, autoescape=True), ManagedObject.path != path)
    return db.scalar(select(ManagedObject.moid).where(below).limit(1)) is not None


def _frozen(values: set[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _chain(path: str) -> list[str]:
    """An object and its ancestors, nearest first, from its path."""
    return path.strip("/").split("/")[::-1]


def _chain_of(caller: Caller, path: str) -> list[str]:
    """``_chain``, up to the root of the caller's family where that is not the root folder (the
    permissions of Operations' roles on all objects sit on ``''``)."""
    chain, root = _chain(path), ROOTS[caller.family]
    return chain if chain[-1] == root else [*chain, root]


@dataclass(frozen=True)
class Sight:
    """Which objects a caller whose permissions are limited to some objects sees in a list: the
    rows of ``where`` (a superset: the objects under the ones its permissions sit on and their
    ``ancestors``, or every object when ``paths`` is None), each then decided by ``sees`` from its
    path. ``ancestors``: the ids of the objects above those it sees (the function ``ancestors``),
    which it sees too, with ``IMPLIED`` privileges alone where its permissions give it none."""

    caller: Caller
    paths: tuple[str, ...] | None
    ancestors: frozenset[str] = frozenset()

    def where(self) -> ColumnElement[bool]:
        if self.paths is None:
            return ManagedObject.moid.is_not(None)
        above = [ManagedObject.moid.in_(sorted(self.ancestors))] if self.ancestors else []
        return or_(false(), *(ManagedObject.path.startswith(p, autoescape=True) for p in self.paths), *above)

    def sees(self, path: str) -> bool:
        if SEEING[self.caller.family] in self.caller.on(_chain_of(self.caller, path)):
            return True
        return bool(self.ancestors) and _moid_of(path) in self.ancestors


def seen_page(
    db: Session, query: Select[Any], sight: Sight, keep: Callable[[Any], bool], offset: int, limit: int
) -> tuple[int, list[ObjectView]]:
    """A page of the rows of ``query`` (``_ALL``'s columns, in order) that ``sight`` sees and
    ``keep`` keeps, and how many there are: the rows are streamed, as only Python decides."""
    total, found = 0, []
    for row in db.execute(query.where(sight.where()).execution_options(yield_per=1000)):
        if sight.sees(row[-1]) and keep(row):
            if offset <= total < offset + limit:
                found.append(ObjectView.of(row))
            total += 1
    return total, found


def vm_details(
    name: str,
    datastore: tuple[str, str] | None,
    network: tuple[str, str] | None,
    disk_bytes: int,
    clean_power_off: bool,
    hardware_version: str | None = None,
) -> dict[str, Any]:
    """A VM's devices: one disk on ``datastore`` (when ``disk_bytes``), one NIC on ``network`` (each
    by its id and name); its hardware version, when not the newest."""
    disks = (
        [
            {
                "key": "2000",
                "label": "Hard disk 1",
                "capacity": disk_bytes,
                "datastore": datastore[0],
                "file": datastore_file(datastore[1], name, f"{name}.vmdk"),
            }
        ]
        if datastore and disk_bytes
        else []
    )
    nics = (
        [
            {
                "key": "4000",
                "label": "Network adapter 1",
                "network": network[0],
                "network_name": network[1],
                "mac": "00:50:56:" + ":".join(f"{b:02x}" for b in uuid.uuid4().bytes[:3]),
            }
        ]
        if network
        else []
    )
    details: dict[str, Any] = {"disks": disks, "nics": nics, "clean_power_off": clean_power_off}
    if datastore is not None:
        set_home(details, *datastore)  # the VM's home, where its new disks go
    if hardware_version is not None:
        details["hardware"] = {"version": hardware_version}
    return details


def set_home(details: dict[str, Any], datastore: str, name: str) -> None:
    """A VM's home (where its configuration files are and its new disks go): the datastore
    ``datastore`` named ``name``, which its ``.vmx`` path names (``[name] vm/vm.vmx``)."""
    details["datastore"], details["datastore_name"] = datastore, name


def datastore_file(datastore_name: str, vm_name: str, file: str) -> str:
    """Where a VM's file lies, as vSphere writes it: ``[datastore name] vm name/file``."""
    return f"[{datastore_name}] {vm_name}/{file}"


def datastore_name(s: Session, moid: str) -> str:
    """A datastore's name, for the paths of the files on it."""
    return row_of(s, DATASTORE, moid).name


@dataclass(frozen=True)
class Filter:
    """Which objects of a kind to list: each field, when set, keeps the objects whose column is in it."""

    moids: set[str] | None = None
    uuids: set[str] | None = None
    names: set[str] | None = None
    datacenters: set[str] | None = None
    folders: set[str] | None = None
    clusters: set[str] | None = None
    hosts: set[str] | None = None
    pools: set[str] | None = None
    parents: set[str] | None = None
    subtypes: set[str] | None = None
    power_states: set[str] | None = None
    templates: bool | None = None  # VMs that are templates (True), that are not (False), or either


TEMPLATE_MARK = '"template": true'  # how a template's ``details`` say it is one (``json.dumps``)
_COLUMNS = {
    "moids": ManagedObject.moid,
    "uuids": ManagedObject.uuid,
    "names": ManagedObject.name,
    "datacenters": ManagedObject.datacenter,
    "folders": ManagedObject.folder,
    "clusters": ManagedObject.cluster,
    "hosts": ManagedObject.host,
    "pools": ManagedObject.pool,
    "parents": ManagedObject.parent,
    "subtypes": ManagedObject.subtype,
    "power_states": ManagedObject.power_state,
}


@dataclass(frozen=True)
class ObjectView:
    moid: str
    uuid: str
    kind: str
    name: str
    parent: str | None
    datacenter: str | None
    folder: str | None
    cluster: str | None
    host: str | None
    pool: str | None
    subtype: str | None
    power_state: str | None
    cpu_count: int | None
    memory_mib: int | None
    capacity: int | None
    free_space: int | None
    details_json: str  # decoded only when asked for: a list's summaries never show it
    created_at: float
    booted_at: float | None  # a VM's power-on clock (``power_to``), epoch seconds
    suspended_at: float | None
    suspended_for: float | None

    @cached_property
    def details(self) -> dict[str, Any]:
        """What only the object's own view shows: disks, NICs, cluster and datastore flags."""
        return json.loads(self.details_json)

    @staticmethod
    def of(row: Any) -> ObjectView:
        """From a row of ``_ALL``, by position (by name, a row's 18 columns cost 10 µs), filled
        in directly: a frozen dataclass's ``__init__`` sets each field through
        ``object.__setattr__`` (5 µs a view; 2 µs so, which lists of thousands feel)."""
        view = object.__new__(ObjectView)
        view.__dict__.update(zip(_FIELDS, row, strict=False))
        return view


_FIELDS = tuple(f.name for f in fields(ObjectView))
# An ObjectView's columns in its order, then the path: for reads that skip the ORM.
_ALL = (
    *(getattr(ManagedObject, "details" if f.name == "details_json" else f.name) for f in fields(ObjectView)),
    ManagedObject.path,
)
_BY_MOID = select(*_ALL).where(ManagedObject.moid == bindparam("moid"))
_BY_UUID = select(*_ALL).where(ManagedObject.uuid == bindparam("uuid"))


class Inventory:
    """The managed objects. Single objects (a VM's view, the object a privilege is checked on),
    lists and pages are read from this process's copies while the ``INVENTORY`` generation stays
    (``world.copies``); ``max_age``: the most seconds a copy is trusted without a sign of change."""

    def __init__(self, store: Store, clock: Clock, max_age: float) -> None:
        self._store = store
        self._clock = clock
        generation = store.generations[INVENTORY]
        # moid -> (the object, its path); None: no such object. About 1 KiB an object.
        self._objects: Copies[str, tuple[ObjectView, str] | None] = Copies(generation, max_age, limit=20_000)
        # uuid -> the object, or nothing (Operations names objects by uuid)
        self._by_uuid: Copies[str, tuple[ObjectView, ...]] = Copies(generation, max_age, limit=20_000)
        # (what was asked) -> (the answer); a list of 100,000 VMs is one entry, so fewer of them
        self._lists: Copies[tuple[Any, ...], Any] = Copies(generation, max_age, limit=1000)

    def _object(self, moid: str) -> tuple[ObjectView, str] | None:
        """The object with ``moid`` and its path, from the copy or else the store."""

        def read() -> tuple[ObjectView, str] | None:
            with self._store.query() as conn:
                row = conn.execute(_BY_MOID, {"moid": moid}).first()
            return (ObjectView.of(row), row[-1]) if row is not None else None

        return self._objects.kept(moid, read)

    def list(self, kind: str, where: Filter, limit: int, viewer: Caller | None = None) -> list[ObjectView]:
        """Up to ``limit`` objects of a kind, by managed-object id order of creation; with a
        ``viewer``, only those it may see (System.View), as vCenter hides the rest."""
        query: Select[Any] = select(*_ALL).where(ManagedObject.kind == kind)
        for name, column in _COLUMNS.items():
            wanted = getattr(where, name)
            if wanted is not None:
                query = query.where(column.in_(sorted(wanted)))
        if where.templates is not None:
            marked = ManagedObject.details.contains(TEMPLATE_MARK, autoescape=True)
            query = query.where(marked if where.templates else not_(marked))
        query = query.order_by(*MOID_ORDER)
        sight = None if viewer is None else self.sight(viewer)
        if sight is None:

            def read() -> tuple[ObjectView, ...]:
                with self._store.query() as conn:
                    return tuple(ObjectView.of(r) for r in conn.execute(query.limit(limit)))

            asked = (_frozen(getattr(where, name)) for name in _COLUMNS)
            key = ("list", kind, *asked, where.templates, limit)
            return list(self._lists.kept(key, read))
        with self._store.read() as s:  # a transaction: PostgreSQL streams rows only inside one
            found = []
            for row in s.execute(query.where(sight.where()).execution_options(yield_per=1000)):
                if sight.sees(row[-1]):
                    found.append(ObjectView.of(row))
                    if len(found) == limit:
                        break
            return found

    def page(
        self,
        kinds: set[str],
        name: str | None,
        uuids: set[str] | None,
        offset: int,
        limit: int,
        sight: Sight | None = None,
    ) -> tuple[int, list[ObjectView]]:
        """One page of objects of the given kinds (``name``: a case-insensitive part of the name),
        and how many there are in all; with a ``sight``, of those it sees. The root folder is of
        the kind ``VCENTER``: it stands for the vCenter itself, not one of its folders."""
        real = sorted(kinds - {VCENTER})
        either = [and_(ManagedObject.kind.in_(real), ManagedObject.moid != ROOT_FOLDER)] if real else []
        if VCENTER in kinds:
            either.append(ManagedObject.moid == ROOT_FOLDER)
        where = [or_(*either)]
        if name:
            where.append(func.lower(ManagedObject.name).contains(name.lower(), autoescape=True))
        if uuids is not None:
            where.append(ManagedObject.uuid.in_(sorted(uuids)))
        if sight is not None:
            with self._store.read() as s:  # a transaction: PostgreSQL streams rows only inside one
                ordered = select(*_ALL).where(*where).order_by(*MOID_ORDER)
                return seen_page(s, ordered, sight, lambda _row: True, offset, limit)

        def read() -> tuple[int, tuple[ObjectView, ...]]:
            with self._store.query() as conn:
                total = conn.scalar(select(func.count()).select_from(ManagedObject).where(*where)) or 0
                rows = conn.execute(
                    select(*_ALL).where(*where).order_by(*MOID_ORDER).offset(offset).limit(limit)
                )
                return total, tuple(ObjectView.of(r) for r in rows)

        total, found = self._lists.kept(("page", frozenset(kinds), name, _frozen(uuids), offset, limit), read)
        return total, list(found)

    def by_uuid(self, object_uuid: str) -> ObjectView:
        def read() -> tuple[ObjectView, ...]:
            with self._store.query() as conn:
                row = conn.execute(_BY_UUID, {"uuid": object_uuid}).first()
            return (ObjectView.of(row),) if row is not None else ()

        found = self._by_uuid.kept(object_uuid, read)
        if not found:
            raise NotFound("object.not_found", f"Resource {object_uuid} not found", object_uuid)
        return found[0]

    def related(self, o: ObjectView, parents: bool) -> list[ObjectView]:
        """An object's parents or its children: the inventory tree, plus each VM's host, resource
        pool and datastores (and, the other way, their VMs), as monitoring tools relate them."""
        if parents:
            moids = {o.parent}
            if o.kind == VM:
                moids |= {o.host, o.pool} | {d["datastore"] for d in o.details.get("disks", [])}
            where = ManagedObject.moid.in_(sorted(m for m in moids if m))
        else:
            either = [ManagedObject.parent == o.moid]
            if o.kind in (HOST, POOL):
                column = ManagedObject.host if o.kind == HOST else ManagedObject.pool
                either.append(and_(ManagedObject.kind == VM, column == o.moid))
            elif o.kind == DATASTORE:
                on_it = ManagedObject.details.contains(f'"datastore": "{o.moid}"', autoescape=True)
                either.append(and_(ManagedObject.kind == VM, on_it))
            where = or_(*either)
        with self._store.query() as conn:
            rows = conn.execute(select(*_ALL).where(where).order_by(*MOID_ORDER))
            return [ObjectView.of(r) for r in rows]

    def sight(self, caller: Caller) -> Sight | None:
        """What ``caller`` sees of the inventory, for lists: None when it sees every object (it
        sees on the root, and none of its permissions on objects takes that away)."""
        seeing, root, grants = SEEING[caller.family], ROOTS[caller.family], caller.grants
        objects = grants.scopes() - {root}
        if seeing in grants.on([root]):
            if all(seeing in p.privileges for scope in objects for p in grants.by_scope[scope]):
                return None
            if caller.family != access.VCENTER:
                return Sight(caller, None)
            with self._store.query() as conn:
                return Sight(caller, None, ancestors(conn, caller))
        with self._store.query() as conn:
            paths = _scope_paths(conn, caller)
            return Sight(caller, tuple(sorted(paths)), ancestors(conn, caller, paths))

    def visible(self, caller: Caller, privilege: str, o: ObjectView) -> None:
        """``require`` for an object in hand (NotFound when the caller may not see it)."""
        found = self._object(o.moid)
        if found is not None:
            _check(caller, self._privileges(caller, found[1]), privilege, o.uuid)

    def require(self, caller: Caller, privilege: str, moid: str) -> None:
        """Refuse unless ``caller`` holds ``privilege`` on the object; an object it may not see is,
        for it, not there. An unknown id passes: the operation reports it in its own words."""
        found = self._object(moid)
        if found is not None:
            _check(caller, self._privileges(caller, found[1]), privilege, moid)

    def held(self, caller: Caller, moid: str) -> frozenset[str] | None:
        """The privileges ``caller`` holds on the object (none when it may not see it; ``IMPLIED``
        on one it sees only as the way down to others); None when there is no such object."""
        found = self._object(moid)
        if found is None:
            return None
        held = self._privileges(caller, found[1])
        return held if SEEING[caller.family] in held else frozenset()

    def _privileges(self, caller: Caller, path: str) -> frozenset[str]:
        def above() -> frozenset[str]:
            with self._store.query() as conn:
                return ancestors(conn, caller)

        return _privileges_at(caller, path, above)

    def kinds(self, moids: set[str]) -> dict[str, str]:
        """The kind of each known object among ``moids``."""
        with self._store.query() as conn:
            rows = conn.execute(
                select(ManagedObject.moid, ManagedObject.kind).where(ManagedObject.moid.in_(sorted(moids)))
            )
            return dict(rows.all())

    def instance_uuid(self) -> str:
        """The vCenter instance's UUID (its root folder's): vCenter qualifies identifiers in its
        messages with it (``vm-3192:19595054-...``), and Operations names its adapter instance by it."""
        return self.get(FOLDER, ROOT_FOLDER).uuid

    def get(self, kind: str, moid: str) -> ObjectView:
        found = self._object(moid)
        if found is None or found[0].kind != kind:
            raise NotFound(
                f"{kind.lower()}.not_found", f"{kind} with identifier '{moid}' does not exist", moid
            )
        return found[0]

    def children(self, parent: str, kind: str) -> list[str]:
        with self._store.query() as conn:
            return list(
                conn.scalars(
                    select(ManagedObject.moid).where(
                        ManagedObject.parent == parent, ManagedObject.kind == kind
                    )
                )
            )

    def create_vm(
        self,
        caller: Caller | None,
        name: str,
        guest_os: str,
        wanted: Placement,
        cpu_count: int,
        memory_mib: int,
        disk_bytes: int,
        hardware_version: str | None = None,
    ) -> str:
        """A new, powered-off VM with a disk of ``disk_bytes`` (none when 0) and the
        ``hardware_version`` given (else the newest); placement is completed from what is given,
        as vCenter does. Invalid for a size vSphere refuses (``vm_sizes``), and ``vm.guest`` for a
        guest it does not know (``guest_os.NAMES``)."""
        bounded_text(name, "name", VM_NAME_LENGTH)
        check_guest(guest_os)
        check_cpus(cpu_count, 1)
        check_memory(memory_mib)
        with self._store.write() as s:
            where = place(s, wanted)
            if caller is not None:
                authorize(caller, where.folder.path, "VirtualMachine.Inventory.Create", where.folder.moid, s)
                authorize(caller, where.pool.path, "Resource.AssignVMToPool", where.pool.moid, s)
            row = new_vm(
                s,
                where,
                name,
                guest_os,
                cpu_count,
                memory_mib,
                disk_bytes,
                self._clock.now(s),
                hardware_version,
            )
            return row.moid

    def delete_vm(self, moid: str) -> None:
        """Delete a powered-off VM (WrongState ``vm.powered_on`` otherwise)."""
        with self._store.write() as s:
            remove_vm(s, row_of(s, VM, moid, lock=True))

    def power(self, moid: str, action: str) -> None:
        """``start``, ``stop``, ``suspend`` or ``reset``, refusing a change the state does not allow."""
        with self._store.write() as s:
            set_power(s, moid, action)


def remove_vm(s: Session, row: ManagedObject) -> None:
    """A powered-off VM gone, with its pushed samples, in the write transaction ``s`` (WrongState
    ``vm.powered_on`` otherwise); marks the change."""
    if row.power_state != POWERED_OFF:
        raise WrongState(
            "vm.powered_on", f"Virtual machine {row.moid} must be powered off to be deleted", row.moid
        )
    s.execute(delete(ManagedObject).where(ManagedObject.moid == row.moid))
    s.execute(delete(ExternalStat).where(ExternalStat.resource == row.uuid))
    changed(s, INVENTORY, STATS)


def set_power(s: Session, moid: str, action: str) -> None:
    """A VM's power ``start``, ``stop``, ``suspend`` or ``reset`` in the write transaction ``s``:
    AlreadyInState when it is where ``action`` leads already, WrongState when its state does not
    allow it (``vm.host_disconnected`` when its host is disconnected, quoting the host; to start,
    ``vm.host_maintenance`` when its host is in maintenance mode); marks the change."""
    row = row_of(s, VM, moid, lock=True)
    state = row.power_state
    if action == "start" and json.loads(row.details).get("template"):
        raise WrongState("vm.template", f"{row.name} is a template; a template is never powered on", moid)
    host = row_of(s, HOST, row.host) if row.host else None
    if host is not None and host.subtype == DISCONNECTED:  # vCenter cannot reach the VM
        raise WrongState(
            "vm.host_disconnected",
            "The operation is not allowed in the current connection state of the host.",
            host.moid,
        )
    if action == "start" and host is not None and in_maintenance(host):
        raise WrongState("vm.host_maintenance", f"The host of {row.name} is in maintenance mode", moid)
    target, allowed = {
        "start": (POWERED_ON, {POWERED_OFF, SUSPENDED}),
        "stop": (POWERED_OFF, {POWERED_ON, SUSPENDED}),
        "suspend": (SUSPENDED, {POWERED_ON}),
        "reset": (POWERED_ON, {POWERED_ON}),
    }[action]
    if state not in allowed:
        if state == target:
            raise AlreadyInState(
                f"vm.power.already_{state.lower()}",
                f"Virtual machine {moid} is already {state}",
                moid,
            )
        raise WrongState(
            f"vm.power.{action}_when_{state.lower()}",
            f"Virtual machine {moid} is {state}; cannot {action} it",
            moid,
        )
    details = json.loads(row.details)
    details["clean_power_off"] = False if action == "stop" else details.get("clean_power_off", True)
    row.details = json.dumps(details)
    power_to(s, row, target, restart=action == "reset")
    changed(s, INVENTORY)


def power_to(
    s: Session, row: ManagedObject, target: str, restart: bool = False, at: float | None = None
) -> None:
    """The one way a VM's power state changes, in the write transaction ``s``: to ``target``
    (POWERED_ON, POWERED_OFF or SUSPENDED), keeping its power-on clock as vSphere keeps
    ``runtime.bootTime``: a power-on from powered off, or a ``restart`` of a running VM (a reset, a
    guest reboot), boots it now (world time); a suspend notes when (``suspendTime``); a resume adds
    the time it slept to ``suspended_for`` (``suspendInterval``) and keeps its boot; a power-off
    clears all three; ``at``: the instant (epoch seconds) when not the world clock's now (a VM
    made powered on in the seed's past). Nothing is checked; the caller marks the change."""
    was = row.power_state
    if was == target and not (restart and target == POWERED_ON):
        return
    now = read_state(s).now if at is None else at
    if target == POWERED_OFF:
        row.booted_at = row.suspended_at = row.suspended_for = None
    elif target == SUSPENDED:
        row.suspended_at = now
        if row.booted_at is None:  # suspended straight from powered off (a snapshot's state)
            row.booted_at, row.suspended_for = now, 0.0
    elif restart or was == POWERED_OFF or row.booted_at is None:
        row.booted_at, row.suspended_at, row.suspended_for = now, None, 0.0
    elif was == SUSPENDED:
        slept = now - row.suspended_at if row.suspended_at is not None else 0.0
        row.suspended_for = (row.suspended_for or 0.0) + max(slept, 0.0)
    row.power_state = target


def booted(power: str | None, now: float) -> dict[str, Any]:
    """The power-on clock columns of a VM made in ``power`` at ``now`` (a seeded inventory's VM
    when the inventory was made, a clone powered on as it is made): running or suspended ones
    booted then."""
    if power in (POWERED_ON, SUSPENDED):
        return {"booted_at": now, "suspended_at": now if power == SUSPENDED else None, "suspended_for": 0.0}
    return {"booted_at": None, "suspended_at": None, "suspended_for": None}


def boot_of(o: ObjectView) -> float | None:
    """When a VM that runs or is suspended last booted (epoch seconds; one kept from before the
    world kept boots, as a snapshot of then restores it, booted when it was made); None for a VM
    powered off. A host has booted when it was made."""
    if o.kind != VM:
        return o.created_at
    if o.power_state not in (POWERED_ON, SUSPENDED):
        return None
    return o.booted_at if o.booted_at is not None else o.created_at


def running_since(o: ObjectView) -> float | None:
    """When a powered-on VM's current run began (its boot, or its last resume; epoch seconds);
    None for a VM that is not running."""
    boot = boot_of(o)
    if o.power_state != POWERED_ON or boot is None:
        return None
    return max(boot, o.suspended_at or boot)


def uptime(o: ObjectView, at: float) -> float:
    """Seconds an object has been up at ``at`` (epoch seconds): a running VM since its boot, less
    the time it was suspended; 0 for a VM powered off or suspended. A host is up since it was
    made."""
    boot = boot_of(o)
    if boot is None or (o.kind == VM and o.power_state != POWERED_ON):
        return 0.0
    return max(at - boot - (o.suspended_for or 0.0), 0.0)


def next_id(s: Session, sequence: str = MOID_SEQUENCE) -> int:
    """The next number of a sequence (by default of managed-object ids, ``vm-<n>``), taken in the
    write transaction ``s``; a sequence starts at 1."""
    row = s.get(Meta, sequence, with_for_update=True)
    if row is None:
        try:
            with s.begin_nested():  # two first takers race to make it: one makes it, both use it
                s.add(Meta(key=sequence, value="1"))
        except IntegrityError:
            pass
        row = s.get(Meta, sequence, with_for_update=True)
        assert row is not None
    value = int(row.value)
    row.value = str(value + 1)
    return value


def add_object(
    s: Session, kind: str, prefix: str, name: str, parent: ManagedObject, now: float, **values: Any
) -> ManagedObject:
    """A new object of ``kind`` below ``parent`` with a fresh id (``prefix`` + number), in its
    datacenter; ``values`` are further columns (``details`` a dict). The caller marks the change."""
    moid = f"{prefix}{next_id(s)}"
    details = values.pop("details", {})
    row = ManagedObject(
        moid=moid,
        uuid=str(uuid.uuid4()),
        kind=kind,
        name=name,
        parent=parent.moid,
        path=f"{parent.path}{moid}/",
        datacenter=parent.moid if parent.kind == DATACENTER else parent.datacenter,
        details=json.dumps(details),
        created_at=now,
        **values,
    )
    s.add(row)
    return row


def new_vm(
    s: Session,
    where: Where,
    name: str,
    guest_os: str,
    cpu_count: int,
    memory_mib: int,
    disk_bytes: int,
    now: float,
    hardware_version: str | None = None,
    network: tuple[str, str] | None = None,
) -> ManagedObject:
    """A new, powered-off VM where ``where`` says, in the write transaction ``s``: a disk of
    ``disk_bytes`` (none when 0) on the placement's datastore, a NIC on ``network`` (its moid and
    name) when one is given. Conflict when its folder has a VM of that name; marks the change."""
    unique_vm_name(s, name, where.folder.moid)
    datastore = (where.datastore.moid, where.datastore.name) if where.datastore else None
    row = add_object(
        s,
        VM,
        "vm-",
        name,
        where.folder,
        now,
        **where.columns(),
        subtype=guest_os,
        power_state=POWERED_OFF,
        cpu_count=cpu_count,
        memory_mib=memory_mib,
        details=vm_details(name, datastore, network, disk_bytes, True, hardware_version),
    )
    changed(s, INVENTORY)
    return row


MAINTENANCE = "maintenance"  # a host's details: whether it is in maintenance mode


def in_maintenance(host: ManagedObject) -> bool:
    """Whether the host of ``host`` (its row) is in maintenance mode (vSphere's
    ``runtime.inMaintenanceMode``)."""
    return bool(json.loads(host.details or "{}").get(MAINTENANCE))


def row_of(s: Session, kind: str, moid: str, lock: bool = False) -> ManagedObject:
    """The object ``moid`` of ``kind`` (locked for the transaction with ``lock``); NotFound else."""
    query = select(ManagedObject).where(ManagedObject.moid == moid, ManagedObject.kind == kind)
    row = s.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"{kind.lower()}.not_found", f"{kind} with identifier '{moid}' does not exist", moid)
    return row


def root_pool(s: Session, owner: str) -> ManagedObject | None:
    """The root resource pool of a cluster, or of a standalone host (``owner``)."""
    return s.scalars(
        select(ManagedObject).where(ManagedObject.kind == POOL, ManagedObject.parent == owner)
    ).first()


def unique_vm_name(s: Session, name: str, folder: str) -> None:
    """Conflict when the folder already holds a VM of that name, as vCenter refuses it."""
    if s.scalars(
        select(ManagedObject.moid).where(
            ManagedObject.kind == VM, ManagedObject.name == name, ManagedObject.folder == folder
        )
    ).first():
        raise Conflict(
            "vm.exists", f"A virtual machine named {name} already exists in that folder", name, folder
        )


@dataclass(frozen=True)
class Placement:
    """Where a VM should go, as a client names it: any of these, the rest completed by ``place``."""

    folder: str | None = None
    pool: str | None = None
    host: str | None = None
    cluster: str | None = None
    datastore: str | None = None


@dataclass(frozen=True)
class Where:
    """A complete placement: the objects a VM's columns name."""

    folder: ManagedObject
    pool: ManagedObject
    host: ManagedObject | None
    datastore: ManagedObject | None

    def columns(self) -> dict[str, Any]:
        """A VM's placement columns (its datacenter follows from its folder)."""
        return {
            "folder": self.folder.moid,
            "cluster": self.pool.cluster,
            "host": self.host.moid if self.host else None,
            "pool": self.pool.moid,
        }


def place(s: Session, wanted: Placement) -> Where:
    """Complete a placement as vCenter does: a host's or a cluster's root resource pool, a host of
    the pool's cluster (connected first, by name), the datacenter's first VM folder and datastore.
    NotFound for an id that names nothing of its kind, Invalid for parts that do not belong
    together, WrongState for a host that is not connected."""
    host = row_of(s, HOST, wanted.host) if wanted.host else None
    cluster_id = wanted.cluster or (host.cluster if host else None)
    cluster = row_of(s, CLUSTER, cluster_id) if cluster_id else None
    if host is not None and cluster is not None and host.cluster != cluster.moid:
        raise Invalid("placement.invalid", f"Host {host.moid} is not in cluster {cluster.moid}", host.moid)
    pool = row_of(s, POOL, wanted.pool) if wanted.pool else None
    if pool is None:
        owner = cluster or host
        pool = root_pool(s, owner.moid) if owner is not None else None
    if pool is None:
        raise Invalid(
            "placement.incomplete", "Placement needs a resource pool, a host or a cluster", "placement"
        )
    if cluster is not None and pool.cluster != cluster.moid:
        raise Invalid(
            "placement.invalid", f"Resource pool {pool.moid} is not in cluster {cluster.moid}", pool.moid
        )
    if host is not None and (
        pool.cluster != host.cluster or (host.cluster is None and pool.host != host.moid)
    ):
        raise Invalid("placement.invalid", f"Resource pool {pool.moid} is not on host {host.moid}", pool.moid)
    if host is None:
        candidates = (
            ManagedObject.cluster == pool.cluster if pool.cluster else ManagedObject.moid == pool.host
        )
        host = s.scalars(
            select(ManagedObject)
            .where(ManagedObject.kind == HOST, candidates)
            .order_by(ManagedObject.subtype != "CONNECTED", ManagedObject.name)
        ).first()
    if host is not None and host.subtype != "CONNECTED":
        raise WrongState(
            "host.not_connected", f"Host {host.name} is {host.subtype.lower()}", host.moid, str(host.subtype)
        )
    folder = (
        row_of(s, FOLDER, wanted.folder)
        if wanted.folder
        else s.scalars(
            select(ManagedObject).where(
                ManagedObject.kind == FOLDER,
                ManagedObject.subtype == "VIRTUAL_MACHINE",
                ManagedObject.datacenter == pool.datacenter,
            )
        ).first()
    )
    if folder is None or folder.subtype != "VIRTUAL_MACHINE":
        raise Invalid(
            "placement.folder", f"Folder {wanted.folder} cannot hold virtual machines", str(wanted.folder)
        )
    if folder.datacenter != pool.datacenter:
        raise Invalid(
            "placement.invalid",
            "Folder and resource pool are in different datacenters",
            folder.moid,
            pool.moid,
        )
    datastore = (
        row_of(s, DATASTORE, wanted.datastore)
        if wanted.datastore
        else s.scalars(
            select(ManagedObject).where(
                ManagedObject.kind == DATASTORE, ManagedObject.datacenter == pool.datacenter
            )
        ).first()
    )
    if datastore is not None and datastore.datacenter != pool.datacenter:
        raise Invalid(
            "placement.invalid", "Datastore and resource pool are in different datacenters", datastore.moid
        )
    return Where(folder, pool, host, datastore)
