"""A VM's virtual devices in vim25's terms: ``config.hardware.device`` (the controllers, disks,
network adapters and CD-ROM drives the world keeps in the VM's details, the ones the REST face's
``vm/hardware`` shows), and a ``VirtualMachineConfigSpec``'s ``deviceChange`` (add, edit, remove),
made by the world's ``VmHardware`` operations that REST's hardware calls make.

Keys as vSphere numbers them: IDE controllers 200 and 201, PS/2 300, PCI 100, SCSI controller 0
1000, SATA controller 0 15000, disks from 2000, CD-ROMs 3000 (IDE) or 16000 (SATA), NICs 4000.
A controller added in a spec (``VirtualLsiLogicController``, ...) stands for the world's one SCSI
controller (bus 0), which every VM has: it is accepted and adds nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pyVmomi import vim

from localsphere.faces.vim.data_objects import build
from localsphere.world import datastore_space, vm_hardware
from localsphere.world.errors import Invalid, NotFound
from localsphere.world.inventory import DATASTORE, NETWORK, Filter, ObjectView

if TYPE_CHECKING:
    from localsphere.faces.vim.service import Context

KIB = 1024
IDE_KEYS, SCSI_KEY, SATA_KEY = (200, 201), 1000, 15000
OPERATION = vim.vm.device.VirtualDeviceSpec.Operation
DATASTORE_OF = re.compile(r"\[(?P<name>[^\]]+)\]")
NIC_TYPES = {  # the world's adapter types, and vim25's classes for them
    "VMXNET3": vim.vm.device.VirtualVmxnet3,
    "E1000": vim.vm.device.VirtualE1000,
    "E1000E": vim.vm.device.VirtualE1000e,
    "PCNET32": vim.vm.device.VirtualPCNet32,
    "VMXNET2": vim.vm.device.VirtualVmxnet2,
    "VMXNET": vim.vm.device.VirtualVmxnet,
}
SCSI_TYPES = {
    "PVSCSI": vim.vm.device.ParaVirtualSCSIController,
    "LSILOGIC": vim.vm.device.VirtualLsiLogicController,
    "LSILOGICSAS": vim.vm.device.VirtualLsiLogicSASController,
    "BUSLOGIC": vim.vm.device.VirtualBusLogicController,
}


def _description(label: str, summary: str) -> Any:
    return build(vim.Description, label=label, summary=summary)


def _controller_key(item: dict[str, Any]) -> tuple[int, int]:
    """The key of the controller a device hangs from, and its unit there."""
    kind = item.get("type", "SCSI")
    if kind == "IDE":
        return IDE_KEYS[0 if item.get("primary", True) else 1], 0 if item.get("master", True) else 1
    return (SATA_KEY if kind == "SATA" else SCSI_KEY) + int(item.get("bus", 0)), int(item.get("unit", 0))


def devices(o: ObjectView) -> list[Any]:
    """The VM's devices as vim25's ``VirtualDevice`` objects."""
    details = o.details
    disks = vm_hardware.disks(details)
    cdroms = vm_hardware.cdroms(o)
    found: list[Any] = []
    for index, key in enumerate(IDE_KEYS):
        on = [
            int(d["key"])
            for d in [*disks, *cdroms]
            if d.get("type") == "IDE" and _controller_key(d)[0] == key
        ]
        found.append(
            build(
                vim.vm.device.VirtualIDEController,
                key=key,
                deviceInfo=_description(f"IDE {index}", f"IDE {index}"),
                busNumber=index,
                device=on,
            )
        )
    for adapter in vm_hardware.scsi_adapters(details):
        cls = SCSI_TYPES.get(adapter["type"], vim.vm.device.ParaVirtualSCSIController)
        on = [int(d["key"]) for d in disks if d.get("type", "SCSI") == "SCSI"]
        found.append(
            cls(
                key=int(adapter["key"]),
                deviceInfo=_description(adapter["label"], "VMware paravirtual SCSI"),
                controllerKey=100,
                unitNumber=3,
                busNumber=adapter["bus"],
                device=on,
                sharedBus=vim.vm.device.VirtualSCSIController.Sharing.noSharing,
                scsiCtlrUnitNumber=7,
            )
        )
    for adapter in vm_hardware.sata_adapters(details):
        on = [int(d["key"]) for d in [*disks, *cdroms] if d.get("type") == "SATA"]
        found.append(
            build(
                vim.vm.device.VirtualAHCIController,
                key=int(adapter["key"]),
                deviceInfo=_description(adapter["label"], "AHCI"),
                controllerKey=100,
                unitNumber=24,
                busNumber=adapter["bus"],
                device=on,
            )
        )
    for disk in disks:
        controller, unit = _controller_key(disk)
        found.append(
            build(
                vim.vm.device.VirtualDisk,
                key=int(disk["key"]),
                deviceInfo=_description(disk["label"], f"{disk['capacity'] // KIB:,} KB"),
                backing=build(
                    vim.vm.device.VirtualDisk.FlatVer2BackingInfo,
                    fileName=disk["file"],
                    datastore=vim.Datastore(disk["datastore"]) if disk.get("datastore") else None,
                    diskMode="persistent",
                    uuid=vm_hardware.disk_uuid(o.uuid, str(disk["key"])),
                    thinProvisioned=datastore_space.provisioning(disk) == datastore_space.THIN,
                    eagerlyScrub=datastore_space.provisioning(disk) == datastore_space.EAGER,
                ),
                controllerKey=controller,
                unitNumber=unit,
                capacityInKB=disk["capacity"] // KIB,
                capacityInBytes=disk["capacity"],
            )
        )
    for cdrom in cdroms:
        controller, unit = _controller_key(cdrom)
        backing = cdrom.get("backing") or {}
        found.append(
            build(
                vim.vm.device.VirtualCdrom,
                key=int(cdrom["key"]),
                deviceInfo=_description(cdrom["label"], "Remote device"),
                backing=build(vim.vm.device.VirtualCdrom.IsoBackingInfo, fileName=backing["iso_file"])
                if backing.get("type") == "ISO_FILE"
                else build(
                    vim.vm.device.VirtualCdrom.RemotePassthroughBackingInfo, deviceName="", exclusive=False
                ),
                connectable=_connectable(cdrom),
                controllerKey=controller,
                unitNumber=unit,
            )
        )
    for nic in vm_hardware.nics(o):
        cls = NIC_TYPES.get(nic["type"], vim.vm.device.VirtualVmxnet3)
        found.append(
            cls(
                key=int(nic["key"]),
                deviceInfo=_description(nic["label"], nic.get("network_name") or ""),
                backing=build(
                    vim.vm.device.VirtualEthernetCard.NetworkBackingInfo,
                    deviceName=nic.get("network_name") or "",
                    network=vim.Network(nic["network"]) if nic.get("network") else None,
                ),
                connectable=_connectable(nic),
                controllerKey=100,
                unitNumber=7 + int(nic["key"]) - vm_hardware.NIC_KEY,
                addressType="manual" if nic["mac_type"] == "MANUAL" else "assigned",
                macAddress=nic["mac"],
                wakeOnLanEnabled=nic["wake_on_lan_enabled"],
            )
        )
    return found


def _connectable(item: dict[str, Any]) -> Any:
    return build(
        vim.vm.device.VirtualDevice.ConnectInfo,
        startConnected=bool(item.get("start_connected", True)),
        allowGuestControl=bool(item.get("allow_guest_control", True)),
        connected=item.get("state") == "CONNECTED",
        status="ok",
    )


# The reasons of a device change refused, which ``faults.from_reason`` words as vCenter's faults:
# the change's index first among their values; and of a file on no datastore (the path).
SPEC, OPERATION_REFUSED, CONTROLLER = "vm.device.spec", "vm.device.operation", "vm.device.controller"
FILE_NOT_FOUND, DATASTORE_PATH = "vm.file_not_found", "vm.datastore_path"
FIXED_CONTROLLERS = frozenset({100, 300, 400})  # PCI, PS/2 and SIO: every VM has them


def _refused(reason: str, index: int, message: str, *values: str) -> Invalid:
    return Invalid(reason, message, str(index), *values)


def check(context: Context, vm: ObjectView, changes: list[Any]) -> None:
    """Refuse a ``deviceChange`` before anything of it is made, as vCenter checks a spec whole:
    a change without an operation or of a device the VM has not (InvalidDeviceSpec), an edit or
    removal of a controller (InvalidDeviceOperation), a device on a controller the VM has not and
    the spec adds not (InvalidController), a disk whose file is on a datastore the VM's
    datacenter has not (FileNotFound for a disk attached, InvalidDatastorePath for one created), a
    network adapter on a network that is not there (InvalidDeviceSpec). Each refusal is Invalid,
    the change's index first among its values (a file's refusal: the path)."""
    present = devices(vm)
    keys = {d.key for d in present}
    controllers = {
        d.key for d in present if isinstance(d, vim.vm.device.VirtualController)
    } | FIXED_CONTROLLERS
    for index, change in enumerate(changes):
        device, operation = change.device, change.operation
        if device is None or operation is None:
            raise _refused(SPEC, index, "The change names no device or no operation")
        if operation != OPERATION.add and device.key not in keys:
            raise _refused(SPEC, index, f"The virtual machine has no device {device.key}")
        if isinstance(device, vim.vm.device.VirtualController):
            if operation != OPERATION.add:
                raise _refused(OPERATION_REFUSED, index, "The virtual machine's controllers stay")
            controllers.add(device.key)
            continue
        if operation == OPERATION.remove:
            continue
        if device.controllerKey not in (None, 0) and device.controllerKey not in controllers:
            raise _refused(
                CONTROLLER, index, f"No controller {device.controllerKey}", str(device.controllerKey)
            )
        if isinstance(device, vim.vm.device.VirtualDisk):
            _check_disk(context, vm, index, device, change)
        elif isinstance(device, vim.vm.device.VirtualEthernetCard):
            _network(context, vm, index, device.backing)


def _check_disk(context: Context, vm: ObjectView, index: int, device: Any, change: Any) -> None:
    backing = device.backing
    file = getattr(backing, "fileName", None) or ""
    named = DATASTORE_OF.match(file)
    if named is not None and datastore_named(context, vm.datacenter, named["name"]) is None:
        attached = change.fileOperation != "create" and file.endswith(".vmdk")
        raise Invalid(
            FILE_NOT_FOUND if attached else DATASTORE_PATH, f"No datastore named {named['name']}", file
        )
    datastore = getattr(backing, "datastore", None)
    if (
        datastore is not None
        and context.world.inventory.kinds({datastore._moId}).get(datastore._moId) != DATASTORE
    ):
        raise Invalid(DATASTORE_PATH, f"No datastore {datastore._moId}", file or f"[{datastore._moId}]")


def datastore_named(context: Context, datacenter: str | None, name: str) -> str | None:
    """The id of the datastore ``name`` of the datacenter, or None."""
    found = context.world.inventory.list(DATASTORE, Filter(names={name}, datacenters={datacenter or ""}), 1)
    return found[0].moid if found else None


def _network(context: Context, vm: ObjectView, index: int, backing: Any) -> str | None:
    """The network a NIC's backing names (by reference or by name), or None when it names none;
    InvalidDeviceSpec for one that is not a network of the VM's datacenter."""
    if backing is None:
        return None
    network = getattr(backing, "network", None)
    if network is not None:
        if context.world.inventory.kinds({network._moId}).get(network._moId) != NETWORK:
            raise _refused(SPEC, index, f"No network {network._moId}")
        return str(network._moId)
    name = getattr(backing, "deviceName", None)
    if not name:
        return None
    found = context.world.inventory.list(NETWORK, Filter(names={name}, datacenters={vm.datacenter or ""}), 1)
    if not found:
        raise _refused(SPEC, index, f"No network named {name}")
    return found[0].moid


