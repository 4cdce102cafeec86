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
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import identity, network_profiles, reservations
from localsphere.world.catalog import VCLOUD, VSPHERE, ItemView
from localsphere.world.catalogs import TemplateVm
from localsphere.world.errors import Invalid, WorldError, WrongState
from localsphere.world.inventory import (
    GIB,
    MOID_ORDER,
    NETWORK,
    POWERED_OFF,
    POWERED_ON,
    Placement,
    new_vm,
    next_id,
    place,
    power_to,
)
from localsphere.world.inventory import set_power as set_vm_power
from localsphere.world.org_roles import org_user_id
from localsphere.world.org_vdcs import vdc_row
from localsphere.world.schema import CatalogItem, Ec2Instance, ExternalStat, ManagedObject, VApp, VraMachine
from localsphere.world.store import INVENTORY, STATS, changed
from localsphere.world.vapps import add_vapp, network_of, power_vapp, remove_vapp, vapp_status

MACHINE_SEQUENCE = "vra_machine_number"
PROVISION_SECONDS = 60.0  # how long provisioning (or reprovisioning) a machine takes on the world clock
GUEST_OS = "OTHER_LINUX_64"
RUNNING, STOPPED = "running", "stopped"
EC2_POWER = {RUNNING: POWERED_ON, STOPPED: POWERED_OFF}
GONE = "GONE"
# the EC2 state each power action acts on (an instance neither suspends nor shuts a guest down
# apart from stopping)
EC2_FROM = {"powerOn": STOPPED, "powerOff": RUNNING, "shutdown": RUNNING, "reboot": RUNNING}
DAY = 86400.0
# vRA's power actions as vCenter's VM power operations
VM_ACTIONS = {
    "powerOn": "start",
    "powerOff": "stop",
    "shutdown": "stop",
    "suspend": "suspend",
    "reboot": "reset",
}


