"""``com.vmware.vcenter.vm.hardware``: a VM's hardware (version and upgrade), CPU, memory, boot
options, disks, Ethernet adapters and CD-ROM drives, read and changed. Shapes, enumerations and
errors as the 9.1.1.0 bindings (``com.vmware.vcenter.vm.hardware_client``) declare them; the
world decides (``world.vm_hardware``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localsphere.faces.vapi.operations import Context, Operation
from localsphere.faces.vapi.types import BOOLEAN, LONG, STRING, Enum, Struct, Type, list_of, optional
from localsphere.world import World
from localsphere.world import inventory as inv
from localsphere.world import vm_hardware as hw
from localsphere.world.inventory import ObjectView

HW = "com.vmware.vcenter.vm.hardware"
READ = "System.Read"
VERSION = Enum(hw.VERSIONS)
UPGRADE_POLICY = Enum(("NEVER", "AFTER_CLEAN_SHUTDOWN", "ALWAYS"))
BOOT_TYPE = Enum(("BIOS", "EFI"))
NETWORK_PROTOCOL = Enum(("IPV4", "IPV6"))
DISK_BUS = Enum(("IDE", "SCSI", "SATA", "NVME"))
CDROM_BUS = Enum(("IDE", "SATA"))
EMULATION = Enum(("E1000", "E1000E", "PCNET32", "VMXNET", "VMXNET2", "VMXNET3"))
MAC_TYPE = Enum(("MANUAL", "GENERATED", "ASSIGNED"))
NIC_BACKING = Enum(("STANDARD_PORTGROUP", "HOST_DEVICE", "DISTRIBUTED_PORTGROUP", "OPAQUE_NETWORK"))
CONNECTION = Enum(("CONNECTED", "RECOVERABLE_ERROR", "UNRECOVERABLE_ERROR", "NOT_CONNECTED", "UNKNOWN"))
CDROM_BACKING = Enum(("ISO_FILE", "HOST_DEVICE", "CLIENT_DEVICE"))
ACCESS = Enum(("EMULATION", "PASSTHRU", "PASSTHRU_EXCLUSIVE"))


def _struct(struct_name: str, /, **fields: Type) -> Struct:
    return Struct(f"{HW}.{struct_name}", fields)


HARDWARE_INFO = _struct(
    "info",
    version=VERSION,
    upgrade_policy=UPGRADE_POLICY,
    upgrade_version=optional(VERSION),
    upgrade_status=Enum(("NONE", "PENDING", "SUCCESS", "FAILED")),
    upgrade_error=optional(Type()),
)
HARDWARE_UPDATE = _struct(
    "update_spec", upgrade_policy=optional(UPGRADE_POLICY), upgrade_version=optional(VERSION)
)
CPU_INFO = _struct(
    "cpu.info", count=LONG, cores_per_socket=LONG, hot_add_enabled=BOOLEAN, hot_remove_enabled=BOOLEAN
)
CPU_UPDATE = _struct(
    "cpu.update_spec",
    count=optional(LONG),
    cores_per_socket=optional(LONG),
    hot_add_enabled=optional(BOOLEAN),
    hot_remove_enabled=optional(BOOLEAN),
)
MEMORY_INFO = _struct(
    "memory.info",
    size_MiB=LONG,
    hot_add_enabled=BOOLEAN,
    hot_add_increment_size_MiB=optional(LONG),
    hot_add_limit_MiB=optional(LONG),
)
MEMORY_UPDATE = _struct("memory.update_spec", size_MiB=optional(LONG), hot_add_enabled=optional(BOOLEAN))
_BOOT_FIELDS: dict[str, Type] = {
    "type": BOOT_TYPE,
    "efi_legacy_boot": BOOLEAN,
    "network_protocol": NETWORK_PROTOCOL,
    "delay": LONG,
    "retry": BOOLEAN,
    "retry_delay": LONG,
    "enter_setup_mode": BOOLEAN,
}
BOOT_INFO = _struct(
    "boot.info",
    **{
        k: optional(v) if k in ("efi_legacy_boot", "network_protocol") else v for k, v in _BOOT_FIELDS.items()
    },
)
BOOT_UPDATE = _struct("boot.update_spec", **{k: optional(v) for k, v in _BOOT_FIELDS.items()})
BOOT_CREATE = _struct("boot.create_spec", **{k: optional(v) for k, v in _BOOT_FIELDS.items()})
BOOT_DEVICE_TYPE = Enum(("CDROM", "DISK", "ETHERNET", "FLOPPY"))
BOOT_DEVICE = _struct(
    "boot.device.entry", type=BOOT_DEVICE_TYPE, nic=optional(STRING), disks=optional(list_of(STRING))
)
BOOT_DEVICE_CREATE = _struct("boot.device.entry_create_spec", type=BOOT_DEVICE_TYPE)
IDE_INFO = _struct("ide_address_info", primary=BOOLEAN, master=BOOLEAN)
IDE_SPEC = _struct("ide_address_spec", primary=optional(BOOLEAN), master=optional(BOOLEAN))
SCSI_INFO = _struct("scsi_address_info", bus=LONG, unit=LONG)
SATA_INFO = _struct("sata_address_info", bus=LONG, unit=LONG)
NVME_INFO = _struct("nvme_address_info", bus=LONG, unit=LONG)
SCSI_SPEC = _struct("scsi_address_spec", bus=LONG, unit=optional(LONG))
SATA_SPEC = _struct("sata_address_spec", bus=LONG, unit=optional(LONG))
NVME_SPEC = _struct("nvme_address_spec", bus=LONG, unit=optional(LONG))
DISK_BACKING = Enum(("VMDK_FILE",))
DISK_INFO = _struct(
    "disk.info",
    label=STRING,
    type=DISK_BUS,
    ide=optional(IDE_INFO),
    scsi=optional(SCSI_INFO),
    sata=optional(SATA_INFO),
    nvme=optional(NVME_INFO),
    backing=_struct("disk.backing_info", type=DISK_BACKING, vmdk_file=optional(STRING)),
    capacity=optional(LONG),
)
DISK_BACKING_SPEC = _struct("disk.backing_spec", type=DISK_BACKING, vmdk_file=optional(STRING))
DISK_CREATE = _struct(
    "disk.create_spec",
    type=optional(DISK_BUS),
    ide=optional(IDE_SPEC),
    scsi=optional(SCSI_SPEC),
    sata=optional(SATA_SPEC),
    nvme=optional(NVME_SPEC),
    backing=optional(DISK_BACKING_SPEC),
    new_vmdk=optional(
        _struct(
            "disk.vmdk_create_spec",
            name=optional(STRING),
            capacity=optional(LONG),
            storage_policy=optional(_struct("disk.storage_policy_spec", policy=STRING)),
        )
    ),
)
DISK_UPDATE = _struct("disk.update_spec", backing=optional(DISK_BACKING_SPEC))
NIC_BACKING_INFO = _struct(
    "ethernet.backing_info",
    type=NIC_BACKING,
    network=optional(STRING),
    network_name=optional(STRING),
    host_device=optional(STRING),
    distributed_switch_uuid=optional(STRING),
    distributed_port=optional(STRING),
    connection_cookie=optional(LONG),
    opaque_network_type=optional(STRING),
    opaque_network_id=optional(STRING),
)
NIC_INFO = _struct(
    "ethernet.info",
    label=STRING,
    type=EMULATION,
    upt_compatibility_enabled=optional(BOOLEAN),
    upt_v2_compatibility_enabled=optional(BOOLEAN),
    mac_type=MAC_TYPE,
    mac_address=optional(STRING),
    pci_slot_number=optional(LONG),
    wake_on_lan_enabled=BOOLEAN,
    backing=NIC_BACKING_INFO,
    state=CONNECTION,
    start_connected=BOOLEAN,
    allow_guest_control=BOOLEAN,
)
NIC_BACKING_SPEC = _struct(
    "ethernet.backing_spec", type=NIC_BACKING, network=optional(STRING), distributed_port=optional(STRING)
)
_NIC_SETTINGS: dict[str, Type] = {
    "upt_compatibility_enabled": optional(BOOLEAN),
    "upt_v2_compatibility_enabled": optional(BOOLEAN),
    "mac_type": optional(MAC_TYPE),
    "mac_address": optional(STRING),
    "wake_on_lan_enabled": optional(BOOLEAN),
    "backing": optional(NIC_BACKING_SPEC),
    "start_connected": optional(BOOLEAN),
    "allow_guest_control": optional(BOOLEAN),
}
NIC_UPDATE = _struct("ethernet.update_spec", **_NIC_SETTINGS)
NIC_CREATE = _struct(
    "ethernet.create_spec", type=optional(EMULATION), pci_slot_number=optional(LONG), **_NIC_SETTINGS
)
CDROM_BACKING_INFO = _struct(
    "cdrom.backing_info",
    type=CDROM_BACKING,
    iso_file=optional(STRING),
    host_device=optional(STRING),
    auto_detect=optional(BOOLEAN),
    device_access_type=optional(ACCESS),
)
CDROM_INFO = _struct(
    "cdrom.info",
    type=CDROM_BUS,
    label=STRING,
    ide=optional(IDE_INFO),
    sata=optional(SATA_INFO),
    backing=CDROM_BACKING_INFO,
    state=CONNECTION,
    start_connected=BOOLEAN,
    allow_guest_control=BOOLEAN,
)
CDROM_BACKING_SPEC = _struct(
    "cdrom.backing_spec",
    type=CDROM_BACKING,
    iso_file=optional(STRING),
    host_device=optional(STRING),
    device_access_type=optional(ACCESS),
)
CDROM_UPDATE = _struct(
    "cdrom.update_spec",
    backing=optional(CDROM_BACKING_SPEC),
    start_connected=optional(BOOLEAN),
    allow_guest_control=optional(BOOLEAN),
)
CDROM_CREATE = _struct(
    "cdrom.create_spec",
    type=optional(CDROM_BUS),
    ide=optional(IDE_SPEC),
    sata=optional(SATA_SPEC),
    backing=optional(CDROM_BACKING_SPEC),
    start_connected=optional(BOOLEAN),
    allow_guest_control=optional(BOOLEAN),
)
SATA_ADAPTER_INFO = _struct(
    "adapter.sata.info", label=STRING, type=Enum(("AHCI",)), bus=LONG, pci_slot_number=optional(LONG)
)
SCSI_ADAPTER_INFO = _struct(
    "adapter.scsi.info",
    label=STRING,
    type=Enum(("BUSLOGIC", "LSILOGIC", "LSILOGICSAS", "PVSCSI")),
    scsi=SCSI_INFO,
    pci_slot_number=optional(LONG),
    sharing=Enum(("NONE", "VIRTUAL", "PHYSICAL")),
)


def disk_info(d: dict[str, Any]) -> dict[str, Any]:
    address = (
        {"ide": {"primary": d["primary"], "master": d["master"]}}
        if d["type"] == "IDE"
        else {d["type"].lower(): {"bus": d["bus"], "unit": d["unit"]}}
    )
    return {
        "label": d["label"],
        "type": d["type"],
        **address,
        "backing": {"type": "VMDK_FILE", "vmdk_file": d["file"]},
        "capacity": d["capacity"],
    }


def nic_info(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": n["label"],
        "type": n["type"],
        "upt_compatibility_enabled": n["upt_compatibility_enabled"],
        "mac_type": n["mac_type"],
        "mac_address": n["mac"],
        "pci_slot_number": n["pci_slot_number"],
        "wake_on_lan_enabled": n["wake_on_lan_enabled"],
        "backing": {
            "type": "STANDARD_PORTGROUP",
            "network": n.get("network"),
            "network_name": n.get("network_name"),
        },
        "state": n["state"],
        "start_connected": n["start_connected"],
        "allow_guest_control": n["allow_guest_control"],
    }


def cdrom_info(c: dict[str, Any]) -> dict[str, Any]:
    address = (
        {"ide": {"primary": c["primary"], "master": c["master"]}}
        if c["type"] == "IDE"
        else {"sata": {"bus": c["bus"], "unit": c["unit"]}}
    )
    return {
        "type": c["type"],
        "label": c["label"],
        **address,
        "backing": c["backing"],
        "state": c["state"],
        "start_connected": c["start_connected"],
        "allow_guest_control": c["allow_guest_control"],
    }


def devices(o: ObjectView) -> dict[str, Any]:
    """Every device of a VM, by key, as ``VM.Info`` shows them."""
    d = o.details
    return {
        "hardware": {**hw.hardware(d), "upgrade_error": None},
        "boot": hw.boot(d),
        "boot_devices": hw.boot_devices(o),
        "cpu": hw.cpu(o),
        "memory": hw.memory(o),
        "disks": {x["key"]: disk_info(x) for x in hw.disks(d)},
        "nics": {x["key"]: nic_info(x) for x in hw.nics(o)},
        "cdroms": {x["key"]: cdrom_info(x) for x in hw.cdroms(o)},
        "sata_adapters": {
            a["key"]: {"label": a["label"], "type": a["type"], "bus": a["bus"]} for a in hw.sata_adapters(d)
        },
        "scsi_adapters": {
            a["key"]: {
                "label": a["label"],
                "type": a["type"],
                "scsi": {"bus": a["bus"], "unit": hw.SCSI_ADAPTER_UNIT},
                "sharing": a["sharing"],
            }
            for a in hw.scsi_adapters(d)
        },
    }


def _address(spec: dict[str, Any], kind: str | None) -> dict[str, Any] | None:
    """A device's address from a create spec: its bus type's address structure, if given."""
    for bus in ("ide", "scsi", "sata", "nvme"):
        if spec.get(bus) is not None and (kind is None or kind.lower() == bus):
            return spec[bus]
    return None


def _add_disk(change: hw.VmHardware, vm: str, spec: dict[str, Any]) -> str:
    new = spec["new_vmdk"] or {}
    backing = spec["backing"] or {}
    address = _address(spec, spec["type"])
    return change.add_disk(
        vm, spec["type"], address, backing.get("vmdk_file"), new.get("capacity"), new.get("name")
    )


def _add_cdrom(change: hw.VmHardware, vm: str, spec: dict[str, Any]) -> str:
    return change.add_cdrom(vm, spec["type"], _address(spec, spec["type"]), spec)


def furnish(world: World, vm: str, spec: dict[str, Any]) -> None:
    """What a VM create spec asks of a new VM's hardware beyond its size: CPU and memory options,
    boot options, its disks, Ethernet adapters and CD-ROM drives, and its boot order
    (``VM.CreateSpec``)."""
    change = world.vm_hardware
    cpu, memory = spec["cpu"] or {}, spec["memory"] or {}
    if any(cpu.get(k) is not None for k in ("cores_per_socket", "hot_add_enabled", "hot_remove_enabled")):
        change.update_cpu(
            vm, None, cpu["cores_per_socket"], cpu["hot_add_enabled"], cpu["hot_remove_enabled"]
        )
    if memory.get("hot_add_enabled") is not None:
        change.update_memory(vm, None, memory["hot_add_enabled"])
    if spec["boot"] is not None:
        change.update_boot(vm, spec["boot"])
    for disk in spec["disks"] or []:
        _add_disk(change, vm, disk)
    for nic in spec["nics"] or []:
        change.add_nic(vm, nic_settings(nic))
    for cdrom in spec["cdroms"] or []:
        _add_cdrom(change, vm, cdrom)
    if spec["boot_devices"]:
        o = world.inventory.get(inv.VM, vm)
        change.set_boot_devices(vm, _boot_order(o, spec["boot_devices"]))


def _boot_order(o: ObjectView, kinds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A create spec's boot device types as entries: ETHERNET is each NIC, DISK the disks, in the
    order the spec made them (``Boot.Device.EntryCreateSpec``)."""
    entries: list[dict[str, Any]] = []
    for kind in (k["type"] for k in kinds):
        if kind == "ETHERNET":
            entries += [{"type": kind, "nic": n["key"]} for n in hw.nics(o)]
        elif kind == "DISK":
            entries.append({"type": kind, "disks": [d["key"] for d in hw.disks(o.details)]})
        else:
            entries.append({"type": kind})
    return entries