def apply(context: Context, vm: ObjectView, changes: list[Any]) -> None:
    """Make a spec's ``deviceChange`` (``check``ed) on the VM, one device at a time, through the
    world's ``VmHardware`` (the caller makes the whole spec one transaction). A value the world
    refuses for a device is InvalidDeviceSpec (``vm.device.spec``) naming the change; a refusal
    for the VM's state stays the world's."""
    hardware = context.world.vm_hardware
    for index, change in enumerate(changes):
        device, operation = change.device, change.operation
        try:
            if isinstance(device, vim.vm.device.VirtualController):
                continue  # added: the world's one controller of its kind stands for it
            if isinstance(device, vim.vm.device.VirtualDisk):
                _disk(context, vm, device, operation, change)
            elif isinstance(device, vim.vm.device.VirtualEthernetCard):
                _nic(context, vm, index, device, operation)
            elif isinstance(device, vim.vm.device.VirtualCdrom):
                if operation == OPERATION.add:
                    hardware.add_cdrom(vm.moid, _bus(device), None, _cdrom_settings(device))
                elif operation == OPERATION.remove:
                    hardware.remove_cdrom(vm.moid, str(device.key))
                else:
                    hardware.update_cdrom(vm.moid, str(device.key), _cdrom_settings(device))
            else:
                raise _refused(SPEC, index, f"{type(device).__name__} is not supported here")
        except (NotFound, Invalid) as exc:
            if exc.reason.startswith("vm.device."):
                raise
            raise _refused(SPEC, index, exc.message) from exc


