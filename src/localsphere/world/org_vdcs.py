"""Org VDCs (vCloud Director's virtual datacenters of an org) and their org networks.

A VDC is backed by a resource pool of the inventory, made for it below a cluster's root pool:
the VMs of its vApps run there, so vCenter shows them under that pool. An org network is backed
by a port group of the VDC's datacenter that its VMs' NICs connect to. What a VDC has used is
read from the inventory: the CPU (``MHZ_PER_CPU`` a vCPU) and memory of its powered-on VMs and
the disks of all of them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from localsphere.world.clock import Clock
from localsphere.world.compute_resources import allocation_defaults
from localsphere.world.errors import Conflict, Invalid, NotFound
from localsphere.world.inventory import CLUSTER, FOLDER, NETWORK, POOL, POWERED_ON, VM, add_object
from localsphere.world.plan import TenantPlan
from localsphere.world.scenario import ScenarioError
from localsphere.world.schema import ManagedObject, OrgNetwork, OrgVdc, VApp
from localsphere.world.storage_policies import MB as MB
from localsphere.world.storage_policies import STORAGE_PROFILE as STORAGE_PROFILE
from localsphere.world.storage_policies import add_default_profile, check_limits
from localsphere.world.storage_policies import storage_profile_id as storage_profile_id
from localsphere.world.store import INVENTORY, Store, changed

MHZ_PER_CPU = 1000  # a vCPU's speed in a VDC's accounting (vCD's default vCPU speed, 1 GHz)
ALLOCATION_MODEL = "AllocationVApp"  # pay-as-you-go, a VDC's model unless told otherwise
# vCD's allocation models: pay-as-you-go, allocation pool, reservation pool, flex (API 32 and later)
ALLOCATION_MODELS = ("AllocationVApp", "AllocationPool", "ReservationPool", "Flex")
POOLED = ("AllocationPool", "ReservationPool")  # what is allocated is the ceiling, not ``limit``


def visible(column: Any, viewer: str | None) -> Any:
    """The SQL condition that ``column`` (a tenant name) is one the viewer may see: ``viewer``
    None is the provider (the System org), who sees every org's."""
    return True if viewer is None else column == viewer


@dataclass(frozen=True)
class VdcView:
    id: str
    tenant: str
    name: str
    description: str
    pool: str  # the backing resource pool's moid
    allocation_model: str
    cpu_limit_mhz: int  # 0: none
    memory_limit_mb: int
    storage_limit_mb: int
    enabled: bool
    created_at: float
    cpu_allocated_mhz: int = 0
    memory_allocated_mb: int = 0
    cpu_guaranteed: float = 0.0  # a fraction (0..1)
    memory_guaranteed: float = 1.0
    vcpu_mhz: int = MHZ_PER_CPU
    vm_quota: int = 0  # 0: none
    nic_quota: int = 0
    network_quota: int = 0
    thin_provision: bool = False
    fast_provisioning: bool = False

    @property
    def cpu_ceiling_mhz(self) -> int:
        return ceiling(self.allocation_model, self.cpu_allocated_mhz, self.cpu_limit_mhz)

    @property
    def memory_ceiling_mb(self) -> int:
        return ceiling(self.allocation_model, self.memory_allocated_mb, self.memory_limit_mb)


def reserved(model: str, allocated: int, used: int, guaranteed: float) -> int:
    """What a VDC has reserved of a resource: all of its allocation in a reservation pool, the
    guaranteed share of what its running VMs use when pay-as-you-go, else of its allocation."""
    if model == "ReservationPool":
        return allocated
    return int((used if model == "AllocationVApp" else allocated) * guaranteed)


def ceiling(model: str, allocated: int, limit: int) -> int:
    """What a VDC's running VMs may use at most of a resource (0: no bound): what is allocated in
    a pool model (vCD makes a pool's limit its allocation), else the limit."""
    return allocated if model in POOLED and allocated else limit


@dataclass(frozen=True)
class VdcUsage:
    """What a VDC's vApps use now: MHz, MB and MB of disk; its vApps, VMs and running VMs."""

    cpu_mhz: int
    memory_mb: int
    storage_mb: int
    vapps: int
    vms: int
    running_vms: int