def nic_settings(spec: dict[str, Any]) -> dict[str, Any]:
    backing = spec.get("backing") or {}
    return {
        **{k: spec.get(k) for k in ("mac_type", "mac_address", "start_connected", "allow_guest_control")},
        "wake_on_lan_enabled": spec.get("wake_on_lan_enabled"),
        "upt_compatibility_enabled": spec.get("upt_compatibility_enabled"),
        "network": backing.get("network"),
        "backing_type": backing.get("type"),
        "type": spec.get("type"),
    }


def operations(world: World) -> list[Operation]:
    vm_path = "/vcenter/vm/{vm}/hardware"
    machines = world.inventory
    change = world.vm_hardware

    def vm(given: dict[str, Any]) -> ObjectView:
        return machines.get(inv.VM, given["vm"])

    def reading(service: str, path: str, output: Type, render: Callable[[ObjectView], Any]) -> Operation:
        return Operation(
            service, "get", "GET", path, {"vm": STRING}, output, lambda _, g: render(vm(g)), READ, "vm"
        )

    def writing(
        service: str,
        name: str,
        method: str,
        path: str,
        params: dict[str, Type],
        run: Callable[[dict[str, Any]], Any],
        privilege: str,
        output: Type | None = None,
        **more: Any,
    ) -> Operation:
        def go(_: Context, given: dict[str, Any]) -> Any:
            return run(given)

        return Operation(
            service,
            name,
            method,
            path,
            {"vm": STRING, **params},
            output,
            go,
            privilege,
            "vm",
            write=True,
            **more,
        )

    def device_family(
        kind: str,
        param: str,
        info: Struct,
        listed: Callable[[ObjectView], list[dict[str, Any]]],
        render: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> list[Operation]:
        service = f"{HW}.{kind}"
        path = f"{vm_path}/{kind}"
        summary = _struct(f"{kind}.summary", **{param: STRING})

        def get(_: Context, given: dict[str, Any]) -> dict[str, Any]:
            o = vm(given)
            return render(hw.device(listed(o), given[param], kind, o.moid))

        return [
            Operation(
                service,
                "list",
                "GET",
                path,
                {"vm": STRING},
                list_of(summary),
                lambda _, g: [{param: x["key"]} for x in listed(vm(g))],
                READ,
                "vm",
            ),
            Operation(
                service,
                "get",
                "GET",
                f"{path}/{{{param}}}",
                {"vm": STRING, param: STRING},
                info,
                get,
                READ,
                "vm",
            ),
        ]

    def connecting(kind: str, param: str, plural: str) -> list[Operation]:
        return [
            writing(
                f"{HW}.{kind}",
                action,
                "POST",
                f"{vm_path}/{kind}/{{{param}}}/{action}",
                {param: STRING},
                lambda g, on=(action == "connect"): change.connect(g["vm"], plural, g[param], on),
                "VirtualMachine.Interact.DeviceConnection",
            )
            for action in ("connect", "disconnect")
        ]

    def add_disk(given: dict[str, Any]) -> str:
        return _add_disk(change, given["vm"], given["spec"])

    def add_cdrom(given: dict[str, Any]) -> str:
        return _add_cdrom(change, given["vm"], given["spec"])

    disk_privilege = "VirtualMachine.Config.AddNewDisk"
    devices_privilege = "VirtualMachine.Config.AddRemoveDevice"
    edit = "VirtualMachine.Config.EditDevice"
    return [
        reading(HW, vm_path, HARDWARE_INFO, lambda o: {**hw.hardware(o.details), "upgrade_error": None}),
        writing(
            HW,
            "update",
            "PATCH",
            vm_path,
            {"spec": HARDWARE_UPDATE},
            lambda g: change.update_hardware(
                g["vm"], g["spec"]["upgrade_policy"], g["spec"]["upgrade_version"]
            ),
            "VirtualMachine.Config.UpgradeVirtualHardware",
            body="spec",
        ),
        writing(
            HW,
            "upgrade",
            "POST",
            f"{vm_path}/action/upgrade",
            {"version": optional(VERSION)},
            lambda g: change.upgrade(g["vm"], g["version"]),
            "VirtualMachine.Config.UpgradeVirtualHardware",
            body="*",
        ),
        reading(f"{HW}.cpu", f"{vm_path}/cpu", CPU_INFO, hw.cpu),
        writing(
            f"{HW}.cpu",
            "update",
            "PATCH",
            f"{vm_path}/cpu",
            {"spec": CPU_UPDATE},
            lambda g: change.update_cpu(
                g["vm"],
                g["spec"]["count"],
                g["spec"]["cores_per_socket"],
                g["spec"]["hot_add_enabled"],
                g["spec"]["hot_remove_enabled"],
            ),
            "VirtualMachine.Config.CPUCount",
            body="spec",
        ),
        reading(f"{HW}.memory", f"{vm_path}/memory", MEMORY_INFO, hw.memory),
        writing(
            f"{HW}.memory",
            "update",
            "PATCH",
            f"{vm_path}/memory",
            {"spec": MEMORY_UPDATE},
            lambda g: change.update_memory(g["vm"], g["spec"]["size_MiB"], g["spec"]["hot_add_enabled"]),
            "VirtualMachine.Config.Memory",
            body="spec",
        ),
        reading(f"{HW}.boot", f"{vm_path}/boot", BOOT_INFO, lambda o: hw.boot(o.details)),
        writing(
            f"{HW}.boot",
            "update",
            "PATCH",
            f"{vm_path}/boot",
            {"spec": BOOT_UPDATE},
            lambda g: change.update_boot(g["vm"], g["spec"]),
            "VirtualMachine.Config.Settings",
            body="spec",
        ),
        reading(f"{HW}.boot.device", f"{vm_path}/boot/device", list_of(BOOT_DEVICE), hw.boot_devices),
        writing(
            f"{HW}.boot.device",
            "set",
            "PUT",
            f"{vm_path}/boot/device",
            {"devices": list_of(BOOT_DEVICE)},
            lambda g: change.set_boot_devices(g["vm"], g["devices"]),
            "VirtualMachine.Config.Settings",
            body="*",
        ),
        *device_family("disk", "disk", DISK_INFO, lambda o: hw.disks(o.details), disk_info),
        writing(
            f"{HW}.disk",
            "create",
            "POST",
            f"{vm_path}/disk",
            {"spec": DISK_CREATE},
            add_disk,
            disk_privilege,
            STRING,
            body="spec",
            status=201,
        ),
        writing(
            f"{HW}.disk",
            "update",
            "PATCH",
            f"{vm_path}/disk/{{disk}}",
            {"disk": STRING, "spec": DISK_UPDATE},
            lambda g: change.update_disk(g["vm"], g["disk"], (g["spec"]["backing"] or {}).get("vmdk_file")),
            edit,
            body="spec",
        ),
        writing(
            f"{HW}.disk",
            "delete",
            "DELETE",
            f"{vm_path}/disk/{{disk}}",
            {"disk": STRING},
            lambda g: change.remove_disk(g["vm"], g["disk"]),
            "VirtualMachine.Config.RemoveDisk",
        ),
        *device_family("ethernet", "nic", NIC_INFO, hw.nics, nic_info),
        writing(
            f"{HW}.ethernet",
            "create",
            "POST",
            f"{vm_path}/ethernet",
            {"spec": NIC_CREATE},
            lambda g: change.add_nic(g["vm"], nic_settings(g["spec"])),
            devices_privilege,
            STRING,
            body="spec",
            status=201,
        ),
        writing(
            f"{HW}.ethernet",
            "update",
            "PATCH",
            f"{vm_path}/ethernet/{{nic}}",
            {"nic": STRING, "spec": NIC_UPDATE},
            lambda g: change.update_nic(g["vm"], g["nic"], nic_settings(g["spec"])),
            edit,
            body="spec",
        ),
        writing(
            f"{HW}.ethernet",
            "delete",
            "DELETE",
            f"{vm_path}/ethernet/{{nic}}",
            {"nic": STRING},
            lambda g: change.remove_nic(g["vm"], g["nic"]),
            devices_privilege,
        ),
        *connecting("ethernet", "nic", "nics"),
        *device_family("cdrom", "cdrom", CDROM_INFO, hw.cdroms, cdrom_info),
        writing(
            f"{HW}.cdrom",
            "create",
            "POST",
            f"{vm_path}/cdrom",
            {"spec": CDROM_CREATE},
            add_cdrom,
            devices_privilege,
            STRING,
            body="spec",
            status=201,
        ),
        writing(
            f"{HW}.cdrom",
            "update",
            "PATCH",
            f"{vm_path}/cdrom/{{cdrom}}",
            {"cdrom": STRING, "spec": CDROM_UPDATE},
            lambda g: change.update_cdrom(g["vm"], g["cdrom"], g["spec"]),
            edit,
            body="spec",
        ),
        writing(
            f"{HW}.cdrom",
            "delete",
            "DELETE",
            f"{vm_path}/cdrom/{{cdrom}}",
            {"cdrom": STRING},
            lambda g: change.remove_cdrom(g["vm"], g["cdrom"]),
            devices_privilege,
        ),
        *connecting("cdrom", "cdrom", "cdroms"),
    ]