def _bus(device: Any) -> str:
    key = device.controllerKey
    if key in IDE_KEYS:
        return "IDE"
    if key is not None and SATA_KEY <= key < SATA_KEY + vm_hardware.SATA_BUSES:
        return "SATA"
    return "SCSI" if isinstance(device, vim.vm.device.VirtualDisk) else "IDE"


def _capacity(vm: ObjectView, key: str, device: Any) -> int | None:
    """The bytes a disk spec asks for: ``capacityInBytes``, unless it is the disk's current size
    while ``capacityInKB`` is not (a client that read the disk and changed only the KB, as
    Ansible's vmware_guest_disk does), then ``capacityInKB``'s."""
    in_bytes = device.capacityInBytes or None
    in_kb = device.capacityInKB * KIB if device.capacityInKB else None
    current = next((d["capacity"] for d in vm_hardware.disks(vm.details) if str(d["key"]) == key), None)
    if in_bytes is not None and in_bytes == current and in_kb not in (None, current):
        return in_kb
    return in_bytes or in_kb


def _disk(context: Context, vm: ObjectView, device: Any, operation: Any, change: Any) -> None:
    hardware = context.world.vm_hardware
    key = str(device.key)
    if operation == OPERATION.remove:
        hardware.remove_disk(vm.moid, key)
        return
    capacity = _capacity(vm, key, device)
    file = getattr(device.backing, "fileName", None) or None
    existing = file if file and file.endswith(".vmdk") and change.fileOperation != "create" else None
    if operation == OPERATION.add:
        bus = _bus(device)
        address = {"unit": device.unitNumber} if bus != "IDE" and device.unitNumber is not None else None
        size = None if existing else capacity
        hardware.add_disk(vm.moid, bus, address, existing, size, None, _provisioning(device.backing))
    else:
        hardware.update_disk(vm.moid, key, existing)
        if capacity:
            hardware.grow_disk(vm.moid, key, capacity)


