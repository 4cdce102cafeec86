"""Where VMs live, and copies of them: clone, instant clone, relocate, and unregister and register
(a VM's files stay on its datastore while vCenter forgets it, so registering brings it back).

Rules as the ``com.vmware.vcenter.VM`` bindings (9.1.1.0) state them: a name is unique in its
folder; an instant clone's source must be running and the clone runs; a powered-on VM is not
unregistered. A VM of a vCD vApp stays where vCD put it: it is neither relocated nor
unregistered here.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localsphere.world import datastore_space
from localsphere.world.access import Caller
from localsphere.world.clock import Clock
from localsphere.world.errors import Invalid, NotFound, WrongState, bounded_text
from localsphere.world.inventory import (
    CLUSTER,
    DATASTORE,
    POWERED_OFF,
    POWERED_ON,
    VM,
    VM_NAME_LENGTH,
    Placement,
    Where,
    add_object,
    authorize,
    booted,
    datastore_file,
    datastore_name,
    place,
    row_of,
    set_home,
    unique_vm_name,
)
from localsphere.world.schema import ExternalStat, ManagedObject
from localsphere.world.store import INVENTORY, STATS, Store, changed
from localsphere.world.vm_hardware import VmHardware, generated_mac
from localsphere.world.vm_snapshots import CURRENT

DATASTORE_PATH = re.compile(r"\[(?P<datastore>[^\]]+)\] (?P<path>\S.*\.vmx)")
FILES = "vm_files"  # a datastore's details: the VMs on it vCenter does not know, by .vmx path


@dataclass(frozen=True)
class CloneSpec:
    source: str
    name: str
    placement: Placement
    disks_to_remove: frozenset[str] = frozenset()
    disk_datastores: tuple[tuple[str, str], ...] = ()  # (disk key, datastore)
    power_on: bool = False
    customization: str | None = None


def vmx_path(datastore_name: str, vm_name: str) -> str:
    return f"[{datastore_name}] {vm_name}/{vm_name}.vmx"


class VmPlacement:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def clone(self, caller: Caller, spec: CloneSpec) -> str:
        """A copy of ``spec.source`` (placed like it unless told otherwise) with new MAC addresses
        and disk files; powered on when asked. Conflict for a name in use, NotFound for a disk to
        remove or a customization spec that does not exist."""
        bounded_text(spec.name, "name", VM_NAME_LENGTH)
        with self._store.write() as s:
            source = row_of(s, VM, spec.source)
            authorize(caller, source.path, "VirtualMachine.Provisioning.Clone", source.moid, s)
            if spec.customization is not None:
                raise NotFound(
                    "vm.customization_spec.not_found",
                    f"Customization specification {spec.customization} does not exist",
                    spec.customization,
                )
            wanted = spec.placement
            if wanted.datastore is None:  # as vSphere's: the copy stays on its source's datastore
                at_home = datastore_space.home(json.loads(source.details))
                wanted = Placement(wanted.folder, wanted.pool, wanted.host, wanted.cluster, at_home)
            where = place(s, _like(source, wanted))
            _authorize_target(s, caller, where, "VirtualMachine.Inventory.CreateFromExisting")
            unique_vm_name(s, spec.name, where.folder.moid)
            details = json.loads(source.details)
            disks = [d for d in details.get("disks", []) if d["key"] not in spec.disks_to_remove]
            missing = spec.disks_to_remove - {d["key"] for d in details.get("disks", [])}
            if missing:
                key = min(missing)
                raise NotFound("vm.disk.not_found", f"Virtual machine {source.moid} has no disk {key}", key)
            targets = dict(spec.disk_datastores)
            for index, disk in enumerate(disks):
                datastore = targets.get(disk["key"]) or (
                    where.datastore.moid if where.datastore else disk["datastore"]
                )
                _datastore(s, caller, datastore, where)
                disk["datastore"] = datastore
                file = disk_file(spec.name, index)
                disk["file"] = datastore_file(datastore_name(s, datastore), spec.name, file)
            details["disks"] = disks
            if where.datastore is not None:
                set_home(details, where.datastore.moid, where.datastore.name)  # the copy's home
            for nic in details.get("nics", []):
                if nic.get("mac_type", "ASSIGNED") != "MANUAL":
                    nic["mac"] = generated_mac()
                nic.pop("ip", None)
            details.pop("computer_name", None)
            # a copy is a VM, without the source's snapshots, with an SMBIOS UUID of its own
            for own in ("template", CURRENT, "bios_uuid"):
                details.pop(own, None)
            power = POWERED_ON if spec.power_on else POWERED_OFF
            moid = self._add_copy(s, source, spec.name, where, details, power)
            datastore_space.require_room(s, {}, details)
            return moid

    def instant_clone(
        self,
        caller: Caller,
        source_id: str,
        name: str,
        wanted: Placement,
        nics: dict[str, dict[str, Any]],
        disconnect_all: bool,
        bios_uuid: str | None,
    ) -> str:
        """A running copy of the running ``source_id`` on the same host, sharing its memory state:
        Invalid when the source is not running or ``bios_uuid`` is not a UUID."""
        bounded_text(name, "name", VM_NAME_LENGTH)
        if bios_uuid is not None:
            try:
                uuid.UUID(bios_uuid)
            except ValueError:
                raise Invalid("vm.bios_uuid", f"'{bios_uuid}' is not a UUID", bios_uuid) from None
        with self._store.write() as s:
            source = row_of(s, VM, source_id)
            authorize(caller, source.path, "VirtualMachine.Provisioning.Clone", source.moid, s)
            if source.power_state != POWERED_ON:
                raise Invalid(
                    "vm.instant_clone.source_not_running",
                    f"The source virtual machine {source.moid} must be powered on",
                    source.moid,
                )
            where = place(
                s, _like(source, Placement(wanted.folder, wanted.pool, source.host, None, wanted.datastore))
            )
            _authorize_target(s, caller, where, "VirtualMachine.Interact.PowerOn")
            unique_vm_name(s, name, where.folder.moid)
            details = json.loads(source.details)
            details["instant_clone_frozen"] = False
            details.pop("bios_uuid", None)  # unless given, the copy's own (``vm_hardware.bios_uuid``)
            if bios_uuid is not None:
                details["bios_uuid"] = bios_uuid
            for index, disk in enumerate(details.get("disks", [])):
                on = datastore_name(s, disk["datastore"])
                disk["file"] = datastore_file(on, name, disk_file(name, index))
            for nic in details.get("nics", []):
                nic["mac"] = generated_mac()
                nic.pop("ip", None)
                if disconnect_all:
                    nic["connected"] = False
            moid = self._add_copy(s, source, name, where, details, POWERED_ON)
        for key, settings in nics.items():
            VmHardware(self._store, self._clock).update_nic(moid, key, settings)
        return moid

    def _add_copy(
        self, s: Session, source: ManagedObject, name: str, where: Where, details: dict[str, Any], power: str
    ) -> str:
        row = add_object(
            s,
            VM,
            "vm-",
            name,
            where.folder,
            self._clock.now(s),
            **where.columns(),
            subtype=source.subtype,
            power_state=power,
            **booted(power, self._clock.now(s)),
            cpu_count=source.cpu_count,
            memory_mib=source.memory_mib,
            details=details,
        )
        changed(s, INVENTORY)
        return row.moid

    def relocate(self, caller: Caller, moid: str, wanted: Placement, disk_datastores: dict[str, str]) -> None:
        """Move a VM to another folder, pool, host, cluster or datastore (its home and its disks
        follow the datastore, the disks unless ``disk_datastores`` sends them elsewhere). NotFound
        for a disk it has not, Invalid for a vCD vApp's VM."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            if row.vapp is not None:
                raise Invalid(
                    "vm.in_vapp", f"Virtual machine {row.name} belongs to a vCloud Director vApp", moid
                )
            where = place(s, _like(row, wanted))
            _authorize_target(s, caller, where, None)
            if where.folder.moid != row.folder:
                unique_vm_name(s, row.name, where.folder.moid)
            before = json.loads(row.details)
            details = json.loads(row.details)
            keys = {d["key"] for d in details.get("disks", [])}
            for key in disk_datastores:
                if key not in keys:
                    raise NotFound("vm.disk.not_found", f"Virtual machine {moid} has no disk {key}", key)
            moved_to = where.datastore.moid if wanted.datastore and where.datastore else None
            for disk in details.get("disks", []):
                datastore = disk_datastores.get(disk["key"]) or moved_to
                if datastore and datastore != disk["datastore"]:
                    _datastore(s, caller, datastore, where)
                    # moved into the VM's folder on the datastore, its file keeping its own name
                    disk["file"] = datastore_file(datastore_name(s, datastore), row.name, _file_name(disk))
                    disk["datastore"] = datastore
            if moved_to and moved_to != details.get("datastore"):
                _datastore(s, caller, moved_to, where)
                set_home(details, moved_to, datastore_name(s, moved_to))  # its configuration files move too
            for column, value in where.columns().items():
                setattr(row, column, value)
            row.parent = where.folder.moid
            row.path = f"{where.folder.path}{row.moid}/"
            row.datacenter = where.folder.datacenter
            row.details = json.dumps(details)
            datastore_space.require_room(s, before, details)
            changed(s, INVENTORY)

    def unregister(self, moid: str) -> None:
        """vCenter forgets a VM; its files stay on its first disk's datastore, to be registered
        again. WrongState while it is powered on or when a vCD vApp holds it."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            if row.power_state == POWERED_ON:
                raise WrongState("vm.powered_on", f"Virtual machine {row.name} is powered on", moid)
            if row.vapp is not None:
                raise WrongState(
                    "vm.in_vapp", f"Virtual machine {row.name} belongs to a vCloud Director vApp", moid
                )
            forget(s, row)

    def register(
        self,
        caller: Caller,
        datastore: str | None,
        path: str | None,
        datastore_path: str | None,
        name: str | None,
        wanted: Placement,
    ) -> str:
        """Register the VM whose .vmx file is at ``datastore_path`` (``[name] dir/vm.vmx``) or at
        ``path`` on ``datastore``: Invalid unless exactly one way names it, NotFound when no VM
        files are there, Conflict for a name in use in the folder."""
        if (datastore_path is None) == (datastore is None or path is None):
            raise Invalid(
                "vm.register.path", "Name the VM's files by datastore_path, or by datastore and path", "path"
            )
        with self._store.write() as s:
            if datastore_path is not None:
                found = DATASTORE_PATH.fullmatch(datastore_path)
                if found is None:
                    raise Invalid(
                        "vm.register.path",
                        f"'{datastore_path}' is not a datastore path to a .vmx file",
                        datastore_path,
                    )
                store_row = s.scalars(
                    select(ManagedObject).where(
                        ManagedObject.kind == DATASTORE, ManagedObject.name == found["datastore"]
                    )
                ).first()
                if store_row is None:
                    raise NotFound(
                        "datastore.not_found",
                        f"Datastore {found['datastore']} does not exist",
                        found["datastore"],
                    )
                relative = found["path"]
            else:
                store_row = row_of(s, DATASTORE, str(datastore))
                relative = str(path)
            kept = json.loads(store_row.details)
            files = kept.get(FILES, {})
            if relative not in files:
                raise NotFound(
                    "vm.files.not_found",
                    f"No virtual machine files at [{store_row.name}] {relative}",
                    relative,
                )
            saved = files.pop(relative)
            vm_name = name or saved["name"]
            bounded_text(vm_name, "name", VM_NAME_LENGTH)
            if wanted.pool is None and wanted.host is None and wanted.cluster is None:
                wanted = Placement(wanted.folder, None, None, _first_cluster(s, store_row.datacenter), None)
            where = place(
                s, Placement(wanted.folder, wanted.pool, wanted.host, wanted.cluster, store_row.moid)
            )
            _authorize_target(s, caller, where, "VirtualMachine.Inventory.Register")
            unique_vm_name(s, vm_name, where.folder.moid)
            row = add_object(
                s,
                VM,
                "vm-",
                vm_name,
                where.folder,
                self._clock.now(s),
                **where.columns(),
                subtype=saved["guest"],
                power_state=POWERED_OFF,
                cpu_count=saved["cpu_count"],
                memory_mib=saved["memory_mib"],
                details=saved["details"],
            )
            store_row.details = json.dumps(kept)
            changed(s, INVENTORY)
            return row.moid


def forget(s: Session, row: ManagedObject) -> None:
    """vCenter forgets the VM ``row`` in the write transaction ``s``: its files stay on its first
    disk's datastore (its details keep them, by .vmx path), to be registered again."""
    details = json.loads(row.details)
    disks = details.get("disks", [])
    datastore = s.get(ManagedObject, disks[0]["datastore"]) if disks and disks[0].get("datastore") else None
    if datastore is not None:
        kept = json.loads(datastore.details)
        kept.setdefault(FILES, {})[vmx_path(datastore.name, row.name).split("] ", 1)[1]] = {
            "name": row.name,
            "guest": row.subtype,
            "cpu_count": row.cpu_count,
            "memory_mib": row.memory_mib,
            "details": {**details, "clean_power_off": True},
        }
        datastore.details = json.dumps(kept)
    s.execute(delete(ExternalStat).where(ExternalStat.resource == row.uuid))
    s.delete(row)
    changed(s, INVENTORY, STATS)


