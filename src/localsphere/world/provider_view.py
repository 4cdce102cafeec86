"""The provider's view of the world's vCenter, as vCloud Director's extension API shows it: the
vCenter attached (one: the world's, named by its instance uuid), its hosts, datastores, networks
and resource pools, and what vCD builds on them. A provider VDC is a cluster (its root pool and
hosts, its datacenter's datastores behind its storage policies: ``*``, any of them, and one named
after each datastore), an external network a port
group no org network is backed by, a network pool the port groups of a datacenter. Ids are the
inventory objects' uuids (a network pool's: fixed by its datacenter's).

It also changes the world the way the provider can: importing a vCenter VM into a vApp (moved,
or copied and left in place) and relocating a vApp's VM to another datastore."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.catalogs import TemplateVm
from localsphere.world.clock import Clock
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.inventory import (
    CLUSTER,
    DATACENTER,
    DATASTORE,
    FOLDER,
    HOST,
    NETWORK,
    POOL,
    ROOT_FOLDER,
    VM,
    datastore_name,
    set_home,
)
from localsphere.world.metrics import HOST_MHZ_PER_CORE
from localsphere.world.org_vdcs import MB, STORAGE_PROFILE, VdcView, check_capacity, check_enabled, vdc_row
from localsphere.world.schema import ManagedObject, OrgNetwork, OrgVdc, VApp
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.vapps import Actor, add_vapp, add_vm, locked_vapp, locked_vm, network_of

VCENTER_NAME = "vcenter.localsphere.test"  # the world's vCenter, as the Operations face names it too
LISTED = 1000  # objects of one kind an answer lists: a bound, not a rule of vCD's
POOL_NAMESPACE = uuid.UUID("4c53a1d0-0000-4000-8000-00000000900f")  # network pools' fixed ids
# vCD's VimObjectType of each inventory kind
VIM_TYPES = {
    CLUSTER: "CLUSTER_COMPUTE_RESOURCE",
    DATASTORE: "DATASTORE",
    FOLDER: "FOLDER",
    HOST: "HOST",
    NETWORK: "NETWORK",
    POOL: "RESOURCE_POOL",
    VM: "VIRTUAL_MACHINE",
}


@dataclass(frozen=True)
class VimObject:
    """An inventory object as the extension API names it: its uuid, moid, kind, name, and its
    datacenter's moid."""

    id: str
    moid: str
    kind: str
    name: str
    datacenter: str | None
    cpu_count: int | None
    memory_mib: int | None
    capacity: int | None  # bytes
    free_space: int | None
    subtype: str | None

    @property
    def vim_type(self) -> str:
        return VIM_TYPES.get(self.kind, self.kind.upper())


_OBJECT = select(
    ManagedObject.uuid,
    ManagedObject.moid,
    ManagedObject.kind,
    ManagedObject.name,
    ManagedObject.datacenter,
    ManagedObject.cpu_count,
    ManagedObject.memory_mib,
    ManagedObject.capacity,
    ManagedObject.free_space,
    ManagedObject.subtype,
)


@dataclass(frozen=True)
class ProviderVdc:
    """A cluster as a provider VDC: its compute (MHz, MB: total, allocated to VDCs, used by
    running VMs), its storage (MB), the VDCs on it (id, name), hosts, datastores, root pool, and
    the external networks of its datacenter (those its VDCs may use)."""

    cluster: VimObject
    root_pool: VimObject
    cpu_total_mhz: int
    memory_total_mb: int
    cpu_allocated_mhz: int
    memory_allocated_mb: int
    cpu_used_mhz: int
    memory_used_mb: int
    storage_total_mb: int
    storage_used_mb: int
    vdcs: list[tuple[str, str]]
    hosts: list[VimObject]
    datastores: list[VimObject]
    network_pool: NetworkPool
    external_networks: list[VimObject]

    @property
    def id(self) -> str:
        return self.cluster.id

    @property
    def storage_profile_id(self) -> str:
        """Its ``*`` storage policy's id: its own, as the query service finds it too."""
        return self.cluster.id

    @property
    def storage_policies(self) -> list[StoragePolicy]:
        """Its storage policies: ``*`` (all its datastores), then one a datastore, by name."""
        return [
            StoragePolicy(self.cluster.id, STORAGE_PROFILE, self.storage_total_mb, self.storage_used_mb),
            *(
                StoragePolicy(
                    d.id, d.name, (d.capacity or 0) // MB, ((d.capacity or 0) - (d.free_space or 0)) // MB
                )
                for d in self.datastores
            ),
        ]


