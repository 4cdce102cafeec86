"""Independent disks of an org VDC (vCD's ``Disk``): made, resized, renamed and deleted on their
own, attached to one VM of the same VDC at a time. An attached disk is one of the VM's disks in
the inventory (its ``details``, with the disk's id beside it), so vCenter lists it among the VM's
hardware; detached, it leaves the VM. A disk is deleted only while detached.

Every change starts a task (``tasks.py``) made in the same transaction; the ids returned are the
disk's and the task's."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from localsphere.world import metadata
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound, WrongState
from localsphere.world.identity import USER
from localsphere.world.inventory import POWERED_ON, SUSPENDED, VM, datastore_file, datastore_name
from localsphere.world.org_vdcs import vdc_row, visible
from localsphere.world.schema import Disk, Domain, ManagedObject, Principal, VdcStorageProfileRow
from localsphere.world.storage_policies import (
    STORAGE_PROFILE,
    check_limits,
    chosen_profile,
    storage_profile_id,
)
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.tasks import Owner, Tasks
from localsphere.world.tenants import DEFAULT_TENANT
from localsphere.world.vapps import Actor, locked_vm
from localsphere.world.vm_hardware import DISK_BYTES_MOST, disks, drop_disk, place_disk

# vCD's bus types (its ``busType`` numbers) and the inventory's names of them; each bus's
# sub-types (controllers), the first its default.
BUSES = {"5": "IDE", "6": "SCSI", "20": "SATA"}
SUB_TYPES = {
    "5": ("ide",),
    "6": ("lsilogic", "buslogic", "lsilogicsas", "VirtualSCSI"),
    "20": ("vmware.sata.ahci",),
}
NAME_LENGTH = 128
DISKS_LISTED = 1000  # of a VDC's disks in one answer: a bound, not a rule of vCD's
IOPS_MOST = 1 << 31


@dataclass(frozen=True)
class DiskView:
    id: str
    tenant: str
    vdc: str
    name: str
    description: str
    size_bytes: int
    bus_type: str  # vCD's number: 5 IDE, 6 SCSI, 20 SATA
    bus_sub_type: str
    iops: int | None
    owner_id: str | None
    owner_name: str | None
    created_at: float
    vm: str | None  # the uuid of the VM it is attached to
    vm_name: str | None
    profile_id: str | None = None  # its VDC storage policy (None: the VDC's ``*``)
    profile_name: str | None = None

    @property
    def storage_profile(self) -> tuple[str, str]:
        """Its VDC storage policy: (id, name)."""
        return self.profile_id or storage_profile_id(self.vdc), self.profile_name or STORAGE_PROFILE


_COLUMNS = (
    Disk.id,
    Disk.tenant,
    Disk.vdc,
    Disk.name,
    Disk.description,
    Disk.size_bytes,
    Disk.bus_type,
    Disk.bus_sub_type,
    Disk.iops,
    Disk.owner_id,
    Principal.name,
    Disk.created_at,
    ManagedObject.uuid,
    ManagedObject.name,
    Disk.storage_profile,
    VdcStorageProfileRow.name,
)


def _disks() -> Any:
    """Disks with their owner's name and the VM they are attached to (a VM gone: none)."""
    return (
        select(*_COLUMNS)
        .outerjoin(Principal, Principal.id == Disk.owner_id)
        .outerjoin(ManagedObject, (ManagedObject.uuid == Disk.vm) & (ManagedObject.kind == VM))
        .outerjoin(VdcStorageProfileRow, VdcStorageProfileRow.id == Disk.storage_profile)
    )


@dataclass(frozen=True)
class DiskChange:
    """What an update changes of a disk (None: that stays)."""

    name: str | None = None
    size_bytes: int | None = None
    description: str | None = None
    iops: int | None = None