def _first_cluster(s: Session, datacenter: str | None) -> str | None:
    return s.scalars(
        select(ManagedObject.moid)
        .where(ManagedObject.kind == CLUSTER, ManagedObject.datacenter == datacenter)
        .order_by(ManagedObject.name)
    ).first()


def _like(vm: ManagedObject, wanted: Placement) -> Placement:
    """``wanted`` completed by where ``vm`` is: its folder and pool, and its host when neither a
    host nor a cluster nor a pool is asked for."""
    elsewhere = wanted.host or wanted.cluster or wanted.pool
    return Placement(
        folder=wanted.folder or vm.folder,
        pool=wanted.pool or (None if elsewhere else vm.pool),
        host=wanted.host or (None if elsewhere else vm.host),
        cluster=wanted.cluster,
        datastore=wanted.datastore,
    )


def _authorize_target(s: Session, caller: Caller, where: Where, on_folder: str | None) -> None:
    if on_folder is not None:
        authorize(caller, where.folder.path, on_folder, where.folder.moid, s)
    authorize(caller, where.pool.path, "Resource.AssignVMToPool", where.pool.moid, s)
    if where.datastore is not None:
        authorize(caller, where.datastore.path, "Datastore.AllocateSpace", where.datastore.moid, s)


def disk_file(vm_name: str, index: int) -> str:
    """The file of a VM's ``index``-th disk (from 0), as vSphere names a VM's disks: its name,
    then ``_1``, ``_2``, ... (``web.vmdk``, ``web_1.vmdk``)."""
    return f"{vm_name}.vmdk" if index == 0 else f"{vm_name}_{index}.vmdk"


def _file_name(disk: dict[str, Any]) -> str:
    """A disk file's own name, without its datastore and folder."""
    return str(disk["file"]).rsplit("/", 1)[-1]


def _datastore(s: Session, caller: Caller, moid: str, where: Where) -> None:
    row = row_of(s, DATASTORE, moid)
    if row.datacenter != where.pool.datacenter:
        raise Invalid("placement.invalid", f"Datastore {moid} is in another datacenter", moid)
    authorize(caller, row.path, "Datastore.AllocateSpace", moid, s)
