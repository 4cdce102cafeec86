"""vRA's catalog resources: the machines requests provisioned, as their owner or a manager or
support user of their business group sees them, each read live from where it runs (the VM on
vCenter, the vApp on vCloud Director, the simulated EC2 instance): power state, CPUs, memory,
address; with the actions it offers now (``resource_actions.py``).

Resource types (Programming Guide 6.2 pp. 113-116): ``Infrastructure.Machine`` is every machine,
``Infrastructure.Virtual`` a vSphere one, ``Infrastructure.Cloud`` a vCloud or Amazon one."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select

from localsphere.world import odata, resource_actions
from localsphere.world.catalog import AMAZON, INSTANCE_TYPES, VSPHERE, entitled_actions
from localsphere.world.clock import Clock
from localsphere.world.errors import NotFound
from localsphere.world.inventory import VM
from localsphere.world.listing import Counted, Listing, cut
from localsphere.world.machines import DAY, EC2_POWER, GONE
from localsphere.world.schema import (
    BusinessGroup,
    Ec2Instance,
    KeyPair,
    ManagedObject,
    Reservation,
    ReservationAllocation,
    VraCatalogItem,
    VraMachine,
    VraRequest,
)
from localsphere.world.store import Store
from localsphere.world.vapps import vapp_status

MACHINE, VIRTUAL, CLOUD = "Infrastructure.Machine", "Infrastructure.Virtual", "Infrastructure.Cloud"
# resource type id -> (name, plural, description, the blueprint kinds it holds)
TYPES = {
    MACHINE: ("Machine", "Machines", "The common parent type for all types of machines", None),
    VIRTUAL: ("Virtual Machine", "Virtual Machines", "A machine of a virtual platform", (VSPHERE,)),
    CLOUD: ("Cloud Machine", "Cloud Machines", "A machine of a cloud platform", ("vcloud", AMAZON)),
}
TYPE_OF_KIND = case((VraMachine.kind == literal(VSPHERE), literal(VIRTUAL)), else_=literal(CLOUD))
TYPE_NAME_OF_KIND = case(
    (VraMachine.kind == literal(VSPHERE), literal(TYPES[VIRTUAL][0])), else_=literal(TYPES[CLOUD][0])
)
RESOURCE_STATUS = "ACTIVE"  # a resource's status: every machine listed is an active one
UPDATED = func.coalesce(VraMachine.updated_at, VraMachine.created_at)

# The wire fields a resource filter names (Guide 6.2 p. 55 filters ``request/id``; 7.x p. 78
# ``organization/subTenant/id``; ``resourceType/name`` is the type's name, "Virtual Machine").
FIELDS: odata.Fields = {
    "id": VraMachine.id,
    "name": VraMachine.name,
    "dateCreated": odata.epoch_seconds(VraMachine.created_at),
    "lastUpdated": odata.epoch_seconds(UPDATED),
    "lease/start": odata.epoch_seconds(VraMachine.created_at),
    "lease/end": odata.epoch_seconds(VraMachine.expires_at),
    "requestId": VraMachine.request_id,
    "request/id": VraMachine.request_id,
    "resourceType/id": TYPE_OF_KIND,
    "resourceType/name": TYPE_NAME_OF_KIND,
    "providerBinding/bindingId": VraMachine.id,
    "organization/subTenant/id": VraMachine.subtenant_id,
    "organization/subTenant/name": BusinessGroup.name,
    "owners/ref": VraMachine.owner,
    "status": literal(RESOURCE_STATUS),
    "catalogItem/id": VraRequest.item_id,
    "catalogItem/name": VraCatalogItem.name,
}


@dataclass(frozen=True)
class ResourceView:
    """A provisioned machine as it stands now. ``power``: POWERED_ON, POWERED_OFF, SUSPENDED,
    MIXED (a vApp whose VMs differ) or GONE; memory in MB, storage in GB; times epoch seconds."""

    id: str
    tenant: str
    name: str
    kind: str
    type_id: str
    request_id: str
    item_id: str
    item_name: str
    blueprint_id: str
    subtenant_id: str
    subtenant_name: str
    owner: str
    created_at: float
    updated_at: float
    expires_at: float | None
    address: str | None
    reservation: str | None
    storage_gb: int | None
    external_id: str | None  # the VM's moid, the vApp's id or the EC2 instance's id
    power: str = GONE
    cpus: int | None = None
    memory_mb: int | None = None
    instance_type: str | None = None
    actions: tuple[resource_actions.Action, ...] = ()
    # an Amazon machine's region, key pair name and image (AMI) id
    region: str | None = None
    key_pair: str | None = None
    image_id: str | None = None
    # what Change Lease's template offers: the whole days its lease has left, rounded up (0: it
    # never expires); known for one machine read alone
    lease_days: int | None = None


_COLUMNS = (
    VraMachine.id,
    VraMachine.tenant,
    VraMachine.name,
    VraMachine.kind,
    TYPE_OF_KIND.label("type_id"),
    VraMachine.request_id,
    VraRequest.item_id,
    VraCatalogItem.name.label("item_name"),
    VraCatalogItem.blueprint_id,
    VraMachine.subtenant_id,
    BusinessGroup.name.label("group_name"),
    VraMachine.owner,
    VraMachine.created_at,
    UPDATED.label("updated_at"),
    VraMachine.expires_at,
    VraMachine.address,
    Reservation.name.label("reservation"),
    ReservationAllocation.storage_gb,
    VraMachine.vm,
    VraMachine.vapp,
    VraMachine.instance,
)
_MACHINES = (
    select(*_COLUMNS)
    .join(VraRequest, VraRequest.id == VraMachine.request_id)
    .join(VraCatalogItem, VraCatalogItem.id == VraRequest.item_id)
    .join(BusinessGroup, BusinessGroup.id == VraMachine.subtenant_id)
    .outerjoin(ReservationAllocation, ReservationAllocation.owner == VraMachine.id)
    .outerjoin(Reservation, Reservation.id == ReservationAllocation.reservation_id)
)


def _row(row: Any) -> Any:
    return row


def _visible(tenant: str, viewer: str, managed: frozenset[str], now: float) -> Any:
    """SQL: a machine of ``tenant`` that exists at ``now`` (its provisioning ended) and that
    ``viewer`` owns or whose business group it manages or supports."""
    mine = VraMachine.owner == viewer
    return and_(
        VraMachine.tenant == tenant,
        VraMachine.created_at <= now,
        or_(mine, VraMachine.subtenant_id.in_(sorted(managed))) if managed else mine,
    )


def type_kinds(type_id: str) -> tuple[str, ...] | None:
    """The blueprint kinds a resource type holds (None: every kind); NotFound for another type."""
    found = TYPES.get(type_id)
    if found is None:
        raise NotFound("resource_type.not_found", f"Resource type {type_id} not found.", type_id)
    return found[3]


class Resources:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def list(
        self,
        tenant: str,
        viewer: str,
        managed: frozenset[str],
        listing: Listing,
        type_id: str | None = None,
        request_id: str | None = None,
    ) -> Counted[ResourceView]:
        """The machines ``viewer`` owns or manages (``managed``: the business groups it manages),
        newest first; of one resource type, or of one request, when given."""
        kinds = type_kinds(type_id) if type_id is not None else None
        query = _MACHINES
        if kinds is not None:
            query = query.where(VraMachine.kind.in_(kinds))
        if request_id is not None:
            query = query.where(VraMachine.request_id == request_id)
        with self._store.query() as conn:
            query = query.where(_visible(tenant, viewer, managed, self._clock.now(conn)))
            found = cut(
                conn, query, FIELDS, listing, (VraMachine.created_at.desc(), VraMachine.id.desc()), _row
            )
            return Counted(_live(conn, found.items), found.total)

    def get(self, tenant: str, viewer: str, managed: frozenset[str], resource_id: str) -> ResourceView:
        """One machine ``viewer`` owns or manages; NotFound for any other."""
        with self._store.query() as conn:
            now = self._clock.now(conn)
            row = conn.execute(
                _MACHINES.where(_visible(tenant, viewer, managed, now), VraMachine.id == resource_id)
            ).first()
            if row is None:
                raise NotFound(
                    "resource.not_found", f"Resource with id {resource_id} not found.", resource_id
                )
            view = _live(conn, [row])[0]
        left = 0 if view.expires_at is None else max(1, math.ceil((view.expires_at - now) / DAY))
        return replace(view, lease_days=left)


def _live(conn: Any, rows: list[Any]) -> list[ResourceView]:
    """The page's machines with what their platforms show now, read in one query per platform,
    and the actions each offers."""
    vms = {r.vm for r in rows if r.vm}
    vapps = {r.vapp for r in rows if r.vapp}
    instances = {r.instance for r in rows if r.instance}
    by_vm: dict[str, tuple[str, int, int]] = {}
    by_vapp: dict[str, list[tuple[str, int, int]]] = {}
    if vms or vapps:
        found = conn.execute(
            select(
                ManagedObject.moid,
                ManagedObject.vapp,
                ManagedObject.power_state,
                ManagedObject.cpu_count,
                ManagedObject.memory_mib,
            ).where(
                ManagedObject.kind == VM,
                or_(ManagedObject.moid.in_(sorted(vms)), ManagedObject.vapp.in_(sorted(vapps))),
            )
        )
        for moid, vapp, power, cpus, memory in found:
            if moid in vms:
                by_vm[moid] = (power, cpus, memory)
            if vapp in vapps:
                by_vapp.setdefault(vapp, []).append((power, cpus, memory))
    by_instance = {
        row.id: row
        for row in conn.execute(
            select(
                Ec2Instance.id,
                Ec2Instance.state,
                Ec2Instance.instance_type,
                Ec2Instance.region,
                Ec2Instance.image_id,
                KeyPair.name.label("key_pair"),
            )
            .outerjoin(KeyPair, cast(KeyPair.id, String) == Ec2Instance.key_pair_id)
            .where(Ec2Instance.id.in_(sorted(instances)))
        )
    }
    granted = entitled_actions(conn, {r.subtenant_id for r in rows})
    views = []
    for r in rows:
        power, cpus, memory, instance_type, instance = GONE, None, None, None, None
        if r.vm in by_vm:
            power, cpus, memory = by_vm[r.vm]
        elif r.vapp in by_vapp:
            parts = by_vapp[r.vapp]
            power = vapp_status({p for p, _, _ in parts})
            cpus, memory = sum(c or 0 for _, c, _ in parts), sum(m or 0 for _, _, m in parts)
        elif r.instance in by_instance:
            instance = by_instance[r.instance]
            instance_type = instance.instance_type
            power = EC2_POWER.get(instance.state, GONE)
            cpus, memory = INSTANCE_TYPES.get(instance_type, (None, None))
        views.append(
            ResourceView(
                *r[:18],
                r.vm or r.vapp or r.instance,
                power,
                cpus,
                memory,
                instance_type,
                resource_actions.available(r.kind, power, granted.get(r.subtenant_id, frozenset())),
                instance.region if instance else None,
                instance.key_pair if instance else None,
                (instance.image_id or None) if instance else None,
            )
        )
    return views