class Disks:
    def __init__(self, store: Store, clock: Clock, tasks: Tasks) -> None:
        self._store = store
        self._clock = clock
        self._tasks = tasks

    def create(
        self,
        actor: Actor,
        vdc_id: str,
        name: str,
        size_bytes: int,
        description: str = "",
        bus_type: str | None = None,
        bus_sub_type: str | None = None,
        iops: int | None = None,
        storage_profile: str | None = None,
    ) -> tuple[str, str]:
        """A detached disk of ``size_bytes`` in a VDC on its storage policy ``storage_profile``
        (None: the VDC's default), owned by the actor; returns (its id, the task's id). Invalid
        for a bad name, size, bus or iops or a policy the VDC has not enabled; NotFound for a VDC
        the actor does not see."""
        _check(DiskChange(name, size_bytes, description, iops))
        bus = bus_type or "6"
        if bus not in BUSES:
            raise Invalid("disk.bus", f"busType is one of {', '.join(BUSES)} (IDE, SCSI, SATA).", bus)
        sub = bus_sub_type or SUB_TYPES[bus][0]
        if sub not in SUB_TYPES[bus]:
            raise Invalid("disk.bus", f"busSubType of bus {bus} is one of {', '.join(SUB_TYPES[bus])}.", sub)
        with self._store.write() as s:
            now = self._clock.now(s)
            vdc = vdc_row(s, vdc_id, actor.viewer)
            disk_id = str(uuid.uuid4())
            s.add(
                Disk(
                    id=disk_id,
                    tenant=vdc.tenant,
                    vdc=vdc.id,
                    name=name,
                    description=description,
                    size_bytes=size_bytes,
                    bus_type=bus,
                    bus_sub_type=sub,
                    iops=iops,
                    owner_id=actor.principal.id,
                    vm=None,
                    created_at=now,
                    storage_profile=chosen_profile(s, vdc.id, storage_profile),
                )
            )
            check_limits(s, vdc.id)
            owner = Owner("disk", disk_id, name)
            operation = f"Creating Disk {name}({disk_id})"
            return disk_id, self._tasks.start(
                s, vdc.tenant, "vdcCreateDisk", operation, owner, actor.principal
            )

    def get(self, disk_id: str, viewer: str | None) -> DiskView:
        """A disk as ``viewer`` (a tenant; None: the provider) sees it; NotFound otherwise."""
        with self._store.query() as conn:
            row = conn.execute(_disks().where(Disk.id == disk_id, visible(Disk.tenant, viewer))).first()
        if row is None:
            raise NotFound("disk.not_found", f"No disk with id {disk_id}.", disk_id)
        return DiskView(*row)

    def of_vdc(self, vdc_id: str, most: int = DISKS_LISTED) -> list[DiskView]:
        """A VDC's disks by name, at most ``most``."""
        with self._store.query() as conn:
            query = _disks().where(Disk.vdc == vdc_id).order_by(Disk.name, Disk.id).limit(most)
            return [DiskView(*row) for row in conn.execute(query)]

    def update(self, actor: Actor, disk_id: str, change: DiskChange) -> str:
        """Rename, resize (never smaller; an attached disk's VM sees its new size), describe a
        disk or set its iops; returns the task's id."""
        _check(change)
        with self._store.write() as s:
            disk = _locked(s, disk_id, actor.viewer)
            self._tasks.check_idle(s, [disk_id])
            if change.size_bytes is not None and change.size_bytes < disk.size_bytes:
                raise Invalid("disk.size", "A disk cannot be made smaller.", str(change.size_bytes))
            for field in ("name", "size_bytes", "description", "iops"):
                value = getattr(change, field)
                if value is not None:
                    setattr(disk, field, value)
            if change.size_bytes is not None:
                check_limits(s, disk.vdc)
            vm = _attached_vm(s, disk)
            if vm is not None and change.size_bytes is not None:
                details = json.loads(vm.details or "{}")
                for entry in details.get("disks", []):
                    if entry.get("independent") == disk_id:
                        entry["capacity"] = change.size_bytes
                vm.details = json.dumps(details)
                changed(s, INVENTORY)
            operation = f"Updating Disk {disk.name}({disk_id})"
            return self._tasks.start(
                s, disk.tenant, "vdcUpdateDisk", operation, Owner("disk", disk_id, disk.name), actor.principal
            )

    def delete(self, actor: Actor, disk_id: str) -> str:
        """Delete a detached disk (WrongState while it is attached); returns the task's id."""
        with self._store.write() as s:
            disk = _locked(s, disk_id, actor.viewer)
            self._tasks.check_idle(s, [disk_id])
            vm = _attached_vm(s, disk)
            if vm is not None:
                raise WrongState(
                    "disk.attached",
                    f'Disk "{disk.name}" is attached to VM "{vm.name}"; detach it first.',
                    disk.name,
                )
            s.delete(disk)
            metadata.forget(s, [disk_id])
            operation = f"Deleting Disk {disk.name}({disk_id})"
            return self._tasks.start(
                s, disk.tenant, "vdcDeleteDisk", operation, Owner("disk", disk_id, disk.name), actor.principal
            )

    def attach(self, actor: Actor, vm_id: str, disk_id: str) -> str:
        """Attach a disk to a VM of the same VDC (a powered-on VM takes it on SCSI or SATA only,
        a suspended one not at all): it becomes one of the VM's disks. WrongState when the disk
        is attached already; Invalid when they are in different VDCs."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            disk = _locked(s, disk_id, actor.viewer)
            self._tasks.check_idle(s, [vapp.id, vm_id, disk_id])
            if disk.vdc != vapp.vdc:
                raise Invalid(
                    "disk.vdc", f'Disk "{disk.name}" is in another VDC than VM "{row.name}".', disk.name
                )
            attached = _attached_vm(s, disk)
            if attached is not None:
                raise WrongState(
                    "disk.attached",
                    f'Disk "{disk.name}" is attached to VM "{attached.name}" already.',
                    disk.name,
                )
            bus = BUSES[disk.bus_type]
            if row.power_state == SUSPENDED or (row.power_state == POWERED_ON and bus == "IDE"):
                raise WrongState(
                    "vm.power_state",
                    f'VM "{row.name}" cannot take the disk while it is {row.power_state}.',
                    row.name,
                )
            details = json.loads(row.details or "{}")
            present = disks(details)
            home = present[0]["datastore"] if present else details.get("datastore")
            if home is None:
                raise WrongState("vm.datastore", f'VM "{row.name}" has no datastore for the disk.', row.name)
            file = datastore_file(datastore_name(s, home), "fcd", f"{disk.id}.vmdk")
            place_disk(details, bus, disk.size_bytes, file, independent=disk.id)
            row.details = json.dumps(details)
            disk.vm = row.uuid
            changed(s, INVENTORY)
            operation = f"Attaching Disk {disk.name}({disk_id}) to Virtual Machine {row.name}({vm_id})"
            return self._tasks.start(
                s, vapp.tenant, "vappAttachDisk", operation, Owner("vm", vm_id, row.name), actor.principal
            )

    def detach(self, actor: Actor, vm_id: str, disk_id: str) -> str:
        """Detach a disk from the VM it is attached to (WrongState when it is not that VM's)."""
        with self._store.write() as s:
            row, vapp = locked_vm(s, vm_id, actor.viewer)
            disk = _locked(s, disk_id, actor.viewer)
            self._tasks.check_idle(s, [vapp.id, vm_id, disk_id])
            if disk.vm != row.uuid:
                raise WrongState(
                    "disk.not_attached", f'Disk "{disk.name}" is not attached to VM "{row.name}".'
                )
            details = json.loads(row.details or "{}")
            for entry in disks(details):
                if entry.get("independent") == disk_id:
                    if entry["type"] == "IDE" and row.power_state == POWERED_ON:
                        raise WrongState(
                            "vm.power_state", f'VM "{row.name}" is powered on; cannot detach an IDE disk.'
                        )
                    drop_disk(details, entry["key"])
            row.details = json.dumps(details)
            disk.vm = None
            changed(s, INVENTORY)
            operation = f"Detaching Disk {disk.name}({disk_id}) from Virtual Machine {row.name}({vm_id})"
            return self._tasks.start(
                s, vapp.tenant, "vappDetachDisk", operation, Owner("vm", vm_id, row.name), actor.principal
            )

    def change_owner(self, actor: Actor, disk_id: str, user_id: str) -> None:
        """Give a disk to another user of its org; Invalid when ``user_id`` is not one."""
        with self._store.write() as s:
            disk = _locked(s, disk_id, actor.viewer)
            found = s.execute(
                select(func.coalesce(Domain.tenant, literal(DEFAULT_TENANT)))
                .select_from(Principal)
                .outerjoin(Domain, Domain.name == Principal.domain)
                .where(Principal.id == user_id, Principal.kind == USER)
            ).scalar()
            if found != disk.tenant:
                raise Invalid(
                    "disk.owner", f"The owner of a disk is a user of its org; {user_id} is not.", user_id
                )
            disk.owner_id = user_id

    def of_vm(self, vm_id: str) -> list[str]:
        """The ids of the disks attached to a VM."""
        with self._store.query() as conn:
            return list(conn.execute(select(Disk.id).where(Disk.vm == vm_id).order_by(Disk.id)).scalars())


def _check(change: DiskChange) -> None:
    if change.name is not None and not 0 < len(change.name) <= NAME_LENGTH:
        raise Invalid("disk.name", f"A disk's name has 1 to {NAME_LENGTH} characters.", change.name)
    if change.size_bytes is not None and not 0 < change.size_bytes <= DISK_BYTES_MOST:
        raise Invalid("disk.size", "A disk's size is 1 byte to 62 TiB.", str(change.size_bytes))
    if change.iops is not None and not 0 <= change.iops <= IOPS_MOST:
        raise Invalid("disk.iops", f"iops is 0 to {IOPS_MOST}.", str(change.iops))


def _locked(s: Session, disk_id: str, viewer: str | None) -> Disk:
    disk = s.scalars(
        select(Disk).where(Disk.id == disk_id, visible(Disk.tenant, viewer)).with_for_update()
    ).first()
    if disk is None:
        raise NotFound("disk.not_found", f"No disk with id {disk_id}.", disk_id)
    return disk


def _attached_vm(s: Session, disk: Disk) -> ManagedObject | None:
    """The VM a disk is attached to, locked; None when it is detached or its VM is gone."""
    if disk.vm is None:
        return None
    return s.scalars(
        select(ManagedObject).where(ManagedObject.uuid == disk.vm, ManagedObject.kind == VM).with_for_update()
    ).first()