@dataclass(frozen=True)
class NetworkView:
    id: str
    tenant: str
    vdc: str
    name: str
    description: str
    fence_mode: str
    gateway: str
    netmask: str
    dns: str
    network: str  # the backing port group's moid
    created_at: float


VDC_COLUMNS = (
    OrgVdc.id,
    OrgVdc.tenant,
    OrgVdc.name,
    OrgVdc.description,
    OrgVdc.pool,
    OrgVdc.allocation_model,
    OrgVdc.cpu_limit_mhz,
    OrgVdc.memory_limit_mb,
    OrgVdc.storage_limit_mb,
    OrgVdc.enabled,
    OrgVdc.created_at,
    OrgVdc.cpu_allocated_mhz,
    OrgVdc.memory_allocated_mb,
    OrgVdc.cpu_guaranteed,
    OrgVdc.memory_guaranteed,
    OrgVdc.vcpu_mhz,
    OrgVdc.vm_quota,
    OrgVdc.nic_quota,
    OrgVdc.network_quota,
    OrgVdc.thin_provision,
    OrgVdc.fast_provisioning,
)
NETWORK_COLUMNS = (
    OrgNetwork.id,
    OrgNetwork.tenant,
    OrgNetwork.vdc,
    OrgNetwork.name,
    OrgNetwork.description,
    OrgNetwork.fence_mode,
    OrgNetwork.gateway,
    OrgNetwork.netmask,
    OrgNetwork.dns,
    OrgNetwork.network,
    OrgNetwork.created_at,
)
VDCS_MOST = 1000  # VDCs or networks one org's answer lists: a bound, not a rule of vCD's


@dataclass(frozen=True)
class Terms:
    """A VDC's allocation model and its terms: CPU in MHz, memory and storage in MB (0: none);
    guarantees as fractions (0..1); a vCPU's speed in MHz; quotas (0: none)."""

    allocation_model: str = ALLOCATION_MODEL
    cpu_allocated_mhz: int = 0
    cpu_limit_mhz: int = 0
    memory_allocated_mb: int = 0
    memory_limit_mb: int = 0
    storage_limit_mb: int = 0
    cpu_guaranteed: float = 0.0
    memory_guaranteed: float = 1.0
    vcpu_mhz: int = MHZ_PER_CPU
    vm_quota: int = 0
    nic_quota: int = 0
    network_quota: int = 0
    thin_provision: bool = False
    fast_provisioning: bool = False
    enabled: bool = True

    def columns(self) -> dict[str, Any]:
        """The VDC row's values for these terms."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def pool_details(terms: Terms) -> dict[str, Any]:
    """The CPU and memory allocation of a VDC's resource pool, as vCD sets them on it and vCenter
    shows them: the ceiling as the limit (-1: none), the guaranteed part of what is allocated as
    the reservation."""
    model = terms.allocation_model
    bounds = {
        "cpu": (
            ceiling(model, terms.cpu_allocated_mhz, terms.cpu_limit_mhz),
            terms.cpu_allocated_mhz * terms.cpu_guaranteed,
        ),
        "memory": (
            ceiling(model, terms.memory_allocated_mb, terms.memory_limit_mb),
            terms.memory_allocated_mb * terms.memory_guaranteed,
        ),
    }
    return {
        r: {**allocation_defaults(), "limit": limit or -1, "reservation": int(reserved)}
        for r, (limit, reserved) in bounds.items()
    }


def add_vdc(
    s: Session,
    tenant: str,
    name: str,
    cluster: str,
    now: float,
    terms: Terms = Terms(),
    description: str = "",
    storage_profile: str = STORAGE_PROFILE,
) -> str:
    """A VDC of ``tenant`` on ``terms`` with a new resource pool below ``cluster``'s root pool
    and its provider VDC's storage policy ``storage_profile`` (a name) as its default. Conflict
    when the org has a VDC of that name, NotFound when there is no such cluster."""
    if s.scalars(select(OrgVdc.id).where(OrgVdc.tenant == tenant, OrgVdc.name == name)).first():
        raise Conflict("vdc.exists", f"The org already has a VDC named {name}.", name)
    root = s.scalars(
        select(ManagedObject).where(
            ManagedObject.kind == POOL, ManagedObject.parent == cluster, ManagedObject.cluster == cluster
        )
    ).first()
    if root is None or s.get(ManagedObject, cluster) is None:
        raise NotFound("cluster.not_found", f"No cluster {cluster}.", cluster)
    vdc_id = str(uuid.uuid4())
    pool = add_object(
        s, POOL, "resgroup-", f"{name} ({vdc_id})", root, now, cluster=cluster, details=pool_details(terms)
    )
    s.add(
        OrgVdc(
            id=vdc_id,
            tenant=tenant,
            name=name,
            description=description,
            pool=pool.moid,
            created_at=now,
            **terms.columns(),
        )
    )
    s.flush()
    add_default_profile(s, vdc_id, terms.storage_limit_mb, now, storage_profile)
    changed(s, INVENTORY)
    return vdc_id


def add_network(
    s: Session, vdc_id: str, name: str, gateway: str, netmask: str, now: float, fence_mode: str = "bridged"
) -> str:
    """An org network of a VDC, backed by a new port group in the VDC's datacenter."""
    vdc = s.get(OrgVdc, vdc_id)
    if vdc is None:
        raise NotFound("vdc.not_found", f"No VDC {vdc_id}.", vdc_id)
    pool = s.get(ManagedObject, vdc.pool)
    folder = s.scalars(
        select(ManagedObject).where(
            ManagedObject.kind == FOLDER,
            ManagedObject.subtype == NETWORK.upper(),
            ManagedObject.datacenter == (pool.datacenter if pool else None),
        )
    ).first()
    if folder is None:
        raise NotFound("folder.not_found", "The VDC's datacenter has no network folder.", vdc_id)
    network_id = str(uuid.uuid4())
    backing = add_object(
        s,
        NETWORK,
        "network-",
        f"{name}-{network_id[:8]}",
        folder,
        now,
        folder=folder.moid,
        subtype="STANDARD_PORTGROUP",
    )
    s.add(
        OrgNetwork(
            id=network_id,
            tenant=vdc.tenant,
            vdc=vdc_id,
            name=name,
            description="",
            fence_mode=fence_mode,
            gateway=gateway,
            netmask=netmask,
            dns="",
            network=backing.moid,
            created_at=now,
        )
    )
    changed(s, INVENTORY)
    return network_id