@dataclass(frozen=True)
class StoragePolicy:
    """A provider VDC's storage policy: its id (``*``'s: the cluster's uuid; a datastore's: the
    datastore's uuid), name and capacity (MB, total and used)."""

    id: str
    name: str
    total_mb: int
    used_mb: int


@dataclass(frozen=True)
class NetworkPool:
    """A datacenter's port groups as a vCD network pool (port-group backed)."""

    id: str
    name: str
    datacenter: str
    port_groups: list[VimObject]
    used: int  # of its port groups, those backing org networks


class ProviderView:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def vcenter_id(self) -> str:
        """The vCenter's id: its instance uuid (its root folder's), as the other faces show it."""
        with self._store.query() as conn:
            found = conn.scalar(select(ManagedObject.uuid).where(ManagedObject.moid == ROOT_FOLDER))
        if found is None:
            raise NotFound("vim_server.not_found", "The world has no vCenter inventory.", ROOT_FOLDER)
        return found

    def objects(self, kind: str) -> list[VimObject]:
        """Every object of ``kind`` (at most ``LISTED``), by name."""
        with self._store.query() as conn:
            query = _OBJECT.where(ManagedObject.kind == kind).order_by(ManagedObject.name).limit(LISTED)
            return [VimObject(*row) for row in conn.execute(query)]

    def object(self, kind: str, object_id: str) -> VimObject:
        """The object of ``kind`` with uuid (or moid) ``object_id``; NotFound otherwise."""
        with self._store.query() as conn:
            return _one(conn, kind, object_id)

    def resource_pools(self) -> list[VimObject]:
        """The resource pools no VDC is backed by (what a provider VDC may take), by name."""
        with self._store.query() as conn:
            query = (
                _OBJECT.where(ManagedObject.kind == POOL, ManagedObject.moid.not_in(select(OrgVdc.pool)))
                .order_by(ManagedObject.name)
                .limit(LISTED)
            )
            return [VimObject(*row) for row in conn.execute(query)]

    def external_networks(self) -> list[VimObject]:
        """The port groups no org network is backed by, by name."""
        with self._store.query() as conn:
            return [
                VimObject(*row)
                for row in conn.execute(_external().order_by(ManagedObject.name).limit(LISTED))
            ]

    def external_network(self, network_id: str) -> VimObject:
        with self._store.query() as conn:
            row = conn.execute(_external().where(ManagedObject.uuid == network_id)).first()
        if row is None:
            raise NotFound("network.not_found", f"No external network with id {network_id}.", network_id)
        return VimObject(*row)

    def network_pools(self) -> list[NetworkPool]:
        """One network pool per datacenter, by name."""
        with self._store.query() as conn:
            datacenters = conn.execute(
                _OBJECT.where(ManagedObject.kind == DATACENTER).order_by(ManagedObject.name).limit(LISTED)
            )
            return [_network_pool(conn, VimObject(*row)) for row in datacenters]

    def network_pool(self, pool_id: str) -> NetworkPool:
        found = next((p for p in self.network_pools() if p.id == pool_id), None)
        if found is None:
            raise NotFound("network_pool.not_found", f"No network pool with id {pool_id}.", pool_id)
        return found

    def provider_vdcs(self) -> list[ProviderVdc]:
        """Every cluster as a provider VDC, by name."""
        with self._store.query() as conn:
            clusters = conn.execute(
                _OBJECT.where(ManagedObject.kind == CLUSTER).order_by(ManagedObject.name).limit(LISTED)
            )
            return [_provider_vdc(conn, VimObject(*row)) for row in clusters.all()]

    def provider_vdc(self, pvdc_id: str) -> ProviderVdc:
        """The provider VDC ``pvdc_id`` (a cluster's uuid, its storage policy's id too); NotFound."""
        with self._store.query() as conn:
            row = conn.execute(
                _OBJECT.where(ManagedObject.kind == CLUSTER, ManagedObject.uuid == pvdc_id)
            ).first()
            if row is None:
                raise NotFound("provider_vdc.not_found", f"No provider VDC with id {pvdc_id}.", pvdc_id)
            return _provider_vdc(conn, VimObject(*row))

    def storage_policy(self, policy_id: str) -> tuple[ProviderVdc, StoragePolicy]:
        """A provider VDC's storage policy by id (a cluster's uuid for ``*``, a datastore's for
        its own: of the first cluster of its datacenter) and that provider VDC; NotFound."""
        with self._store.query() as conn:
            found = conn.execute(
                select(ManagedObject.kind, ManagedObject.uuid, ManagedObject.datacenter).where(
                    ManagedObject.uuid == policy_id, ManagedObject.kind.in_((CLUSTER, DATASTORE))
                )
            ).first()
            cluster = None
            if found is not None:
                cluster = conn.execute(
                    _OBJECT.where(ManagedObject.kind == CLUSTER)
                    .where(
                        ManagedObject.uuid == policy_id
                        if found.kind == CLUSTER
                        else ManagedObject.datacenter == found.datacenter
                    )
                    .order_by(ManagedObject.name)
                ).first()
            if cluster is None:
                raise NotFound(
                    "storage_profile.not_found", f"No provider VDC storage policy {policy_id}.", policy_id
                )
            pvdc = _provider_vdc(conn, VimObject(*cluster))
            return pvdc, next(p for p in pvdc.storage_policies if p.id == policy_id)

    def provider_vdc_of(self, pool_moid: str) -> ProviderVdc:
        """The provider VDC a VDC's resource pool ``pool_moid`` is in (its cluster's); NotFound."""
        with self._store.query() as conn:
            cluster = conn.scalar(select(ManagedObject.cluster).where(ManagedObject.moid == pool_moid))
            if cluster is None:
                raise NotFound(
                    "provider_vdc.not_found", f"No provider VDC holds pool {pool_moid}.", pool_moid
                )
            return _provider_vdc(conn, _one(conn, CLUSTER, cluster))

    def import_as_vapp(self, actor: Actor, moid: str, vdc_id: str, name: str, move: bool) -> tuple[str, str]:
        """Import the vCenter VM ``moid`` into a new vApp ``name`` of a VDC (Conflict when it has
        one of that name); returns the vApp's id and the task's. As ``_import`` otherwise."""

        def new_vapp(s: Session, row: ManagedObject, now: float) -> tuple[VApp, VdcView]:
            vdc = vdc_row(s, vdc_id, None)
            if s.scalars(select(VApp.id).where(VApp.vdc == vdc.id, VApp.name == name)).first():
                raise Conflict("vapp.exists", f"The VDC already has a vApp named {name}.", name)
            copies = () if move else (_as_template(row),)
            made = add_vapp(s, vdc, name, copies, network_of(s, vdc.id, None), actor.principal.id, now)
            vapp = s.get(VApp, made)
            assert vapp is not None  # just made
            return vapp, vdc

        return self._import(actor, moid, move, new_vapp)

    def import_into_vapp(self, actor: Actor, moid: str, vapp_id: str, move: bool) -> str:
        """Import the vCenter VM ``moid`` into the vApp ``vapp_id``; returns the task's id. As
        ``_import`` otherwise."""

        def existing(s: Session, row: ManagedObject, now: float) -> tuple[VApp, VdcView]:
            vapp = locked_vapp(s, vapp_id, None)
            vdc = vdc_row(s, vapp.vdc, None)
            check_enabled(vdc)
            folder = s.get(ManagedObject, vapp.folder)
            if folder is None:
                raise NotFound("vapp.folder", "The vApp's folder is gone from the inventory.", vapp.folder)
            if not move:
                add_vm(s, _as_template(row), folder, vdc.pool, network_of(s, vdc.id, None), vapp.id, now)
            return vapp, vdc

        return self._import(actor, moid, move, existing)[1]

    def _import(
        self,
        actor: Actor,
        moid: str,
        move: bool,
        target: Callable[[Session, ManagedObject, float], tuple[VApp, VdcView]],
    ) -> tuple[str, str]:
        """The vCenter VM ``moid`` (one no vApp holds) into the vApp ``target`` gives (a copy of
        it made there unless ``move``): ``move`` moves the VM itself (its pool and folder become
        the vApp's). NotFound, Invalid for a vApp's VM, the VDC's refusals (disabled, full)."""
        with self._store.write(serial=True) as s:
            now = self._clock.now(s)
            row = s.scalars(
                select(ManagedObject)
                .where(ManagedObject.moid == moid, ManagedObject.kind == VM)
                .with_for_update()
            ).first()
            if row is None:
                raise NotFound("vm.not_found", f"No virtual machine {moid} in vCenter.", moid)
            if row.vapp is not None:
                raise Invalid("vm.in_vapp", f"Virtual machine {row.name} already belongs to a vApp.", moid)
            vapp, vdc = target(s, row, now)
            if move:
                _adopt(s, row, vapp, vdc.pool)
            check_capacity(s, vdc.id)
            changed(s, INVENTORY)
            operation = f"Imported Virtual Machine {row.name}({moid}) into vApp {vapp.name}({vapp.id})"
            owner = Owner("vApp", vapp.id, vapp.name)
            task = self._tasks.start(s, vapp.tenant, "vdcImportVm", operation, owner, actor.principal)
            return vapp.id, task

    def relocate(self, actor: Actor, vm_id: str, datastore_id: str) -> str:
        """Move a vApp's VM's disks (and its home) to another datastore of its datacenter;
        returns the task's id. NotFound, Invalid for a datastore of another datacenter."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            target = s.execute(
                select(ManagedObject.moid, ManagedObject.datacenter).where(
                    ManagedObject.kind == DATASTORE, ManagedObject.uuid == datastore_id
                )
            ).first()
            if target is None:
                raise NotFound("datastore.not_found", f"No datastore with id {datastore_id}.", datastore_id)
            if target.datacenter != row.datacenter:
                raise Invalid(
                    "datastore.elsewhere",
                    f"Datastore {datastore_id} is not in the datacenter of virtual machine {row.name}.",
                    datastore_id,
                )
            details = json.loads(row.details)
            named = datastore_name(s, target.moid)
            for disk in details.get("disks", []):
                disk["file"] = f"[{named}] {disk['file'].split('] ', 1)[-1]}"
                disk["datastore"] = target.moid
            set_home(details, target.moid, named)
            row.details = json.dumps(details)
            changed(s, INVENTORY)
            operation = f"Relocating Virtual Machine {row.name}({vm_id})"
            owner = Owner("vm", vm_id, row.name)
            return self._tasks.start(s, vapp.tenant, "vappRelocateVm", operation, owner, actor.principal)


def _one(conn: Connection, kind: str, object_id: str) -> VimObject:
    row = conn.execute(
        _OBJECT.where(
            ManagedObject.kind == kind, (ManagedObject.uuid == object_id) | (ManagedObject.moid == object_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"{kind.lower()}.not_found", f"No {kind} with id {object_id}.", object_id)
    return VimObject(*row)


def _external() -> Select[Any]:
    return _OBJECT.where(ManagedObject.kind == NETWORK, ManagedObject.moid.not_in(select(OrgNetwork.network)))


def _network_pool(conn: Connection, datacenter: VimObject) -> NetworkPool:
    groups = [
        VimObject(*row)
        for row in conn.execute(
            _OBJECT.where(ManagedObject.kind == NETWORK, ManagedObject.datacenter == datacenter.moid)
            .order_by(ManagedObject.name)
            .limit(LISTED)
        )
    ]
    backing = set(conn.scalars(select(OrgNetwork.network)))
    return NetworkPool(
        str(uuid.uuid5(POOL_NAMESPACE, datacenter.id)),
        f"{datacenter.name} port groups",
        datacenter.moid,
        groups,
        sum(1 for g in groups if g.moid in backing),
    )


def _provider_vdc(conn: Connection, cluster: VimObject) -> ProviderVdc:
    in_cluster = ManagedObject.cluster == cluster.moid
    hosts = [
        VimObject(*row)
        for row in conn.execute(
            _OBJECT.where(ManagedObject.kind == HOST, in_cluster).order_by(ManagedObject.name)
        )
    ]
    root = conn.execute(
        _OBJECT.where(ManagedObject.kind == POOL, ManagedObject.parent == cluster.moid)
    ).first()
    datastores = [
        VimObject(*row)
        for row in conn.execute(
            _OBJECT.where(ManagedObject.kind == DATASTORE, ManagedObject.datacenter == cluster.datacenter)
            .order_by(ManagedObject.name)
            .limit(LISTED)
        )
    ]
    vdcs = conn.execute(
        select(OrgVdc.id, OrgVdc.name, OrgVdc.cpu_allocated_mhz, OrgVdc.memory_allocated_mb, OrgVdc.vcpu_mhz)
        .join(ManagedObject, ManagedObject.moid == OrgVdc.pool)
        .where(in_cluster)
        .order_by(OrgVdc.name)
    ).all()
    cpus, memory = conn.execute(
        select(
            func.coalesce(func.sum(ManagedObject.cpu_count), 0),
            func.coalesce(func.sum(ManagedObject.memory_mib), 0),
        ).where(ManagedObject.kind == VM, in_cluster, ManagedObject.power_state == "POWERED_ON")
    ).one()
    total = sum(d.capacity or 0 for d in datastores)
    free = sum(d.free_space or 0 for d in datastores)
    datacenter = conn.execute(_OBJECT.where(ManagedObject.moid == cluster.datacenter)).first()
    assert root is not None and datacenter is not None  # every cluster has both
    return ProviderVdc(
        cluster=cluster,
        root_pool=VimObject(*root),
        cpu_total_mhz=sum(h.cpu_count or 0 for h in hosts) * HOST_MHZ_PER_CORE,
        memory_total_mb=sum(h.memory_mib or 0 for h in hosts),
        cpu_allocated_mhz=sum(v.cpu_allocated_mhz for v in vdcs),
        memory_allocated_mb=sum(v.memory_allocated_mb for v in vdcs),
        cpu_used_mhz=int(cpus) * HOST_MHZ_PER_CORE,
        memory_used_mb=int(memory),
        storage_total_mb=total // MB,
        storage_used_mb=(total - free) // MB,
        vdcs=[(v.id, v.name) for v in vdcs],
        hosts=hosts,
        datastores=datastores,
        network_pool=_network_pool(conn, VimObject(*datacenter)),
        external_networks=[
            VimObject(*row)
            for row in conn.execute(
                _external()
                .where(ManagedObject.datacenter == cluster.datacenter)
                .order_by(ManagedObject.name)
                .limit(LISTED)
            )
        ],
    )


def _as_template(row: ManagedObject) -> TemplateVm:
    """What a copy of a vCenter VM gets: its name, size and guest."""
    disks = json.loads(row.details).get("disks", [])
    disk_mb = sum(d.get("capacity", 0) for d in disks) // MB or TemplateVm.disk_mb
    return TemplateVm(
        row.name, row.cpu_count or 1, row.memory_mib or 1024, disk_mb, row.subtype or "OTHER_LINUX_64"
    )


def _adopt(s: Session, row: ManagedObject, vapp: VApp, pool_moid: str) -> None:
    """The VM ``row`` moved into ``vapp``: into its folder and its VDC's pool."""
    folder = s.get(ManagedObject, vapp.folder)
    pool = s.get(ManagedObject, pool_moid)
    if folder is None or pool is None:
        raise NotFound("vapp.folder", "The vApp's folder or pool is gone from the inventory.", vapp.folder)
    if pool.datacenter != row.datacenter:
        raise Invalid(
            "vm.elsewhere", f"Virtual machine {row.name} is in another datacenter than the VDC.", row.moid
        )
    row.parent = folder.moid
    row.path = f"{folder.path}{row.moid}/"
    row.folder = folder.moid
    row.pool = pool.moid
    row.cluster = pool.cluster
    host = s.get(ManagedObject, row.host) if row.host else None
    if host is None or host.cluster != pool.cluster:
        row.host = s.scalar(
            select(ManagedObject.moid)
            .where(ManagedObject.kind == HOST, ManagedObject.cluster == pool.cluster)
            .order_by(ManagedObject.name)
        )
    row.vapp = vapp.id