def _provisioning(backing: Any) -> str:
    """A ``FlatVer2BackingInfo``'s provisioning in the world's terms: thin when
    ``thinProvisioned``, eagerly zeroed thick when ``eagerlyScrub``, else (both unset, as vSphere
    takes them) lazily zeroed thick."""
    if getattr(backing, "thinProvisioned", None):
        return datastore_space.THIN
    return datastore_space.EAGER if getattr(backing, "eagerlyScrub", None) else datastore_space.THICK


def _nic(context: Context, vm: ObjectView, index: int, device: Any, operation: Any) -> None:
    hardware = context.world.vm_hardware
    if operation == OPERATION.remove:
        hardware.remove_nic(vm.moid, str(device.key))
        return
    settings: dict[str, Any] = {}
    network = _network(context, vm, index, device.backing)
    if network is not None:
        settings["network"] = network
    if device.addressType and device.addressType.lower() == "manual":
        settings["mac_type"], settings["mac_address"] = "MANUAL", device.macAddress
    if device.connectable is not None:
        settings["start_connected"] = device.connectable.startConnected
        settings["allow_guest_control"] = device.connectable.allowGuestControl
    if device.wakeOnLanEnabled is not None:
        settings["wake_on_lan_enabled"] = device.wakeOnLanEnabled
    if operation == OPERATION.add:
        kind = next((t for t, cls in NIC_TYPES.items() if type(device) is cls), "VMXNET3")
        hardware.add_nic(vm.moid, {**settings, "type": kind})
    else:
        hardware.update_nic(vm.moid, str(device.key), settings)


def _cdrom_settings(device: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    if isinstance(device.backing, vim.vm.device.VirtualCdrom.IsoBackingInfo):
        settings["backing"] = {"type": "ISO_FILE", "iso_file": device.backing.fileName}
    elif device.backing is not None:
        settings["backing"] = {"type": "CLIENT_DEVICE"}
    if device.connectable is not None:
        settings["start_connected"] = device.connectable.startConnected
        settings["allow_guest_control"] = device.connectable.allowGuestControl
    return settings