def vdc_row(db: Session | Connection, vdc_id: str, viewer: str | None) -> VdcView:
    """The VDC ``vdc_id`` as ``viewer`` (a tenant, None: the provider) sees it; NotFound when
    there is none or it is another org's (vCD's 403 is the face's to choose)."""
    row = db.execute(select(*VDC_COLUMNS).where(OrgVdc.id == vdc_id, visible(OrgVdc.tenant, viewer))).first()
    if row is None:
        raise NotFound("vdc.not_found", f"No VDC with id {vdc_id}.", vdc_id)
    return VdcView(*row)


class OrgVdcs:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def of_org(self, tenant: str) -> list[VdcView]:
        """An org's VDCs by name (at most ``VDCS_MOST``)."""
        with self._store.query() as conn:
            query = select(*VDC_COLUMNS).where(OrgVdc.tenant == tenant).order_by(OrgVdc.name).limit(VDCS_MOST)
            return [VdcView(*row) for row in conn.execute(query)]

    def get(self, vdc_id: str, viewer: str | None) -> tuple[VdcView, VdcUsage]:
        """A VDC and what its vApps use now."""
        with self._store.query() as conn:
            vdc = vdc_row(conn, vdc_id, viewer)
            return vdc, _usage(conn, vdc)

    def networks(self, vdc_id: str | None, tenant: str) -> list[NetworkView]:
        """An org's networks (``vdc_id``: only that VDC's), by name."""
        with self._store.query() as conn:
            query = select(*NETWORK_COLUMNS).where(OrgNetwork.tenant == tenant)
            if vdc_id is not None:
                query = query.where(OrgNetwork.vdc == vdc_id)
            return [
                NetworkView(*row) for row in conn.execute(query.order_by(OrgNetwork.name).limit(VDCS_MOST))
            ]

    def network(self, network_id: str, viewer: str | None) -> NetworkView:
        with self._store.query() as conn:
            row = conn.execute(
                select(*NETWORK_COLUMNS).where(
                    OrgNetwork.id == network_id, visible(OrgNetwork.tenant, viewer)
                )
            ).first()
        if row is None:
            raise NotFound("network.not_found", f"No network with id {network_id}.", network_id)
        return NetworkView(*row)


