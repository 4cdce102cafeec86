"""A VM's virtual hardware, as vCenter's ``vm.hardware`` services read and change it: CPU,
memory, boot options, the hardware version, disks, network adapters and CD-ROM drives.

Devices live in the VM's ``details`` (the vCD face reads the same disks and NICs): a VM made
before a setting existed shows the product's default for it. The rules are vSphere's, as the
``com.vmware.vcenter.vm.hardware`` bindings (9.1.1.0) state them: CPU and memory change while the
VM runs only with hot-add (and hot-remove) enabled; an IDE device is added or removed only while
it is off; nothing is added to a suspended VM; SCSI unit 7 is the adapter's own.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session, object_session

from localsphere.world import datastore_space
from localsphere.world.clock import Clock
from localsphere.world.errors import AlreadyInState, Conflict, Invalid, NotFound, WrongState
from localsphere.world.inventory import (
    NETWORK,
    POWERED_OFF,
    POWERED_ON,
    SUSPENDED,
    VM,
    ObjectView,
    datastore_file,
    datastore_name,
    row_of,
)
from localsphere.world.schema import ManagedObject
from localsphere.world.store import INVENTORY, Store, changed
from localsphere.world.vm_sizes import check_cpus, check_memory

T = TypeVar("T")
VERSIONS = tuple(f"VMX_{n:02d}" for n in (3, 4, *range(6, 23)))  # the product's enumeration
DEFAULT_VERSION, LATEST_VERSION = "VMX_21", "VMX_22"
DISK_BYTES_MOST = 62 << 40  # a virtual disk's largest (62 TiB)
DEFAULT_DISK_BYTES = 16 << 30
SCSI_BUSES, SCSI_UNITS, SCSI_ADAPTER_UNIT = 4, 16, 7
SATA_BUSES, SATA_UNITS = 4, 30
NICS_MOST = 10
MANUAL_MAC = re.compile(
    r"00:50:56:[0-3][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}", re.IGNORECASE
)  # VMware's manual range
DATASTORE_PATH = re.compile(r"\[[^\]]+\] \S.*")
BOOT_DEFAULTS: dict[str, Any] = {
    "type": "BIOS",
    "efi_legacy_boot": None,
    "network_protocol": None,
    "delay": 0,
    "retry": False,
    "retry_delay": 10000,
    "enter_setup_mode": False,
}
HARDWARE_DEFAULTS: dict[str, Any] = {
    "version": DEFAULT_VERSION,
    "upgrade_policy": "NEVER",
    "upgrade_version": None,
    "upgrade_status": "NONE",
}
# Device keys, as vSphere numbers them: the first of each kind.
DISK_KEY, NIC_KEY, IDE_CDROM_KEY, SATA_CDROM_KEY = 2000, 4000, 3000, 16000
# vCD names the PCnet adapter in its own spelling.
ADAPTER_NAMES = {"PCNet32": "PCNET32"}


def cpu(o: ObjectView) -> dict[str, Any]:
    d = o.details
    return {
        "count": o.cpu_count or 1,
        "cores_per_socket": d.get("cores_per_socket", 1),
        "hot_add_enabled": d.get("cpu_hot_add", False),
        "hot_remove_enabled": d.get("cpu_hot_remove", False),
    }


def memory(o: ObjectView) -> dict[str, Any]:
    hot = o.details.get("memory_hot_add", False)
    return {
        "size_MiB": o.memory_mib or 0,
        "hot_add_enabled": hot,
        "hot_add_increment_size_MiB": 128 if hot and o.power_state == POWERED_ON else None,
        "hot_add_limit_MiB": 16 * (o.memory_mib or 0) if hot and o.power_state == POWERED_ON else None,
    }


def boot(details: dict[str, Any]) -> dict[str, Any]:
    return {**BOOT_DEFAULTS, **details.get("boot", {})}


def firmware(details: dict[str, Any]) -> str:
    """The VM's firmware, ``BIOS`` or ``EFI``: its boot options' ``type`` (what REST's ``boot``
    and vim25's ``config.firmware`` both say)."""
    return str(boot(details)["type"])


def disk_uuid(vm_uuid: str, key: str) -> str:
    """A virtual disk's UUID (vim25's ``backing.uuid``, the SCSI id its guest sees), fixed for the
    VM's disk ``key``: vSphere's form, its ``6000C29`` prefix and 25 hex digits
    (``6000C29a-1b2c-...``)."""
    digits = uuid.uuid5(uuid.NAMESPACE_URL, f"vm:{vm_uuid}/disk:{key}").hex
    return f"6000C29{digits[0]}-{digits[1:5]}-{digits[5:9]}-{digits[9:13]}-{digits[13:25]}"


def swapped_uuid(value: str) -> str:
    """``value`` (a UUID) with its two 64-bit halves swapped: its own inverse."""
    digits = uuid.UUID(value).hex
    return str(uuid.UUID(digits[16:] + digits[:16]))


def bios_uuid(o: ObjectView) -> str:
    """The VM's SMBIOS UUID (vim25's ``config.uuid``, REST's ``identity.bios_uuid``), distinct
    from its instance UUID (``o.uuid``): the one its ``details`` keep (``bios_uuid``, given to an
    instant clone), else one derived from the instance UUID (its halves swapped), so that every
    VM, a VM made before the world kept one too, has a fixed one that ``by_bios_uuid`` finds."""
    return str(o.details.get("bios_uuid") or swapped_uuid(o.uuid))


def boot_devices(o: ObjectView) -> list[dict[str, Any]]:
    """The VM's boot order: entries of ``type`` with their ``nic`` or ``disks`` (empty: the default)."""
    return list(o.details.get("boot_devices", []))


def hardware(details: dict[str, Any]) -> dict[str, Any]:
    return {**HARDWARE_DEFAULTS, **details.get("hardware", {})}


def disks(details: dict[str, Any]) -> list[dict[str, Any]]:
    """The VM's disks, each with its bus (``type``, SCSI unless added otherwise) and address."""
    found = []
    units = (u for u in range(SCSI_UNITS * SCSI_BUSES) if u % SCSI_UNITS != SCSI_ADAPTER_UNIT)
    for disk in details.get("disks", []):
        if "type" in disk:
            found.append(disk)
        else:  # made before addresses were kept: the next SCSI units, in order
            unit = next(units)
            found.append({**disk, "type": "SCSI", "bus": unit // SCSI_UNITS, "unit": unit % SCSI_UNITS})
    return found


def place_disk(details: dict[str, Any], kind: str, capacity: int, file: str, **extra: Any) -> str:
    """A disk of ``capacity`` bytes backed by ``file`` added to a VM's ``details`` at the first
    free address of bus ``kind`` (SCSI, SATA, IDE), on the VM's datastore, with ``extra`` kept
    beside it (vCD's independent disk it is); returns its key. Conflict when the bus is full."""
    present = disks(details)
    taken = {_address(d) for d in [*present, *details.get("cdroms", [])]}
    where = _free_address(kind, {}, taken)
    key = _next_key(present, DISK_KEY)
    datastore = present[0]["datastore"] if present else details.get("datastore")
    label = f"Hard disk {len(present) + 1}"
    disk = {"key": key, "label": label, "capacity": capacity, "datastore": datastore, "file": file}
    details["disks"] = [*present, {**disk, **where, **extra}]
    return key


def drop_disk(details: dict[str, Any], key: str) -> None:
    """A disk gone from a VM's ``details``, and from its boot order."""
    details["disks"] = [d for d in disks(details) if d["key"] != key]
    _forget_boot_device(details, "disks", key)


def nics(o: ObjectView) -> list[dict[str, Any]]:
    """The VM's network adapters with every setting; ``state`` is CONNECTED while the VM runs
    and the adapter is connected."""
    found = []
    for index, nic in enumerate(o.details.get("nics", [])):
        adapter = nic.get("adapter") or "VMXNET3"
        connected = nic.get("connected", True) and nic.get("network") is not None
        found.append(
            {
                **nic,
                "type": ADAPTER_NAMES.get(adapter, adapter),
                "mac_type": nic.get("mac_type", "ASSIGNED"),
                "pci_slot_number": nic.get("pci_slot_number", 160 + index),
                "wake_on_lan_enabled": nic.get("wake_on_lan_enabled", False),
                "upt_compatibility_enabled": nic.get("upt_compatibility_enabled", False),
                "start_connected": nic.get("start_connected", True),
                "allow_guest_control": nic.get("allow_guest_control", True),
                "state": "CONNECTED" if connected and o.power_state == POWERED_ON else "NOT_CONNECTED",
            }
        )
    return found


def cdroms(o: ObjectView) -> list[dict[str, Any]]:
    return [
        {**c, "state": "CONNECTED" if c.get("connected") and o.power_state == POWERED_ON else "NOT_CONNECTED"}
        for c in o.details.get("cdroms", [])
    ]


def scsi_adapters(details: dict[str, Any]) -> list[dict[str, Any]]:
    """SCSI controller 0, which every VM made here has (its disks' bus 0)."""
    return [{"key": "1000", "label": "SCSI controller 0", "type": "PVSCSI", "bus": 0, "sharing": "NONE"}]


def sata_adapters(details: dict[str, Any]) -> list[dict[str, Any]]:
    """SATA controller 0, once a SATA device needs it."""
    devices = [*details.get("disks", []), *details.get("cdroms", [])]
    if any(d.get("type") == "SATA" for d in devices):
        return [{"key": "15000", "label": "SATA controller 0", "type": "AHCI", "bus": 0}]
    return []


def device(found: list[dict[str, Any]], key: str, kind: str, vm: str) -> dict[str, Any]:
    """The device ``key`` among ``found``; NotFound naming its ``kind`` otherwise."""
    for item in found:
        if item["key"] == key:
            return item
    raise NotFound(f"vm.{kind}.not_found", f"Virtual machine {vm} has no {kind} {key}", vm, key)


class VmHardware:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def _change(self, moid: str, edit: Callable[[ManagedObject, dict[str, Any]], T]) -> T:
        """Apply ``edit`` to the locked VM row and its details, in one transaction."""
        with self._store.write() as s:
            row = row_of(s, VM, moid, lock=True)
            details = json.loads(row.details)
            result = edit(row, details)
            before, row.details = row.details, json.dumps(details)
            datastore_space.require_room(s, json.loads(before), details)
            changed(s, INVENTORY)
            return result

    def update_cpu(
        self,
        moid: str,
        count: int | None,
        cores_per_socket: int | None,
        hot_add: bool | None,
        hot_remove: bool | None,
    ) -> None:
        """Invalid for a count out of 1..768 or not whole sockets; WrongState for a change the
        running VM cannot take (hot-add flags, or a count without hot-add or hot-remove)."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            current = row.cpu_count or 1
            wanted = current if count is None else count
            cores = cores_per_socket if cores_per_socket is not None else details.get("cores_per_socket", 1)
            check_cpus(wanted, cores)
            if row.power_state != POWERED_OFF:
                if (hot_add, hot_remove) != (None, None) or cores_per_socket not in (None, cores):
                    _not_while(row, "change CPU hot-plug settings")
                if wanted > current and not details.get("cpu_hot_add", False):
                    _not_while(row, "add CPUs without CPU hot-add")
                if wanted < current and not details.get("cpu_hot_remove", False):
                    _not_while(row, "remove CPUs without CPU hot-remove")
            row.cpu_count = wanted
            details["cores_per_socket"] = cores
            if hot_add is not None:
                details["cpu_hot_add"] = hot_add
            if hot_remove is not None:
                details["cpu_hot_remove"] = hot_remove

        self._change(moid, edit)

    def update_memory(self, moid: str, size_mib: int | None, hot_add: bool | None) -> None:
        """Invalid for a size out of bounds or not a multiple of 4 MiB; WrongState for a change
        the running VM cannot take (memory shrinks only while it is off, grows with hot-add)."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            current = row.memory_mib or 0
            wanted = current if size_mib is None else size_mib
            check_memory(wanted)
            if row.power_state != POWERED_OFF:
                if hot_add is not None and hot_add != details.get("memory_hot_add", False):
                    _not_while(row, "change memory hot-add")
                if wanted < current:
                    _not_while(row, "remove memory")
                if wanted > current and not details.get("memory_hot_add", False):
                    _not_while(row, "add memory without memory hot-add")
                if wanted > 16 * current:
                    raise Invalid("vm.memory.hot_add_limit", "Memory can grow to 16 times its size while on")
            row.memory_mib = wanted
            if hot_add is not None:
                details["memory_hot_add"] = hot_add

        self._change(moid, edit)

    def update_boot(self, moid: str, settings: dict[str, Any]) -> None:
        """``settings``: boot options to change (None: unchanged). Invalid for negative delays, or
        EFI-only options on a BIOS VM."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            merged = {**boot(details), **{k: v for k, v in settings.items() if v is not None}}
            for name in ("delay", "retry_delay"):
                if merged[name] < 0:
                    raise Invalid(
                        f"vm.boot.{name}", f"The boot {name} must not be negative", str(merged[name])
                    )
            if merged["type"] == "BIOS" and settings.get("type") == "BIOS":
                merged["efi_legacy_boot"] = merged["network_protocol"] = None
            if merged["type"] == "BIOS" and (merged["efi_legacy_boot"] or merged["network_protocol"]):
                raise Invalid("vm.boot.efi_only", "EFI legacy boot and network protocol need EFI firmware")
            details["boot"] = {k: merged[k] for k in BOOT_DEFAULTS}

        self._change(moid, edit)

    def update_hardware(self, moid: str, upgrade_policy: str | None, upgrade_version: str | None) -> None:
        """Schedule (or cancel) an upgrade of the hardware version: Invalid for a version that is
        not newer, or one given with the policy NEVER."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            current = hardware(details)
            policy = upgrade_policy or current["upgrade_policy"]
            version = upgrade_version if upgrade_version is not None else current["upgrade_version"]
            if policy == "NEVER":
                if upgrade_version is not None:
                    raise Invalid("vm.hardware.upgrade_version", "An upgrade version needs an upgrade policy")
                version = None
            else:
                version = version or LATEST_VERSION
                if VERSIONS.index(version) <= VERSIONS.index(current["version"]):
                    raise Invalid(
                        "vm.hardware.upgrade_version",
                        f"Hardware version {version} is not newer than {current['version']}",
                        version,
                    )
            status = "NONE" if policy == "NEVER" else "PENDING"
            details["hardware"] = {
                **current,
                "upgrade_policy": policy,
                "upgrade_version": version,
                "upgrade_status": status,
            }

        self._change(moid, edit)

    def upgrade(self, moid: str, version: str | None) -> None:
        """Upgrade the hardware version now (the newest when None): WrongState unless off,
        AlreadyInState at that version, Invalid for an older one."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            current = hardware(details)
            target = version or LATEST_VERSION
            if row.power_state != POWERED_OFF:
                _not_while(row, "upgrade its hardware")
            if target == current["version"]:
                raise AlreadyInState(
                    "vm.hardware.version_current", f"The hardware is already {target}", target
                )
            if VERSIONS.index(target) < VERSIONS.index(current["version"]):
                raise Invalid(
                    "vm.hardware.downgrade", f"Hardware {current['version']} cannot go back to {target}"
                )
            details["hardware"] = {
                **current,
                "version": target,
                "upgrade_version": None,
                "upgrade_status": "SUCCESS",
            }

        self._change(moid, edit)

    # Disks

    def add_disk(
        self,
        moid: str,
        bus: str | None,
        address: dict[str, Any] | None,
        vmdk_file: str | None,
        capacity: int | None,
        name: str | None,
        provisioning: str = datastore_space.THIN,
    ) -> str:
        """A disk on ``bus`` (SCSI by default) at ``address`` (the first free unit when None or its
        unit unset), backed by an existing ``vmdk_file`` or a new VMDK of ``capacity`` bytes,
        ``provisioning`` (``datastore_space.PROVISIONING``) it; returns its key. WrongState on a
        suspended VM, or IDE while it runs, or (``datastore.insufficient_space``) for a thick
        disk its datastore has no room for; Invalid for an address out of bounds, a bad path or
        size; Conflict (in use) for a taken address or file; NotFound (the adapter) for a SCSI
        bus other than 0."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> str:
            kind = bus or "SCSI"
            _refuse_suspended(row)
            if kind == "IDE" and row.power_state == POWERED_ON:
                _not_while(row, "add an IDE disk")
            present = disks(details)
            taken = {_address(d) for d in [*present, *details.get("cdroms", [])]}
            where = _free_address(kind, address or {}, taken)
            if vmdk_file is not None:
                if not DATASTORE_PATH.fullmatch(vmdk_file) or not vmdk_file.endswith(".vmdk"):
                    raise Invalid(
                        "vm.disk.vmdk_file", f"'{vmdk_file}' is not a datastore path to a VMDK", vmdk_file
                    )
                if any(d.get("file") == vmdk_file for d in present):
                    raise Conflict("vm.disk.file_in_use", f"The VM already uses {vmdk_file}", vmdk_file)
                size = DEFAULT_DISK_BYTES
            else:
                size = DEFAULT_DISK_BYTES if capacity is None else capacity
            if not 0 < size <= DISK_BYTES_MOST:
                raise Invalid("vm.disk.capacity", "A disk's capacity must be 1 byte to 62 TiB", str(size))
            key = _next_key(present, DISK_KEY)
            datastore = present[0]["datastore"] if present else details.get("datastore")
            label = f"Hard disk {len(present) + 1}"
            if vmdk_file is not None:
                file = vmdk_file
            elif datastore is None:
                raise Invalid(
                    "vm.disk.datastore", f"Virtual machine {row.moid} has no datastore for a new disk"
                )
            else:  # as vSphere names them: the VM's name, then _1, _2, ...
                default = row.name if not present else f"{row.name}_{len(present)}"
                place = datastore_name(_session(row), datastore)
                file = datastore_file(place, row.name, f"{name or default}.vmdk")
            details["disks"] = [
                *present,
                {
                    "key": key,
                    "label": label,
                    "capacity": size,
                    "datastore": datastore,
                    "file": file,
                    "provisioning": provisioning,
                    **where,
                },
            ]
            return key

        return self._change(moid, edit)

    def update_disk(self, moid: str, key: str, vmdk_file: str | None) -> None:
        """Back the disk by another VMDK: WrongState unless the VM is off."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = disks(details)
            disk = device(present, key, "disk", moid)
            if vmdk_file is None:
                return
            if row.power_state != POWERED_OFF:
                _not_while(row, "change a disk's backing")
            if not DATASTORE_PATH.fullmatch(vmdk_file) or not vmdk_file.endswith(".vmdk"):
                raise Invalid(
                    "vm.disk.vmdk_file", f"'{vmdk_file}' is not a datastore path to a VMDK", vmdk_file
                )
            disk["file"] = vmdk_file
            details["disks"] = present

        self._change(moid, edit)

    def grow_disk(self, moid: str, key: str, capacity: int) -> None:
        """A disk made larger (vSphere extends a disk, never shrinks it): Invalid for a smaller
        capacity or one past 62 TiB; WrongState (``datastore.insufficient_space``) when a thick
        disk's datastore has no room for the growth."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = disks(details)
            disk = device(present, key, "disk", moid)
            if not disk["capacity"] <= capacity <= DISK_BYTES_MOST:
                raise Invalid(
                    "vm.disk.capacity",
                    "A disk grows only, up to 62 TiB",
                    str(capacity),
                    str(disk["capacity"]),
                )
            disk["capacity"] = capacity
            details["disks"] = present

        self._change(moid, edit)

    def remove_disk(self, moid: str, key: str) -> None:
        """WrongState on a suspended VM, or for an IDE disk while it runs. The VMDK stays."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = disks(details)
            disk = device(present, key, "disk", moid)
            _refuse_suspended(row)
            if disk["type"] == "IDE" and row.power_state == POWERED_ON:
                _not_while(row, "remove an IDE disk")
            details["disks"] = [d for d in present if d["key"] != key]
            _forget_boot_device(details, "disks", key)

        self._change(moid, edit)

    # Network adapters

    def add_nic(self, moid: str, settings: dict[str, Any]) -> str:
        """A network adapter; ``settings`` as ``update_nic`` takes them, and ``type`` (VMXNET3 by
        default). Returns its key. Conflict (no adapter left) past 10."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> str:
            present = details.get("nics", [])
            if len(present) >= NICS_MOST:
                raise Conflict(
                    "vm.nic.too_many", f"A virtual machine has at most {NICS_MOST} network adapters"
                )
            key = _next_key(present, NIC_KEY)
            nic: dict[str, Any] = {
                "key": key,
                "label": f"Network adapter {len(present) + 1}",
                "network": None,
                "network_name": None,
                "mac": generated_mac(),
                "adapter": settings.get("type") or "VMXNET3",
                "connected": False,
            }
            VmHardware._set_nic(row, nic, settings)
            nic["connected"] = nic.get("start_connected", True)  # once running
            details["nics"] = [*present, nic]
            return key

        return self._change(moid, edit)

    def update_nic(self, moid: str, key: str, settings: dict[str, Any]) -> None:
        """Change a network adapter: ``network`` (a port group of the VM's datacenter; NotFound
        otherwise), ``mac_type`` and ``mac_address`` (a manual one in VMware's range), flags."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = details.get("nics", [])
            VmHardware._set_nic(row, device(present, key, "nic", moid), settings)
            details["nics"] = present

        self._change(moid, edit)

    @staticmethod
    def _set_nic(row: ManagedObject, nic: dict[str, Any], settings: dict[str, Any]) -> None:
        network = settings.get("network")
        if network is not None:
            port_group = _session(row).get(ManagedObject, network)
            if port_group is None or port_group.kind != NETWORK:
                raise NotFound(
                    "network.not_found", f"Network with identifier '{network}' does not exist", network
                )
            if port_group.datacenter != row.datacenter:
                raise Invalid("vm.nic.network", f"Network {network} is in another datacenter", network)
            backing = settings.get("backing_type")
            if backing is not None and backing != port_group.subtype:
                raise Invalid(
                    "vm.nic.backing", f"Network {network} is a {port_group.subtype}", network, backing
                )
            nic["network"], nic["network_name"] = port_group.moid, port_group.name
        mac_type = settings.get("mac_type")
        mac = settings.get("mac_address")
        if mac_type == "MANUAL" or (mac is not None and mac_type is None):
            if mac is None or not MANUAL_MAC.fullmatch(mac):
                raise Invalid(
                    "vm.nic.mac_address",
                    "A manual MAC address must be in 00:50:56:00:00:00 to 00:50:56:3F:FF:FF",
                    str(mac),
                )
            nic["mac"], nic["mac_type"] = mac.lower(), "MANUAL"
        elif mac_type is not None:
            if nic.get("mac_type", "ASSIGNED") == "MANUAL":
                nic["mac"] = generated_mac()
            nic["mac_type"] = mac_type
        for name in (
            "start_connected",
            "allow_guest_control",
            "wake_on_lan_enabled",
            "upt_compatibility_enabled",
        ):
            if settings.get(name) is not None:
                nic[name] = settings[name]

    def remove_nic(self, moid: str, key: str) -> None:
        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = details.get("nics", [])
            device(present, key, "nic", moid)
            details["nics"] = [n for n in present if n["key"] != key]
            _forget_boot_device(details, "nic", key)

        self._change(moid, edit)

    def set_boot_devices(self, moid: str, entries: list[dict[str, Any]]) -> None:
        """The ordered devices the VM boots from (``type`` CDROM, DISK with ``disks``, ETHERNET
        with ``nic``, FLOPPY; none: the default order). Invalid for a type twice (ETHERNET may
        repeat) or a DISK or ETHERNET entry without its devices; NotFound for a device the VM
        lacks (``Boot.Device.set``)."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            seen: set[str] = set()
            for entry in entries:
                kind = entry["type"]
                if kind in seen and kind != "ETHERNET":
                    raise Invalid(
                        "vm.boot.device.repeated", f"{kind} may appear only once in the boot order", kind
                    )
                seen.add(kind)
                if kind == "ETHERNET":
                    if not entry.get("nic"):
                        raise Invalid("vm.boot.device.nic", "An ETHERNET boot entry names its nic", "nic")
                    device(details.get("nics", []), entry["nic"], "nic", moid)
                if kind == "DISK":
                    if not entry.get("disks"):
                        raise Invalid("vm.boot.device.disks", "A DISK boot entry names its disks", "disks")
                    for key in entry["disks"]:
                        device(disks(details), key, "disk", moid)
            details["boot_devices"] = [
                {"type": e["type"], "nic": e.get("nic"), "disks": e.get("disks")} for e in entries
            ]

        self._change(moid, edit)

    def connect(self, moid: str, kind: str, key: str, connected: bool) -> None:
        """Connect or disconnect a NIC or CD-ROM (``kind``: ``nics`` or ``cdroms``): WrongState
        unless the VM runs, AlreadyInState when it already is."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = details.get(kind, [])
            item = device(present, key, kind[:-1], moid)
            if row.power_state != POWERED_ON:
                _not_while(row, "connect or disconnect a device")
            now = item.get("connected", kind == "nics") and (
                kind != "nics" or item.get("network") is not None
            )
            if now == connected:
                state = "connected" if connected else "disconnected"
                raise AlreadyInState(
                    f"vm.{kind[:-1]}.already_{state}", f"{item['label']} is already {state}", key
                )
            item["connected"] = connected
            details[kind] = present

        self._change(moid, edit)

    # CD-ROM drives

    def add_cdrom(
        self, moid: str, bus: str | None, address: dict[str, Any] | None, settings: dict[str, Any]
    ) -> str:
        """A CD-ROM drive on ``bus`` (IDE by default); WrongState on a suspended VM or IDE while it
        runs, Conflict (in use) for a taken address."""

        def edit(row: ManagedObject, details: dict[str, Any]) -> str:
            kind = bus or "IDE"
            _refuse_suspended(row)
            if kind == "IDE" and row.power_state == POWERED_ON:
                _not_while(row, "add an IDE CD-ROM drive")
            present = details.get("cdroms", [])
            taken = {_address(d) for d in [*disks(details), *present]}
            where = _free_address(kind, address or {}, taken)
            first = IDE_CDROM_KEY if kind == "IDE" else SATA_CDROM_KEY
            drive: dict[str, Any] = {
                "key": _next_key([c for c in present if c["type"] == kind], first),
                "label": f"CD/DVD drive {len(present) + 1}",
                "backing": {"type": "CLIENT_DEVICE", "device_access_type": "EMULATION"},
                "start_connected": False,
                "allow_guest_control": False,
                "connected": False,
                **where,
            }
            _set_cdrom(drive, settings)
            drive["connected"] = drive["start_connected"]  # once running
            details["cdroms"] = [*present, drive]
            return drive["key"]

        return self._change(moid, edit)

    def update_cdrom(self, moid: str, key: str, settings: dict[str, Any]) -> None:
        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = details.get("cdroms", [])
            drive = device(present, key, "cdrom", moid)
            _refuse_suspended(row)
            _set_cdrom(drive, settings)
            details["cdroms"] = present

        self._change(moid, edit)

    def remove_cdrom(self, moid: str, key: str) -> None:
        def edit(row: ManagedObject, details: dict[str, Any]) -> None:
            present = details.get("cdroms", [])
            drive = device(present, key, "cdrom", moid)
            _refuse_suspended(row)
            if drive["type"] == "IDE" and row.power_state == POWERED_ON:
                _not_while(row, "remove an IDE CD-ROM drive")
            details["cdroms"] = [c for c in present if c["key"] != key]

        self._change(moid, edit)


def _set_cdrom(drive: dict[str, Any], settings: dict[str, Any]) -> None:
    backing = settings.get("backing")
    if backing is not None:
        if backing["type"] == "ISO_FILE":
            iso = backing.get("iso_file")
            if iso is None or not DATASTORE_PATH.fullmatch(iso):
                raise Invalid("vm.cdrom.iso_file", "An ISO_FILE backing needs a datastore path", str(iso))
            drive["backing"] = {"type": "ISO_FILE", "iso_file": iso}
        elif backing["type"] == "HOST_DEVICE":
            drive["backing"] = {
                "type": "HOST_DEVICE",
                "host_device": backing.get("host_device"),
                "auto_detect": backing.get("host_device") is None,
            }
        else:
            access = backing.get("device_access_type") or "EMULATION"
            drive["backing"] = {"type": "CLIENT_DEVICE", "device_access_type": access}
    for name in ("start_connected", "allow_guest_control"):
        if settings.get(name) is not None:
            drive[name] = settings[name]


def _address(item: dict[str, Any]) -> tuple[Any, ...]:
    if item.get("type") == "IDE":
        return ("IDE", item.get("primary"), item.get("master"))
    return (item.get("type", "SCSI"), item.get("bus", 0), item.get("unit"))


def _free_address(kind: str, wanted: dict[str, Any], taken: set[tuple[Any, ...]]) -> dict[str, Any]:
    """The address a new device gets on ``kind``'s bus: ``wanted``'s, or the first free one."""
    if kind == "IDE":
        slots = [(p, m) for p in (True, False) for m in (True, False)]
        if wanted.get("primary") is not None:
            slots = [(p, m) for p, m in slots if p == wanted["primary"]]
        if wanted.get("master") is not None:
            slots = [(p, m) for p, m in slots if m == wanted["master"]]
        free = [(p, m) for p, m in slots if ("IDE", p, m) not in taken]
        if not free:
            raise Conflict("vm.device.address_in_use", "No free IDE address is left for the device")
        return {"type": "IDE", "primary": free[0][0], "master": free[0][1]}
    buses, units = (SCSI_BUSES, SCSI_UNITS) if kind == "SCSI" else (SATA_BUSES, SATA_UNITS)
    bus = wanted.get("bus", 0)
    if not 0 <= bus < buses:
        raise Invalid("vm.device.address", f"{kind} bus {bus} is out of bounds (0 to {buses - 1})", str(bus))
    if kind == "SCSI" and bus != 0:
        raise NotFound(
            "vm.scsi_adapter.not_found", f"The virtual machine has no SCSI adapter on bus {bus}", str(bus)
        )
    unit = wanted.get("unit")
    if unit is not None:
        if not 0 <= unit < units or (kind == "SCSI" and unit == SCSI_ADAPTER_UNIT):
            raise Invalid("vm.device.address", f"{kind} unit {unit} is out of bounds or reserved", str(unit))
        if (kind, bus, unit) in taken:
            raise Conflict("vm.device.address_in_use", f"{kind} {bus}:{unit} is in use", f"{bus}:{unit}")
        return {"type": kind, "bus": bus, "unit": unit}
    for candidate in range(units):
        if (kind != "SCSI" or candidate != SCSI_ADAPTER_UNIT) and (kind, bus, candidate) not in taken:
            return {"type": kind, "bus": bus, "unit": candidate}
    raise Conflict("vm.device.address_in_use", f"{kind} bus {bus} has no free unit", str(bus))


def _next_key(present: list[dict[str, Any]], first: int) -> str:
    return str(max([int(d["key"]) + 1 for d in present if int(d["key"]) >= first] + [first]))


def generated_mac() -> str:
    return "00:50:56:" + ":".join(f"{b:02x}" for b in uuid.uuid4().bytes[:3])


def _forget_boot_device(details: dict[str, Any], field: str, key: str) -> None:
    """A removed disk or NIC leaves the boot order (an entry left with no disks goes too)."""
    kept = []
    for entry in details.get("boot_devices", []):
        if field == "nic" and entry.get("nic") == key:
            continue
        if field == "disks" and key in (entry.get("disks") or []):
            entry = {**entry, "disks": [d for d in entry["disks"] if d != key]}
            if not entry["disks"]:
                continue
        kept.append(entry)
    details["boot_devices"] = kept


def _session(row: ManagedObject) -> Session:
    """The transaction a locked VM row belongs to."""
    s = object_session(row)
    assert s is not None
    return s


def _refuse_suspended(row: ManagedObject) -> None:
    if row.power_state == SUSPENDED:
        _not_while(row, "change its devices")


def _not_while(row: ManagedObject, what: str) -> None:
    state = str(row.power_state)
    raise WrongState(
        "vm.hardware.power_state",
        f"Virtual machine {row.moid} is {state.lower().replace('_', ' ')}; cannot {what}",
        row.moid,
        state,
    )