@dataclass(frozen=True)
class Wanted:
    """What a request asks of its machine: CPUs, memory in MB, storage in GB, for Amazon the
    instance type, and its lease in days."""

    cpus: int
    memory_mb: int
    storage_gb: int
    instance_type: str | None = None
    lease_days: int = 0  # 0: no lease


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
    ready: float,
) -> Made:
    """Place and make the machine a request asks for, in the write transaction ``s``; it exists
    for vRA (its ``dateCreated`` and lease start) from ``ready``, when provisioning ends. The
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
        vm, vapp, instance, address = _make(s, spot, item, name, owner, wanted, address, now)
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
            created_at=ready,
            updated_at=ready,
            expires_at=ready + wanted.lease_days * DAY if wanted.lease_days else None,
        )
    )
    return Made(machine_id, name, address)


def rebuild(s: Session, row: VraMachine, item: ItemView, wanted: Wanted, now: float) -> None:
    """Reprovision a machine (locked) from its blueprint: what backs it is made anew, with the
    same name, reservation and address. Invalid when its reservation is gone."""
    spot = reservations.placement_of(s, row.id)
    if spot is None:
        raise Invalid("machine.reservation", f"Machine {row.name} holds no reservation to rebuild in.")
    _remove_backing(s, row)
    row.vm, row.vapp, row.instance, row.address = _make(
        s, spot, item, row.name, row.owner, wanted, row.address, now
    )
    row.updated_at = now


def destroy(s: Session, machine_id: str) -> None:
    """A machine gone from everywhere, and what it held given back."""
    row = s.get(VraMachine, machine_id)
    if row is None:
        return
    _remove_backing(s, row)
    network_profiles.release(s, machine_id)
    reservations.release(s, machine_id)
    s.delete(row)


def power_of(db: Any, row: VraMachine) -> str:
    """A machine's power state as its platform shows it now: POWERED_ON, POWERED_OFF or
    SUSPENDED (a vApp: MIXED when its VMs differ); GONE when what backs it is gone."""
    if row.vm is not None:
        found = db.scalar(select(ManagedObject.power_state).where(ManagedObject.moid == row.vm))
        return found or GONE
    if row.vapp is not None:
        states = set(
            db.scalars(select(ManagedObject.power_state).where(ManagedObject.vapp == row.vapp)).all()
        )
        return vapp_status(states) if states else GONE
    state = db.scalar(select(Ec2Instance.state).where(Ec2Instance.id == row.instance))
    return EC2_POWER.get(state or "", GONE)


def set_power(s: Session, row: VraMachine, action: str) -> None:
    """``powerOn``, ``powerOff``, ``shutdown``, ``suspend`` or ``reboot`` a machine where it runs,
    in ``s``: on vCenter, on vCloud Director, or on the simulated EC2 endpoint. WrongState (or
    AlreadyInState) when its state does not allow it."""
    if row.vm is not None:
        set_vm_power(s, row.vm, VM_ACTIONS[action])
    elif row.vapp is not None:
        vapp = s.get(VApp, row.vapp, with_for_update=True)
        if vapp is None:
            raise WrongState("machine.gone", f"The vApp of machine {row.name} is gone.", row.name)
        states = set(s.scalars(select(ManagedObject.power_state).where(ManagedObject.vapp == vapp.id)))
        power_vapp(s, vapp, states, action)
        changed(s, INVENTORY)
    else:
        instance = s.get(Ec2Instance, row.instance, with_for_update=True)
        state = instance.state if instance is not None else GONE
        if instance is None or EC2_FROM.get(action) != state:
            raise WrongState("machine.power", f"Instance {row.instance} is {state}; cannot {action} it.")
        instance.state = RUNNING if action in ("powerOn", "reboot") else STOPPED


def _remove_backing(s: Session, row: VraMachine) -> None:
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
    s.flush()


def _make(
    s: Session,
    spot: reservations.Placement,
    item: ItemView,
    name: str,
    owner: str,
    wanted: Wanted,
    address: str | None,
    now: float,
) -> tuple[str | None, str | None, str | None, str | None]:
    """What backs a machine of ``item``'s kind for ``owner`` (name@domain), made where ``spot``
    says: (VM moid, vApp id, EC2 instance id, address)."""
    if item.kind == VSPHERE:
        return _vsphere(s, spot, name, wanted, address, now), None, None, address
    if item.kind == VCLOUD:
        vapp, address = _vcloud(s, spot, item, name, owner, wanted, address, now)
        return None, vapp, None, address
    instance, address = _amazon(s, spot, item, wanted, address, now)
    return None, None, instance, address


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
    row.details = json.dumps(details)
    power_to(s, row, POWERED_ON)
    return row.moid


def _vcloud(
    s: Session,
    spot: reservations.Placement,
    item: ItemView,
    name: str,
    owner: str,
    wanted: Wanted,
    address: str | None,
    now: float,
) -> tuple[str, str | None]:
    """The vApp and its first VM's address: the network profile's (MANUAL) when the reservation's
    network has one, else the one the org network's pool gives (POOL); None without a network.
    Its first VM is named (and its guest host named) as the machine, any other ``<name>-<n>``;
    its owner is the machine's ``owner`` when the VDC's org knows that user, else the vApp
    template's owner, the org account vRA's endpoint works as."""
    template = s.execute(
        select(CatalogItem.spec, CatalogItem.owner_id).where(CatalogItem.entity_id == item.template_id)
    ).first()
    if template is None:
        raise Invalid("catalog_item.template", f"The vApp template {item.template_id} is gone.")
    vms = tuple(
        replace(
            TemplateVm.of(vm),
            name=name if i == 0 else f"{name}-{i + 1}",
            computer_name=name if i == 0 else None,
            cpus=wanted.cpus,
            memory_mb=wanted.memory_mb,
            disk_mb=wanted.storage_gb * 1024,
            ip_mode="MANUAL" if address else "POOL",
            ip=address,
        )
        for i, vm in enumerate(json.loads(template.spec).get("vms", ()))
    )
    vdc = vdc_row(s, spot.target, None)
    owner_id = org_user_id(s, vdc.tenant, owner) or template.owner_id
    vapp_id = add_vapp(s, vdc, name, vms, network_of(s, vdc.id, None), owner_id, now, power_on=True)
    changed(s, INVENTORY)
    if address is None:
        nics = s.scalars(
            select(ManagedObject.details).where(ManagedObject.vapp == vapp_id).order_by(*MOID_ORDER)
        ).all()
        address = next(
            (n.get("ip") for d in nics for n in json.loads(d).get("nics", ()) if n.get("ip")), None
        )
    return vapp_id, address


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