def _usage(conn: Connection, vdc: VdcView) -> VdcUsage:
    vms = (
        select(ManagedObject)
        .join(VApp, VApp.id == ManagedObject.vapp)
        .where(VApp.vdc == vdc.id, ManagedObject.kind == VM)
    )
    on = vms.where(ManagedObject.power_state == POWERED_ON).subquery()
    cpus, memory, running = conn.execute(
        select(
            func.coalesce(func.sum(on.c.cpu_count), 0),
            func.coalesce(func.sum(on.c.memory_mib), 0),
            func.count(),
        )
    ).one()
    disk = 0
    count = 0
    for details in conn.scalars(vms.with_only_columns(ManagedObject.details)):
        count += 1
        disk += sum(d.get("capacity", 0) for d in json.loads(details).get("disks", ()))
    vapps = conn.scalar(select(func.count()).select_from(VApp).where(VApp.vdc == vdc.id)) or 0
    return VdcUsage(int(cpus) * vdc.vcpu_mhz, int(memory), disk // MB, vapps, count, running)


def check_capacity(s: Session, vdc_id: str) -> None:
    """In a write transaction that has just placed or powered on VMs of the VDC (flushed here):
    Invalid (the product's 400 BAD_REQUEST, which takes the change back) when its VMs now pass
    its VM quota or a storage policy its limit, or its running VMs its CPU or memory ceiling. The messages
    follow vCD's (docs/research/vcd-vdc-admin.md)."""
    s.flush()
    # The VDC's row locked first: two changes that consume it wait for each other (PostgreSQL),
    # so the second one counts what the first made.
    s.execute(select(OrgVdc.id).where(OrgVdc.id == vdc_id).with_for_update())
    vdc = vdc_row(s, vdc_id, None)
    used = _usage(s.connection(), vdc)
    name = vdc.name
    if vdc.vm_quota and used.vms > vdc.vm_quota:
        raise Invalid(
            "vdc.vm_quota",
            f'The operation would exceed the VM quota of {vdc.vm_quota} of VDC "{name}": '
            f"it would hold {used.vms} virtual machines.",
            name,
        )
    check_limits(s, vdc.id)
    for resource, units, used_now, ceiling in (
        ("CPU", "MHz", used.cpu_mhz, vdc.cpu_ceiling_mhz),
        ("memory", "MB", used.memory_mb, vdc.memory_ceiling_mb),
    ):
        if ceiling and used_now > ceiling:
            raise Invalid(
                f"vdc.{resource.lower()}",
                f'The operation failed because VDC "{name}" ({vdc.allocation_model}) does not have '
                f"enough {resource}: its running virtual machines would use {used_now} {units} of "
                f"{ceiling} {units}.",
                name,
            )


def check_enabled(vdc: VdcView) -> None:
    """Invalid (400) when the VDC is disabled: it takes no new vApps."""
    if not vdc.enabled:
        raise Invalid("vdc.disabled", f'VDC "{vdc.name}" is disabled: it cannot take new vApps.', vdc.name)


def add_planned(s: Session, tenants: tuple[TenantPlan, ...], now: float) -> None:
    """The VDCs a scenario's tenants declare, on the inventory's first cluster, each network on
    a subnet of its own (10.<n>.0.0/24, gateway .1). ScenarioError when there is no cluster."""
    wanted = [(tenant, vdc) for tenant in tenants for vdc in tenant.vdcs]
    if not wanted:
        return
    cluster = s.scalars(
        select(ManagedObject.moid).where(ManagedObject.kind == CLUSTER).order_by(ManagedObject.moid)
    ).first()
    for n, (tenant, vdc) in enumerate(wanted, start=1):
        if cluster is None:
            raise ScenarioError(
                vdc.line, f"VDC {vdc.name} of {tenant.name}: the inventory has no cluster to back it"
            )
        vdc_id = add_vdc(s, tenant.name, vdc.name, cluster, now)
        if vdc.network:
            add_network(s, vdc_id, vdc.network, f"10.{n % 256}.0.1", "255.255.255.0", now)
