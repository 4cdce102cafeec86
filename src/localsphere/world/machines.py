"""The machines vRA's requests provision (its catalog resources), made in the one world:

- vsphere: a VM of the vCenter inventory in the cluster (and resource pool) the reservation names,
  made by the path vCenter's own VM create takes, powered on, its NIC holding the network
  profile's address as the guest's IP; vCenter lists it and Operations watches it;
- vcloud: a vApp from the blueprint's vApp template in the reservation's org VDC, powered on, as
  vCloud Director shows it;
- amazon: an instance of the simulated EC2 endpoint, in the reservation's region, of the
  requested instance type, with the reservation's key pair; only vRA sees it.

Everything happens in the caller's write transaction, together with the reservation's
allocation and the address (``reservations.place``, ``network_profiles.allocate``): a machine
that cannot be made leaves nothing held."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import identity, network_profiles, reservations
from localsphere.world.catalog import VCLOUD, VSPHERE, ItemView
from localsphere.world.catalogs import TemplateVm
from localsphere.world.errors import Invalid, WorldError
from localsphere.world.inventory import (
    GIB,
    NETWORK,
    POWERED_ON,
    Placement,
    new_vm,
    next_id,
    place,
)
from localsphere.world.org_vdcs import vdc_row
from localsphere.world.schema import CatalogItem, Ec2Instance, ExternalStat, ManagedObject, VApp, VraMachine
from localsphere.world.store import INVENTORY, STATS, changed
from localsphere.world.vapps import add_vapp, network_of, remove_vapp

MACHINE_SEQUENCE = "vra_machine_number"
GUEST_OS = "OTHER_LINUX_64"
RUNNING = "running"


@dataclass(frozen=True)
class Wanted:
    """What a request asks of its machine: CPUs, memory in MB, storage in GB, and for Amazon the
    instance type."""

    cpus: int
    memory_mb: int
    storage_gb: int
    instance_type: str | None = None


@dataclass(frozen=True)
class Made:
    machine_id: str
    name: str
    address: str | None


def provision(
    s: Session,
    tenant: str,
    request_id: str,
    subtenant_id: str,
    owner: str,
    item: ItemView,
    wanted: Wanted,
    now: float,
) -> Made:
    """Place and make the machine a request asks for, in the write transaction ``s``. The
    reservation's and the network profile's Invalid (``reservation.none``,
    ``network_profile.exhausted``) pass through with their reason, after what was taken is given
    back."""
    machine_id = identity.new_id()
    name = f"{item.machine_prefix}{next_id(s, MACHINE_SEQUENCE):03d}"
    try:
        spot = reservations.place(
            s,
            tenant,
            subtenant_id,
            item.kind,
            item.reservation_policy_id,
            wanted.cpus,
            wanted.memory_mb,
            wanted.storage_gb,
            machine_id,
        )
        address = (
            network_profiles.allocate(s, spot.network_profile_id, machine_id)
            if spot.network_profile_id
            else None
        )
        vm = vapp = instance = None
        if item.kind == VSPHERE:
            vm = _vsphere(s, spot, name, wanted, address, now)
        elif item.kind == VCLOUD:
            vapp = _vcloud(s, spot, item, name, wanted, address, now)
        else:
            instance, address = _amazon(s, spot, item, wanted, address, now)
    except WorldError:
        network_profiles.release(s, machine_id)
        reservations.release(s, machine_id)
        raise
    s.add(
        VraMachine(
            id=machine_id,
            tenant=tenant,
            request_id=request_id,
            subtenant_id=subtenant_id,
            owner=owner,
            kind=item.kind,
            name=name,
            vm=vm,
            vapp=vapp,
            instance=instance,
            address=address,
            created_at=now,
        )
    )
    return Made(machine_id, name, address)


def destroy(s: Session, machine_id: str) -> None:
    """A machine gone from everywhere, and what it held given back."""
    row = s.get(VraMachine, machine_id)
    if row is None:
        return
    if row.vm is not None:
        vm = s.get(ManagedObject, row.vm)
        if vm is not None:
            s.execute(delete(ExternalStat).where(ExternalStat.resource == vm.uuid))
            s.delete(vm)
            changed(s, INVENTORY, STATS)
    if row.vapp is not None:
        vapp = s.get(VApp, row.vapp)
        if vapp is not None:
            remove_vapp(s, vapp)
    if row.instance is not None:
        s.execute(delete(Ec2Instance).where(Ec2Instance.id == row.instance))
    network_profiles.release(s, machine_id)
    reservations.release(s, machine_id)
    s.delete(row)


def _vsphere(
    s: Session, spot: reservations.Placement, name: str, wanted: Wanted, address: str | None, now: float
) -> str:
    where = place(s, Placement(cluster=spot.target, pool=spot.resource_pool))
    network = s.execute(
        select(ManagedObject.moid, ManagedObject.name)
        .where(ManagedObject.kind == NETWORK, ManagedObject.datacenter == where.pool.datacenter)
        .order_by(ManagedObject.name)
        .limit(1)
    ).first()
    row = new_vm(
        s,
        where,
        name,
        GUEST_OS,
        wanted.cpus,
        wanted.memory_mb,
        wanted.storage_gb * GIB,
        now,
        network=(network[0], network[1]) if network else None,
    )
    details = json.loads(row.details)
    for nic in details["nics"][:1]:
        nic["ip"] = address
    row.details, row.power_state = json.dumps(details), POWERED_ON
    return row.moid


def _vcloud(
    s: Session,
    spot: reservations.Placement,
    item: ItemView,
    name: str,
    wanted: Wanted,
    address: str | None,
    now: float,
) -> str:
    spec = s.scalar(select(CatalogItem.spec).where(CatalogItem.entity_id == item.template_id))
    if spec is None:
        raise Invalid("catalog_item.template", f"The vApp template {item.template_id} is gone.")
    vms = tuple(
        replace(
            TemplateVm.of(vm),
            cpus=wanted.cpus,
            memory_mb=wanted.memory_mb,
            disk_mb=wanted.storage_gb * 1024,
            ip_mode="MANUAL" if address else "DHCP",
            ip=address,
        )
        for vm in json.loads(spec).get("vms", ())
    )
    vdc = vdc_row(s, spot.target, None)
    vapp_id = add_vapp(s, vdc, name, vms, network_of(s, vdc.id, None), None, now, power_on=True)
    changed(s, INVENTORY)
    return vapp_id


def _amazon(
    s: Session,
    spot: reservations.Placement,
    item: ItemView,
    wanted: Wanted,
    address: str | None,
    now: float,
) -> tuple[str, str]:
    instance_id = "i-" + secrets.token_hex(8) + secrets.token_hex(1)[0]
    if address is None:  # the region's default VPC hands out its own
        number = next_id(s, f"ec2_address:{spot.target}")
        address = f"172.31.{number // 250 % 256}.{number % 250 + 4}"
    s.add(
        Ec2Instance(
            id=instance_id,
            region=spot.target,
            image_id=item.ami or "",
            instance_type=wanted.instance_type or item.instance_types[0],
            key_pair_id=spot.key_pair_id,
            state=RUNNING,
            private_ip=address,
            created_at=now,
        )
    )
    return instance_id, address
